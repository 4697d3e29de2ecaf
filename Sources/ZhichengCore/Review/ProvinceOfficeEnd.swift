/// How the province office's own review (its 经办人, then its 负责人) ends an application a city
/// handed over, as the applicant's city learns it: the office's step ends it, no committee
/// judged it and no 公示 ran, so the city records that step (its org, its 环节) and no
/// committee's result or 结果确认.
///
/// - `rejected`: 未通过 at either step ends any application there, as a city reviewer's 未通过
///   ends one (`ReviewChain.rejectByProvince`: 未通过, 审查结束).
/// - `admitted`: the 负责人's 通过 ends an expert recommendation with the person entered into the
///   province's expert database (`ReviewChain.admitByProvince`: 已入库（专家信息库）). A title
///   application the 负责人 passed goes on to the province's committee instead: not an end.
public enum ProvinceOfficeEnd: String, Sendable, CaseIterable {
    case rejected
    case admitted

    /// The end a step of the office (`decision` at `stage`) makes of an application of `kind`;
    /// nil when the review goes on or the application goes back (a 经办人's 通过, a title
    /// application's 负责人 通过 to the committee, 退回修改).
    public init?(kind: ApplicationKind, stage: ReviewStage, decision: ReviewDecision) {
        switch decision {
        case .reject: self = .rejected
        case .pass where stage == .leader && kind == .expert: self = .admitted
        case .pass, .return: return nil
        }
    }

    /// The message that carries it to the city, with the step as `application.province-review`
    /// carries one: `application.province-rejected`, `application.province-admitted`.
    public var messageKind: String { "application.province-\(rawValue)" }

    /// The end a message of `kind` carries; nil for any other message.
    public init?(messageKind kind: String) {
        guard let end = Self.allCases.first(where: { $0.messageKind == kind }) else { return nil }
        self = end
    }

    /// The office's decision at the step that ends it, as the city's trail and 评审表 keep it.
    public var decision: ReviewDecision { self == .rejected ? .reject : .pass }

    /// Ends `chain`, an application of `kind` waiting for the province, as the office's step did.
    public func apply(to chain: inout ReviewChain, kind: ApplicationKind) throws(ZhichengError) {
        switch self {
        case .rejected: try chain.rejectByProvince()
        case .admitted: try chain.admitByProvince(kind: kind)
        }
    }
}
