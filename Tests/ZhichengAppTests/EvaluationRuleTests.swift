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

    /// The province's lists say of a result in notice what the city's screens say: 公示中, then
    /// 公示期满，待确认 once its period is over (until the office confirms it).
    @Test func theProvinceSaysWhetherANoticeStillStands() throws {
        let chain = try ReviewChain(route: [1], endsInProvince: false)
        #expect(ProvinceReview.stageLabel(.title, state: "publicity", chain: chain, publicityUntil: 100, now: 99) == "评审结果公示中")
        #expect(ProvinceReview.stageLabel(.title, state: "publicity", chain: chain, publicityUntil: 100, now: 100) == "评审结果公示期满，待确认")
        #expect(ProvinceReview.stageLabel(.title, state: "final", chain: chain, publicityUntil: 100, now: 200) == "评审结束")
    }
}
