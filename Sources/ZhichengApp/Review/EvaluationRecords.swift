import Foundation
import ZhichengCore
import ZhichengStorage

/// A 评委会 of an office, covering series and levels.
public struct CommitteeRecord: Sendable {
    public var id: Int
    public var orgID: Int
    public var name: String
    public var series: [String]
    public var levels: [TitleLevel]
    /// How its review sessions turn votes into results (default: the national rule).
    public var rule: VotingRule
}

/// What a committee acts on: a city's own application, or one the province received.
public enum EvaluationTarget: Sendable, Hashable {
    case application(Int)
    case received(Int)
}

/// A committee's work on one application as the API shows it.
public struct EvaluationRecord: Sendable {
    public var id: Int
    public var committee: String
    public var interviewTime: String?
    public var interviewPlace: String?
    public var result: String?
    public var note: String?
    public var state: String
    public var publicityUntil: Double?
    /// Objections not yet resolved: for the committee's office alone (nil for anyone else).
    /// The applicant and those on the route are not told while a colleague's objection is
    /// weighed: the count changing as it is lodged would name who lodged it.
    public var openObjections: Int?
    /// The committee's id (`committee` is its name).
    public var committeeID: Int = 0

    /// Why the office cannot confirm the result at `now`, nil when it can: only a result
    /// in public notice, once the period is over and every objection is resolved.
    public func confirmationRefused(at now: Double) -> ZhichengError? {
        guard state == "publicity", let until = publicityUntil else { return .conflict("该申报不在公示中") }
        if PublicityCalendar.isStanding(until: until, now: now) {
            return .conflict("公示期至 \(ChinaTime.end(until)) 止，之后方可确认")
        }
        guard let open = openObjections else { return ZhichengError(.forbidden, "只有评委会所在单位可以确认结果") }   // a record read for someone else
        guard open == 0 else { return .conflict("还有 \(open) 条异议未处理，处理后方可确认") }
        return nil
    }
}
