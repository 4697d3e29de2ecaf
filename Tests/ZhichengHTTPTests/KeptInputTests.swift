import Testing
@testable import ZhichengHTTP

/// What a refused form (ended session, page of an earlier session) shows back for copying.
@Suite("Typed text kept on a refused form")
struct KeptInputTests {
    static func form(_ body: String) throws -> FormData { try FormData.urlEncoded(Array(body.utf8)) }

    @Test func keepsTypedTextOnlyWithReadableLabelsInTheFormsOrder() throws {
        let sent = try Self.form([
            "_csrf=abc", "then=save", "version=3", "orig%3A%E4%B8%9A%E7%BB%A9%E6%88%90%E6%9E%9C=d1",   // orig:业绩成果
            "content%3A%E4%B8%9A%E7%BB%A9%E6%88%90%E6%9E%9C=%E4%B8%BB%E6%8C%81%E8%AF%BE%E9%A2%98",      // content:业绩成果=主持课题
            "content%3A%E5%9F%BA%E6%9C%AC%E4%BF%A1%E6%81%AF=%E5%91%A8",                                 // content:基本信息=周
            "content%3A%E5%AD%A6%E5%8E%86%E5%AD%A6%E4%BD%8D=+++",                                       // 学历学位: spaces only
            "field%3A%E5%9F%BA%E6%9C%AC%E4%BF%A1%E6%81%AF%3A%E4%B8%93%E4%B8%9A=math",                   // field:基本信息:专业
            "decision=return", "sections=x", "old_password=secret1", "new_password=secret2", "comment=%E8%AF%B7%E8%A1%A5%E5%85%85",
            "credit_code=12100000400000624D", "zzz_unknown=v",
        ].joined(separator: "&"))
        #expect(KeptInput.fields(sent) == [
            .init(label: "基本信息", value: "周"), .init(label: "基本信息 · 专业", value: "math"), .init(label: "业绩成果", value: "主持课题"),
            .init(label: "意见", value: "请补充"), .init(label: "统一社会信用代码", value: "12100000400000624D"), .init(label: "zzz_unknown", value: "v"),
        ])
    }

    @Test func aFormOfChoicesAndHiddenFieldsKeepsNothing() throws {
        #expect(KeptInput.fields(try Self.form("_csrf=abc&_confirmed=1&decision=pass&version=2&roles=handler&password=x")).isEmpty)
        #expect(KeptInput.fields(try Self.form("")).isEmpty)
    }
}

/// A section's fields as the read-only screens show them.
@Suite("Section text on the reading screens")
struct SectionTextTests {
    @Test func theFreeTextFirstThenEveryFieldByItsName() {
        #expect(SectionText.text(["内容": "主持课题\n指导青年教师", "从业年限": "12", "专业": "数学", "备注": ""]) ==
            "主持课题\n指导青年教师\n专业：数学\n从业年限：12 年")
        #expect(SectionText.text(["从业年限": "十二"]) == "从业年限：十二", "a unit only after a number")
        #expect(SectionText.text([:]) == "")
    }
}
