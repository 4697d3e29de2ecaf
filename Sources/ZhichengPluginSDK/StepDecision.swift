/// A plugin's answer for one application.
public enum StepDecision: Sendable, Hashable {
    /// The application passes this step and goes on.
    case pass
    /// The application goes straight back to the applicant, with the sections to fix, why,
    /// and a comment for people. `sections` must name at least one of the application's
    /// sections (`ZhichengCore.ApplicationSection`: 基本信息, 学历学位, 工作经历, …) and nothing
    /// else, and `other` needs a comment: the daemon records a return that breaks this as a
    /// failed step, and the application goes on to people.
    case `return`(sections: [String], reason: ReturnReason, comment: String)

    /// Why an application is returned: the daemon's own closed set of reasons
    /// (`incomplete`, `wrongFormat`, `wrongInformation`, `notQualified`, `missingSeal`, `other`).
    public typealias ReturnReason = ZhichengCore.ReturnReason

    /// The answer as the C ABI carries it: `{"decision": "pass"}` or
    /// `{"decision": "return", "sections": [...], "reason": "...", "comment": "..."}`.
    public var json: JSONValue {
        switch self {
        case .pass:
            return .object([("decision", "pass")])
        case .return(let sections, let reason, let comment):
            return .object([
                ("decision", "return"),
                ("sections", .array(sections.map(JSONValue.string))),
                ("reason", .string(reason.rawValue)),
                ("comment", .string(comment)),
            ])
        }
    }
}
