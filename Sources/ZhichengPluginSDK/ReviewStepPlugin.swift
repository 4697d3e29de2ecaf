/// A review-step plugin written in Swift.
///
/// Conform a type to it and export it with ``PluginExport/entry(_:)`` from the one C symbol
/// the daemon looks for:
///
/// ```swift
/// import ZhichengPluginSDK
///
/// struct MyCheck: ReviewStepPlugin {
///     let manifest = PluginManifest(name: "my-check", version: "1.0.0",
///                                   steps: [.init(id: "my-step", title: "自动审查", at: "submit")])
///     func run(step: String, input: StepInput) throws -> StepDecision {
///         input.application.sections["工作经历"] == nil
///             ? .return(sections: ["工作经历"], reason: .incomplete, comment: "请填写工作经历")
///             : .pass
///     }
/// }
///
/// @_cdecl("zhicheng_plugin_entry")
/// public func zhichengPluginEntry() -> UnsafeRawPointer { PluginExport.entry(MyCheck()) }
/// ```
///
/// Build it as a `.dynamic` library product and drop the `.so` into the plugin dir. The daemon
/// runs each plugin in its own helper process and calls it from one thread at a time.
public protocol ReviewStepPlugin: Sendable {
    /// Name, version and steps, read once when the descriptor is built.
    var manifest: PluginManifest { get }

    /// Runs `step` (always one of the manifest's step ids) on an application.
    ///
    /// Throwing makes the call fail: the daemon records the step as failed
    /// (`自动审查失败（转人工审查）`) and the application goes on to people.
    func run(step: String, input: StepInput) throws -> StepDecision
}
