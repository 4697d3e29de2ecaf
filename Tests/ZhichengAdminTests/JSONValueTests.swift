import Testing
import ZhichengAdminProtocol

@Suite("JSON values")
struct JSONValueTests {
    @Test(arguments: [
        #"{"id":7,"cmd":"tenant.create","args":{"id":"zhengzhou","name":"郑州市"}}"#,
        #"[1,-2.5,1e3,true,false,null,"a\"b\\c\n\u00e9\ud83d\ude00"]"#,
        #"  {"nested":{"a":[{"b":[]}]}}  "#,
    ])
    func roundTrips(_ text: String) throws {
        let value = try JSONValue.parse(text)
        #expect(try JSONValue.parse(value.serialized) == value)
    }

    @Test(arguments: ["", "{", "{\"a\":}", "[1,]", "{\"a\" 1}", "tru", "01", "1.", "\"\u{01}\"", "\"\\x\"", "{} {}",
                      "\"\\ud800\"", String(repeating: "[", count: 100) + String(repeating: "]", count: 100), "NaN", "1e999"])
    func refusesMalformedJSON(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
    }

    @Test func decodesEscapes() throws {
        #expect(try JSONValue.parse(#""\u90d1\u5dde\ud83d\ude00\/""#) == .string("郑州😀/"))
        #expect(JSONValue.string("a\nb\u{1}").serialized == #""a\nb\u0001""#)
    }

    @Test func requestParsingReportsTheRightCode() {
        func code(_ line: String) -> (AdminErrorCode?, JSONValue?) {
            do {
                _ = try AdminRequest(line: Array(line.utf8))
                return (nil, nil)
            } catch {
                return (error.error.code, error.id)
            }
        }
        #expect(code("not json").0 == .badRequest)
        #expect(code("[1]").0 == .badRequest)
        #expect(code("\"x\"").0 == .badRequest)
        #expect(code(#"{"id":5}"#) == (.badRequest, .number(5)))
        #expect(code(#"{"id":5,"cmd":1}"#).0 == .badRequest)
        #expect(code(#"{"id":{"x":1},"cmd":"ping"}"#) == (.badRequest, .null))
        #expect(code(#"{"id":"a","cmd":"ping","args":[1]}"#) == (.badRequest, .string("a")))
        #expect(code(#"{"id":"a","cmd":"ping"}"#).0 == nil)
    }
}
