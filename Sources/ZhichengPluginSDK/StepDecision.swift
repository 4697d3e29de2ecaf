/// A plugin's answer for one application.
public enum StepDecision: Sendable, Hashable {
    /// The application passes this step and goes on.
    case pass
    /// The application goes straight back to the applicant, with the sections to fix, why,
    /// and a comment for people.
    case `return`(sections: [String], reason: ReturnReason, comment: String)

    /// Why an application is returned (the daemon's closed set of reasons).
    public enum ReturnReason: String, Sendable, Hashable, CaseIterable {
        /// Something required is missing.
        case incomplete
        /// Present but in the wrong format.
        case wrongFormat = "wrong_format"
        /// Present but wrong.
        case wrongInformation = "wrong_information"
        /// The applicant does not meet a requirement.
        case notQualified = "not_qualified"
        /// A seal is missing.
        case missingSeal = "missing_seal"
        /// Anything else; say what in the comment.
        case other
    }

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
