/// A JSON value, with a small strict parser and a serializer of its own so the
/// admin protocol needs neither Foundation nor reflection on its hot path.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    /// Keys keep their order, so output is stable and readable.
    case object([(String, JSONValue)])
    /// An integer written in JSON beyond what a `Double` holds exactly (2^53 and more, either
    /// sign), kept as it was written (its digits, with its sign), so that it is written back
    /// unchanged: a request's `id` is echoed as sent, never rounded.
    case bigInteger(String)

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case let (.bool(a), .bool(b)): a == b
        case let (.number(a), .number(b)): a == b
        case let (.bigInteger(a), .bigInteger(b)): a == b
        case let (.string(a), .string(b)): a == b
        case let (.array(a), .array(b)): a == b
        case let (.object(a), .object(b)): a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: false
        }
    }

    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let v): hasher.combine(v)
        case .number(let v): hasher.combine(v)
        case .bigInteger(let v): hasher.combine(v)
        case .string(let v): hasher.combine(v)
        case .array(let v): hasher.combine(v)
        case .object(let v): for (k, value) in v { hasher.combine(k); hasher.combine(value) }
        }
    }

    /// The member `key` of an object, or nil.
    public subscript(_ key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first(where: { $0.0 == key })?.1
    }

    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }
    public var doubleValue: Double? {
        switch self {
        case .number(let n): n
        case .bigInteger(let text): Double(text)
        default: nil
        }
    }
    public var intValue: Int? {
        guard case .number(let n) = self, n.rounded() == n, abs(n) < Self.exactIntegers else { return nil }
        return Int(n)
    }
    /// Integers of smaller magnitude are numbers a `Double` holds exactly (2^53): read into
    /// `.number`, written back as integers; an integer literal at or beyond it is `.bigInteger`.
    public static let exactIntegers: Double = 0x1p53

    public var arrayValue: [JSONValue]? { if case .array(let a) = self { a } else { nil } }
    public var objectValue: [(String, JSONValue)]? { if case .object(let o) = self { o } else { nil } }

    /// True for null, booleans, numbers and strings (what a request `id` may be).
    public var isScalar: Bool {
        switch self {
        case .array, .object: false
        default: true
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(elements) }
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue {
    /// An integer: exactly, as `.bigInteger` where a `Double` would round it.
    public init(_ value: Int) { self = Double(value).magnitude < Self.exactIntegers ? .number(Double(value)) : .bigInteger(String(value)) }
    public init(_ value: String?) { self = value.map(JSONValue.string) ?? .null }
}
