import Foundation
import ZhichengCore
import ZhichengStorage

/// One page of an office's committee desk.
public struct CommitteeWorklistPage: Sendable {
    public var items: [CommitteeWorkItem]
    /// The `after` of the next page; nil on the last.
    public var next: EvaluationTarget?
}

/// An application on a committee's desk, with its evaluation so far.
public struct CommitteeWorkItem: Sendable {
    public var target: EvaluationTarget
    public var applicantName: String
    public var unitName: String
    /// The city it came from (province), nil for a city's own application.
    public var sourceTenant: String?
    /// That city's name (郑州市), as the registry has it; the id if it has since been archived.
    public var sourceTenantName: String?
    public var year: Int
    public var series: String
    public var level: String
    public var title: String
    public var evaluation: EvaluationRecord?
    /// Before its evaluation starts: the committee of the office that will take it up
    /// (`EvaluationService.coverage`), nil when none covers its series and level.
    public var assigned: CommitteeRef? = nil
}

/// A committee as a list names it.
public struct CommitteeRef: Sendable, Equatable {
    public var id: Int
    public var name: String
    public init(id: Int, name: String) { self.id = id; self.name = name }
}

extension CommitteeWorkItem {
    /// The committee that evaluates it: the one its evaluation is bound to, or the one that
    /// will take it up (`assigned`); nil when no committee of the office covers it.
    public var committee: CommitteeRef? {
        evaluation.map { CommitteeRef(id: $0.committeeID, name: $0.committee) } ?? assigned
    }

    /// Whether a committee of the office covers it. One that none covers waits at 评委会
    /// until the office sets one up: listed, so that the office knows.
    public var covered: Bool { committee != nil }

    /// Whether it waits for the committee's result: covered, with no evaluation or one
    /// still pending (the desk offers it for the batch's 面试通知 and counts it on the 首页).
    public var awaitsResult: Bool { covered && (evaluation == nil || evaluation?.state == "pending") }

    /// Whether objections to its result are waiting for the office's 处理.
    public var hasOpenObjections: Bool { (evaluation?.openObjections ?? 0) > 0 }

    /// Whether the office may confirm its result at `now`: in 公示, the period over, every
    /// objection resolved (`EvaluationRecord.confirmationRefused`, the rule 确认结果 keeps).
    public func awaitsConfirmation(at now: Double) -> Bool {
        evaluation.map { $0.confirmationRefused(at: now) == nil } ?? false
    }
}

/// What an office may narrow its committee desk to: the three things the 首页 counts
/// (`CommitteeDeskCounts`), each a link to the desk showing just those
/// (`committee-worklist?need=`, the screen's 待办 filter).
public enum CommitteeDeskNeed: String, Sendable, CaseIterable {
    /// Waiting for the committee's result (`CommitteeWorkItem.awaitsResult`).
    case result
    /// A result with objections not yet resolved.
    case objections
    /// A result whose 公示 is over with no objection open: 确认结果 is next.
    case confirm

    /// `need` as a request gives it; nil for none (or empty: a filter form's field left at 全部).
    public init?(parsing raw: String?) throws(ZhichengError) {
        guard let raw, !raw.isEmpty else { return nil }
        guard let need = Self(rawValue: raw) else {
            throw .invalid("need 应为 result（待评审）、objections（有异议待处理）或 confirm（公示期满待确认）", field: "need")
        }
        self = need
    }

    /// The screen's words for it.
    public var label: String {
        switch self {
        case .result: "待评审"
        case .objections: "有异议待处理"
        case .confirm: "公示期满待确认"
        }
    }

    /// Whether `item` is one of these at `now`: the rule the 首页's counts follow.
    public func matches(_ item: CommitteeWorkItem, now: Double) -> Bool {
        switch self {
        case .result: item.awaitsResult
        case .objections: item.hasOpenObjections
        case .confirm: item.awaitsConfirmation(at: now)
        }
    }

    /// A narrowing of the desk's query to the rows that may match (`e` the alias of the row's
    /// evaluation, left-joined: none yet is NULL); `matches` decides. Its arguments follow the filter's.
    func sql(now: Double) -> (sql: String, arguments: [any SQLiteBindable]) {
        let openObjection = "EXISTS (SELECT 1 FROM objections o WHERE o.evaluation_id = e.id AND o.state = 'open')"
        switch self {
        case .result: return (" AND (e.id IS NULL OR e.state = 'pending')", [])
        case .objections: return (" AND e.state = 'publicity' AND \(openObjection)", [])
        case .confirm: return (" AND e.state = 'publicity' AND e.publicity_until <= ? AND NOT \(openObjection)", [now])
        }
    }
}

/// What the office's 首页 says of its open committee desk (`EvaluationService.deskCounts`).
public struct CommitteeDeskCounts: Sendable, Equatable {
    /// Items waiting for a result (`CommitteeWorkItem.awaitsResult`).
    public var awaitingResult = 0
    /// Objections not yet resolved, over every result in notice.
    public var openObjections = 0
    /// Results whose notice is over with no objection open: the office may confirm them.
    public var toConfirm = 0
    /// Whether some item waits with no committee of the office covering it.
    public var uncovered = false

    mutating func add(_ item: CommitteeWorkItem, now: Double) {
        if CommitteeDeskNeed.result.matches(item, now: now) { awaitingResult += 1 }
        openObjections += item.evaluation?.openObjections ?? 0
        if CommitteeDeskNeed.confirm.matches(item, now: now) { toConfirm += 1 }
        if !item.covered { uncovered = true }
    }
}
