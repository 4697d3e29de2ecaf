/// Where an expert stands in the database (专家库): only an active expert is drawn, votes,
/// and has their votes counted.
public enum ExpertState: String, Sendable, Codable, CaseIterable {
    case active
    case suspended
    case retired

    /// As the database screen names it.
    public var label: String {
        switch self {
        case .active: "在库"
        case .suspended: "暂停"
        case .retired: "退出"
        }
    }

    /// Whether an expert in this state is still one of the 专家信息库's: active, or suspended
    /// (暂停 is a pause the office may end, 恢复). A retired expert (退出, for good: nobody
    /// reinstates them) has left it, and the person may be recommended (专家推荐) and admitted
    /// again. Someone the database holds is not recommended again, and every level's queue and
    /// page marks a recommendation of them on its way (已在专家库中).
    public var isInLibrary: Bool { self != .retired }

    /// The states `isInLibrary` holds, as an SQL list (`'active', 'suspended'`) for `state IN (…)`.
    public static let inLibrarySQL = allCases.filter(\.isInLibrary).map { "'\($0.rawValue)'" }.joined(separator: ", ")

    /// A `state` that is none of these: the API's words name the codes, a page's the labels.
    public static let unknown = ZhichengError.invalid("state 应为 active、suspended 或 retired", field: "state",
                                                      screen: "专家状态应为\(allCases.map { "“\($0.label)”" }.joined(separator: "、"))")

    /// Why a vote of an expert in this state is left out at a close (nil: active).
    public var leftOutReason: String? {
        switch self {
        case .active: nil
        case .suspended: "已暂停"
        case .retired: "已退出"
        }
    }
}
