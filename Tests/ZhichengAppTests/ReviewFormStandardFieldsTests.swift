import Testing
import ZhichengApp
import ZhichengCore

/// Which standard fields the 评审表 prints for a reader: every one its sections define, in their
/// order, only of the sections the reader may read and the application's form has.
@Suite("评审表: the standard fields printed")
struct ReviewFormStandardFieldsTests {
    static let given: [String: [String: String]] = [
        "基本信息": ["性别": "男", "从事专业": "小学数学", "内容": "汉族", "籍贯": "河南郑州"],
        "学历学位": ["最高学历": "大学本科", "毕业时间": "2008-06"],
        "继续教育": ["公需科目学时": "30"],
    ]

    @Test func everyStandardFieldOfEachReadableSectionInItsOrderBlankWhereNotGiven() {
        let printed = ReviewForm.standardFields(kind: .title, hidden: [], sections: Self.given)
        #expect(printed.map(\.section) == [.basic, .education, .training])
        // The sections' own lists, whole and in order: a field added to one later is printed by itself.
        #expect(printed[0].fields.map(\.name) == ApplicationSection.basic.standardFields.map(\.name))
        #expect(printed[1].fields.map(\.name) == ApplicationSection.education.standardFields.map(\.name))
        #expect(printed[0].fields.map(\.name) == ["性别", "出生年月", "参加工作时间", "现任职务", "现专业技术职称", "取得时间", "从事专业"])
        #expect(printed[1].fields.map(\.name) == ["最高学历", "最高学位", "毕业院校", "所学专业", "毕业时间"])
        #expect(printed[0].fields.map(\.value) == ["男", "", "", "", "", "", "小学数学"], "other fields (内容, 籍贯) are not standard ones")
        #expect(printed[1].fields.map(\.value) == ["大学本科", "", "", "", "2008-06"])
        // 学时 as the reading screens write them.
        #expect(printed[2].fields.map(\.name) == ["公需科目学时", "专业科目学时"] && printed[2].fields.map(\.value) == ["30 学时", ""])
    }

    @Test func aSectionKeptFromTheReaderPrintsNothingOfIt() {
        #expect(ReviewForm.standardFields(kind: .title, hidden: ["学历学位"], sections: Self.given).map(\.section) == [.basic, .training])
        #expect(ReviewForm.standardFields(kind: .title, hidden: ["基本信息", "继续教育"], sections: Self.given).map(\.section) == [.education])
        #expect(ReviewForm.standardFields(kind: .title, hidden: ["基本信息", "学历学位", "继续教育"], sections: Self.given).isEmpty)
    }

    @Test func onlyTheSectionsTheApplicationsFormHas() {
        // An expert recommendation's form has 基本信息 but no 学历学位: a value stored there is not printed.
        let printed = ReviewForm.standardFields(kind: .expert, hidden: [], sections: Self.given)
        #expect(printed.map(\.section) == [.basic] && printed[0].fields.count == ApplicationSection.basic.standardFields.count)
    }
}
