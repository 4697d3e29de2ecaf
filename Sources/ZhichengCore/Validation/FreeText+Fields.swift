extension FreeText {
    // Every free-text field of the product, with its label and limits, in one place (the
    // README's input rules list them). Names and specialties have rules of their own
    // (`TenantInfo.validateName`, `ApplicationKind.validateSpecialty`), as do attachment
    // names (`AttachmentName`) and the fields of 单位信息 (`UnitProfile.validated`).

    /// A reviewer's 意见 on an application or an expert recommendation, at every level.
    public static let reviewComment = FreeText(field: "comment", label: "意见", maxCharacters: 2000)
    /// Why a declaration plan or a unit's info goes back (退回): the unit reads it.
    public static let returnReason = FreeText(field: "reason", label: "原因", maxCharacters: 500)
    /// Why an expert is suspended or retired.
    public static let expertStateReason = FreeText(field: "reason", label: "理由", maxCharacters: 500)
    /// Declared relations (回避关系): each a name, an ID-card number or a unit, on one line.
    public static let relation = FreeText(field: "relations", label: "回避关系", maxCharacters: 100, lines: .single)
    /// Where a review session meets.
    public static let sessionPlace = FreeText(field: "place", label: "评审地点", maxCharacters: 100, lines: .single)
    /// A draw's seed, typed to repeat a draw (recorded with it).
    public static let drawSeed = FreeText(field: "seed", label: "随机种子", maxCharacters: 128, lines: .single)
    /// A panel expert's 意见 with a vote.
    public static let voteComment = FreeText(field: "comment", label: "意见", maxCharacters: 1000)
    /// Why a review session is cancelled.
    public static let cancelReason = FreeText(field: "reason", label: "理由", maxCharacters: SessionState.maxReasonLength)
    /// Where an interview (面试) is held.
    public static let interviewPlace = FreeText(field: "place", label: "面试地点", maxCharacters: 200, lines: .single)
    /// A committee result's 说明.
    public static let resultNote = FreeText(field: "note", label: "说明", maxCharacters: 1000)
    /// An objection (异议) in public notice, and its evidence.
    public static let objectionText = FreeText(field: "text", label: "异议内容", maxCharacters: 2000)
    public static let objectionEvidence = FreeText(field: "evidence", label: "证据说明", maxCharacters: 2000)
    /// Why the office upholds or dismisses an objection.
    public static let objectionReason = FreeText(field: "reason", label: "处理理由", maxCharacters: 1000)
    /// An interview notice as the province sends it to a city (`RelayedText`): `2026-12-05
    /// 09:30，<place>` (the place an `interviewPlace`), or the free text of a province of an
    /// older version, shown as it came (of several lines, perhaps).
    public static let interviewNotice = FreeText(field: "interview", label: "面试通知", maxCharacters: 1000)
    /// The name of a section a hand-over carries (`RelayedText`; a later build's or a plugin's too).
    public static let sectionName = FreeText(field: "sections", label: "申报内容的名称", maxCharacters: 40, lines: .single)
}
