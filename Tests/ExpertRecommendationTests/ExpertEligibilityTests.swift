import ExpertRecommendation
import Testing
import ZhichengPluginSDK

@Suite("Expert eligibility rules (专家推荐)")
struct ExpertEligibilityTests {
    func application(level: String = "副高级", specialty: String? = "数学", experience: [String: String]? = ["从业年限": "12"]) -> StepInput.Application {
        var sections: [String: [String: String]] = ["基本信息": ["姓名": "王老师"]]
        sections["工作经历"] = experience
        return StepInput.Application(id: 7, kind: "expert", year: 2026, series: "中小学教师", level: level, title: "高级教师",
                                     specialty: specialty, sections: sections)
    }

    @Test(arguments: ["副高级", "正高级"])
    func seniorLevelsWithTenYearsPass(level: String) {
        #expect(ExpertEligibility.check(application(level: level, experience: ["从业年限": "10"])) == .pass)
    }

    @Test(arguments: ["中级", "初级", ""])
    func lowerLevelsAreNotQualified(level: String) {
        let current = level.isEmpty ? "未填写" : level
        #expect(ExpertEligibility.check(application(level: level)) ==
            .return(sections: ["基本信息"], reason: .notQualified, comment: "专家须具有副高级及以上职称（本申报的级别为\(current)）。级别在创建申报时选定，不能修改：请撤回本申报，按您的副高级或正高级职称重新申请专家推荐"))
    }

    @Test(arguments: [nil, "", "  "] as [String?])
    func specialtyIsRequired(specialty: String?) {
        #expect(ExpertEligibility.check(application(specialty: specialty)) ==
            .return(sections: ["基本信息"], reason: .incomplete, comment: "请填写专业（specialty）"))
    }

    @Test(arguments: [nil, [:], ["从业年限": ""], ["从业年限": "十二"], ["从业年限": "12.5"], ["从业年限": "-12"], ["内容": "从业12年"]] as [[String: String]?])
    func missingOrNonNumericYearsAreIncomplete(experience: [String: String]?) {
        #expect(ExpertEligibility.check(application(experience: experience)) ==
            .return(sections: ["工作经历"], reason: .incomplete, comment: "工作经历中请填写从业年限"))
    }

    @Test(arguments: [0, 3, 9])
    func fewerThanTenYearsAreNotQualified(years: Int) {
        #expect(ExpertEligibility.check(application(experience: ["从业年限": "\(years)"])) ==
            .return(sections: ["工作经历"], reason: .notQualified, comment: "从业年限\(years)年，不足10年"))
    }

    @Test func acceptsTheEnglishKeyAndSpaces() {
        #expect(ExpertEligibility.years(in: ["years_of_experience": " 15 "]) == 15)
        #expect(ExpertEligibility.years(in: ["从业年限": "", "years_of_experience": "11"]) == 11)
        #expect(ExpertEligibility.years(in: ["从业年限": "8", "years_of_experience": "11"]) == 8)
        #expect(ExpertEligibility.check(application(experience: ["years_of_experience": "9"])) ==
            .return(sections: ["工作经历"], reason: .notQualified, comment: "从业年限9年，不足10年"))
    }

    @Test func levelIsCheckedFirstThenSpecialtyThenYears() {
        #expect(ExpertEligibility.check(application(level: "中级", specialty: nil, experience: nil)) ==
            .return(sections: ["基本信息"], reason: .notQualified, comment: "专家须具有副高级及以上职称（本申报的级别为中级）。级别在创建申报时选定，不能修改：请撤回本申报，按您的副高级或正高级职称重新申请专家推荐"))
        #expect(ExpertEligibility.check(application(specialty: nil, experience: nil)) ==
            .return(sections: ["基本信息"], reason: .incomplete, comment: "请填写专业（specialty）"))
    }
}
