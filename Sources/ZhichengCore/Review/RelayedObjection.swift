/// An objection a person of a city lodged against the province's result while it stood in
/// public notice (公示) in the city, as the province records it on arrival. The city checked
/// the deadline when it was lodged; what the province decides is which result it concerns.
public enum RelayedObjection {
    /// What the province's evaluation was when the objection arrived.
    public enum Evaluation: Sendable, Equatable {
        /// No result yet (one was set aside), or a result in public notice.
        case pending, publicity
        /// The office confirmed the result.
        case final
    }

    /// The objection's state on arrival and, unless it is open, the reason it was closed:
    /// - open, for the office to resolve, if the notice it objects to still stands;
    /// - upheld, "评审结果已撤销", if that result was set aside since (as the other open
    ///   objections are when one is upheld);
    /// - late, "结果确认后送达", if the office confirmed that result before it arrived:
    ///   kept for the office to see, and it changes nothing.
    public static func arrival(_ evaluation: Evaluation, sameNotice: Bool) -> (state: String, reason: String?) {
        switch (evaluation, sameNotice) {
        case (.publicity, true): ("open", nil)
        case (.final, true): ("late", "结果确认后送达")
        default: ("upheld", "评审结果已撤销")
        }
    }
}

/// Where an objection stands, as the person who lodged it sees it. One lodged against the
/// city's own committee is resolved in the city (open → upheld/dismissed). One sent on
/// to the province is `sent` until the province's answers (`objection.resolved`) arrive:
/// a receipt with its state on arrival, then the office's resolution.
public enum ObjectionState: String, Sendable, CaseIterable {
    case sent, open, upheld, dismissed, late

    public var label: String {
        switch self {
        case .sent: "已送省职改办"
        case .open: "待处理"
        case .upheld: "异议成立"
        case .dismissed: "异议不成立"
        case .late: "结果确认后送达，未处理"
        }
    }

    /// Whether an answer saying `next` moves an objection in this state on. Answers only
    /// move it forward: a receipt (`open`) never reopens one the province has resolved,
    /// and a resolution is never replaced.
    public func advances(to next: ObjectionState) -> Bool {
        switch (self, next) {
        case (.sent, .open), (.sent, .upheld), (.sent, .dismissed), (.sent, .late): true
        case (.open, .upheld), (.open, .dismissed), (.open, .late): true
        default: false
        }
    }
}

/// A committee's step on an application, as the application's trail shows it: the
/// city committee's own, or the province's, relayed back to the city.
public enum CommitteeEvent: String, Sendable, CaseIterable {
    case interview
    case result
    case objectionUpheld = "objection-upheld"
    case objectionDismissed = "objection-dismissed"
    case final

    /// How the trail names it.
    public var label: String {
        switch self {
        case .interview: "面试通知"
        case .result: "评审结果（公示）"
        case .objectionUpheld: "异议成立，结果撤销"
        case .objectionDismissed: "异议不成立"
        case .final: "结果确认"
        }
    }

    /// Its `decision` in the trail (`committee-result`, …), apart from the reviewers' own.
    public var decision: String { "committee-" + rawValue }

    public init?(decision: String) {
        guard decision.hasPrefix("committee-") else { return nil }
        self.init(rawValue: String(decision.dropFirst("committee-".count)))
    }
}
