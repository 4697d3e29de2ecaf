import Testing
import ZhichengCore

/// One wording for a result and a state (ApplicationKind.label(ofFinalResult:)), and who is
/// told that an application was resubmitted (ReviewChain.isResubmission).
@Suite("Result labels and resubmissions")
struct ResultLabelTests {
    /// A final result reads as the state it makes, on every screen: 评审通过, not 已确认：通过.
    @Test func aFinalResultReadsAsTheStateItMakes() {
        #expect(ApplicationKind.title.label(ofFinalResult: "通过") == "评审通过")
        #expect(ApplicationKind.title.label(ofFinalResult: "通过") == ApplicationState.passed.label)
        #expect(ApplicationKind.title.label(ofFinalResult: "未通过") == "评审未通过")
        #expect(ApplicationKind.expert.label(ofFinalResult: "通过") == ApplicationKind.admittedLabel)
        #expect(ApplicationKind.expert.label(ofFinalResult: "未通过") == "未通过")
        #expect(ApplicationKind.title.label(ofFinalResult: "待定") == "待定")
        #expect(ApplicationState(finalResult: "通过") == .passed && ApplicationState(finalResult: "未通过") == .failed)
        #expect(ApplicationState(finalResult: "") == nil)
    }

    /// 重新提交 only to an org that reviewed an earlier submission.
    @Test(arguments: [
        (1, [Int](), false), (1, [1], false),
        (2, [], false),      // returned below the org: it never saw the first
        (2, [1], true),      // it reviewed the first (passed it up, or returned it)
        (2, [2], false),     // it decided on this one only
        (3, [2], true), (3, [1, 3], true), (3, [3], false),
    ])
    func resubmittedOnlyToAnOrgThatSawAnEarlierSubmission(submission: Int, reviewedHere: [Int], told: Bool) {
        #expect(ReviewChain.isResubmission(submission, reviewedHere: reviewedHere) == told)
    }

    /// What changed is shown against the last submission the org itself decided on: not one
    /// only a level below saw (the changes made for that level would be hidden), and nothing
    /// for an org that never saw an earlier one.
    @Test(arguments: [
        (2, [Int](), nil as Int?), (2, [1], 1), (2, [2], nil),
        (3, [1], 1),        // returned below it on the second: compared with the first, which it saw
        (3, [1, 2], 2), (3, [2, 1, 3], 2), (4, [3, 1], 3),
    ])
    func changesAreShownAgainstTheLastSubmissionTheOrgSaw(submission: Int, reviewedHere: [Int], compared: Int?) {
        #expect(ReviewChain.comparedSubmission(submission, reviewedHere: reviewedHere) == compared)
        #expect(ReviewChain.isResubmission(submission, reviewedHere: reviewedHere) == (compared != nil))
    }
}
