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
