/// What a printed 评审表 says, over its opinions, of an application that did not go on to a
/// result: 已撤回, 退回修改, 未通过, 评审未通过 (an expert recommendation turned down: 未通过),
/// each with when it happened; and of an expert recommendation the province office admitted,
/// 已入库（专家信息库） with its 入库时间 (the office's 负责人审查 通过 ends it: no committee's opinion
/// says so, as a title application's committee's result does). An office that prints one for
/// its files must not be able to take it for the form of an application under way. In the
/// words every screen uses for the state (`ApplicationKind.label(of:)`).
public struct ReviewFormMark: Sendable, Equatable {
    /// The state in words: the mark printed over the form.
    public var label: String
    /// What the date printed with it is the date of.
    public var dateCaption: String
    /// Whether it marks an expert admitted (已入库（专家信息库）): the recommendation ended as it
    /// was meant to, printed as a pass is shown (green), not in the red of an application that
    /// was withdrawn, returned or turned down.
    public var isAdmission: Bool

    /// The mark of an application of `kind` in `state`; nil when the form needs none (a draft,
    /// one under way, a title application passed: its committee's opinion says so).
    public init?(state: ApplicationState, kind: ApplicationKind) {
        let caption: String
        switch state {
        case .withdrawn: caption = "撤回时间"
        case .returned: caption = "退回时间"
        case .rejected: caption = "审查结束时间"
        case .failed: caption = "结果确认时间"
        case .passed where kind == .expert: caption = "入库时间"
        case .draft, .inReview, .awaitingProvince, .atCommittee, .publicity, .passed: return nil
        }
        label = kind.label(of: state)
        dateCaption = caption
        isAdmission = state == .passed
    }
}
