/// The two steps every org on a route takes: 经办人审查 then 负责人审查.
public enum ReviewStage: String, Sendable, Codable, CaseIterable {
    case handler
    case leader

    public var role: StaffRole { self == .handler ? .handler : .leader }
    /// The step a role reviews at.
    public init(_ role: StaffRole) { self = role == .handler ? .handler : .leader }
    public var label: String { self == .handler ? "经办人审查" : "负责人审查" }

    /// The `step` a decision names (`handler` or `leader`), nil when it names none.
    public static func named(_ raw: String?) throws(ZhichengError) -> ReviewStage? {
        guard let raw, !raw.isEmpty else { return nil }
        guard let stage = ReviewStage(rawValue: raw) else {
            throw .invalid("step 应为 handler 或 leader", field: "step", screen: "审查环节应为经办人审查或负责人审查，请刷新页面后重试")
        }
        return stage
    }

    /// Checks that a decision reaches the step it was meant for. A request that names its
    /// `step` is refused (409) once the application has moved on to another. One that names
    /// neither a step nor the version the reviewer saw is meant for the step of the
    /// reviewer's one role; a reviewer holding both roles must say which (400): their
    /// 经办人 pass, sent just as another handler's pass moved the application on, would
    /// otherwise be taken as a 负责人 pass nobody meant to give.
    public static func requireIntended(_ step: ReviewStage?, current: ReviewStage, versioned: Bool, roles: [StaffRole]) throws(ZhichengError) {
        if let step {
            guard step == current else { throw .conflict("该申报现处于\(current.label)，不是\(step.label)，请刷新后再审查") }
        } else if !versioned, roles.contains(.handler), roles.contains(.leader) {
            throw .invalid("您同时是经办人和负责人：请写明 step（handler 或 leader），或带上所见的 version", field: "step",
                           screen: "您同时是经办人和负责人，无法确定本次审查的环节，请刷新页面后重试")
        }
    }
}

/// A reviewer's verdict (SPEC §7): 通过, 退回修改, 未通过.
public enum ReviewDecision: String, Sendable, Codable, CaseIterable {
    case pass
    case `return`
    case reject

    public var label: String {
        switch self {
        case .pass: "通过"
        case .return: "退回修改"
        case .reject: "未通过"
        }
    }

    /// A `decision` that is none of these: the API's words name the codes, a page's the buttons.
    public static let unknown = ZhichengError.invalid("decision 应为 pass、return 或 reject", field: "decision",
                                                      screen: "审查结果应为\(allCases.map { "“\($0.label)”" }.joined(separator: "、"))，请刷新页面后重新选择")

    /// A reviewer's 意见 as it is kept (`FreeText.reviewComment`), required for 未通过 (the applicant must
    /// read why). The same at every level, in a city and in the province, and for a plugin's return.
    public func comment(_ raw: String?) throws(ZhichengError) -> String {
        self == .reject ? try FreeText.reviewComment.require(raw, else: "未通过时请填写意见") : try FreeText.reviewComment.validate(raw)
    }

    /// Whether this decision, sent by `callerID` for the step `intended` (nil: none named),
    /// repeats the last one recorded (its actor, decision and step): answered again, not made
    /// twice. A step named that is not the recorded one's makes it no repeat: a 负责人 pass by
    /// the one who made the 经办人 pass is refused by four eyes. One rule for a city's review
    /// and the province office's.
    public func repeats(_ last: (actorID: Int?, decision: String?, stage: String?), by callerID: Int, intended: ReviewStage?) -> Bool {
        last.actorID == callerID && last.decision == rawValue && (intended == nil || last.stage == intended?.rawValue)
    }
}

/// Why an application goes back to the applicant (the reasons of the list, plus 其他).
public enum ReturnReason: String, Sendable, Codable, CaseIterable {
    case incomplete
    case wrongFormat = "wrong_format"
    case wrongInformation = "wrong_information"
    case notQualified = "not_qualified"
    case missingSeal = "missing_seal"
    case other

    public var label: String {
        switch self {
        case .incomplete: "材料不完整"
        case .wrongFormat: "格式不正确"
        case .wrongInformation: "信息有误"
        case .notQualified: "不符合申报条件"
        case .missingSeal: "缺少印章"
        case .other: "其他"
        }
    }
}

/// Where an application is in its life.
public enum ApplicationState: String, Sendable, Codable, CaseIterable {
    /// Being filled in by the applicant.
    case draft
    /// Climbing its route.
    case inReview = "in_review"
    /// 退回修改: back with the applicant, who may edit and resubmit.
    case returned
    /// 未通过: final.
    case rejected
    /// Withdrawn by the applicant: a draft, one in review before any reviewer acted, or one
    /// returned for changes (`ReviewChain.withdrawable`).
    case withdrawn
    /// Passed by every org of the tenant; the final authority is the province.
    case awaitingProvince = "awaiting_province"
    /// Passed by the final authority's review; with its committee (评委会).
    case atCommittee = "at_committee"
    /// The committee's result stands in public notice (公示); objections may be lodged.
    case publicity
    /// Final: 评审通过.
    case passed
    /// Final: 评审未通过.
    case failed

    public var label: String {
        switch self {
        case .draft: "草稿"
        case .inReview: "审查中"
        case .returned: "退回修改"
        case .rejected: "未通过"
        case .withdrawn: "已撤回"
        case .awaitingProvince: "待报送省职改办"
        case .atCommittee: "待评委会评审"
        case .publicity: "公示中"
        case .passed: "评审通过"
        case .failed: "评审未通过"
        }
    }

    /// The applicant may edit sections only before submitting and after a return.
    public var editableByApplicant: Bool { self == .draft || self == .returned }

    /// Submitted and not yet ended (not a draft, nor withdrawn, rejected, passed or failed):
    /// it still needs its applicant and the orgs of its route.
    public var underWay: Bool { [.inReview, .returned, .awaitingProvince, .atCommittee, .publicity].contains(self) }

    /// Come to the committee of its final authority, or judged by it (in 公示, passed, failed).
    public var atOrPastCommittee: Bool { [.atCommittee, .publicity, .passed, .failed].contains(self) }

    /// `underWay` states as an SQL list, for `state IN (…)`.
    public static let underWaySQL = allCases.filter(\.underWay).map { "'\($0.rawValue)'" }.joined(separator: ", ")
}

/// The pure review state machine of one application: its route (the applicant's
/// unit, then each ancestor up to the tenant's root office) and where on it the
/// application stands. The I/O code stores it and carries out its actions.
public struct ReviewChain: Sendable, Equatable, Codable {
    /// Org ids from the applicant's unit up to the top of the tenant.
    public let route: [Int]
    /// Whether the final authority is the province (副高级/正高级) rather than this city.
    public let endsInProvince: Bool
    public private(set) var state: ApplicationState
    /// Index into `route` of the org reviewing now.
    public private(set) var position: Int
    public private(set) var stage: ReviewStage
    /// Who made the handler decision at the current org (four eyes).
    public private(set) var handlerDecider: Int?
    /// Whether any reviewer acted on the current submission (withdrawal is refused then, unless
    /// it was returned: `withdrawable`).
    public private(set) var reviewedSinceSubmission: Bool

    /// What the I/O layer must do after a transition.
    public enum Action: Sendable, Equatable {
        /// The application waits for `stage` at `orgID`.
        case awaitReview(orgID: Int, stage: ReviewStage)
        /// Back to the applicant with the sections at fault.
        case returnToApplicant
        case rejected
        /// Every org of the tenant passed it: hand it to the final authority.
        case completedInTenant(toProvince: Bool)
        case withdrawn
    }

    /// Who is deciding, as the rules need it.
    public struct Reviewer: Sendable, Equatable {
        public var accountID: Int
        public var orgID: Int
        public var roles: [StaffRole]
        public var series: [String]

        public init(accountID: Int, orgID: Int, roles: [StaffRole], series: [String]) {
            self.accountID = accountID
            self.orgID = orgID
            self.roles = roles
            self.series = series
        }
    }

    /// Restores a stored chain exactly as it was (storage codecs use this).
    public init(restoring route: [Int], endsInProvince: Bool, state: ApplicationState, position: Int, stage: ReviewStage,
                handlerDecider: Int?, reviewedSinceSubmission: Bool) throws(ZhichengError) {
        guard !route.isEmpty, route.indices.contains(position) else { throw .internal("stored review chain is inconsistent") }
        self.route = route
        self.endsInProvince = endsInProvince
        self.state = state
        self.position = position
        self.stage = stage
        self.handlerDecider = handlerDecider
        self.reviewedSinceSubmission = reviewedSinceSubmission
    }

    public init(route: [Int], endsInProvince: Bool) throws(ZhichengError) {
        guard !route.isEmpty else { throw .invalid("申报人所在单位不在机构树中") }
        self.route = route
        self.endsInProvince = endsInProvince
        state = .draft
        position = 0
        stage = .handler
        handlerDecider = nil
        reviewedSinceSubmission = false
    }

    /// The org reviewing now, while in review.
    public var currentOrg: Int? { state == .inReview ? route[position] : nil }

    /// Whether `office` is the application's final authority in its tenant: the top of
    /// the route, for an application that does not go on to the province. Only that
    /// office's committee evaluates it.
    public func isFinalAuthority(_ office: Int) -> Bool { !endsInProvince && route.last == office }

    /// Submits (or resubmits after a return): review starts again at the unit's handler.
    public mutating func submit() throws(ZhichengError) -> Action {
        guard state.editableByApplicant else { throw .conflict("申报当前状态为“\(state.label)”，不能提交") }
        state = .inReview
        position = 0
        stage = .handler
        handlerDecider = nil
        reviewedSinceSubmission = false
        return .awaitReview(orgID: route[0], stage: .handler)
    }

    /// The applicant withdraws: a draft; one in review before any reviewer acted on this
    /// submission; or one returned for changes (退回修改), which is the applicant's again, whoever
    /// returned it: an applicant who gives up on it ends it, and it no longer holds a place of
    /// the unit's plan or the year.
    public mutating func withdraw() throws(ZhichengError) -> Action {
        guard state == .inReview || state == .draft || state == .returned else { throw .conflict("申报当前状态为“\(state.label)”，不能撤回") }
        guard withdrawable else { throw .conflict("已有审查人员处理过该申报，不能撤回") }
        state = .withdrawn
        return .withdrawn
    }

    /// Whether `withdraw` would take it (the applicant's screen offers 撤回申报 so).
    public var withdrawable: Bool {
        state == .draft || state == .returned || (state == .inReview && !reviewedSinceSubmission)
    }

    /// An automated step at submission returned the application before any person
    /// reviewed it.
    public mutating func returnByAutomatedStep() throws(ZhichengError) {
        guard state == .inReview, position == 0, stage == .handler, !reviewedSinceSubmission else {
            throw .conflict("自动审查只能在提交时退回申报")
        }
        state = .returned
    }

    /// The committee recorded a result: it stands in public notice (公示).
    public mutating func enterPublicity() throws(ZhichengError) {
        guard state == .atCommittee else { throw .conflict("申报当前状态为“\(state.label)”，不能录入评审结果") }
        state = .publicity
    }

    /// An upheld objection sets the result aside: the committee decides again.
    public mutating func setAside() throws(ZhichengError) {
        guard state == .publicity else { throw .conflict("申报不在公示中") }
        state = .atCommittee
    }

    /// The final authority in the province (its office's review) sends it back to the
    /// applicant for changes: a resubmission starts again at the unit.
    public mutating func returnFromProvince() throws(ZhichengError) {
        guard state == .awaitingProvince else { throw .conflict("申报当前状态为“\(state.label)”，不能由省职改办退回") }
        state = .returned
        handlerDecider = nil
    }

    /// The province office's own review (its 经办人 or 负责人) turned the handed-over application
    /// down (未通过): it ends there as a city reviewer's 未通过 ends one (`rejected`, 审查结束),
    /// not as a committee's result (`failed`, 评审未通过): no committee judged it and no 公示 ran.
    /// Only while it waits for the province.
    public mutating func rejectByProvince() throws(ZhichengError) {
        guard state == .awaitingProvince else { throw .conflict("申报当前状态为“\(state.label)”，不能由省职改办审查未通过") }
        state = .rejected
    }

    /// The province office's 负责人 passed the handed-over expert recommendation: the person is
    /// in the province's expert database and the recommendation ends there (`passed`, 已入库
    /// （专家信息库）), as the office's step, not as a committee's result: no committee judged it
    /// and no 公示 ran. Only an expert recommendation (a title application the office passed goes
    /// on to the province's committee, whose result comes as `finalize`), only while it waits
    /// for the province.
    public mutating func admitByProvince(kind: ApplicationKind) throws(ZhichengError) {
        guard kind == .expert else { throw .conflict("职称申报经省职改办审查通过后由评委会评审，不能由省职改办审查通过入库") }
        guard state == .awaitingProvince else { throw .conflict("申报当前状态为“\(state.label)”，不能由省职改办审查通过入库") }
        state = .passed
    }

    /// The result becomes final: after 公示 in this tenant, or as reported by the province.
    public mutating func finalize(passed: Bool) throws(ZhichengError) {
        guard state == .publicity || state == .awaitingProvince else { throw .conflict("申报当前状态为“\(state.label)”，不能确认结果") }
        state = passed ? .passed : .failed
    }

    /// Checks that `reviewer` may decide now: right org, right role, right series,
    /// and not the same person as this org's handler when deciding as leader.
    public func checkReviewer(_ reviewer: Reviewer, series: String) throws(ZhichengError) {
        guard state == .inReview, reviewer.orgID == route[position] else { throw .conflict("该申报当前不在本单位审查") }
        guard reviewer.roles.contains(stage.role) else { throw .init(.forbidden, "当前为\(stage.label)，您没有\(stage.role.label)角色") }
        guard reviewer.series.contains(series) else { throw .init(.forbidden, "您没有审查“\(series)”系列的权限") }
        if stage == .leader, handlerDecider == reviewer.accountID {
            throw .init(.forbidden, "同一人不能既做经办人审查又做负责人审查（四眼原则）")
        }
    }

    /// Applies a decision by `reviewer` (checked with `checkReviewer`).
    public mutating func decide(_ decision: ReviewDecision, by reviewer: Reviewer, series: String) throws(ZhichengError) -> Action {
        try checkReviewer(reviewer, series: series)
        reviewedSinceSubmission = true
        switch decision {
        case .return:
            state = .returned
            return .returnToApplicant
        case .reject:
            state = .rejected
            return .rejected
        case .pass where stage == .handler:
            stage = .leader
            handlerDecider = reviewer.accountID
            return .awaitReview(orgID: route[position], stage: .leader)
        case .pass where position + 1 < route.count:
            position += 1
            stage = .handler
            handlerDecider = nil
            return .awaitReview(orgID: route[position], stage: .handler)
        case .pass:
            state = endsInProvince ? .awaitingProvince : .atCommittee
            return .completedInTenant(toProvince: endsInProvince)
        }
    }
}
