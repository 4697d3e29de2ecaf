import Foundation
import Testing
import ZhichengAdminProtocol

@Suite("JSON writer")
struct JSONWriterTests {
    static let texts = ["", "plain", "郑州市中小学教师", "quote \" and \\ backslash", "tab\tnew\nline\rcr", "\u{0}\u{1}\u{1f}\u{7f}",
                        "line\u{2028}para\u{2029}end", "\u{2027}\u{202A}€…", "emoji 😀", "slash / stays", "é\u{301}"]

    /// The writer and the tree serializer produce the same bytes, and both are JSON that
    /// Foundation reads back to the original text.
    @Test(arguments: texts)
    func stringsMatchTheTreeAndRoundTrip(text: String) throws {
        var w = JSONWriter()
        w.raw(#"{"k":"#)
        w.string(text)
        w.raw("}")
        let tree = JSONValue.object([("k", .string(text))])
        #expect(w.bytes == tree.serializedBytes)
        #expect(tree.serialized == String(decoding: w.bytes, as: UTF8.self))
        let back = try JSONSerialization.jsonObject(with: Data(w.bytes)) as? [String: String]
        #expect(back?["k"] == text)
        #expect(try JSONValue.parse(tree.serialized) == tree)
    }

    @Test func integersAndNumbers() {
        for n in [0, 7, -7, 10, 99, 100, 123_456_789, -9_000_000_000_000, 8_999_999_999_999_999] {
            var w = JSONWriter()
            w.int(n)
            #expect(String(decoding: w.bytes, as: UTF8.self) == String(n))
            #expect(JSONValue(n).serialized == String(n))
        }
        #expect(JSONValue.number(1.5).serialized == "1.5")
        #expect(JSONValue.number(.infinity).serialized == "null")
        #expect(JSONValue.array([.null, true, false, .number(-0.0), [:], []]).serialized == "[null,true,false,0,{},[]]")
    }

    @Test func escapesAsBefore() {
        #expect(JSONValue.string("a\"b\\c\u{8}\u{c}").serialized == #""a\"b\\c\u0008\u000c""#)
        #expect(JSONValue.string("\u{2028}\u{2029}").serialized == #""\u2028\u2029""#)
    }
}

@Suite("JSON writer from raw bytes")
struct JSONWriterBytesTests {
    /// Text handed over as UTF-8 bytes is written exactly as the same text as a `String`.
    @Test(arguments: JSONWriterTests.texts)
    func bytesAndStringsAgree(text: String) {
        var fromString = JSONWriter(capacity: 1)
        fromString.string(text)
        var fromBytes = JSONWriter(capacity: 1)
        Array(text.utf8).withUnsafeBufferPointer { fromBytes.string(utf8: $0) }
        #expect(fromString.bytes == fromBytes.bytes)
    }

    /// Bytes that are not UTF-8 (SQLite does not check) come out as U+FFFD, one per
    /// bad byte, and the result is still JSON that reads back.
    @Test func malformedUTF8BecomesReplacementCharacters() throws {
        let cases: [([UInt8], String)] = [
            ([0x61, 0xFF, 0x62], "a\u{FFFD}b"),
            ([0xC0, 0xAF], "\u{FFFD}\u{FFFD}"),                   // overlong "/"
            ([0xED, 0xA0, 0x80], "\u{FFFD}\u{FFFD}\u{FFFD}"),     // a surrogate
            ([0xE4, 0xB8], "\u{FFFD}\u{FFFD}"),                   // cut short at the end
            ([0xF4, 0x90, 0x80, 0x80], "\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}"),  // above U+10FFFF
            ([0xE2, 0x80, 0xA8, 0x22], "\u{2028}\""),
            ([0xF0, 0x9F, 0x98, 0x80], "😀"),
        ]
        for (bytes, expected) in cases {
            var w = JSONWriter()
            w.raw("[")
            bytes.withUnsafeBufferPointer { w.string(utf8: $0) }
            w.raw("]")
            let out = w.bytes
            #expect(String(validating: out, as: UTF8.self) != nil, "not UTF-8: \(out)")
            let back = try JSONSerialization.jsonObject(with: Data(out)) as? [String]
            #expect(back == [expected], "\(bytes) -> \(String(decoding: out, as: UTF8.self))")
        }
    }

    /// The buffer grows past its first capacity without losing what was written.
    @Test func growsAsNeeded() throws {
        var w = JSONWriter(capacity: 16)
        w.raw("[")
        for n in 0..<2_000 {
            if n > 0 { w.raw(",") }
            w.string("第\(n)行\t\"")
            w.raw(",")
            w.int(-n)
        }
        w.raw("]")
        let back = try JSONSerialization.jsonObject(with: Data(w.bytes)) as? [Any]
        #expect(back?.count == 4_000)
        #expect(back?[2] as? String == "第1行\t\"")
        #expect(back?[3] as? Int == -1)
        w.withBytes { #expect($0.count == w.bytes.count) }
    }
}

/// The escaper skips plain ASCII eight bytes at a time and common three-byte sequences
/// without the general check: its output must stay byte for byte what the one-byte-at-a-time
/// rule gives (`reference`), at every place a run can end.
@Suite("JSON escaper fast path")
struct JSONEscapeFastPathTests {
    /// The rule, one byte at a time (as the escaper was before its fast path).
    static func reference(_ text: [UInt8]) -> [UInt8] {
        func length(_ i: Int) -> Int {
            func cont(_ k: Int, _ low: UInt8 = 0x80, _ high: UInt8 = 0xBF) -> Bool { i + k < text.count && text[i + k] >= low && text[i + k] <= high }
            switch text[i] {
            case 0xC2...0xDF: return cont(1) ? 2 : 0
            case 0xE0: return cont(1, 0xA0) && cont(2) ? 3 : 0
            case 0xE1...0xEC, 0xEE...0xEF: return cont(1) && cont(2) ? 3 : 0
            case 0xED: return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0
            case 0xF0: return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0
            case 0xF1...0xF3: return cont(1) && cont(2) && cont(3) ? 4 : 0
            case 0xF4: return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0
            default: return 0
            }
        }
        var out: [UInt8] = [0x22]
        var i = 0
        while i < text.count {
            let byte = text[i]
            if byte >= 0x80 {
                let width = length(i)
                if width == 3, byte == 0xE2, text[i + 1] == 0x80, text[i + 2] == 0xA8 || text[i + 2] == 0xA9 {
                    out += Array("\\u202\(text[i + 2] == 0xA8 ? 8 : 9)".utf8)
                    i += 3
                } else if width == 0 {
                    out += [0xEF, 0xBF, 0xBD]
                    i += 1
                } else {
                    out += text[i..<(i + width)]
                    i += width
                }
                continue
            }
            switch byte {
            case 0x22: out += Array(#"\""#.utf8)
            case 0x5C: out += Array(#"\\"#.utf8)
            case 0x0A: out += Array(#"\n"#.utf8)
            case 0x0D: out += Array(#"\r"#.utf8)
            case 0x09: out += Array(#"\t"#.utf8)
            case 0..<0x20: out += Array(String(format: "\\u%04x", byte).utf8)
            default: out.append(byte)
            }
            i += 1
        }
        out.append(0x22)
        return out
    }

    static func written(_ text: [UInt8]) -> [UInt8] {
        var w = JSONWriter(capacity: 1)
        text.withUnsafeBufferPointer { w.string(utf8: $0) }
        return w.bytes
    }

    static func check(_ text: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        let out = written(text)
        #expect(out == reference(text), "\(text)", sourceLocation: sourceLocation)
        #expect(String(validating: out, as: UTF8.self) != nil, "\(text)", sourceLocation: sourceLocation)
    }

    /// A run of plain ASCII of every length up to past two words, ending right before a
    /// byte that must be escaped (or right before DEL, which is not), then more text.
    @Test func aRunEndingRightBeforeAQuoteBackslashOrControlByte() {
        for k in 0...19 {
            for stop: UInt8 in [0x22, 0x5C, 0x00, 0x01, 0x09, 0x0A, 0x0D, 0x1F, 0x7F, 0x20, 0x21, 0x5B, 0x5D] {
                for tail in [[], Array("b".utf8), Array("bcdefghij".utf8)] {
                    Self.check(Array(repeating: UInt8(ascii: "a"), count: k) + [stop] + tail)
                }
            }
        }
        // Every place in one word for each byte below 0x80.
        for byte in UInt8(0)..<0x80 {
            for at in 0..<8 {
                var text = Array(repeating: UInt8(ascii: "x"), count: 16)
                text[at] = byte
                text[at + 8] = byte
                Self.check(text)
            }
        }
    }

    /// A multibyte sequence (whole, or cut short) as the last bytes of the text, after
    /// ASCII runs of every length.
    @Test func multibyteAtTheEndOfTheBuffer() {
        let ends: [[UInt8]] = [
            Array("中".utf8), Array("郑州".utf8), Array("é".utf8), Array("😀".utf8), Array("\u{2028}".utf8), Array("\u{2029}".utf8),
            Array("\u{2027}".utf8), Array("\u{FFFF}".utf8), [0xE4, 0xB8], [0xE4], [0xF0, 0x9F, 0x98], [0xE3, 0x80], [0xEC, 0xBF],
        ]
        for k in 0...17 {
            for end in ends { Self.check(Array(repeating: UInt8(ascii: "z"), count: k) + end) }
        }
    }

    /// Bytes that are not UTF-8 after a long ASCII run (and amid CJK text) are each
    /// repaired as before: U+FFFD per bad byte.
    @Test func invalidUTF8AfterALongASCIIRun() {
        let bad: [[UInt8]] = [
            [0xFF], [0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE0, 0x80, 0x80],
            [0xE3, 0x41, 0x41], [0xE3, 0x80, 0x41], [0xE3, 0xC0, 0x80], [0xEC, 0xBF, 0xC0], [0xE9, 0x22, 0x80], [0xE5, 0x80, 0x5C],
        ]
        for k in [1, 7, 8, 9, 15, 16, 17, 64, 100] {
            for b in bad {
                let run = Array(repeating: UInt8(ascii: "q"), count: k)
                Self.check(run + b)
                Self.check(run + b + run)
                Self.check(Array("评审".utf8) + run + b + Array("中小学教师".utf8))
            }
        }
    }

    /// Random texts mixing every kind of byte agree with the rule.
    @Test func randomTextsAgreeWithTheRule() {
        var rng = SystemRandomNumberGenerator()
        let pieces: [[UInt8]] = [
            Array("abcdefgh".utf8), Array("中".utf8), Array("😀".utf8), Array("é".utf8), Array("\u{2028}".utf8),
            [0x22], [0x5C], [0x0A], [0x01], [0x7F], [0xFF], [0xE4], [0xB8], [0xED, 0xA0], [0xE2, 0x80], [0xF0],
        ]
        for _ in 0..<3_000 {
            var text: [UInt8] = []
            for _ in 0..<Int.random(in: 0...12, using: &rng) {
                let piece = pieces.randomElement(using: &rng)!
                text += piece.prefix(Int.random(in: 1...piece.count, using: &rng))
            }
            Self.check(text)
        }
    }
}
