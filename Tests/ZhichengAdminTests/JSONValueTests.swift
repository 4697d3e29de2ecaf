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

    /// What a caller needs to say what is wrong in its own words: the problem, the byte, and
    /// the keys and positions leading to it.
    @Test func anErrorSaysWhatWhereAndInWhichField() {
        func failure(_ text: String) -> JSONParseError? {
            do { _ = try JSONValue.parse(text); return nil } catch { return error }
        }
        let end = failure("")
        #expect(end?.problem == .unexpectedEnd && end?.offset == 0 && end?.path == [] && end?.description == "unexpected end of input at byte 0")
        let unterminated = failure(#"{"reason":"abc"#)
        #expect(unterminated?.problem == .unterminatedString && unterminated?.path == ["reason"] && unterminated?.offset == 14)
        let nested = failure(#"{"items":[{"count":1},{"count":tru}]}"#)
        #expect(nested?.problem == .invalidLiteral && nested?.path == ["items", "1", "count"])
        let comma = failure(#"{"a":1 "b":2}"#)
        #expect(comma?.problem == .expectedCommaOrBrace && comma?.path == [] && comma?.offset == 7)
        let twice = failure(#"{"x":{"k":1,"k\u0000":2,"k\u0000":3}}"#)
        #expect(twice?.duplicateKey == "k\u{0}")
        #expect(twice?.path == ["x"])
        // A key quoted in the admin protocol's words shows a NUL by its code, never raw.
        #expect(twice?.reason == #"duplicate key "k\u{0}""#)
    }

    /// An integer a Double may not hold exactly (2^53 and beyond, either sign) is kept as
    /// written and written back so, not rounded; smaller ones, fractions and exponents are
    /// numbers as before.
    @Test func keepsIntegersBeyondADoublesPrecisionAsWritten() throws {
        for text in ["9007199254740993", "-9007199254740993", "18446744073709551615", "100000000000000000000000000000", "9007199254740992"] {
            let value = try JSONValue.parse(text)
            #expect(value == .bigInteger(text) && value.serialized == text && value.intValue == nil, "\(text)")
            #expect(value.doubleValue == Double(text))
        }
        let largestExact = try JSONValue.parse("9007199254740991")
        #expect(largestExact == .number(9007199254740991) && largestExact.serialized == "9007199254740991" && largestExact.intValue == 9007199254740991)
        #expect(try JSONValue.parse("1e20") == .number(1e20) && JSONValue.parse("12345678901234567890.5") == .number(12345678901234567890.5))
        let request = try AdminRequest(line: Array(#"{"id":12345678901234567891,"cmd":"ping"}"#.utf8))
        #expect(AdminResponse.success(id: request.id, result: .null).line == #"{"id":12345678901234567891,"ok":true,"result":null}"# + "\n")
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
