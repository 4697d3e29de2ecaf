/// 人员调动: an applicant who takes up a post at another unit of the same city moves there
/// with their account. Their ID-card number stays their login, their password and sessions
/// stay theirs, and everything they ever applied for stays theirs to read and print.
///
/// A move takes both units: the one the person leaves offers it (调出), naming the other by its
/// 单位编号; that one accepts (调入) or declines, and until it does, the person stays where they
/// are (the offering unit may cancel). No unit can put people on another's list, its plan or
/// its reviewers' queues without that unit's word.
///
/// What moves with them is only what has not yet been declared: their drafts, which will be
/// declared by the new unit (its plan, its route). What was submitted was declared by the old
/// unit: it keeps its route, its plan place and its reviewers, and the old unit's
/// 申报人员状态查询 keeps it — a returned one is resubmitted along the route it came back on.
///
/// Before this, a move was a deletion and a new account at the new unit, which lost the
/// person's drafts and the way to their past applications and 评审表.
public enum ApplicantMove {
    /// The 单位编号 of the unit moved to, as typed: full-width digits read, blanks around it
    /// dropped; digits only (a code is the division code and sequence numbers).
    public static func unitCode(_ raw: String) throws(ZhichengError) -> String {
        try OrgCode.typed(raw, of: "调入单位", field: "unit_code")
    }

    /// The unit moved to, as the rule needs it.
    public struct Target: Sendable, Equatable {
        public var id: Int
        public var code: String
        public var name: String
        /// Its info approved by its parent (the root office has none to approve).
        public var approved: Bool

        public init(id: Int, code: String, name: String, approved: Bool) {
            self.id = id
            self.code = code
            self.name = name
            self.approved = approved
        }
    }

    /// Refuses a move to the unit the person is in, or to a unit that may not yet manage
    /// anyone (its info not approved by its parent: it cannot add applicants either; its name
    /// is not said, as a unit outside one's own line is not shown anywhere else).
    public static func check(from currentOrgID: Int, to target: Target) throws(ZhichengError) {
        guard target.id != currentOrgID else {
            throw .invalid("申报人已在本单位（单位编号\(target.code)），无需调动", field: "unit_code")
        }
        guard target.approved else {
            throw .conflict("单位编号\(target.code)的单位信息尚未经上级审核通过，暂不能调入人员")
        }
    }

    /// Where an offer stands.
    public enum State: String, Sendable, CaseIterable {
        case pending, accepted, declined, cancelled

        public var label: String {
            switch self {
            case .pending: "待接收"
            case .accepted: "已接收"
            case .declined: "未接收"
            case .cancelled: "已撤销"
            }
        }

        /// What the unit named (accept, decline) and the offering unit (cancel) may still do:
        /// only a waiting offer is decided, once.
        public func decide(_ next: State) throws(ZhichengError) -> State {
            guard self == .pending else { throw .conflict(settled) }
            guard next != .pending else { throw .invalid("调动只能接收、不接收或撤销", field: "state") }
            return next
        }

        /// Why a move decided already cannot be decided again.
        var settled: String {
            switch self {
            case .pending: "该调动尚待接收"
            case .accepted: "该调动已由调入单位接收，不能再办理"
            case .declined: "调入单位已不接收该调动，不能再办理"
            case .cancelled: "该调动已撤销，不能再办理"
            }
        }
    }

    /// Refuses a move while an expert recommendation (专家推荐) of the person is under way: it
    /// was made by the unit they are in, and the province admits the expert with the unit its
    /// hand-over names. Once it has ended, a move reaches the 专家信息库 (`applicant.moved`).
    public static func checkUnderWay(name: String, expertRecommendationsUnderWay: Int) throws(ZhichengError) {
        guard expertRecommendationsUnderWay == 0 else {
            throw .conflict("\(name)的专家推荐申报尚未办结（审查中或退回修改），办结后再调动")
        }
    }

    /// Whether an application in `state` goes with the person to the new unit: a draft only.
    public static func goesWithPerson(_ state: ApplicationState) -> Bool { state == .draft }
}
