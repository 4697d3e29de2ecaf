import Foundation

/// One entry of the city's trail sent with a hand-over to the province (`enqueueForward`),
/// as the province reads it back: the org (by the name it decided under; "" for the
/// submission itself, which names none), the stage and decision (their codes), the comment
/// and when. A value the hand-over did not carry reads "" (`at`: nil).
public struct CityTrailStep: Sendable, Equatable {
    public var org: String
    public var stage: String
    public var decision: String
    public var comment: String
    /// Seconds since 1970.
    public var at: Double?

    public init(org: String, stage: String, decision: String, comment: String, at: Double?) {
        self.org = org
        self.stage = stage
        self.decision = decision
        self.comment = comment
        self.at = at
    }

    /// The steps of a trail as `enqueueForward` writes it (a JSON array of objects); nothing
    /// for text that is not such an array.
    static func steps(fromJSON json: String?) -> [CityTrailStep] {
        let entries = (try? JSONSerialization.jsonObject(with: Data((json ?? "[]").utf8)) as? [[String: Any]]) ?? []
        return entries.map { entry in
            func text(_ key: String) -> String { entry[key].map { "\($0)" } ?? "" }
            let at: Double? = switch entry["at"] {
            case let number as NSNumber: number.doubleValue
            case let string as String: Double(string)
            default: nil
            }
            return CityTrailStep(org: text("org"), stage: text("stage"), decision: text("decision"), comment: text("comment"), at: at)
        }
    }
}
