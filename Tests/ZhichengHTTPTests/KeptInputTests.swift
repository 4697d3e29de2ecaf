import Testing
import ZhichengCore
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

    @Test func aReturnReasonIsKeptOnlyWhenTyped() throws {
        // 退回原因 is a list on the decision forms (codes), free text on others (a suspension's reason).
        #expect(KeptInput.fields(try Self.form("reason=incomplete&comment=x")) == [.init(label: "意见", value: "x")])
        #expect(KeptInput.fields(try Self.form("reason=%E5%87%BA%E5%9B%BD")) == [.init(label: "原因", value: "出国")])
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
        #expect(SectionText.text(["内容": "主持课题\n指导青年教师", "从业年限": "12", "专业": "数学", "备注": ""], section: "工作经历") ==
            "主持课题\n指导青年教师\n专业：数学\n从业年限：12 年")
        #expect(SectionText.text(["从业年限": "十二"], section: "工作经历") == "从业年限：十二", "a unit only after a number")
        #expect(SectionText.text([:], section: "基本信息") == "")
    }

    @Test func standardFieldsFirstInTheirOrderThenTheTextThenTheRest() {
        let basic = ["内容": "汉族，中共党员", "从事专业": "小学数学", "性别": "男", "出生年月": "1985-06", "籍贯": "河南郑州", "现任职务": ""]
        #expect(SectionText.text(basic, section: "基本信息") == "性别：男\n出生年月：1985-06\n从事专业：小学数学\n汉族，中共党员\n籍贯：河南郑州")
        // A name this build does not know (a later build's section, in a hand-over): no standard fields, by name.
        #expect(SectionText.text(["性别": "男", "内容": "x"], section: "新的部分") == "x\n性别：男")
        // 学时 with their unit; one stored otherwise before the rule, as it is.
        #expect(SectionText.text(["专业科目学时": "60", "公需科目学时": "30", "内容": "省级培训"], section: "继续教育") == "公需科目学时：30 学时\n专业科目学时：60 学时\n省级培训")
        #expect(SectionText.text(["公需科目学时": "三十"], section: "继续教育") == "公需科目学时：三十")
    }
}

/// 操作日志's 详情 column.
@Suite("Audit details in Chinese")
struct AuditDetailTests {
    @Test func keysByNameValuesByLabelInTheOrderWritten() {
        #expect(AuditLabels.detail(#"{"code":"4101040010001","name":"逸夫小学","kind":"unit","parent":5}"#) ==
            "编号：4101040010001；名称：逸夫小学；类别：单位；上级机构：5")
        #expect(AuditLabels.detail(#"{"stage":"handler","decision":"return","sections":["业绩成果","基本信息"],"reason":"incomplete"}"#) ==
            "环节：经办人审查；决定：退回修改；部分：业绩成果、基本信息；原因：材料不完整")
        #expect(AuditLabels.detail(#"{"roles":["handler","leader"],"enabled":true,"failures":5}"#) == "角色：经办人、负责人；启用：是；连续失败次数：5")
        // A cancelled review session: its reason as written, the state it left by its label.
        #expect(AuditLabels.detail(#"{"reason":"专家不足","was":"drawn","applications":[3,4]}"#) == "原因：专家不足；原状态：评审中；申报：3、4")
        #expect(AuditLabels.detail("{}") == "")
        // An object (a plan's 明细) as its named parts, in the order written; a key not named, as it is.
        #expect(AuditLabels.detail(#"{"year":2026,"items":[{"series":"中小学教师","level":"中级","count":3}]}"#) ==
            "年度：2026；明细：（系列：中小学教师，级别：中级，数量：3）")
        #expect(AuditLabels.detail(#"{"unknown_key":{"b":1,"a":2}}"#) == "unknown_key：（b：1，a：2）")
        #expect(AuditLabels.detail("not json") == "not json")
    }

    @Test func anOrgTargetByItsNameAndCodeWhereKnown() {
        let orgs = [5: (name: "逸夫小学", code: "4101040010001")]
        #expect(AuditLabels.target("org:5", orgs: orgs) == "机构 逸夫小学（4101040010001）")
        #expect(AuditLabels.target("org:6", orgs: orgs) == "机构 6", "one outside the caller's subtree keeps its number")
        #expect(AuditLabels.target("account:5", orgs: orgs) == "账户 5")
        #expect(AuditLabels.orgIDs(["org:5", "account:7", "org:x", "org:9"]) == [5, 9])
    }
}

@Suite("Which paths are the API's")
struct APIPathTests {
    @Test func theAPIIsTheSegmentAfterTheTenantNotATenantOfThatName() {
        #expect(UI.isAPIPath("/t/zhengzhou/api/v1/session"))
        #expect(UI.isAPIPath("/t/api/api/v1/plans"))
        #expect(!UI.isAPIPath("/t/api/plans"))
        #expect(!UI.isAPIPath("/t/api/home"))
        #expect(!UI.isAPIPath("/t/zhengzhou/applications/3"))
        #expect(!UI.isAPIPath("/healthz"))
        // Only under api/v1: anything else under api is a page not found, not an API path.
        #expect(UI.isAPIPath("/t/zhengzhou/api/v1"))
        #expect(!UI.isAPIPath("/t/zhengzhou/api/foo"))
        #expect(!UI.isAPIPath("/t/zhengzhou/api"))
        #expect(!UI.isAPIPath("/t/zhengzhou/api/v10/orgs"))
    }

    /// The check reads the path's bytes in place; it answers as cutting the path into
    /// `Character` parts (`splitIsAPIPath`, the rule) does, for empty parts, short and long
    /// parts, a `/` joined by a combining mark, and other text that is not ASCII.
    @Test func readingTheBytesAnswersAsSplittingThePath() {
        let parts = ["", "t", "T", "tt", "api", "ap", "apii", "API", "v1", "v10", "v", "1", "x", "中", "t\u{301}", "api\u{301}",
                     "\u{301}", "v1\u{301}", "é"]
        var paths: Set<String> = []
        for a in parts { for b in ["x", "", "中"] { for c in parts { for d in parts {
            for tail in ["", "/", "/orgs", "//", "/\u{301}x", "/中"] {
                paths.insert("/\(a)/\(b)/\(c)/\(d)\(tail)")
                paths.insert("\(a)/\(b)/\(c)/\(d)\(tail)")
                paths.insert("/\(a)//\(b)/\(c)//\(d)\(tail)")
            }
        } } } }
        paths.formUnion(["/t/x/api/v1/\u{301}", "/t/x/api/\u{301}v1", "/t/x/api/v1\u{301}/a", "/t\u{301}/x/api/v1", "/t/x/api", "/t/x/api/",
                         "/t/x/api/v1", "", "/", "///", "/t/x/api/v1/a/b", "/t/中/api/v1/reviews/queue"])
        var api = 0
        for path in paths {
            #expect(UI.isAPIPath(path) == UI.splitIsAPIPath(path), "\(path.debugDescription)")
            if UI.splitIsAPIPath(path) { api += 1 }
        }
        #expect(api > 10)
    }

    @Test func aFormFieldThatIsNotUTF8IsNamedAsThePageNamesIt() {
        #expect(FormData.notUTF8("year").message == "表单不是 UTF-8 编码：“年度”的内容无法解码，请检查浏览器的文字编码设置后重试")
        #expect(FormData.notUTF8("kind").message.contains("“类别”"))
        #expect(FormData.notUTF8("address").message.contains("“通讯地址”"))
        #expect(FormData.notUTF8("content:基本信息").message.contains("“基本信息”"))
        #expect(FormData.notUTF8("field:基本信息:专业").message.contains("“基本信息 · 专业”"))
        // A name no page has is not repeated (it is what was sent).
        #expect(FormData.notUTF8("zz\u{202E}").message == "表单不是 UTF-8 编码：其中一项的内容无法解码，请检查浏览器的文字编码设置后重试")
        #expect(FormData.notUTF8(nil).message.contains("字段名无法解码"))
        #expect(throws: ZhichengError.self) { try FormData.urlEncoded(Array("year=%FF".utf8)) }
    }
}
