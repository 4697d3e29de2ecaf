extension JSONValue {
    /// Compact JSON text, one line (newlines in strings are escaped).
    public var serialized: String {
        String(decoding: serializedBytes, as: UTF8.self)
    }

    /// Compact JSON as UTF-8 bytes: what a socket or an HTTP body takes, without a
    /// detour through `String`.
    public var serializedBytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(to: &out)
        return out
    }

    /// Indented JSON for people.
    public func pretty(indent: String = "") -> String {
        let inner = indent + "  "
        switch self {
        case .array(let elements) where !elements.isEmpty:
            return "[\n" + elements.map { inner + $0.pretty(indent: inner) }.joined(separator: ",\n") + "\n" + indent + "]"
        case .object(let members) where !members.isEmpty:
            return "{\n" + members.map { inner + Self.string($0.0) + ": " + $0.1.pretty(indent: inner) }.joined(separator: ",\n") + "\n" + indent + "}"
        default:
            return serialized
        }
    }

    /// Appends the compact JSON of this value to `out`.
    public func write(to out: inout String) {
        out += serialized
    }

    /// Appends the compact JSON of this value to `out`.
    public func write(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let v): out.append(contentsOf: (v ? "true" : "false").utf8)
        case .number(let v): Self.writeNumber(v, to: &out)
        case .bigInteger(let digits): out.append(contentsOf: digits.utf8)
        case .string(let v): Self.writeString(v, to: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            var first = true
            for element in elements {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                element.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            var first = true
            for (key, value) in members {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                Self.writeString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                value.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func number(_ v: Double) -> String {
        if v.rounded() == v, abs(v) < exactIntegers { return String(Int64(v)) }
        return v.isFinite ? "\(v)" : "null"
    }

    /// Integers (the common case) are written digit by digit, without a `String`.
    static func writeNumber(_ v: Double, to out: inout [UInt8]) {
        if v.rounded() == v, abs(v) < exactIntegers {
            writeInteger(Int64(v), to: &out)
        } else {
            out.append(contentsOf: number(v).utf8)
        }
    }

    static func writeInteger(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        var n = value.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes: enough for 20 digits
        withUnsafeMutableBytes(of: &digits) { buffer in
            var start = buffer.count
            repeat {
                start -= 1
                buffer[start] = UInt8(ascii: "0") + UInt8(n % 10)
                n /= 10
            } while n > 0
            out.append(contentsOf: buffer[start...])
        }
    }

    static func string(_ s: String) -> String {
        var out: [UInt8] = []
        writeString(s, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// A JSON string literal (see `JSONEscape`), appended to `out`.
    static func writeString(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { text in
            let room = JSONEscape.maxLength(text.count)
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: room) { scratch in
                let written = JSONEscape.write(text, to: scratch.baseAddress!)
                out.append(contentsOf: UnsafeBufferPointer(start: scratch.baseAddress, count: written))
            }
        }
    }
}

/// The one JSON string escaper, shared by the tree serializer and `JSONWriter`:
/// `"` and `\` escaped, control characters as `\n`, `\r`, `\t` or `\u00XX`, and
/// U+2028/U+2029 as `\u2028`/`\u2029` (so the text is also valid JavaScript). Bytes
/// that are not well-formed UTF-8 (possible in text read straight from SQLite) are
/// written as U+FFFD, one per byte, so the output is always valid UTF-8. Runs of bytes
/// that need no change are copied at once.
enum JSONEscape {
    /// The most bytes `write` can produce for `count` bytes of text: every byte as
    /// `\u00XX` (or as a 3-byte U+FFFD), plus the quotes.
    @inline(__always)
    static func maxLength(_ count: Int) -> Int { count * 6 + 2 }

    /// Writes `text` as a quoted JSON string at `out`, which must have room for
    /// `maxLength(text.count)` bytes; returns the number of bytes written.
    static func write(_ text: UnsafeBufferPointer<UInt8>, to out: UnsafeMutablePointer<UInt8>) -> Int {
        let count = text.count
        var o = 0
        out[o] = UInt8(ascii: "\""); o += 1
        guard let src = text.baseAddress, count > 0 else {
            out[o] = UInt8(ascii: "\""); return o + 1
        }
        var start = 0  // the first byte not yet copied
        var i = 0
        while i < count {
            // Plain ASCII eight bytes at a time, then the common three-byte sequences (CJK)
            // without the general check: both only skip bytes that are copied as they are.
            while i + 8 <= count, isPlainASCII(UnsafeRawPointer(src + i).loadUnaligned(as: UInt64.self)) {
                i += 8
            }
            guard i < count else { break }
            let byte = src[i]
            if byte >= 0x80 {
                // E3…EC with two continuation bytes: always well-formed, never U+2028/U+2029.
                if byte &- 0xE3 < 0x0A, i + 2 < count, src[i + 1] & 0xC0 == 0x80, src[i + 2] & 0xC0 == 0x80 {
                    i += 3
                    continue
                }
                let width = sequenceLength(src, at: i, count: count)
                if width == 3, byte == 0xE2, src[i + 1] == 0x80, src[i + 2] == 0xA8 || src[i + 2] == 0xA9 {
                    // U+2028 is E2 80 A8, U+2029 is E2 80 A9.
                    flush(src, from: start, to: i, into: out, at: &o)
                    put("\\u202", into: out, at: &o)
                    out[o] = src[i + 2] == 0xA8 ? UInt8(ascii: "8") : UInt8(ascii: "9"); o += 1
                    i += 3
                    start = i
                } else if width == 0 {
                    flush(src, from: start, to: i, into: out, at: &o)
                    out[o] = 0xEF; out[o + 1] = 0xBF; out[o + 2] = 0xBD; o += 3  // U+FFFD
                    i += 1
                    start = i
                } else {
                    i += width
                }
                continue
            }
            if byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
                i += 1
                continue
            }
            flush(src, from: start, to: i, into: out, at: &o)
            switch byte {
            case UInt8(ascii: "\""): put("\\\"", into: out, at: &o)
            case UInt8(ascii: "\\"): put("\\\\", into: out, at: &o)
            case UInt8(ascii: "\n"): put("\\n", into: out, at: &o)
            case UInt8(ascii: "\r"): put("\\r", into: out, at: &o)
            case UInt8(ascii: "\t"): put("\\t", into: out, at: &o)
            default:
                put("\\u00", into: out, at: &o)
                out[o] = hexDigit(byte >> 4); out[o + 1] = hexDigit(byte & 0xF); o += 2
            }
            i += 1
            start = i
        }
        flush(src, from: start, to: count, into: out, at: &o)
        out[o] = UInt8(ascii: "\""); o += 1
        return o
    }

    /// Whether all eight bytes of `word` are copied unchanged: ASCII from 0x20 up, neither
    /// `"` nor `\`. Each test below flags (in a byte's high bit) at least one byte when
    /// any byte of an all-ASCII word is below 0x20, is `"`, is `\` (exact for bytes
    /// below 0x80); a word with a high bit set fails anyway.
    @inline(__always)
    static func isPlainASCII(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let control = (word &- ones &* 0x20) & ~word
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let quoteHit = (quote &- ones) & ~quote
        let backslashHit = (backslash &- ones) & ~backslash
        return (word | control | quoteHit | backslashHit) & highs == 0
    }

    /// The length of the well-formed UTF-8 sequence (RFC 3629) starting with the
    /// non-ASCII byte at `i`, or 0 if there is none.
    @inline(__always)
    private static func sequenceLength(_ src: UnsafePointer<UInt8>, at i: Int, count: Int) -> Int {
        let lead = src[i]
        @inline(__always) func continuation(_ k: Int, _ low: UInt8 = 0x80, _ high: UInt8 = 0xBF) -> Bool {
            i + k < count && src[i + k] >= low && src[i + k] <= high
        }
        switch lead {
        case 0xC2...0xDF: return continuation(1) ? 2 : 0
        case 0xE0: return continuation(1, 0xA0) && continuation(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF: return continuation(1) && continuation(2) ? 3 : 0
        case 0xED: return continuation(1, 0x80, 0x9F) && continuation(2) ? 3 : 0
        case 0xF0: return continuation(1, 0x90) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF1...0xF3: return continuation(1) && continuation(2) && continuation(3) ? 4 : 0
        case 0xF4: return continuation(1, 0x80, 0x8F) && continuation(2) && continuation(3) ? 4 : 0
        default: return 0
        }
    }

    @inline(__always)
    private static func flush(_ src: UnsafePointer<UInt8>, from start: Int, to end: Int, into out: UnsafeMutablePointer<UInt8>, at o: inout Int) {
        (out + o).update(from: src + start, count: end - start)
        o += end - start
    }

    @inline(__always)
    private static func put(_ literal: StaticString, into out: UnsafeMutablePointer<UInt8>, at o: inout Int) {
        (out + o).update(from: literal.utf8Start, count: literal.utf8CodeUnitCount)
        o += literal.utf8CodeUnitCount
    }

    @inline(__always)
    private static func hexDigit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10 }
}
