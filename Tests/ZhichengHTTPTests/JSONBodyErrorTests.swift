import Testing
import ZhichengAdminProtocol
import ZhichengCore
@testable import ZhichengHTTP

/// What a body that is not JSON is told: in Chinese, where, and in which field when it is known.
@Suite("Error texts of JSON bodies")
struct JSONBodyErrorTests {
    static func invalid(_ text: String, skipped: Int = 0) -> ZhichengError {
        do {
            _ = try JSONValue.parse(text)
            return .internal("parsed")
        } catch {
            return APIJSON.invalidJSON(error, skipped: skipped, empty: text.allSatisfy(\.isWhitespace))
        }
    }

    @Test func aParseErrorIsSaidInChineseWithItsByteAndField() {
        #expect(Self.invalid("") == .badRequest("请求体为空，应为 JSON"))
        #expect(Self.invalid(" \n") == .badRequest("请求体为空，应为 JSON"))
        #expect(Self.invalid("{login") == .badRequest("请求体不是有效的 JSON：此处应为带双引号的字段名（第 2 个字节处）"))
        #expect(Self.invalid(#"{"reason":"abc"#) == .badRequest("请求体不是有效的 JSON：字段 reason：字符串没有结束（缺少右引号）（第 15 个字节处）", field: "reason"))
        #expect(Self.invalid(#"{"items":[{"count":1},{"count":tru}]}"#)
            == .badRequest("请求体不是有效的 JSON：字段 items.1.count：此处应为 true、false 或 null（第 32 个字节处）", field: "items.1.count"))
        #expect(Self.invalid(#"{"name":"\ud800"}"#).message == "请求体不是有效的 JSON：字段 name：\\u 转义是不成对的 UTF-16 代理项（第 16 个字节处）")
        #expect(Self.invalid("{} {}").message == "请求体不是有效的 JSON：JSON 值之后还有多余的内容（第 4 个字节处）")
        // After a byte order mark the position is still the body's.
        #expect(Self.invalid("{login", skipped: 3).message == "请求体不是有效的 JSON：此处应为带双引号的字段名（第 5 个字节处）")
        #expect(Self.invalid(#"{"a":1,"a":2}"#) == .badRequest("“a”出现了两次", field: "a"))
        #expect(Self.invalid(#"{"x":{"a":1,"a":2}}"#) == .badRequest("字段 x 中“a”出现了两次", field: "x.a"))
    }

    /// Every problem the parser knows is said without English.
    @Test func noProblemIsSaidInEnglish() {
        for text in ["[1,]", "{\"a\" 1}", "tru", "01", "1.", "\"\u{01}\"", "\"\\x\"", "\"\\u12\"", "\"\\u12g4\"", "1e999", "[1 2]", "{1:2}", "\"abc",
                     String(repeating: "[", count: 100) + String(repeating: "]", count: 100)] {
            let message = Self.invalid(text).message
            #expect(message.hasPrefix("请求体不是有效的 JSON："), "\(text): \(message)")
            #expect(!message.contains(where: { $0.isLetter && $0.isASCII && !"JSONUTFtruefalsenulXbfnrtu".contains($0) }), "\(text): \(message)")
        }
    }
}
