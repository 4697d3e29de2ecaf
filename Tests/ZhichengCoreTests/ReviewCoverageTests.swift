import Testing
import ZhichengCore

@Suite("Review coverage: whether anyone at an org can take a waiting step")
struct ReviewCoverageTests {
    static let every = ApplicationSection.allCases.map(\.rawValue)
    let handler = ReviewCoverage.Reviewer(accountID: 1, roles: [.handler], series: ["中小学教师"], sections: every)
    let leader = ReviewCoverage.Reviewer(accountID: 2, roles: [.leader], series: ["中小学教师"], sections: every)
    let both = ReviewCoverage.Reviewer(accountID: 3, roles: [.handler, .leader], series: ["中小学教师"], sections: every)
    let otherSeries = ReviewCoverage.Reviewer(accountID: 4, roles: [.handler, .leader], series: ["卫生技术人员"], sections: every)

    @Test func aStepNeedsTheRoleAndTheSeries() {
        #expect(ReviewCoverage.coverage(of: .handler, series: "中小学教师", among: [handler, leader]) == .covered)
        #expect(ReviewCoverage.coverage(of: .leader, series: "中小学教师", among: [handler]) == .nobody)
        #expect(ReviewCoverage.coverage(of: .handler, series: "中小学教师", among: [otherSeries, leader]) == .nobody)
        #expect(ReviewCoverage.coverage(of: .handler, series: "中小学教师", among: []) == .nobody)
    }

    @Test func aSingleLeaderCannotTakeWhatTheyPassedAsHandler() {
        #expect(ReviewCoverage.coverage(of: .leader, series: "中小学教师", among: [both]) == .onlyIfNotHandledBy(accountID: 3))
        #expect(!ReviewCoverage.canBeTaken(.leader, series: "中小学教师", handlerDecider: 3, among: [both]))
        #expect(ReviewCoverage.canBeTaken(.leader, series: "中小学教师", handlerDecider: 1, among: [both]))
        // A second leader covers it whoever the handler was.
        #expect(ReviewCoverage.coverage(of: .leader, series: "中小学教师", among: [both, leader]) == .covered)
        #expect(ReviewCoverage.canBeTaken(.leader, series: "中小学教师", handlerDecider: 3, among: [both, leader]))
        // Four eyes does not bind a handler step.
        #expect(ReviewCoverage.canBeTaken(.handler, series: "中小学教师", handlerDecider: nil, among: [both]))
    }

    /// What the org's reviewers of a series read between them, at either step; what none of them reads is named.
    @Test func sectionsNoReviewerOfASeriesReadsAreNamed() {
        let basic = ReviewCoverage.Reviewer(accountID: 5, roles: [.handler], series: ["中小学教师"], sections: ["基本信息", "学历学位"])
        let rest = ReviewCoverage.Reviewer(accountID: 6, roles: [.leader], series: ["中小学教师"],
                                           sections: Self.every.filter { !["基本信息", "学历学位", "附件"].contains($0) })
        #expect(ReviewCoverage.unreadSections(series: "中小学教师", among: [basic, rest]) == [.attachments], "the two steps' reviewers together")
        #expect(ReviewCoverage.unreadSections(series: "中小学教师", among: [basic, rest, handler]) == [])
        #expect(ReviewCoverage.unreadSections(series: "中小学教师", among: [basic]).map(\.rawValue) == Self.every.filter { !["基本信息", "学历学位"].contains($0) })
        // A leader reading less than a handler who reads everything: read at the org.
        let narrowLeader = ReviewCoverage.Reviewer(accountID: 7, roles: [.leader], series: ["中小学教师"], sections: ["基本信息"])
        #expect(ReviewCoverage.unreadSections(series: "中小学教师", among: [handler, narrowLeader]) == [])
        // Another series' permissions do not count; nobody reviewing the series at all is a stranded step, not this.
        #expect(ReviewCoverage.unreadSections(series: "中小学教师", among: [basic, otherSeries]).count == Self.every.count - 2)
        #expect(ReviewCoverage.unreadSections(series: "卫生技术人员", among: [basic]) == [])
    }
}
