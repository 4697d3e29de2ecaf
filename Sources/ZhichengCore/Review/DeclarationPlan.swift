import Foundation
/// One line of a 申报计划: how many applications a unit plans for a series and level.
public struct PlanLine: Sendable, Hashable, Codable {
    public var series: String
    public var level: TitleLevel
    public var count: Int

    public init(series: String, level: TitleLevel, count: Int) {
        self.series = series
        self.level = level
        self.count = count
    }
}

/// Where a plan stands with the city office (审核).
public enum PlanState: String, Sendable, Codable, CaseIterable {
    case draft, submitted, approved, rejected

    /// Whether the orgs above the plan's unit (its department, the city office) see a plan in
    /// this state: a draft is the unit's own until it submits it; once submitted, it stays in
    /// their sight whatever the city decides. A plan sent back and changed again is a draft.
    public var isSeenAboveItsUnit: Bool { self != .draft }

    /// The states `isSeenAboveItsUnit`, for a query of the plans below an org.
    public static var seenAboveItsUnit: [PlanState] { allCases.filter(\.isSeenAboveItsUnit) }

    public var label: String {
        switch self {
        case .draft: "未提交"
        case .submitted: "待审核"
        case .approved: "审核通过"
        case .rejected: "已退回"
        }
    }
}

/// The rules of a yearly declaration plan.
public enum DeclarationPlan {
    /// A 年度 a plan or an application may be for: from 2000 to next year (in China time), so
    /// that a year mistyped far ahead (2062 for 2026) is refused rather than saved where no
    /// one looks for it.
    public static func validateYear(_ year: Int, now: Date = Date()) throws(ZhichengError) {
        let latest = latestYear(now: now)
        guard (2000...latest).contains(year) else { throw .invalid("年度应为 2000 至 \(latest) 之间的年份", field: "year") }
    }

    /// The latest year anything may be planned for: next year, in China time (a 年度, and the
    /// last day a 面试通知 may name, `InterviewTime.allowed`).
    public static func latestYear(now: Date = Date()) -> Int { CalendarDate.currentYear(now: now) + 1 }

    /// Validates the lines against the catalog: known series and levels, counts 1–9999, no line twice.
    public static func validate(year: Int, lines: [PlanLine], catalog: TitleCatalog = .henan) throws(ZhichengError) -> [PlanLine] {
        try validateYear(year)
        guard !lines.isEmpty else { throw .invalid("申报计划至少需要一行（系列、级别、人数）", field: "items") }
        guard lines.count <= 200 else { throw .invalid("申报计划最多200行", field: "items") }
        var seen: Set<String> = []
        for (index, line) in lines.enumerated() {
            guard let series = catalog.series(named: line.series) else { throw .invalid("第\(index + 1)行：未知的系列“\(line.series.prefix(30))”", field: "items") }
            guard !series.titles(at: line.level).isEmpty else { throw .invalid("第\(index + 1)行：\(line.series)没有\(line.level.rawValue)职称", field: "items") }
            guard (1...9999).contains(line.count) else { throw .invalid("第\(index + 1)行：人数应为 1 至 9999", field: "items") }
            guard seen.insert(line.series + "/" + line.level.rawValue).inserted else {
                throw .invalid("第\(index + 1)行：\(line.series)\(line.level.rawValue)重复", field: "items")
            }
        }
        return lines
    }

    /// Refuses one more submission for `series`/`level` when the approved plan's line
    /// is used up (or missing), naming the line.
    public static func checkQuota(approved: [PlanLine]?, year: Int, series: String, level: TitleLevel, alreadySubmitted: Int) throws(ZhichengError) {
        if let refusal = PlanPlace(approved: approved, year: year, series: series, level: level, taken: alreadySubmitted).refusal { throw refusal }
    }

    /// Whether an application in `state` takes one place of its unit's plan line: every
    /// submission that was not withdrawn or turned down on the way (未通过 by a reviewer);
    /// one the committee turned down had its place and keeps it.
    public static func usesAPlace(_ state: ApplicationState) -> Bool {
        switch state {
        case .draft, .withdrawn, .rejected: false
        case .inReview, .returned, .awaitingProvince, .atCommittee, .publicity, .passed, .failed: true
        }
    }

    /// The states of `usesAPlace`, as a SQL list (`'in_review', …`) for counting them.
    public static let placeStatesSQL = ApplicationState.allCases.filter(usesAPlace).map { "'\($0.rawValue)'" }.joined(separator: ", ")

    /// Whether an application in `state` still holds the applicant's one title
    /// application of its year: everything submitted that was not withdrawn, and not
    /// ended by a 未通过 (an applicant turned down may apply again the same year).
    public static func holdsTheYear(_ state: ApplicationState) -> Bool {
        switch state {
        case .draft, .withdrawn, .rejected, .failed: false
        case .inReview, .returned, .awaitingProvince, .atCommittee, .publicity, .passed: true
        }
    }

    /// Refuses a first submission while another title application of the same
    /// applicant and year holds that year (one person, one title application a year):
    /// otherwise one person could use up every place of the unit's plan line.
    public static func checkOnePerYear(year: Int, others: [(title: String, state: ApplicationState)]) throws(ZhichengError) {
        guard let other = others.first(where: { holdsTheYear($0.state) }) else { return }
        throw .conflict("每人每年只能有一份职称申报：你\(year)年度的“\(other.title)”申报（\(other.state.label)）尚未结束")
    }
}

/// The place a unit's approved plan has for one more submission of a series and level in a year:
/// what a draft's applicant is told before pressing 提交申报 (the line, how many of its places are
/// taken, how many are left), and why a submission now would be refused, by the rule the
/// submission itself follows (`DeclarationPlan.checkQuota`).
public struct PlanPlace: Sendable, Equatable {
    public var year: Int
    public var series: String
    public var level: TitleLevel
    /// The places of the approved plan's line; nil when there is no approved plan, or no such line.
    public var count: Int?
    /// Places taken by the unit's applications of that year, series and level (`usesAPlace`).
    public var taken: Int
    /// Whether the unit has an approved plan of that year.
    public var planApproved: Bool

    /// `approved`: the lines of the unit's approved plan of `year`, nil when it has none.
    public init(approved: [PlanLine]?, year: Int, series: String, level: TitleLevel, taken: Int) {
        self.year = year
        self.series = series
        self.level = level
        self.taken = taken
        planApproved = approved != nil
        count = approved?.first(where: { $0.series == series && $0.level == level })?.count
    }

    /// Places left for one more submission (never below 0); nil without the line.
    public var left: Int? { count.map { max($0 - taken, 0) } }

    /// Why one more submission would be refused now, naming the line; nil when it would be taken.
    public var refusal: ZhichengError? {
        guard planApproved else { return .conflict("本单位\(year)年度的申报计划尚未经审核通过，暂不能提交申报") }
        guard let count else { return .conflict("本单位\(year)年度申报计划中没有“\(series) \(level.rawValue)”这一行，不能提交") }
        guard taken < count else { return .conflict("已超出\(year)年度申报计划“\(series) \(level.rawValue)”的 \(count) 人名额（已提交 \(taken) 人）") }
        return nil
    }

    /// What the draft's page says of it.
    public var text: String {
        if let refusal { return "提交前请注意：\(refusal.message)" }
        return "本单位\(year)年度申报计划“\(series) \(level.rawValue)”共 \(count ?? 0) 人，已提交 \(taken) 人，尚余 \(left ?? 0) 人"
    }
}
