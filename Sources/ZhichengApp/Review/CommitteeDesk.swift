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
    /// Whether a committee of the office covers its series and level. One that none covers
    /// waits at 评委会 until the office sets one up: listed, so that the office knows.
    public var covered: Bool = true
}

extension CommitteeWorkItem {
    /// Whether it waits for the committee's result: covered, with no evaluation or one
    /// still pending (the desk offers it for the batch's 面试通知 and counts it on the 首页).
    public var awaitsResult: Bool { covered && (evaluation == nil || evaluation?.state == "pending") }
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
        if item.awaitsResult { awaitingResult += 1 }
        openObjections += item.evaluation?.openObjections ?? 0
        if item.evaluation.map({ $0.confirmationRefused(at: now) == nil }) ?? false { toConfirm += 1 }
        if !item.covered { uncovered = true }
    }
}
