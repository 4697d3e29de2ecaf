/// Whether anyone at an org can take a waiting review step (manual §8: 经办人审查, then
/// 负责人审查, by reviewers of the application's series). An org whose only leader was
/// disabled, or whose reviewers were given other series, leaves its applications in
/// nobody's queue: the org's admin must be told, not the applicant left waiting unseen.
/// Counted over the org's reviewers by the rules `ReviewChain.checkReviewer` applies to one
/// (the step's role, the series, four eyes at the leader step): a change to those is a
/// change here.
public enum ReviewCoverage {
    /// One enabled reviewer of the org: their account, roles, series and the sections they
    /// may read (content permissions, by name).
    public struct Reviewer: Sendable, Equatable {
        public var accountID: Int
        public var roles: [StaffRole]
        public var series: [String]
        public var sections: [String]

        public init(accountID: Int, roles: [StaffRole], series: [String], sections: [String]) {
            self.accountID = accountID
            self.roles = roles
            self.series = series
            self.sections = sections
        }
    }

    /// Who can take the steps of `stage` for applications of one series.
    public enum Coverage: Sendable, Equatable {
        /// At least one reviewer whatever the handler step was (two leaders, or a handler step).
        case covered
        /// One leader only: an application whose 经办人 step that same person took waits for
        /// nobody (four eyes: who passed it as handler may not pass it as leader).
        case onlyIfNotHandledBy(accountID: Int)
        /// Nobody has the role and the series.
        case nobody
    }

    public static func coverage(of stage: ReviewStage, series: String, among reviewers: [Reviewer]) -> Coverage {
        let able = reviewers.filter { $0.roles.contains(stage.role) && $0.series.contains(series) }
        switch (able.count, stage) {
        case (0, _): return .nobody
        case (1, .leader): return .onlyIfNotHandledBy(accountID: able[0].accountID)
        default: return .covered
        }
    }

    /// Whether someone can take this one step: `handlerDecider`, at the leader step, who took
    /// its handler step at this org.
    public static func canBeTaken(_ stage: ReviewStage, series: String, handlerDecider: Int?, among reviewers: [Reviewer]) -> Bool {
        switch coverage(of: stage, series: series, among: reviewers) {
        case .covered: true
        case .nobody: false
        case .onlyIfNotHandledBy(let only): handlerDecider != only
        }
    }

    /// The sections of an application (a title application's, which hold an expert
    /// recommendation's) that none of the org's reviewers of `series` may read, at either step:
    /// its applications pass the org with nobody there having read them (manual §8:
    /// 全部信息审查成功后, it goes up). A 负责人 who reads less than the 经办人 is a usual set-up,
    /// not this. Empty when someone reads each, and when nobody reviews the series at all (a
    /// stranded step, `coverage` `.nobody`: told as such).
    public static func unreadSections(series: String, among reviewers: [Reviewer]) -> [ApplicationSection] {
        let able = reviewers.filter { !$0.roles.isEmpty && $0.series.contains(series) }
        guard !able.isEmpty else { return [] }
        let read = Set(able.flatMap(\.sections))
        return ApplicationSection.allCases.filter { !read.contains($0.rawValue) }
    }
}
