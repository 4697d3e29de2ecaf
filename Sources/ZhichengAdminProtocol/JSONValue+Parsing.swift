/// Why a line is not JSON.
public struct JSONParseError: Error, Sendable, CustomStringConvertible {
    /// What is wrong, for a caller to say in its own words (the API in Chinese).
    public enum Problem: Sendable, Equatable {
        case unexpectedEnd, unexpectedCharacter, invalidLiteral
        case expectedKey, expectedColon, expectedCommaOrBrace, expectedCommaOrBracket
        case notUTF8, controlCharacter, unpairedSurrogate, invalidUnicodeEscape, invalidEscape
        case unterminatedString, shortUnicodeEscape, invalidHexDigit
        case invalidNumber, numberOutOfRange, dataAfterValue
        case tooDeep(Int)
        /// An object names this key twice.
        case duplicateKey(String)
    }

    public let offset: Int
    public let problem: Problem
    /// Where in the value the parser was: the keys and array positions (as numbers) leading
    /// to it, e.g. `["items", "0", "count"]`; empty at the top.
    public var path: [String] = []

    public init(offset: Int, problem: Problem, path: [String] = []) {
        self.offset = offset
        self.problem = problem
        self.path = path
    }

    /// The key an object repeats, when that is the error.
    public var duplicateKey: String? {
        if case .duplicateKey(let key) = problem { key } else { nil }
    }

    /// The problem in English (the admin protocol's words).
    public var reason: String {
        switch problem {
        case .unexpectedEnd: "unexpected end of input"
        case .unexpectedCharacter: "unexpected character"
        case .invalidLiteral: "invalid literal"
        case .expectedKey: "expected a string key"
        case .expectedColon: "expected ':'"
        case .expectedCommaOrBrace: "expected ',' or '}'"
        case .expectedCommaOrBracket: "expected ',' or ']'"
        case .notUTF8: "text that is not UTF-8"
        case .controlCharacter: "control character in string"
        case .unpairedSurrogate: "unpaired surrogate"
        case .invalidUnicodeEscape: "invalid \\u escape"
        case .invalidEscape: "invalid escape"
        case .unterminatedString: "unterminated string"
        case .shortUnicodeEscape: "short \\u escape"
        case .invalidHexDigit: "invalid hex digit"
        case .invalidNumber: "invalid number"
        case .numberOutOfRange: "number out of range"
        case .dataAfterValue: "unexpected data after the JSON value"
        case .tooDeep(let depth): "nesting deeper than \(depth)"
        case .duplicateKey(let key): "duplicate key \"\(Self.visible(key.prefix(40)))\""
        }
    }

    /// A key as a message may quote it: control and format characters (a NUL, an escape
    /// sequence, a bidi override) as `\u{202E}`, never raw in a terminal.
    static func visible(_ text: Substring) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator: out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    public var description: String { "\(reason) at byte \(offset)" }
}

extension JSONValue {
    /// Parses exactly one JSON value (RFC 8259) from UTF-8 bytes; surrounding
    /// whitespace is allowed, anything else after the value is an error. Strict where the
    /// RFC leaves room: text that is not well-formed UTF-8 and an object naming a key
    /// twice (readers disagree on which value wins) are errors, as is nesting deeper
    /// than 64.
    public static func parse<Bytes: Collection>(_ bytes: Bytes) throws(JSONParseError) -> JSONValue where Bytes.Element == UInt8 {
        var parser = Parser(bytes: Array(bytes))
        let value = try parser.parseValue(depth: 0)
        parser.skipWhitespace()
        guard parser.index == parser.bytes.count else { throw parser.error(.dataAfterValue) }
        return value
    }

    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue { try parse(Array(text.utf8)) }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0
        static let maxDepth = 64

        /// The keys and positions leading to the value being parsed, for an error to name.
        var path: [String] = []

        func error(_ problem: JSONParseError.Problem) -> JSONParseError { JSONParseError(offset: index, problem: problem, path: path) }

        mutating func skipWhitespace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
        }

        mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
            guard depth < Self.maxDepth else { throw error(.tooDeep(Self.maxDepth)) }
            skipWhitespace()
            guard index < bytes.count else { throw error(.unexpectedEnd) }
            switch bytes[index] {
            case UInt8(ascii: "{"): return try parseObject(depth: depth)
            case UInt8(ascii: "["): return try parseArray(depth: depth)
            case UInt8(ascii: "\""): return .string(try parseString())
            case UInt8(ascii: "t"): try expect("true"); return .bool(true)
            case UInt8(ascii: "f"): try expect("false"); return .bool(false)
            case UInt8(ascii: "n"): try expect("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
            default: throw error(.unexpectedCharacter)
            }
        }

        mutating func expect(_ word: StaticString) throws(JSONParseError) {
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count else { throw error(.unexpectedEnd) }
            for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] { throw error(.invalidLiteral) }
            index += count
        }

        mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
            index += 1
            var members: [(String, JSONValue)] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            var keys: Set<String> = []
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw error(.expectedKey) }
                let keyOffset = index
                let key = try parseString()
                guard keys.insert(key).inserted else {
                    throw JSONParseError(offset: keyOffset, problem: .duplicateKey(key), path: path)
                }
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error(.expectedColon) }
                index += 1
                path.append(key)
                members.append((key, try parseValue(depth: depth + 1)))
                path.removeLast()
                skipWhitespace()
                guard index < bytes.count else { throw error(.unexpectedEnd) }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
                throw error(.expectedCommaOrBrace)
            }
        }

        mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
            index += 1
            var elements: [JSONValue] = []
            skipWhitespace()
            if index < bytes.count, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
            while true {
                path.append(String(elements.count))
                elements.append(try parseValue(depth: depth + 1))
                path.removeLast()
                skipWhitespace()
                guard index < bytes.count else { throw error(.unexpectedEnd) }
                if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
                if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(elements) }
                throw error(.expectedCommaOrBracket)
            }
        }

        mutating func parseString() throws(JSONParseError) -> String {
            index += 1
            var runStart = index
            var out = ""
            func flush(_ end: Int) throws(JSONParseError) {
                guard end > runStart else { return }
                guard let run = String(validating: bytes[runStart..<end], as: UTF8.self) else {
                    throw JSONParseError(offset: runStart, problem: .notUTF8, path: path)
                }
                out += run
            }
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    try flush(index)
                    index += 1
                    return out
                }
                if byte < 0x20 { throw error(.controlCharacter) }
                if byte == UInt8(ascii: "\\") {
                    try flush(index)
                    index += 1
                    guard index < bytes.count else { break }
                    let escape = bytes[index]
                    index += 1
                    switch escape {
                    case UInt8(ascii: "\""): out += "\""
                    case UInt8(ascii: "\\"): out += "\\"
                    case UInt8(ascii: "/"): out += "/"
                    case UInt8(ascii: "b"): out += "\u{08}"
                    case UInt8(ascii: "f"): out += "\u{0C}"
                    case UInt8(ascii: "n"): out += "\n"
                    case UInt8(ascii: "r"): out += "\r"
                    case UInt8(ascii: "t"): out += "\t"
                    case UInt8(ascii: "u"):
                        var code = try parseHex4()
                        if (0xD800...0xDBFF).contains(code) {
                            guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                                throw error(.unpairedSurrogate)
                            }
                            index += 2
                            let low = try parseHex4()
                            guard (0xDC00...0xDFFF).contains(low) else { throw error(.unpairedSurrogate) }
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                        }
                        guard let scalar = Unicode.Scalar(code) else { throw error(.invalidUnicodeEscape) }
                        out.unicodeScalars.append(scalar)
                    default: throw error(.invalidEscape)
                    }
                    runStart = index
                    continue
                }
                index += 1
            }
            throw error(.unterminatedString)
        }

        mutating func parseHex4() throws(JSONParseError) -> UInt32 {
            guard index + 4 <= bytes.count else { throw error(.shortUnicodeEscape) }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[index]
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
                default: throw error(.invalidHexDigit)
                }
                value = value * 16 + digit
                index += 1
            }
            return value
        }

        /// A number: `.number`, or `.bigInteger` with its text for an integer a `Double` may not
        /// hold exactly (magnitude `exactIntegers` or more, no fraction or exponent).
        mutating func parseNumber() throws(JSONParseError) -> JSONValue {
            let start = index
            var integer = true
            func digits() -> Int {
                let from = index
                while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
                return index - from
            }
            if bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard index < bytes.count else { throw error(.invalidNumber) }
            if bytes[index] == UInt8(ascii: "0") { index += 1 } else if digits() == 0 { throw error(.invalidNumber) }
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
                index += 1
                integer = false
                guard digits() > 0 else { throw error(.invalidNumber) }
            }
            if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
                index += 1
                integer = false
                if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
                guard digits() > 0 else { throw error(.invalidNumber) }
            }
            let text = String(decoding: bytes[start..<index], as: UTF8.self)
            guard let value = Double(text), value.isFinite else {
                throw error(.numberOutOfRange)
            }
            return integer && value.magnitude >= JSONValue.exactIntegers ? .bigInteger(text) : .number(value)
        }
    }
}
