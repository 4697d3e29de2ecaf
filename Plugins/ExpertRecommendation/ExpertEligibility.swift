import ZhichengPluginSDK

/// Who may be recommended as an expert (专家): a 副高级 or 正高级 title, a stated specialty,
/// and at least ``minimumYears`` years in the profession. Pure: no C, no I/O.
public enum ExpertEligibility {
    /// Levels an expert may hold.
    public static let levels: Set<String> = ["副高级", "正高级"]
    /// Fewest years in the profession (从业年限).
    public static let minimumYears = 10
    /// The section that states the years, and the keys it may use for them.
    public static let experienceSection = "工作经历"
    public static let yearsKeys = ["从业年限", "years_of_experience"]

    /// The decision on one expert application; the checks run in this order and the first
    /// failing one decides.
    public static func check(_ application: StepInput.Application) -> StepDecision {
        guard levels.contains(application.level) else {
            let current = application.level.isEmpty ? "未填写" : application.level
            // The level is chosen when the application is made and cannot be edited: say what helps.
            return .return(sections: ["基本信息"], reason: .notQualified, comment: levelComment(current))
        }
        guard let specialty = application.specialty, !trimmed(specialty).isEmpty else {
            return .return(sections: ["基本信息"], reason: .incomplete, comment: "请填写专业（specialty）")
        }
        guard let years = years(in: application.sections[experienceSection] ?? [:]) else {
            return .return(sections: [experienceSection], reason: .incomplete, comment: "工作经历中请填写从业年限")
        }
        guard years >= minimumYears else {
            return .return(sections: [experienceSection], reason: .notQualified, comment: "从业年限\(years)年，不足\(minimumYears)年")
        }
        return .pass
    }

    /// The return's comment for a level below 副高级 (`current`: the application's level, or 未填写).
    public static func levelComment(_ current: String) -> String {
        "专家须具有副高级及以上职称（本申报的级别为\(current)）。级别在创建申报时选定，不能修改：请撤回本申报，按您的副高级或正高级职称重新申请专家推荐"
    }

    /// The whole number of years the section states under the first key that is filled in,
    /// or nil when none is, or it is not ASCII digits (surrounding spaces allowed).
    public static func years(in section: [String: String]) -> Int? {
        guard let text = yearsKeys.lazy.compactMap({ section[$0].map(trimmed) }).first(where: { !$0.isEmpty }),
              text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        return Int(text)
    }

    private static func trimmed(_ text: String) -> String {
        guard let first = text.firstIndex(where: { !$0.isWhitespace }), let last = text.lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(text[first...last])
    }
}
