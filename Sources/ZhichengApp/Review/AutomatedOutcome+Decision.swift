import Foundation
import ZhichengCore

extension AutomatedOutcome.Result {
    /// A plugin step's answer, `{"decision": "pass"}` or `{"decision": "return", "sections":
    /// [...], "reason": "...", "comment": "..."}`, as an outcome. A return is held to the rule
    /// a reviewer's is (`ReturnRequest`, SPEC §7: the sections at fault, a reason from the
    /// fixed list, a comment when the reason is `other`); one that breaks it — a misspelt
    /// reason, a section the application does not have, `sections` that is not a list of
    /// names — is a failed step saying what was wrong, never a guess at what was meant.
    public init(decision text: String) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
            self = .failed("malformed answer")
            return
        }
        switch object["decision"] as? String {
        case "pass":
            self = .pass
        case "return":
            do {
                // Held to the rule of a reviewer's 意见: no NUL or bidi override reaches the applicant's trail.
                let comment = try ReviewDecision.return.comment(object["comment"] as? String)
                self = .return(try ReturnRequest(sections: object["sections"] as? [String], reason: object["reason"] as? String, comment: comment),
                               comment: comment)
            } catch {
                let field = error.field ?? "decision"
                self = .failed("invalid return decision: \(field) \(Self.shown(object[field])): \(error.message)")
            }
        default:
            self = .failed("invalid decision \(Self.shown(object["decision"])): it must be \"pass\" or \"return\"")
        }
    }

    /// A value of the answer as JSON text (at most 200 characters, its invisible characters by
    /// code point), "missing" when absent.
    static func shown(_ value: Any?) -> String {
        guard let value else { return "missing" }
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .withoutEscapingSlashes]) else {
            return "\(value)".showingInvisibles()
        }
        let text = String(decoding: data, as: UTF8.self).showingInvisibles()
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }
}
