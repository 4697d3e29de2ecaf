import CZhichengPlugin
import ExpertRecommendation
import Testing
import ZhichengPluginSDK

/// Drives the plugin the way the daemon's helper process does: through the exported entry
/// function and the descriptor's C function pointers.
@Suite("ExpertRecommendation through the C ABI")
struct PluginGlueTests {
    let plugin = zhichengPluginEntry().assumingMemoryBound(to: zhicheng_plugin_v1.self).pointee

    /// Calls `step` with `input` through the C pointer; the answer is copied, then freed with
    /// the descriptor's `free_result`. nil when `call` returned NULL.
    func call(_ input: String, step: String = "expert-eligibility") throws -> JSONValue? {
        let call = try #require(plugin.call)
        let free = try #require(plugin.free_result)
        guard let result = step.withCString({ s in input.withCString { i in call(s, i) } }) else { return nil }
        defer { free(result) }
        return try JSONValue.parse(String(cString: result))
    }

    func input(level: String = "副高级", specialty: String = "\"数学\"", experience: String = #"{"从业年限":"12","单位":"郑州一中"}"#) -> String {
        #"""
        {"step":"expert-eligibility","tenant":"zhengzhou","application":{"id":7,"kind":"expert","year":2026,\#
        "series":"中小学教师","level":"\#(level)","title":"高级教师","specialty":\#(specialty),\#
        "sections":{"基本信息":{"姓名":"王老师"},"工作经历":\#(experience)}}}
        """#
    }

    @Test func descriptorCarriesTheABIVersionAndManifest() throws {
        #expect(plugin.abi_version == ZHICHENG_PLUGIN_ABI_VERSION)
        let manifest = try JSONValue.parse(String(cString: try #require(plugin.manifest_json)))
        #expect(manifest == [
            "name": "expert-recommendation", "version": "1.0.0",
            "steps": [["id": "expert-eligibility", "title": "专家资格自动审查", "at": "expert-submit", "sections": ["工作经历"]]],
        ])
        // Built once: every entry call returns the same descriptor.
        #expect(zhichengPluginEntry() == zhichengPluginEntry())
    }

    @Test func passesAnEligibleExpert() throws {
        #expect(try call(input()) == ["decision": "pass"])
        // Numbers in a section arrive as text, so a numeric 从业年限 works too.
        #expect(try call(input(experience: #"{"years_of_experience":25}"#)) == ["decision": "pass"])
    }

    @Test func returnsWithSectionsReasonAndComment() throws {
        #expect(try call(input(level: "中级")) == [
            "decision": "return", "sections": ["基本信息"], "reason": "not_qualified", "comment": "专家须具有副高级及以上职称（本申报的级别为中级）。级别在创建申报时选定，不能修改：请撤回本申报，按您的副高级或正高级职称重新申请专家推荐",
        ])
        #expect(try call(input(specialty: "null")) == [
            "decision": "return", "sections": ["基本信息"], "reason": "incomplete", "comment": "请填写专业（specialty）",
        ])
        #expect(try call(input(experience: #"{"从业年限":"6"}"#)) == [
            "decision": "return", "sections": ["工作经历"], "reason": "not_qualified", "comment": "从业年限6年，不足10年",
        ])
        #expect(try call(input(experience: #"{"内容":"多年"}"#))?["reason"] == "incomplete")
    }

    @Test(arguments: [
        "", "not json {", "[]", #"{"step":"expert-eligibility","tenant":"zhengzhou"}"#,
        #"{"tenant":"zhengzhou","application":{"id":"seven","year":2026,"series":"s","level":"副高级","title":"t"}}"#,
        #"{"tenant":"zhengzhou","application":{"id":7,"year":2026,"series":"s","level":"副高级","title":"t","sections":[]}}"#,
    ])
    func malformedInputGivesNull(input: String) throws {
        #expect(try call(input) == nil)
    }

    @Test func unknownStepGivesNull() throws {
        #expect(try call(input(), step: "qualification-years") == nil)
    }

    @Test func nullArgumentsGiveNull() throws {
        let call = try #require(plugin.call)
        #expect(call(nil, nil) == nil)
        #expect("expert-eligibility".withCString { call($0, nil) } == nil)
    }
}
