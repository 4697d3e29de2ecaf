/// An answer chosen from a fixed list (a form's buttons, an API's `decision`), read the same
/// from the web UI's form and the API's JSON: anything else is refused, naming the field and
/// the answers there are, never taken as one of them (a stale page, a hand-made post).
public protocol ChosenAnswer: RawRepresentable<String>, CaseIterable, Sendable {}

extension ChosenAnswer {
    public init(parsing raw: String?, field: String = "decision") throws(ZhichengError) {
        guard let raw, let value = Self(rawValue: raw) else {
            // A page offers only these: another answer came from a stale page or a hand-made post.
            throw ZhichengError.invalid("\(field) 应为 \(Self.allCases.map(\.rawValue).joined(separator: " 或 "))", field: field,
                                        screen: "所选的操作无效，请刷新页面后重新选择")
        }
        self = value
    }
}

/// The answer to a review of a declaration plan or of a unit's 单位信息: 通过 or 退回.
public enum Approval: String, ChosenAnswer {
    case approve
    case reject
}

/// The committee's office's ruling on an objection: 异议成立 or 异议不成立. Both end the
/// objection for good, so neither is ever the answer to something unreadable.
public enum ObjectionRuling: String, ChosenAnswer {
    case upheld
    case dismissed
}
