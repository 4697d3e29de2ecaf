/// The usual items of a 职称 application's sections, each a field of its own: 基本信息's,
/// 学历学位's and 继续教育's 学时 (the other sections are lists and prose, written in their text;
/// 工作经历's 从业年限 is `SectionFields.yearsInProfession`, an expert recommendation's).
extension ApplicationSection {
    /// The section's standard fields, in the order the form and the reading screens show them.
    public var standardFields: [StandardField] {
        switch self {
        case .basic: [
            StandardField("性别", .choice(["男", "女"])),
            StandardField("出生年月", .month, hint: "如 1985-06"),
            StandardField("参加工作时间", .month, hint: "如 2008-07"),
            StandardField("现任职务", .text, hint: "如 教研组长"),
            StandardField("现专业技术职称", .text, hint: "如 一级教师"),
            StandardField("取得时间", .month, hint: "如 2018-12"),
            StandardField("从事专业", .text, hint: "如 小学数学"),
        ]
        case .education: [
            StandardField("最高学历", .choice(["博士研究生", "硕士研究生", "大学本科", "大学专科", "中专", "高中及以下"])),
            StandardField("最高学位", .choice(["博士", "硕士", "学士", "无"])),
            StandardField("毕业院校", .text, hint: "如 河南大学"),
            StandardField("所学专业", .text, hint: "如 数学与应用数学"),
            StandardField("毕业时间", .month, hint: "如 2008-06"),
        ]
        // 继续教育: each year's hours are two kinds of course (公需科目, 专业科目), as the
        // 继续教育 rules count them; what was taken, when and where stays in the text.
        case .training: [
            StandardField("公需科目学时", .hours, hint: "如 30"),
            StandardField("专业科目学时", .hours, hint: "如 60"),
        ]
        case .work, .achievements, .papers, .awards, .appraisals, .attachments: []
        }
    }

    /// The standard fields of a section known by its name alone: none for a name this build
    /// does not know (a later build's, a plugin's, as a hand-over may carry).
    public static func standardFields(of section: String) -> [StandardField] {
        ApplicationSection(rawValue: section)?.standardFields ?? []
    }
}
