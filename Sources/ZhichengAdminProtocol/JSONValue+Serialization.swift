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
        if v.rounded() == v, abs(v) < 9.0e15 { return String(Int64(v)) }
        return v.isFinite ? "\(v)" : "null"
    }

    /// Integers (the common case) are written digit by digit, without a `String`.
    static func writeNumber(_ v: Double, to out: inout [UInt8]) {
        if v.rounded() == v, abs(v) < 9.0e15 {
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

    /// A JSON string literal: `"` and `\` escaped, control characters as `\n`, `\r`,
    /// `\t` or `\u00XX`, and U+2028/U+2029 as `\u2028`/`\u2029` (so the text is also
    /// valid JavaScript). Runs of bytes that need no escape are copied at once.
    static func writeString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var s = s
        s.withUTF8 { bytes in
            let count = bytes.count
            var start = 0
            var i = 0
            while i < count {
                let byte = bytes[i]
                if byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") && byte != 0xE2 {
                    i += 1
                    continue
                }
                var escaped: StaticString
                var width = 1
                var hexDigits = false
                switch byte {
                case UInt8(ascii: "\""): escaped = "\\\""
                case UInt8(ascii: "\\"): escaped = "\\\\"
                case UInt8(ascii: "\n"): escaped = "\\n"
                case UInt8(ascii: "\r"): escaped = "\\r"
                case UInt8(ascii: "\t"): escaped = "\\t"
                case 0xE2:
                    // U+2028 is E2 80 A8, U+2029 is E2 80 A9; other E2 sequences pass.
                    guard i + 2 < count, bytes[i + 1] == 0x80, bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9 else {
                        i += 1
                        continue
                    }
                    escaped = bytes[i + 2] == 0xA8 ? "\\u2028" : "\\u2029"
                    width = 3
                default:
                    escaped = "\\u00"
                    hexDigits = true
                }
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i]))
                escaped.withUTF8Buffer { out.append(contentsOf: $0) }
                if hexDigits {
                    let hex: StaticString = "0123456789abcdef"
                    hex.withUTF8Buffer { digits in
                        out.append(digits[Int(byte >> 4)])
                        out.append(digits[Int(byte & 0xF)])
                    }
                }
                i += width
                start = i
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<count]))
        }
        out.append(UInt8(ascii: "\""))
    }
}
