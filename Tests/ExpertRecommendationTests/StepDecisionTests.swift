import Testing
import ZhichengPluginSDK

@Suite("SDK wire types")
struct StepDecisionTests {
    @Test func reasonsUseTheDaemonsNames() {
        #expect(StepDecision.ReturnReason.allCases.map(\.rawValue) ==
            ["incomplete", "wrong_format", "wrong_information", "not_qualified", "missing_seal", "other"])
    }

    @Test func decisionsSerializeToTheABIShape() {
        #expect(StepDecision.pass.json.serialized == #"{"decision":"pass"}"#)
        #expect(StepDecision.return(sections: ["工作经历"], reason: .missingSeal, comment: "缺\"章\"").json.serialized ==
            #"{"decision":"return","sections":["工作经历"],"reason":"missing_seal","comment":"缺\"章\""}"#)
    }

    @Test func inputDefaultsKindAndKeepsTheRawJSON() throws {
        // The shape the daemon sends for title applications (no kind, no specialty).
        let text = #"{"step":"x","tenant":"zhengzhou","application":{"id":3,"year":2026,"series":"中小学教师","level":"中级","title":"一级教师","sections":{"工作经历":{"内容":"现职年限：6","附件":[1,2],"空":null},"空节":null}},"extra":true}"#
        let input = try StepInput(json: text, step: "qualification-years")
        #expect(input.step == "qualification-years")
        #expect(input.tenant == "zhengzhou")
        #expect(input.application.kind == "title" && input.application.specialty == nil)
        #expect(input.application.sections == ["工作经历": ["内容": "现职年限：6", "附件": "[1,2]"]])
        #expect(input.json["extra"] == true)
    }

    @Test func inputErrorsNameTheField() {
        #expect(throws: StepInputError.self) { try StepInput(json: #"{"tenant":"t","application":{"id":1}}"#, step: "x") }
        do {
            _ = try StepInput(json: #"{"tenant":"t","application":{"id":1,"year":"2026"}}"#, step: "x")
            Issue.record("expected an error")
        } catch {
            #expect(error.field == "application.year")
        }
    }
}
