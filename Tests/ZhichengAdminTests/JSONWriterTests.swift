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
