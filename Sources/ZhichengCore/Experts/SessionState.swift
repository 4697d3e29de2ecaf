/// Where a review session (评审会) stands, and which of the office's and the panel's actions
/// it allows.
///
/// planned → drawn (抽取) → closed or no_quorum (结束评审); planned, or drawn before any vote,
/// → cancelled (取消评审会). A session that can no longer be drawn (too few experts left in
/// the database for its series and specialty) would otherwise hold its applications for
/// ever: cancelling it frees them for a result by hand or a new session. Nothing leaves
/// closed, no_quorum or cancelled; the session stays readable as it was.
public enum SessionState: String, Sendable, Codable, CaseIterable {
    case planned
    case drawn
    case closed
    case noQuorum = "no_quorum"
    case cancelled

    /// As the screens name it.
    public var label: String {
        switch self {
        case .planned: "待抽取"
        case .drawn: "评审中"
        case .closed: "已结束"
        case .noQuorum: "未达法定人数"
        case .cancelled: "已取消"
        }
    }

    /// The one rule of the lock: an application is held by a session only while that session
    /// is planned or drawn. While held, its result comes from the panel's votes (none by hand)
    /// and no other session may take it; once the session is closed, short of its quorum or
    /// cancelled, it is free.
    public var holdsApplications: Bool {
        switch self {
        case .planned, .drawn: true
        case .closed, .noQuorum, .cancelled: false
        }
    }

    /// The states that hold their applications as an SQL list (`('planned', 'drawn')`), for
    /// `state IN …`: the same rule as `holdsApplications`, where the database applies it.
    public static let holdingSQL = "(" + allCases.filter(\.holdsApplications).map { "'\($0.rawValue)'" }.joined(separator: ", ") + ")"

    /// The votes have been counted (closed, or short of its quorum): the tallies may be shown.
    public var isCounted: Bool { self == .closed || self == .noQuorum }

    /// What may be done to a session.
    public enum Action: Sendable, Equatable {
        /// 抽取: draw the panel and reserves.
        case draw
        /// 由备选替补, with the number of votes cast in the session so far.
        case replace(votesCast: Int)
        /// A panel expert's vote.
        case vote
        /// 结束评审: count the votes.
        case close
        /// 取消评审会, with the number of votes cast in the session so far.
        case cancel(votesCast: Int)
    }

    /// Refuses `action` in this state with a conflict that says why (409), or returns.
    public func require(_ action: Action) throws(ZhichengError) {
        switch (action, self) {
        case (.draw, .planned), (.vote, .drawn), (.close, .drawn), (.cancel, .planned):
            return
        case (.replace(let votes), .drawn):
            guard votes == 0 else { throw .conflict("已有专家投票，不能再替换") }
        case (.cancel(let votes), .drawn):
            // Once an expert has judged, the session ends by its close (which decides, or says
            // it is short of its quorum and decides nothing), never by setting the votes aside.
            guard votes == 0 else { throw .conflict("已有专家投票，不能取消评审会；请结束评审（未达法定人数则不作决定）") }
        case (.draw, .cancelled): throw .conflict("本场评审会已取消，不能抽取专家")
        case (.replace, .cancelled): throw .conflict("本场评审会已取消，不能替换专家")
        case (.vote, .cancelled): throw .conflict("本场评审会已取消，不能投票")
        case (.close, .cancelled): throw .conflict("本场评审会已取消，不能结束评审")
        case (.cancel, .cancelled): throw .conflict("本场评审会已取消")
        case (.draw, _): throw .conflict("本场评审会已抽取过专家")
        case (.replace, _): throw .conflict("只有评审中的评审会可以替换专家")
        case (.vote, _): throw .conflict("评审会不在评审中，不能投票")
        case (.close, _): throw .conflict("只有评审中的评审会可以结束")
        case (.cancel, _): throw .conflict("本场评审会已结束，不能取消")
        }
    }

    /// The longest reason a cancellation may give.
    public static let maxReasonLength = 500

    /// A cancellation's reason (`FreeText`): required (400 naming `reason`), at most
    /// `maxReasonLength` characters.
    public static func cancelReason(_ raw: String?) throws(ZhichengError) -> String {
        try FreeText.cancelReason.require(raw, else: "请填写取消评审会的理由")
    }
}
