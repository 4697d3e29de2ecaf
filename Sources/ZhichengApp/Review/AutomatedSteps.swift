import ZhichengCore

/// The outcome of one automated review step (a plugin's) on an application.
public struct AutomatedOutcome: Sendable, Equatable {
    public enum Result: Sendable, Equatable {
        case pass
        /// Back to the applicant, like a reviewer's 退回修改, checked as a reviewer's is
        /// (`ReturnRequest`: known sections, a reason from the fixed list).
        case `return`(ReturnRequest, comment: String)
        /// The step could not run (crash, hang, garbage, a decision that is not valid): the
        /// application goes on to people, and the failure is recorded.
        case failed(String)
    }

    public var plugin: String
    public var step: String
    public var title: String
    public var result: Result

    public init(plugin: String, step: String, title: String, result: Result) {
        self.plugin = plugin
        self.step = step
        self.title = title
        self.result = result
    }
}

/// Runs the automated steps placed at a point of the route (`submit`, …) on an
/// application given as JSON. The daemon implements it with its plugin supervisor.
public protocol AutomatedSteps: Sendable {
    func run(at point: String, tenant: String, application: String) async -> [AutomatedOutcome]
    /// Whether some plugin places a step at `point` (the expert workflow needs one at `expert-submit`).
    func provides(_ point: String) async -> Bool
}
