import Foundation
import Testing
import ZhichengCore

/// The standard fields of 基本信息 and 学历学位 (`ApplicationSection.standardFields`) as an
/// applicant's save holds them (`SectionFields.validated(_:section:)`): each by its kind,
/// months kept as `YYYY-MM`, empty ones left out, other fields as free as before; a received
/// hand-over (`validated(_:sectionNamed:)`) is not held to them.
@Suite("Standard fields of a section")
struct StandardFieldTests {
    /// 2026-07-01 in China: the latest year a month may be in is 2027.
    static let now = Date(timeIntervalSince1970: 1_782_835_200)

    static func basic(_ fields: [String: String]) throws(ZhichengError) -> [String: String] {
        try SectionFields.validated(fields, section: .basic, now: now)
    }

    @Test func theSectionsAndTheirFieldsInOrder() {
        #expect(ApplicationSection.basic.standardFields.map(\.name) == ["性别", "出生年月", "参加工作时间", "现任职务", "现专业技术职称", "取得时间", "从事专业"])
        #expect(ApplicationSection.education.standardFields.map(\.name) == ["最高学历", "最高学位", "毕业院校", "所学专业", "毕业时间"])
        #expect(ApplicationSection.training.standardFields.map(\.name) == ["公需科目学时", "专业科目学时"])
        #expect(ApplicationSection.allCases.filter { !$0.standardFields.isEmpty } == [.basic, .education, .training])
        #expect(ApplicationSection.standardFields(of: "学历学位") == ApplicationSection.education.standardFields)
        #expect(ApplicationSection.standardFields(of: "新的部分").isEmpty)
    }

    @Test(arguments: [
        ("1985-06", "1985-06"), ("1985-6", "1985-06"), ("1985年6月", "1985-06"), ("1985年06月", "1985-06"), ("1985.6", "1985-06"),
        ("1985/12", "1985-12"), (" 1985-06 ", "1985-06"), ("１９８５．６", "1985-06"), ("1900-01", "1900-01"), ("2027-12", "2027-12"),
    ])
    func aMonthIsKeptAsYearDashMonth(_ typed: String, _ kept: String) throws {
        #expect(try Self.basic(["出生年月": typed]) == ["出生年月": kept])
    }

    @Test(arguments: ["1985", "85-06", "1985-006", "1985年6", "6/1985", "1985-06-01", "一九八五年六月", "1985 06", "1985-", "-06", "1985年-6月"])
    func aMonthNotWrittenAsOneIsRefusedNamingTheField(_ typed: String) {
        #expect(throws: ZhichengError.invalid("“基本信息”的“出生年月”应写作年月，如 1985-06（也可写作 1985年6月 或 1985.6）", field: "出生年月")) {
            try Self.basic(["出生年月": typed])
        }
    }

    @Test func aMonthIsARealMonthInAYearFrom1900ToNextYear() {
        #expect(throws: ZhichengError.invalid("“基本信息”的“取得时间”的月份应为1至12月", field: "取得时间")) { try Self.basic(["取得时间": "2018-13"]) }
        #expect(throws: ZhichengError.invalid("“基本信息”的“取得时间”的月份应为1至12月", field: "取得时间")) { try Self.basic(["取得时间": "2018年0月"]) }
        #expect(throws: ZhichengError.invalid("“基本信息”的“参加工作时间”的年份应在1900至2027年之间", field: "参加工作时间")) {
            try Self.basic(["参加工作时间": "1899-12"])
        }
        #expect(throws: ZhichengError.invalid("“学历学位”的“毕业时间”的年份应在1900至2027年之间", field: "毕业时间")) {
            try SectionFields.validated(["毕业时间": "2028-01"], section: .education, now: Self.now)
        }
    }

    @Test func aChoiceIsOneOfItsChoices() throws {
        #expect(try Self.basic(["性别": " 女 "]) == ["性别": "女"])
        #expect(throws: ZhichengError.invalid("“基本信息”的“性别”应为“男”或“女”", field: "性别")) { try Self.basic(["性别": "男性"]) }
        #expect(try SectionFields.validated(["最高学历": "大学本科", "最高学位": "无"], section: .education) == ["最高学历": "大学本科", "最高学位": "无"])
        #expect(throws: ZhichengError.invalid("“学历学位”的“最高学历”应为“博士研究生”、“硕士研究生”、“大学本科”、“大学专科”、“中专”或“高中及以下”", field: "最高学历")) {
            try SectionFields.validated(["最高学历": "本科"], section: .education)
        }
        #expect(throws: ZhichengError.invalid("“学历学位”的“最高学位”应为“博士”、“硕士”、“学士”或“无”", field: "最高学位")) {
            try SectionFields.validated(["最高学位": "学士学位"], section: .education)
        }
    }

    @Test(arguments: [("90", "90"), (" 90 ", "90"), ("０９０", "90"), ("90学时", "90"), ("90 学时", "90"), ("0", "0"), ("9999", "9999")])
    func hoursAreAWholeNumberKeptAsItsDigits(_ typed: String, _ kept: String) throws {
        #expect(try SectionFields.validated(["公需科目学时": typed], section: .training) == ["公需科目学时": kept])
    }

    @Test(arguments: ["九十", "90.5", "-1", "10000", "90小时", "1e2", "90 90", "学时"])
    func hoursNotAWholeNumberUpTo9999AreRefusedNamingTheField(_ typed: String) {
        #expect(throws: ZhichengError.invalid("“继续教育”的“专业科目学时”应为 0 至 9999 的整数学时，如 90", field: "专业科目学时")) {
            try SectionFields.validated(["专业科目学时": typed], section: .training)
        }
    }

    @Test func hoursAreShownWithTheirUnit() {
        let field = ApplicationSection.training.standardFields[0]
        #expect(field.shown("30") == "30 学时" && field.shown("") == "" && field.shown("三十") == "三十")
        #expect(ApplicationSection.basic.standardFields[0].shown("男") == "男")
    }

    @Test func aTextIsOneTrimmedLineOfAtMost60Characters() throws {
        #expect(try Self.basic(["现任职务": "  教研组长 "]) == ["现任职务": "教研组长"])
        #expect(try Self.basic(["从事专业": String(repeating: "数", count: 60)]) == ["从事专业": String(repeating: "数", count: 60)])
        #expect(throws: ZhichengError.self) { try Self.basic(["从事专业": String(repeating: "数", count: 61)]) }
        #expect { try Self.basic(["现任职务": "教研组长\n年级主任"]) } throws: { error in
            (error as? ZhichengError)?.field == "现任职务" && (error as? ZhichengError)?.message.contains("“基本信息”的“现任职务”") == true
        }
    }

    @Test func anEmptyStandardFieldIsLeftOutOtherFieldsAreKeptAsBefore() throws {
        #expect(try Self.basic(["性别": "", "出生年月": "  ", "现任职务": "\u{200B}", "内容": "", "备注": " ", "姓名": "张三"])
            == ["内容": "", "备注": "", "姓名": "张三"])
        // A standard field's name in another section is not one there.
        #expect(try SectionFields.validated(["性别": "男性", "出生年月": "八五年"], section: .work) == ["性别": "男性", "出生年月": "八五年"])
        // Several faults: the first in the section's order is named.
        #expect(throws: ZhichengError.invalid("“基本信息”的“性别”应为“男”或“女”", field: "性别")) {
            try Self.basic(["取得时间": "x", "性别": "?"])
        }
    }

    @Test func aHandOverIsNotHeldToTheStandardFields() throws {
        let sent = ["性别": "男性", "出生年月": "1985年6月"]
        #expect(try SectionFields.validated(sent, sectionNamed: "基本信息") == sent)
    }

    @Test func anEditingPageShowsTheKeptFormAndAnythingElseAsItIs() {
        #expect(SectionFields.shown(["出生年月": "1985年6月", "性别": "男性", "取得时间": " ", "内容": " 文 "], section: "基本信息")
            == ["出生年月": "1985-06", "性别": "男性", "内容": " 文 "])
        #expect(SectionFields.shown(["出生年月": "1985年6月"], section: "工作经历") == ["出生年月": "1985年6月"])
    }
}
