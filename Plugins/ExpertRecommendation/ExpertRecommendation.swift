import ZhichengPluginSDK

/// The 专家推荐 plugin: step `expert-eligibility` (at `expert-submit`) runs when an applicant
/// submits an expert application and returns it unless ``ExpertEligibility`` passes it.
public struct ExpertRecommendation: ReviewStepPlugin {
    /// The id of the one step.
    public static let stepID = "expert-eligibility"

    /// A plugin value; it holds no state.
    public init() {}

    public var manifest: PluginManifest {
        PluginManifest(name: "expert-recommendation", version: "1.0.0",
                       steps: [.init(id: Self.stepID, title: "专家资格自动审查", at: "expert-submit", sections: [ExpertEligibility.experienceSection])])
    }

    public func run(step: String, input: StepInput) throws -> StepDecision {
        ExpertEligibility.check(input.application)
    }
}

/// The one symbol the daemon looks up (`zhicheng_plugin.h`).
@_cdecl("zhicheng_plugin_entry")
public func zhichengPluginEntry() -> UnsafeRawPointer { PluginExport.entry(ExpertRecommendation()) }
