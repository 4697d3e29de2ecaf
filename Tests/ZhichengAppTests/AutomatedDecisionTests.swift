import Foundation
import Testing
import ZhichengApp
import ZhichengCore

@Suite("A plugin step's decision: a return is carried out only as the rule for a reviewer's return allows")
struct AutomatedDecisionTests {
    @Test func aValidReturnCarriesItsSectionsReasonAndComment() throws {
        let result = AutomatedOutcome.Result(decision: #"{"decision":"return","sections":["工作经历","基本信息"],"reason":"not_qualified","comment":" 年限不足 "}"#)
        #expect(result == .return(try ReturnRequest(sections: ["基本信息", "工作经历"], reason: "not_qualified", comment: "年限不足"), comment: "年限不足"))
        #expect(AutomatedOutcome.Result(decision: #"{"decision":"pass"}"#) == .pass)
    }

    @Test(arguments: [
        (#"{"decision":"return","sections":["工作经历"],"reason":"not_qualifed","comment":"x"}"#, #"reason "not_qualifed": 退回原因应为："#),
        (#"{"decision":"return","sections":["工作经历"],"comment":"x"}"#, "reason missing: 请选择退回原因"),
        (#"{"decision":"return","sections":["工作经验"],"reason":"incomplete","comment":"x"}"#, #"sections ["工作经验"]: 退回时请选择有问题的部分"#),
        (#"{"decision":"return","sections":["工作经历",1],"reason":"incomplete","comment":"x"}"#, #"sections ["工作经历",1]: "#),
        (#"{"decision":"return","sections":"工作经历","reason":"incomplete","comment":"x"}"#, #"sections "工作经历": "#),
        (#"{"decision":"return","reason":"incomplete","comment":"x"}"#, "sections missing: "),
        (#"{"decision":"return","sections":["工作经历"],"reason":"other"}"#, "comment missing: 原因为“其他”时请填写说明"),
        (#"{"decision":"Pass"}"#, #"invalid decision "Pass": it must be "pass" or "return""#),
        (#"{}"#, "invalid decision missing"),
    ])
    func anInvalidDecisionIsAFailedStepSayingWhatWasWrong(answer: String, why: String) {
        guard case .failed(let reason) = AutomatedOutcome.Result(decision: answer) else {
            Issue.record("carried out: \(answer)")
            return
        }
        #expect(reason.contains(why), "\(reason)")
    }

    @Test func theReasonsListNamesEveryValidValue() {
        guard case .failed(let reason) = AutomatedOutcome.Result(decision: #"{"decision":"return","sections":["附件"],"reason":"x","comment":"x"}"#) else {
            Issue.record("carried out")
            return
        }
        for value in ReturnReason.allCases { #expect(reason.contains(value.rawValue)) }
    }
}
