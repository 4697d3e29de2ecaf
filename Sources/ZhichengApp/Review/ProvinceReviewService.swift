import Foundation
import ZhichengCore
import ZhichengStorage

/// An application received from a city as the province office reviews it: a 副高级/正高级
/// title application (`kind` title) or an expert application (专家推荐, `kind` expert).
public struct ProvinceReviewView: Sendable {
    public struct Decision: Sendable {
        public var stage: ReviewStage
        public var decision: ReviewDecision
        public var comment: String
        public var reviewer: String
        public var at: Double
        /// A 退回修改's sections at fault and reason.
        public var sections: [String] = []
        public var reason: ReturnReason?
    }

    public var id: Int
    public var kind: ApplicationKind
    public var sourceTenant: String
    public var sourceApplicationID: Int
    public var applicantName: String
    public var idNumber: String
    public var unitName: String
    public var year: Int
    public var series: String
    public var level: String
    public var title: String
    /// An expert application's 专业 ("" for a title application).
    public var specialty: String
    /// in_review (a title application under the office's review), received (a title
    /// application the office passed, at its committee; an expert application under
    /// review), publicity, final, passed (an expert in the database), rejected.
    public var state: String
    public var chain: ReviewChain
    public var version: Int
    /// The sections the caller may see (a reviewer: their content permissions).
    public var sections: [String: [String: String]]
    /// Sections hidden from the caller by their content permissions.
    public var hiddenSections: [String]
    /// The city's trail (unit and 主管单位 opinions) as it arrived.
    public var cityTrail: [CityTrailStep]
    /// The province office's own steps.
    public var decisions: [Decision]
    public var callerMayDecide: Bool
    public var receivedAt: Double
    /// After the office returned it and the city handed the resubmission over: the sections
    /// (of those the caller may see) that differ from what the office returned, and what
    /// they said then (empty: not filled in then).
    public var changedSections: [String] = []
    public var previousSections: [String: [String: String]] = [:]
    /// The files its 附件 names, with what the province holds of each (none when the caller
    /// may not see 附件); and, when 附件 is among `changedSections`, those of the hand-over the
    /// office returned.
    public var files: [ReceivedFile] = []
    public var previousFiles: [ReceivedFile] = []
    /// The end of its result's public notice, while it has one (`state` publicity).
    public var publicityUntil: Double?
    /// The applicant's unit's code (单位编号) in `sourceTenant`, as the hand-over carried it
    /// (nil: handed over before schema v22 or by a city that does not send it).
    public var unitCode: String?
    /// An expert recommendation under the office's review of someone the 专家信息库 holds
    /// already (who joined while this one was on its way): its 通过 would be refused at the
    /// 负责人's admission (`ExpertService.admit`), so every reviewer is told before acting.
    public var inExpertLibrary = false

    /// Whether the office's review of it is going on (a step waits).
    public var underReview: Bool { kind == .expert ? state == "received" : state == "in_review" }

    /// Where it stands, in words.
    public var stageLabel: String { ProvinceReview.stageLabel(kind, state: state, chain: chain, publicityUntil: publicityUntil) }
}

/// A page of received applications; `next`: where the next page starts (nil: none).
public struct ProvinceReviewPage: Sendable {
    public var items: [ProvinceReviewView]
    public var next: Int?
}

/// What a province review step did.
public struct ProvinceDecisionOutcome: Sendable {
    public var application: ProvinceReviewView
    public var decision: ReviewDecision
}

/// The province office's own review, 经办人 then 负责人 (four eyes), of what the cities
/// hand over: "从其基层单位开始到终审机构为止的各级审查，每个机构审查分经办人审查和领导审查"
/// (manual §8). A 副高级/正高级 title application reaches the province's committee only
/// once the office's 负责人 passed it; 未通过 ends it, and the city learns it as the review's end
/// at that step (`application.province-rejected`), not as a committee's result.
/// 退回修改 sends it back to the applicant in the city with the sections at fault and the
/// reason (`application.returned`); the resubmission climbs the city's route again and,
/// handed over again, comes back to the office's 经办人. Expert applications go through the
/// same steps (`ExpertService`, manual §10), with 通过 or 未通过 only; there the 负责人's 通过
/// ends the recommendation with the person admitted, and the city learns it as that step too
/// (`application.province-admitted`, `ProvinceOfficeEnd`). Every step reaches the
/// applicant's trail in the city (`application.province-review`).
public struct ProvinceReviewService: Sendable {
    let store: TenantStore
    let relay: CrossTenantRelay?

    public init(store: TenantStore, relay: CrossTenantRelay? = nil) {
        self.store = store
        self.relay = relay
    }

    /// Title applications received from the cities, a page at a time (`limit` 1–500, newest
    /// first; `before`: the `next` of the page before): for a reviewer, those of their series
    /// (`waitingOnly`: only those waiting for their step); for the office admin, every one
    /// the cities handed over.
    /// `search`: only those whose applicant's or unit's name holds it (`ProvinceReview.nameSearch`).
    public func applications(caller: SignedIn, waitingOnly: Bool = false, limit: Int = 200, before: Int? = nil, search: String? = nil) async throws -> ProvinceReviewPage {
        let pattern = try ProvinceReview.nameSearch(search)
        return try await store.read(caller) { conn in
            try ProvinceReview.page(.title, caller: caller, waitingOnly: waitingOnly, limit: limit, before: before, matching: pattern, conn)
        }
    }

    /// How many of them wait for the caller's step (首页's 待办).
    public func waiting(caller: SignedIn) async throws -> Int {
        try await store.read(caller) { conn in try ProvinceReview.waitingCount(.title, caller: caller, conn) }
    }

    public func application(_ id: Int, caller: SignedIn) async throws -> ProvinceReviewView {
        try await store.read(caller) { conn in try ProvinceReview.readable(id, .title, caller: caller, conn) }
    }

    /// The caller's own steps in the office's review (title and expert applications the
    /// cities handed over), newest first, one page (`before`: the last `decisionID` of the
    /// page before): the province's part of a reviewer's 已审查.
    public func reviewed(caller: SignedIn, limit: Int = 50, before: Int? = nil) async throws -> [ReviewedItem] {
        guard caller.kind == .staff else { throw ZhichengError(.forbidden, "只有审查人员有审查记录") }
        let limit = Paging.clamp(limit, maximum: 200)
        return try await store.read(caller) { conn in
            let me = try ExpertService.requireProvinceOffice(caller, conn)
            return try conn.query("""
                SELECT d.id AS decision_id, d.stage, d.decision, d.comment, d.at, r.id, r.kind, r.series, r.level, r.title, r.state, r.chain,
                       r.applicant_name, r.unit_name, (SELECT publicity_until FROM evaluations WHERE received_id = r.id) AS publicity_until
                FROM received_decisions d JOIN received_applications r ON r.id = d.received_id
                WHERE d.actor_id = ? AND d.id < ? ORDER BY d.id DESC LIMIT ?
                """, [caller.accountID, before ?? Int.max, limit]).map { r in
                let kind = ApplicationKind(rawValue: r["kind"].string ?? "") ?? .title
                let chain = try ApplicationService.decode(r["chain"].string ?? "")
                let series = r["series"].string ?? ""
                return ReviewedItem(decisionID: r["decision_id"].int ?? 0, applicationID: r["id"].int ?? 0, kind: kind, applicantName: r["applicant_name"].string ?? "",
                                    unitName: r["unit_name"].string ?? "", series: series, level: r["level"].string ?? "", title: r["title"].string ?? "",
                                    stage: ReviewStage(rawValue: r["stage"].string ?? "") ?? .handler,
                                    decision: ReviewDecision(rawValue: r["decision"].string ?? "") ?? .pass, comment: r["comment"].string ?? "",
                                    at: r["at"].double ?? 0, standing: ProvinceReview.stageLabel(kind, state: r["state"].string ?? "", chain: chain,
                                                                        publicityUntil: r["publicity_until"].double),
                                    readable: me.permittedSeries.contains(series), receivedKind: kind)
            }
        }
    }

    /// 通过, 退回修改 or 未通过 of a title application. The 负责人's 通过 sends it to the
    /// office's committee (committee-worklist); 退回修改 sends it back to the applicant (with
    /// `sections` and `reason`, as in a city); 未通过 ends it, and the city learns the result.
    public func decide(_ id: Int, decision rawDecision: String, comment rawComment: String, sections: [String]? = nil, reason: String? = nil,
                       version: Int?, step rawStep: String? = nil, caller: SignedIn) async throws -> ProvinceDecisionOutcome {
        let (outcome, final) = try await store.write(caller) { conn -> (ProvinceDecisionOutcome, Bool) in
            if try ProvinceReview.isRepeat(id, .title, decision: rawDecision, version: version, step: rawStep, caller: caller, conn), let decision = ReviewDecision(rawValue: rawDecision) {
                let me = try ExpertService.requireProvinceOffice(caller, conn)
                return (ProvinceDecisionOutcome(application: try ProvinceReview.view(id, .title, me: me, conn), decision: decision), false)
            }
            let step = try ProvinceReview.decide(id, .title, decision: rawDecision, comment: rawComment, sections: sections, reason: reason,
                                                 version: version, step: rawStep, caller: caller, conn)
            switch step.action {
            case .completedInTenant:
                try step.update(state: "received", result: nil, conn)
            case .rejected:
                try step.update(state: "rejected", result: "未通过", conn)
                try step.sendEnd(conn)
            case .returnToApplicant:
                try step.update(state: "returned", result: nil, conn)
                try EvaluationService.enqueueBack(step.facts, kind: "application.returned", body: ProvinceReview.returnBody(step), conn)
            default:
                try step.update(state: "in_review", result: nil, conn)
            }
            let final = step.action != .awaitReview(orgID: step.me.orgID, stage: .leader)
            return (ProvinceDecisionOutcome(application: try ProvinceReview.view(id, .title, me: step.me, conn), decision: step.decision), final)
        }
        // The step that ends the office's review: its crash point (the fault-injection tests).
        if final { FaultInjection.point("province-review.after-commit") }
        relay?.kick(caller.tenant)
        return outcome
    }
}

/// The steps both kinds of province review share (`ProvinceReviewService`, `ExpertService`).
enum ProvinceReview {
    /// Where a received application stands, in words; in public notice, whether its period
    /// (ending at `publicityUntil`) still runs at `now`.
    static func stageLabel(_ kind: ApplicationKind, state: String, chain: ReviewChain, publicityUntil: Double? = nil,
                           now: Double = Date().timeIntervalSince1970) -> String {
        switch (kind, state) {
        case (.title, "publicity") where publicityUntil != nil: "评审结果" + PublicityCalendar.stage(until: publicityUntil ?? 0, now: now)
        case (.expert, "passed"): ApplicationKind.admittedLabel
        case (_, "rejected"): "未通过"
        case (_, "withdrawn"): "退回后申报人已撤回"
        case (.title, "returned"): "已退回修改，待申报人重新提交"
        case (.title, "received"): "省职改办审查通过，待评委会评审"
        case (.title, "publicity"): "评审结果公示中"
        case (.title, "final"): "评审结束"
        default: "省职改办\(chain.stage.label)"
        }
    }

    /// One received application of `kind` as `me` (an account of the province office) sees it.
    static func view(_ id: Int, _ kind: ApplicationKind, me: AccountRecord, _ conn: SQLiteConnection) throws -> ProvinceReviewView {
        guard let row = try conn.query("SELECT * FROM received_applications WHERE id = ? AND kind = ?", [id, kind.rawValue]).first,
              let text = row["chain"].string else { throw ZhichengError.notFound(kind == .expert ? "没有这个专家申报" : "没有这个报送到省里的申报") }
        let chain = try ApplicationService.decode(text)
        let state = row["state"].string ?? ""
        // A reviewer reads only the sections of their content permissions, as in a city.
        var sections = ApplicationService.sections(fromSnapshot: row["sections"].string ?? "{}")
        var hidden: [String] = []
        if me.kind == .staff {
            hidden = sections.keys.filter { !me.permittedSections.contains($0) }.sorted()
            for name in hidden { sections[name] = nil }
        }
        var changed: [String] = []
        var previous: [String: [String: String]] = [:]
        if let returned = row["previous_sections"].string {
            let before = ApplicationService.sections(fromSnapshot: returned)
            let now = ApplicationService.sections(fromSnapshot: row["sections"].string ?? "{}")
            changed = ApplicationSection.allCases.map(\.rawValue).filter { before[$0] != now[$0] && (me.kind != .staff || me.permittedSections.contains($0)) }
            for name in changed { previous[name] = before[name] ?? [:] }
        }
        var view = ProvinceReviewView(
            id: id, kind: kind, sourceTenant: row["source_tenant"].string ?? "", sourceApplicationID: row["source_application_id"].int ?? 0,
            applicantName: row["applicant_name"].string ?? "",
            idNumber: ApplicationService.idNumber(row["id_number"].string ?? "",
                                                  hiddenSections: me.kind == .staff ? ApplicationSection.allCases.map(\.rawValue).filter { !me.permittedSections.contains($0) } : []),
            unitName: row["unit_name"].string ?? "",
            year: row["year"].int ?? 0, series: row["series"].string ?? "", level: row["level"].string ?? "", title: row["title"].string ?? "",
            specialty: row["specialty"].string ?? "", state: state, chain: chain, version: row["version"].int ?? 0,
            sections: sections, hiddenSections: hidden,
            cityTrail: CityTrailStep.steps(fromJSON: row["trail"].string),
            decisions: try decisions(id, conn),
            callerMayDecide: mayDecide(chain, kind, state: state, series: row["series"].string ?? "", me: me),
            receivedAt: row["received_at"].double ?? 0)
        view.changedSections = changed
        view.previousSections = previous
        if me.kind != .staff || me.permittedSections.contains(ApplicationSection.attachments.rawValue) {
            let source = row["source_tenant"].string ?? "", application = row["source_application_id"].int ?? 0
            view.files = try ReceivedFiles.listed(row["sections"].string, source: source, application: application, conn)
            if changed.contains(ApplicationSection.attachments.rawValue) {
                view.previousFiles = try ReceivedFiles.listed(row["previous_sections"].string, source: source, application: application, conn)
            }
        }
        view.unitCode = row["unit_code"].string
        if kind == .expert, view.underReview {
            view.inExpertLibrary = try !ExpertService.inLibrary([row["id_number"].string ?? ""], conn).isEmpty
        }
        if state == "publicity" { view.publicityUntil = try conn.scalar("SELECT publicity_until FROM evaluations WHERE received_id = ?", [id])?.double }
        return view
    }

    /// The province office's own steps on a received application, oldest first, each
    /// reviewer by the name they had when they took it (schema v26, written by `decide`); a
    /// step recorded before has none, and reads the account's name as it is now, as before.
    static func decisions(_ receivedID: Int, _ conn: SQLiteConnection) throws -> [ProvinceReviewView.Decision] {
        try conn.query("""
            SELECT d.stage, d.decision, d.comment, d.sections, d.reason, d.at, coalesce(d.actor_name, a.name) AS name
            FROM received_decisions d JOIN accounts a ON a.id = d.actor_id
            WHERE d.received_id = ? ORDER BY d.id
            """, [receivedID]).map {
            ProvinceReviewView.Decision(stage: ReviewStage(rawValue: $0["stage"].string ?? "") ?? .handler,
                                        decision: ReviewDecision(rawValue: $0["decision"].string ?? "") ?? .pass,
                                        comment: $0["comment"].string ?? "", reviewer: $0["name"].string ?? "", at: $0["at"].double ?? 0,
                                        sections: AccountRecord.strings($0["sections"]) ?? [], reason: $0["reason"].string.flatMap(ReturnReason.init(rawValue:)))
        }
    }

    /// Whether `me` may take the step an application of `kind` in `state` waits for: the
    /// office's review is still on, and the chain takes this reviewer (role, series, four eyes).
    static func mayDecide(_ chain: ReviewChain, _ kind: ApplicationKind, state: String, series: String, me: AccountRecord) -> Bool {
        let underReview = kind == .expert ? state == "received" : state == "in_review"
        let reviewer = ReviewChain.Reviewer(accountID: me.id, orgID: me.orgID, roles: me.roles, series: me.permittedSeries)
        return underReview && me.kind == .staff && (try? chain.checkReviewer(reviewer, series: series)) != nil
    }

    /// How many received applications of `kind` wait for the caller's step (首页's 待办):
    /// only the chain of each one under review in their series is read, not the whole file
    /// (from `received_kind_state`: the few under review; `+series`, not the way in, or SQLite
    /// takes `received_reviewed` and reads every one of the series for its state).
    static func waitingCount(_ kind: ApplicationKind, caller: SignedIn, _ conn: SQLiteConnection) throws -> Int {
        let me = try ExpertService.requireProvinceOffice(caller, conn)
        guard caller.kind == .staff, !me.permittedSeries.isEmpty else { return 0 }
        return try conn.query("""
            SELECT chain, series, state FROM received_applications
            WHERE kind = ? AND chain IS NOT NULL AND state = ? AND +series IN (\(me.permittedSeries.map { _ in "?" }.joined(separator: ",")))
            """, [kind.rawValue, kind == .expert ? "received" : "in_review"] + me.permittedSeries as [any SQLiteBindable]).filter { row in
            guard let chain = try? ApplicationService.decode(row["chain"].string ?? "") else { return false }
            return mayDecide(chain, kind, state: row["state"].string ?? "", series: row["series"].string ?? "", me: me)
        }.count
    }

    /// What was typed to find received applications by the applicant's or the unit's name: a
    /// LIKE pattern of it taken literally, nil for nothing typed; over 40 characters, 400 `q`.
    static func nameSearch(_ typed: String?) throws(ZhichengError) -> String? {
        let text = try ApplicationService.searchText(typed, field: "q", what: "查询的申报人或单位名称")
        return text.isEmpty ? nil : ApplicationService.containing(text)
    }

    /// Received applications of `kind`, one page (`limit` 1–500), newest first; `before`: the
    /// `next` of the page before. For a reviewer, those of their series (`waitingOnly`: only
    /// those waiting for their step); for the office admin, all of them.
    /// `matching`: a LIKE pattern (`nameSearch`) the applicant's or the unit's name matches.
    static func page(_ kind: ApplicationKind, caller: SignedIn, waitingOnly: Bool, limit rawLimit: Int, before: Int?, matching: String? = nil,
                     _ conn: SQLiteConnection) throws -> ProvinceReviewPage {
        let paging = Paging(rawLimit, maximum: 500)
        let me = try ExpertService.requireProvinceOffice(caller, conn)
        if waitingOnly && caller.kind != .staff { return ProvinceReviewPage(items: [], next: nil) }
        // Title applications handed over before the office reviewed them have no chain: they went straight to the committee.
        // A reviewer's list of their series: from `received_reviewed` (schema v35), named, or
        // SQLite takes `received_kind` for a page after the first (`id < ?`) and reads each
        // row's chain and series over the overflow of its sections; what waits for their step:
        // from `received_kind_state` (the few in that state), as `waitingCount`. The office
        // admin's whole list: from `received_office` (schema v38), named, which holds the rows
        // with a chain only: through `received_kind` a page short of its size read every row's
        // chain down to the oldest, past all those without one.
        let index = caller.kind != .staff ? " INDEXED BY received_office" : waitingOnly ? "" : " INDEXED BY received_reviewed"
        var sql = "SELECT id FROM received_applications\(index) WHERE kind = ? AND chain IS NOT NULL"
        var arguments: [any SQLiteBindable] = [kind.rawValue]
        if caller.kind == .staff {
            // A reviewer: their series only, read as such (not every received application, then filtered).
            guard !me.permittedSeries.isEmpty else { return ProvinceReviewPage(items: [], next: nil) }
            sql += " AND \(waitingOnly ? "+" : "")series IN (\(me.permittedSeries.map { _ in "?" }.joined(separator: ",")))"
            arguments += me.permittedSeries as [any SQLiteBindable]
            if waitingOnly { sql += " AND state = ?"; arguments.append(kind == .expert ? "received" : "in_review") }
        }
        if let matching { sql += " AND (applicant_name LIKE ? ESCAPE '\\' OR unit_name LIKE ? ESCAPE '\\')"; arguments += [matching, matching] }
        if let before { sql += " AND id < ?"; arguments.append(before) }
        sql += " ORDER BY id DESC"
        sql += " LIMIT ?"
        arguments.append(paging.rowsToRead)
        let (ids, next) = paging.cut(try conn.query(sql, arguments).compactMap { $0["id"].int }, cursor: { $0 })
        // Waiting: not what four eyes keeps from this reviewer (a page may show fewer then).
        return ProvinceReviewPage(items: try ids.map { try view($0, kind, me: me, conn) }.filter { !waitingOnly || $0.callerMayDecide }, next: next)
    }

    /// One received application for an account of the province office: staff only in
    /// their series.
    static func readable(_ id: Int, _ kind: ApplicationKind, caller: SignedIn, _ conn: SQLiteConnection) throws -> ProvinceReviewView {
        let me = try ExpertService.requireProvinceOffice(caller, conn)
        let view = try view(id, kind, me: me, conn)
        if caller.kind == .staff, !me.permittedSeries.contains(view.series) { throw ZhichengError.notFound(kind == .expert ? "没有这个专家申报" : "没有这个报送到省里的申报") }
        return view
    }

    /// A step taken: what `decide` read and did, for the kind's own follow-up.
    struct Step {
        var id: Int
        var row: SQLiteRow
        var me: AccountRecord
        var chain: ReviewChain
        var decision: ReviewDecision
        var action: ReviewChain.Action
        var facts: EvaluationService.Facts
        /// A 退回修改's sections and reason.
        var returning: ReturnRequest?
        var comment: String
        /// The step as the city's trail keeps it (`stepBody`), sent with `application.province-review`.
        var body: [String: Any]
        /// What was reviewed, and at which step (before the decision moved the chain on).
        var kind: ApplicationKind
        var stage: ReviewStage

        /// How this step ends the office's review, if it does (`ProvinceOfficeEnd`): 未通过 at
        /// either step, an expert recommendation's 负责人 通过 (admitted).
        var end: ProvinceOfficeEnd? { ProvinceOfficeEnd(kind: kind, stage: stage, decision: decision) }

        /// The office's review ended at this step: the city ends the application there as the
        /// office's step (`application.province-rejected`: as its own reviewer's 未通过 ends one;
        /// `application.province-admitted`: 已入库（专家信息库）), with the step, not as a committee's
        /// result. Nothing for a step that does not end it.
        func sendEnd(_ conn: SQLiteConnection) throws {
            guard let end else { return }
            try EvaluationService.enqueueBack(facts, kind: end.messageKind, body: body, conn)
        }

        /// Stores the chain with the application's new state (and result), one version on.
        func update(state: String, result: String?, _ conn: SQLiteConnection) throws {
            try conn.run("UPDATE received_applications SET chain = ?, state = ?, result = ?, version = version + 1 WHERE id = ?",
                         [try ApplicationService.encode(chain), state, result, id])
        }
    }

    /// Whether `decision` is the caller's own last step on this submission sent again (a
    /// double click, a retry after a lost answer): the version it was sent against is the
    /// one that step replaced, or none was sent. Answered with the application as it is,
    /// recorded once, as in a city (`ApplicationService.decide`).
    static func isRepeat(_ id: Int, _ kind: ApplicationKind, decision rawDecision: String, version: Int?, step rawStep: String?, caller: SignedIn,
                         _ conn: SQLiteConnection) throws -> Bool {
        guard caller.kind == .staff, let decision = ReviewDecision(rawValue: rawDecision),
              let row = try conn.query("SELECT version, source_submission, series FROM received_applications WHERE id = ? AND kind = ?", [id, kind.rawValue]).first,
              // Still one of the office's reviewers of its series, as a new decision must be.
              let me = try conn.account(caller.accountID), !me.roles.isEmpty, me.permittedSeries.contains(row["series"].string ?? "")
        else { return false }
        let current = row["version"].int ?? 0
        guard version != current, version == nil || version == current - 1,
              let last = try conn.query("SELECT actor_id, decision, submission, stage FROM received_decisions WHERE received_id = ? ORDER BY id DESC LIMIT 1", [id]).first
        else { return false }
        let intended = try ReviewStage.named(rawStep)
        return last["submission"].int == row["source_submission"].int
            && decision.repeats((last["actor_id"].int, last["decision"].string, last["stage"].string), by: caller.accountID, intended: intended)
    }

    /// 通过 (or, for a title application, 退回修改) or 未通过 by the office's 经办人, then its
    /// 负责人 (four eyes), checked against the version the reviewer saw (optional; the
    /// reviewer's own last step sent again is answered by the callers, `isRepeat`). Records
    /// the step, tells the city's trail, and leaves the state to the kind (`Step.update`).
    static func decide(_ id: Int, _ kind: ApplicationKind, decision rawDecision: String, comment rawComment: String,
                       sections: [String]? = nil, reason rawReason: String? = nil, version: Int?, step rawStep: String?,
                       caller: SignedIn, _ conn: SQLiteConnection) throws -> Step {
        guard caller.kind == .staff, !caller.roles.isEmpty else { throw ZhichengError(.forbidden, "只有省职改办的经办人或负责人可以审查") }
        let me = try ExpertService.requireProvinceOffice(caller, conn)
        // Who may decide is checked before what was sent.
        guard let decision = ReviewDecision(rawValue: rawDecision), decision != .return || kind == .title else {
            if kind == .title { throw ReviewDecision.unknown }
            throw ZhichengError.invalid("专家推荐审查可作“通过”或“未通过”；需修改时请作“未通过”并写明理由", field: "decision")
        }
        let intended = try ReviewStage.named(rawStep)
        let comment = try decision.comment(rawComment)
        let returning = decision == .return ? try ReturnRequest(sections: sections, reason: rawReason, comment: comment) : nil
        let missing = kind == .expert ? "没有这个专家申报" : "没有这个报送到省里的申报"
        guard let row = try conn.query("SELECT * FROM received_applications WHERE id = ? AND kind = ?", [id, kind.rawValue]).first,
              let text = row["chain"].string else { throw ZhichengError.notFound(missing) }
        let series = row["series"].string ?? ""
        if let version, version != row["version"].int {
            throw ZhichengError.conflict("该申报已被他人处理或已有新的变化，请刷新后再操作")
        }
        let underReview = kind == .expert ? row["state"].string == "received" : row["state"].string == "in_review"
        guard underReview else { throw ZhichengError.conflict("省职改办对该申报的审查已结束") }
        var chain = try ApplicationService.decode(text)
        let stage = chain.stage
        try ReviewStage.requireIntended(intended, current: stage, versioned: version != nil, roles: me.roles)
        let reviewer = ReviewChain.Reviewer(accountID: me.id, orgID: me.orgID, roles: me.roles, series: me.permittedSeries)
        let action = try chain.decide(decision, by: reviewer, series: series)
        try returning?.requireOf(kind)
        try returning?.requireVisible(to: me.permittedSections)
        let now = Date().timeIntervalSince1970
        // With the reviewer's name as it is in this transaction: the step is the record of who took it then.
        try conn.run("""
            INSERT INTO received_decisions (received_id, org_id, stage, actor_id, decision, comment, sections, reason, submission, at, actor_name)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, (SELECT name FROM accounts WHERE id = ?4))
            """, [id, me.orgID, stage.rawValue, me.id, decision.rawValue, comment, jsonArray(returning?.sections ?? []), returning?.reason.rawValue,
                  row["source_submission"].int, now])
        let facts = EvaluationService.Facts(series: series, level: TitleLevel(rawValue: row["level"].string ?? "") ?? .senior,
                                            source: (row["source_tenant"].string ?? "", row["source_application_id"].int ?? 0))
        // The applicant's trail in the city: the office's step, without the reviewer's name.
        let body = stepBody(stage: stage, decision: decision, comment: comment, sections: returning?.sections ?? [], reason: returning?.reason, at: now,
                            submission: row["source_submission"].int ?? 0)
        try EvaluationService.enqueueBack(facts, kind: "application.province-review", body: body, conn)
        try conn.appendAudit(caller.audit(.provinceReview(kind, decision),
                                          target: "received_application:\(id)",
                                          detail: #"{"stage":"\#(stage.rawValue)","comment":\#(jsonString(comment))}"#))
        return Step(id: id, row: row, me: me, chain: chain, decision: decision, action: action, facts: facts,
                    returning: returning, comment: comment, body: body, kind: kind, stage: stage)
    }

    /// An `application.province-review` message's body: one step of the office, as the
    /// city's trail keeps it.
    static func stepBody(stage: ReviewStage, decision: ReviewDecision, comment: String, sections: [String], reason: ReturnReason?,
                         at: Double, submission: Int) -> [String: Any] {
        var body: [String: Any] = ["stage": stage.rawValue, "decision": decision.rawValue, "comment": comment, "at": at, "submission": submission,
                                   "sections": sections]
        if let reason { body["reason"] = reason.rawValue }
        return body
    }

    /// An `application.returned` message's body: what the applicant in the city reads.
    static func returnBody(_ step: Step) -> [String: Any] {
        returnBody(sections: step.returning?.sections ?? [], reason: step.returning?.reason ?? .other, comment: step.comment,
                   submission: step.row["source_submission"].int ?? 0)
    }

    static func returnBody(sections: [String], reason: ReturnReason, comment: String, submission: Int) -> [String: Any] {
        ["sections": sections, "reason": reason.rawValue, "comment": comment, "submission": submission]
    }
}
