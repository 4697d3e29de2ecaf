import Testing
@testable import ZhichengApp
import ZhichengCore

/// When an office may confirm a committee's result: the one rule `confirm` applies and
/// 首页's 待办事项 reads.
struct EvaluationRuleTests {
    static func record(state: String, until: Double?, open: Int) -> EvaluationRecord {
        EvaluationRecord(id: 1, committee: "评委会", interviewTime: nil, interviewPlace: nil, result: "通过", note: nil,
                         state: state, publicityUntil: until, openObjections: open)
    }

    @Test func aResultIsConfirmedOnlyAfterItsNoticeWithEveryObjectionResolved() {
        #expect(Self.record(state: "publicity", until: 100, open: 0).confirmationRefused(at: 100) == nil)
        #expect(Self.record(state: "publicity", until: 100, open: 0).confirmationRefused(at: 99)?.message.contains("公示期至") == true)
        #expect(Self.record(state: "publicity", until: 100, open: 2).confirmationRefused(at: 200)?.message.contains("还有 2 条异议") == true)
        #expect(Self.record(state: "publicity", until: nil, open: 0).confirmationRefused(at: 1e12) != nil)
        for state in ["pending", "final"] {
            #expect(Self.record(state: state, until: 100, open: 0).confirmationRefused(at: 200)?.code == .conflict)
        }
    }
}
