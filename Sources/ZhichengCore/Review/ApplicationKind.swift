/// What an application asks for (SPEC §7, §8).
public enum ApplicationKind: String, Sendable, Codable, CaseIterable {
    /// 职称申报: a title; every section but 附件 is required.
    case title
    /// 专家推荐: entry into the province's expert database; the applicant states
    /// the title they hold and a specialty, and fills in 基本信息 and 工作经历.
    case expert

    public var label: String { self == .title ? "职称申报" : "专家推荐" }

    /// What an application applies for, as its pages head it (the applicant's 申报详情 and the
    /// reviewer's 审查 page): "中小学教师 副高级 高级教师"; an expert recommendation says so, with
    /// its specialty, before the title it holds: "专家推荐：小学数学 · 中小学教师 副高级 高级教师".
    public func heading(series: String, level: String, title: String, specialty: String?) -> String {
        let what = "\(series) \(level) \(title)"
        return self == .expert ? "专家推荐：\(specialty ?? "") · \(what)" : what
    }

    /// Where an expert recommendation ends once the province office passed it: the person is in
    /// the province's expert database. The one wording of the province's pages and the city's.
    public static let admittedLabel = "已入库（专家信息库）"

    /// An application of this kind in `state`, in words: as `ApplicationState.label`, except that
    /// an expert recommendation passed at the province was entered into the expert database
    /// (`admittedLabel`), not passed by a committee (评审通过), and one the province turned down
    /// is 未通过, as the province says it (no committee judged it: not 评审未通过).
    public func label(of state: ApplicationState) -> String {
        switch (self, state) {
        case (.expert, .passed): Self.admittedLabel
        case (.expert, .failed): ApplicationState.rejected.label
        default: state.label
        }
    }

    /// The sections a submission must have filled in.
    public var requiredSections: [ApplicationSection] {
        switch self {
        case .title: ApplicationSection.allCases.filter { $0 != .attachments }
        case .expert: [.basic, .work]
        }
    }

    /// The sections its form has, which a return may name: a title application every one,
    /// an expert application 基本信息, 工作经历 and its 附件.
    public var sections: [ApplicationSection] {
        switch self {
        case .title: ApplicationSection.allCases
        case .expert: [.basic, .work, .attachments]
        }
    }

    /// A specialty (专业): 1–50 characters, no control characters.
    public static func validateSpecialty(_ raw: String?) throws(ZhichengError) -> String {
        // Trimmed of what nobody sees, and nothing invisible inside: a draw matches the specialty exactly.
        let text = (raw ?? "").trimmingInvisibles()
        guard !text.isEmpty else { throw .invalid("专家推荐须填写专业", field: "specialty") }
        guard text.count <= 50, !text.unicodeScalars.contains(where: { [.control, .format, .lineSeparator, .paragraphSeparator].contains($0.properties.generalCategory) }) else {
            throw .invalid("专业名称应为1至50个字符", field: "specialty")
        }
        return text
    }
}
