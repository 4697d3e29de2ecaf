import Testing
import ZhichengCore

/// A review session's states: what each allows, and the one rule of which hold their
/// applications (SessionState).
@Suite("Review session states")
struct SessionStateTests {
    /// Only a planned or a drawn session holds its applications; the SQL list says the same.
    @Test func onlyAPlannedOrDrawnSessionHoldsItsApplications() {
        #expect(SessionState.allCases.filter(\.holdsApplications) == [.planned, .drawn])
        #expect(SessionState.holdingSQL == "('planned', 'drawn')")
        #expect(!SessionState.cancelled.holdsApplications && !SessionState.noQuorum.holdsApplications && !SessionState.closed.holdsApplications)
        #expect(SessionState.allCases.filter(\.isCounted) == [.closed, .noQuorum])
        #expect(SessionState.allCases.map(\.label) == ["待抽取", "评审中", "已结束", "未达法定人数", "已取消"])
        #expect(SessionState(rawValue: "no_quorum") == .noQuorum && SessionState(rawValue: "cancelled") == .cancelled)
    }

    /// Each (state, action) pair: allowed (nil), or the conflict's message.
    @Test(arguments: [
        (SessionState.planned, SessionState.Action.draw, nil),
        (.planned, .cancel(votesCast: 0), nil),
        (.planned, .vote, "评审会不在评审中，不能投票"),
        (.planned, .close, "只有评审中的评审会可以结束"),
        (.planned, .replace(votesCast: 0), "只有评审中的评审会可以替换专家"),
        (.drawn, .draw, "本场评审会已抽取过专家"),
        (.drawn, .vote, nil),
        (.drawn, .close, nil),
        (.drawn, .replace(votesCast: 0), nil),
        (.drawn, .replace(votesCast: 1), "已有专家投票，不能再替换"),
        (.drawn, .cancel(votesCast: 0), nil),
        (.drawn, .cancel(votesCast: 1), "已有专家投票，不能取消评审会；请结束评审（未达法定人数则不作决定）"),
        (.closed, .cancel(votesCast: 3), "本场评审会已结束，不能取消"),
        (.noQuorum, .cancel(votesCast: 1), "本场评审会已结束，不能取消"),
        (.closed, .vote, "评审会不在评审中，不能投票"),
        (.cancelled, .draw, "本场评审会已取消，不能抽取专家"),
        (.cancelled, .replace(votesCast: 0), "本场评审会已取消，不能替换专家"),
        (.cancelled, .vote, "本场评审会已取消，不能投票"),
        (.cancelled, .close, "本场评审会已取消，不能结束评审"),
        (.cancelled, .cancel(votesCast: 0), "本场评审会已取消"),
    ] as [(SessionState, SessionState.Action, String?)])
    func whatEachStateAllows(state: SessionState, action: SessionState.Action, refusal: String?) {
        do {
            try state.require(action)
            #expect(refusal == nil, "\(state) allowed \(action)")
        } catch {
            #expect(error.code == .conflict && error.message == refusal, "\(state) \(action): \(error.message)")
        }
    }

    /// A cancellation's reason is required (blank or invisible is none) and bounded.
    @Test func aCancellationNeedsAReasonOfAtMost500Characters() throws {
        for blank in [nil, "", "  \n", "\u{200B}\u{FEFF}"] as [String?] {
            #expect(throws: ZhichengError.invalid("请填写取消评审会的理由", field: "reason")) { try SessionState.cancelReason(blank) }
        }
        #expect(throws: ZhichengError.invalid("理由不能超过500个字符", field: "reason")) { try SessionState.cancelReason(String(repeating: "缺", count: 501)) }
        #expect(try SessionState.cancelReason(" 专家不足，无法抽取\n") == "专家不足，无法抽取")
        #expect(try SessionState.cancelReason(String(repeating: "缺", count: 500)).count == 500)
    }
}
