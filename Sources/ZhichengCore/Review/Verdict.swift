/// The answer to a review of a declaration plan or of a unit's 单位信息: 通过 or 退回.
/// Read the same from the web UI's form and the API's JSON: anything else is refused,
/// never taken as the negative answer (a stale page, a hand-made post).
public enum Approval: String, Sendable, CaseIterable {
    case approve
    case reject

    public init(parsing raw: String?) throws(ZhichengError) {
        guard let raw, let value = Self(rawValue: raw) else { throw ZhichengError.invalid("decision 应为 approve 或 reject", field: "decision") }
        self = value
    }
}

/// The committee's office's ruling on an objection: 异议成立 or 异议不成立. Both end the
/// objection for good, so neither is ever the answer to something unreadable.
public enum ObjectionRuling: String, Sendable, CaseIterable {
    case upheld
    case dismissed

    public init(parsing raw: String?) throws(ZhichengError) {
        guard let raw, let value = Self(rawValue: raw) else { throw ZhichengError.invalid("decision 应为 upheld 或 dismissed", field: "decision") }
        self = value
    }
}
