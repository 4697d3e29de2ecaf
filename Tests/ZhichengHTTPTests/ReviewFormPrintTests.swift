import Foundation
import Mustache
import Testing
import ZhichengApp
import ZhichengCore
@testable import ZhichengHTTP

/// How the printed 评审表 breaks across A4 pages (the print itself: test_browser_review.py).
@Suite("评审表 print")
struct ReviewFormPrintTests {
    @Test func anOpinionOfUpToFourHundredCharactersIsKeptOnOnePage() {
        #expect(ReviewFormPage.keepsWhole(""))
        #expect(ReviewFormPage.keepsWhole(String(repeating: "长", count: 400)))
        #expect(!ReviewFormPage.keepsWhole(String(repeating: "长", count: 401)))
        #expect(ReviewFormPage.keepsWhole(String(repeating: "👩🏽‍🏫", count: 400)), "counted in characters as the 2000 maximum is")
    }

    @Test func rowsKeptWholeAreMarkedForPrint() throws {
        let form = try #require(Templates.library.render([
            "applicant": "孙申报",
            "opinions": [["org": "逸夫小学", "stage": "经办人审查", "decision": "通过", "comment": "同意", "keep": true, "reviewer": "王经办", "date": "2026-11-30 09:00", "seal": false],
                         ["org": "逸夫小学", "stage": "负责人审查", "decision": "通过", "comment": "长", "keep": false, "reviewer": false, "date": "2026-11-30 10:00",
                          "seal": "data:image/png;base64,AA=="]],
            "committee": ["name": "郑州市评委会", "result": "通过", "note": false, "keep": true, "date": "2026-12-01 09:00", "notice": false],
        ] as [String: Any], withTemplate: "review_form"))
        #expect(form.contains("<tr class=\"keep\"><th scope=\"row\">逸夫小学<br>经办人审查意见</th>"), "\(form)")
        #expect(form.contains("<tr><th scope=\"row\">逸夫小学<br>负责人审查意见</th>"), "\(form)")
        #expect(form.contains("<tr class=\"keep\" id=\"committee-opinion\">"), "\(form)")
        // The signature with the seal beside it, under the opinion: the last line of the opinion's
        // paragraph, so that the paragraph's widows keep the opinion's last lines with it on a page.
        // The comment isolated (`<bdi>`): a bidi override kept in an old comment ends with it,
        // before the 审查人 and the date.
        #expect(form.contains("通过。<bdi>长</bdi><span class=\"signoff\"><span class=\"sign\">2026-11-30 10:00</span><img class=\"seal\" src=\"data:image/png;base64,AA==\" alt=\"逸夫小学印章\"></span></p>"), "\(form)")
        #expect(form.contains("郑州市评委会：通过<span class=\"signoff\"><span class=\"sign\">2026-12-01 09:00</span></span></p>"), "the committee's date ends its paragraph too: \(form)")
        #expect(form.contains("tr.keep{break-inside:avoid}") && form.contains("@page{size:A4;margin:18mm}"))
    }

    @Test func standardFieldsArePrintedTwoToARowEachSectionStartingItsOwn() throws {
        let sections = ReviewForm.standardFields(kind: .title, hidden: [], sections: ["基本信息": ["性别": "男", "从事专业": "小学数学"], "学历学位": ["毕业时间": "2008-06"]])
        let personal = ReviewFormPage.standardRows(sections.filter { $0.section == .basic })
        let standard = ReviewFormPage.standardRows(sections.filter { $0.section != .basic })
        // 基本信息's seven fields in four rows, 学历学位's five in three, 继续教育's two in one: a section's odd last field alone, as wide as the row.
        #expect(personal.count == 4 && standard.count == 4)
        let form = try #require(Templates.library.render(["applicant": "孙申报", "unit": "逸夫小学", "personal": personal, "standard": standard,
                                                          "opinions": [[String: Any]](), "committee": false] as [String: Any], withTemplate: "review_form"))
        #expect(form.contains("<tr><th scope=\"row\">性别</th><td id=\"f-基本信息-性别\">男</td><th scope=\"row\">出生年月</th><td id=\"f-基本信息-出生年月\"></td></tr>"), "\(form)")
        #expect(form.contains("<tr><th scope=\"row\">从事专业</th><td id=\"f-基本信息-从事专业\" colspan=\"3\">小学数学</td></tr>"), "\(form)")
        #expect(form.contains("<tr><th scope=\"row\">毕业时间</th><td id=\"f-学历学位-毕业时间\" colspan=\"3\">2008-06</td></tr>"), "\(form)")
        // 基本信息 under 姓名, the others under 工作单位, in the sections' order.
        let order = ["姓名", "性别", "参加工作时间", "现专业技术职称", "从事专业", "工作单位", "最高学历", "毕业院校", "毕业时间", "申报系列"]
        let at = order.map { name in form.range(of: "<th scope=\"row\">\(name)</th>")?.lowerBound }
        #expect(at.allSatisfy { $0 != nil } && at.compactMap { $0 } == at.compactMap { $0 }.sorted(), "\(form)")
    }

    @Test func theCommitteesOpinionHasItsOfficesSealBesideItsDate() throws {
        let form = try #require(Templates.library.render([
            "applicant": "孙申报", "opinions": [[String: Any]](),
            "committee": ["name": "郑州市评委会", "result": "通过", "note": false, "keep": true, "date": "2026-12-01 09:00", "notice": false,
                          "office": "郑州市职改办", "seal": "data:image/png;base64,AA=="],
        ] as [String: Any], withTemplate: "review_form"))
        #expect(form.contains("郑州市评委会：通过<span class=\"signoff\"><span class=\"sign\">2026-12-01 09:00</span><img class=\"seal\" src=\"data:image/png;base64,AA==\" alt=\"郑州市职改办印章\"></span></p>"), "\(form)")
    }
}
