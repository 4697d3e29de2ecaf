/// Compact JSON written straight into UTF-8 bytes, for hot, list-shaped answers
/// whose shape is known in advance (no `JSONValue` tree to build and free). The
/// caller writes the punctuation and keys as literals; values go through `string`,
/// `int` and `value`, escaped exactly as `JSONValue.serialized` escapes them (one
/// escaper, `JSONEscape`).
///
/// The bytes live in one growing buffer owned by the writer (hence `~Copyable`):
/// each value is written with one capacity check and plain stores, not an array
/// append per piece.
public struct JSONWriter: ~Copyable {
    // Visible to inlined code only: `raw` and `int` are inlined where they are called.
    @usableFromInline var base: UnsafeMutablePointer<UInt8>
    @usableFromInline var count = 0
    @usableFromInline var capacity: Int

    /// An empty writer with room for `capacity` bytes.
    public init(capacity: Int = 256) {
        self.capacity = max(capacity, 16)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// The JSON written so far (a copy).
    public var bytes: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// Calls `body` with the JSON written so far, without copying it.
    public func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// Literal JSON text (punctuation, `"key":`), copied as is: it must be valid JSON
    /// in its place. Adjacent literals are best written as one (one copy, one check).
    @inlinable
    public mutating func raw(_ text: StaticString) {
        if text.hasPointerRepresentation {
            append(UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        } else {
            text.withUTF8Buffer { append($0) }
        }
    }

    /// JSON text written beforehand (e.g. a constant run of fields built once from
    /// `bytes`), copied as is: it must be valid JSON in its place.
    @inlinable
    public mutating func raw(json: [UInt8]) {
        json.withUnsafeBufferPointer { append($0) }
    }

    /// A string literal, escaped.
    public mutating func string(_ text: String) {
        var text = text
        text.withUTF8 { string(utf8: $0) }
    }

    /// A string literal from UTF-8 bytes (valid UTF-8, e.g. text just read from
    /// SQLite through `SQLiteCursor.withText`), escaped.
    public mutating func string(utf8 text: UnsafeBufferPointer<UInt8>) {
        reserve(JSONEscape.maxLength(text.count))
        count += JSONEscape.write(text, to: base + count)
    }

    /// A value given as `null` when absent.
    public mutating func string(_ text: String?) {
        if let text { string(text) } else { raw("null") }
    }

    /// An integer, in decimal.
    @inlinable
    public mutating func int(_ number: Int) {
        reserve(20)
        if number < 0 {
            base[count] = UInt8(ascii: "-")
            count += 1
        }
        var n = number.magnitude
        var digits = 1
        var rest = n / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        count += digits
        var at = count
        repeat {
            at -= 1
            base[at] = UInt8(ascii: "0") + UInt8(n % 10)
            n /= 10
        } while n > 0
    }

    /// Any value, as `JSONValue.serialized` writes it.
    public mutating func value(_ value: JSONValue) {
        var bytes: [UInt8] = []
        value.write(to: &bytes)
        bytes.withUnsafeBufferPointer { append($0) }
    }

    @inlinable
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress else { return }
        reserve(bytes.count)
        (base + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    @inlinable @inline(__always)
    mutating func reserve(_ room: Int) {
        if count + room > capacity { grow(to: count + room) }
    }

    @usableFromInline
    mutating func grow(to needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        bigger.update(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity = newCapacity
    }
}
