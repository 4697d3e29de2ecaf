/// Compact JSON written straight into UTF-8 bytes, for hot, list-shaped answers
/// whose shape is known in advance (no `JSONValue` tree to build and free). The
/// caller writes the punctuation and keys as literals; values go through `string`,
/// `int` and `value`, escaped exactly as `JSONValue.serialized` escapes them.
public struct JSONWriter {
    /// The JSON written so far.
    public private(set) var bytes: [UInt8]

    /// An empty writer with room for `capacity` bytes.
    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Literal JSON text (punctuation, `"key":`), copied as is: it must be valid JSON
    /// in its place.
    public mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// A string literal, escaped.
    public mutating func string(_ text: String) {
        JSONValue.writeString(text, to: &bytes)
    }

    /// An integer, in decimal.
    public mutating func int(_ number: Int) {
        JSONValue.writeInteger(Int64(number), to: &bytes)
    }

    /// A value given as `null` when absent.
    public mutating func string(_ text: String?) {
        if let text { string(text) } else { raw("null") }
    }

    /// Any value, as `JSONValue.serialized` writes it.
    public mutating func value(_ value: JSONValue) {
        value.write(to: &bytes)
    }
}
