import Testing
import ZhichengCore

@Suite("Review coverage: whether anyone at an org can take a waiting step")
struct ReviewCoverageTests {
    let handler = ReviewCoverage.Reviewer(accountID: 1, roles: [.handler], series: ["中小学教师"])
    let leader = ReviewCoverage.Reviewer(accountID: 2, roles: [.leader], series: ["中小学教师"])
    let both = ReviewCoverage.Reviewer(accountID: 3, roles: [.handler, .leader], series: ["中小学教师"])
    let otherSeries = ReviewCoverage.Reviewer(accountID: 4, roles: [.handler, .leader], series: ["卫生技术人员"])

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
}
