import Foundation
import Synchronization
import ZhichengCore
import ZhichengStorage

/// A 评委会 of an office, covering series and levels.
public struct CommitteeRecord: Sendable {
    public var id: Int
    public var orgID: Int
    public var name: String
    public var series: [String]
    public var levels: [TitleLevel]
    /// How its review sessions turn votes into results (default: the national rule).
    public var rule: VotingRule
}

/// What a committee acts on: a city's own application, or one the province received.
public enum EvaluationTarget: Sendable, Equatable {
    case application(Int)
    case received(Int)
}

/// A committee's work on one application as the API shows it.
public struct EvaluationRecord: Sendable {
    public var id: Int
    public var committee: String
    public var interviewTime: String?
    public var interviewPlace: String?
    public var result: String?
    public var note: String?
    public var state: String
    public var publicityUntil: Double?
    /// Objections not yet resolved: for the committee's office alone (nil for anyone else).
    /// The applicant and those on the route are not told while a colleague's objection is
    /// weighed: the count changing as it is lodged would name who lodged it.
    public var openObjections: Int?

    /// Why the office cannot confirm the result at `now`, nil when it can: only a result
    /// in public notice, once the period is over and every objection is resolved.
    public func confirmationRefused(at now: Double) -> ZhichengError? {
        guard state == "publicity", let until = publicityUntil else { return .conflict("该申报不在公示中") }
        if PublicityCalendar.isStanding(until: until, now: now) {
            return .conflict("公示期至 \(ChinaTime.end(until)) 止，之后方可确认")
        }
        guard let open = openObjections else { return ZhichengError(.forbidden, "只有评委会所在单位可以确认结果") }   // a record read for someone else
        guard open == 0 else { return .conflict("还有 \(open) 条异议未处理，处理后方可确认") }
        return nil
    }
}

/// 评委会 (SPEC §7): committees of the final authority set interview notices and
/// record results; a result stands in public notice (公示, N working days) when
/// objections may be lodged; the office resolves each; then it confirms the result.
/// The province's notices and final results flow back to the city through the relay.
public struct EvaluationService: Sendable {
    let store: TenantStore
    let relay: CrossTenantRelay?
    /// How long a result stands in public notice; a config reload replaces it.
    public let publicity: PublicityPolicy

    public init(store: TenantStore, relay: CrossTenantRelay? = nil, publicity: PublicityCalendar = .standard) {
        self.store = store
        self.relay = relay
        self.publicity = PublicityPolicy(publicity)
    }

    // MARK: Committees

    /// What a committee is set up with, checked: a name, known series and levels (at least
    /// one each), a voting rule. For `createCommittee` and `updateCommittee` alike.
    static func committeeFields(name rawName: String, series: [String], levels rawLevels: [String], rule rawRule: String)
        throws(ZhichengError) -> (name: String, series: [String], levels: [TitleLevel], rule: VotingRule) {
        let name = try TenantInfo.validateName(rawName)
        let rule = try VotingRule.named(rawRule)
        guard !series.isEmpty else { throw ZhichengError.invalid("请选择评委会负责的系列", field: "series") }
        for s in series where TitleCatalog.henan.series(named: s) == nil { throw ZhichengError.invalid("未知的系列“\(s.prefix(30))”", field: "series") }
        let levels = try rawLevels.map { (raw: String) throws(ZhichengError) -> TitleLevel in
            guard let level = TitleLevel(rawValue: raw) else { throw ZhichengError.invalid("级别应为 初级、中级、副高级 或 正高级", field: "levels") }
            return level
        }
        guard !levels.isEmpty else { throw ZhichengError.invalid("请选择评委会负责的级别", field: "levels") }
        return (name, series, levels, rule)
    }

    public func createCommittee(name rawName: String, series rawSeries: [String], levels rawLevels: [String], rule rawRule: String? = nil,
                                caller: SignedIn) async throws -> CommitteeRecord {
        try Access.requireOrgAdmin(caller)
        let (name, series, levels, rule) = try Self.committeeFields(name: rawName, series: rawSeries, levels: rawLevels, rule: rawRule ?? VotingRule.national.name)
        return try await store.write(caller) { conn in
            try Access.requireApprovedOrg(caller, conn)
            let org = try Access.requireCommitteeOffice(caller, conn)
            // Its name is what applicants and units read (status query, 公示): one per tenant.
            guard try conn.scalar("SELECT count(*) FROM committees WHERE name = ?", [name])?.int == 0 else {
                throw ZhichengError.conflict("已有名为“\(name)”的评委会")
            }
            try conn.run("INSERT INTO committees (org_id, name, series, levels, rule, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                         [org.id, name, jsonArray(series), jsonArray(levels.map(\.rawValue)), rule.name, Date().timeIntervalSince1970])
            let id = Int(conn.lastInsertRowID)
            try conn.appendAudit(caller.audit(.committeeCreate, target: "committee:\(id)", detail: #"{"name":\#(jsonString(name))}"#))
            return try Self.committee(id, conn)!
        }
    }

    /// Changes a committee of the caller's office: what is not given stays. Its series and
    /// levels decide which applications it takes up from now on (one it took up stays with
    /// it); its rule, the sessions set up from now on (a session keeps the rule it was set
    /// up with). Its name only until it has taken up an application: notices and results
    /// already went out under it.
    public func updateCommittee(_ id: Int, name rawName: String?, series rawSeries: [String]?, levels rawLevels: [String]?, rule rawRule: String?,
                                caller: SignedIn) async throws -> CommitteeRecord {
        try Access.requireOrgAdmin(caller)
        return try await store.write(caller) { conn in
            try Access.requireApprovedOrg(caller, conn)
            guard let current = try Self.committee(id, conn), current.orgID == caller.orgID else { throw ZhichengError.notFound("本单位没有这个评委会") }
            let (name, series, levels, rule) = try Self.committeeFields(name: rawName ?? current.name, series: rawSeries ?? current.series,
                                                                        levels: rawLevels ?? current.levels.map(\.rawValue), rule: rawRule ?? current.rule.name)
            if name != current.name {
                guard try conn.scalar("SELECT count(*) FROM evaluations WHERE committee_id = ?", [id])?.int == 0 else {
                    throw ZhichengError.conflict("该评委会已开始评审申报，名称不能再修改（已发出的面试通知和评审结果使用该名称）")
                }
                guard try conn.scalar("SELECT count(*) FROM committees WHERE name = ? AND id != ?", [name, id])?.int == 0 else {
                    throw ZhichengError.conflict("已有名为“\(name)”的评委会")
                }
            }
            try conn.run("UPDATE committees SET name = ?, series = ?, levels = ?, rule = ? WHERE id = ?",
                         [name, jsonArray(series), jsonArray(levels.map(\.rawValue)), rule.name, id])
            try conn.appendAudit(caller.audit(.committeeUpdate, target: "committee:\(id)", detail: """
                {"name":\(jsonString(name)),"series":\(jsonArray(series)),"levels":\(jsonArray(levels.map(\.rawValue))),"rule":\(jsonString(rule.name))}
                """))
            return try Self.committee(id, conn)!
        }
    }

    /// The committees of the caller's office, for its admin (`Access.requireCommitteeOffice`;
    /// 403 for anyone else).
    public func committees(caller: SignedIn) async throws -> [CommitteeRecord] {
        try await store.read(caller) { conn in
            try Access.requireApprovedOrg(caller, conn)
            try Access.requireCommitteeOffice(caller, conn)
            return try conn.query("SELECT id FROM committees WHERE org_id = ? ORDER BY id", [caller.orgID])
                .compactMap { $0["id"].int }.compactMap { try Self.committee($0, conn) }
        }
    }

    // MARK: Interview, result, publicity

    public func setInterview(_ target: EvaluationTarget, time: String, place: String, caller: SignedIn) async throws -> EvaluationRecord {
        try await setInterviews([target], time: time, place: place, caller: caller)[0]
    }

    /// The same 面试通知 for several applications at once (say, everyone of one series and
    /// level): all of them or none, in one transaction. One that cannot take it (its result
    /// is recorded, it is another office's) refuses the whole batch, named in the message.
    /// The time is read once for all of them (a real day and minute) and stored as
    /// `2026-12-05 09:30`, for a city's own application and one the province received alike;
    /// a notice that changes something must name a time to come, not after next year
    /// (`InterviewTime.requireAllowed`), while the same notice sent again changes nothing
    /// even once its minute has passed.
    public func setInterviews(_ targets: [EvaluationTarget], time rawTime: String, place rawPlace: String, caller: SignedIn) async throws -> [EvaluationRecord] {
        try Access.requireOrgAdmin(caller)
        let time = try InterviewTime(rawTime)
        let place = try FreeText.interviewPlace.require(rawPlace, else: "请填写面试地点")
        guard !targets.isEmpty else { throw ZhichengError.invalid("请选择要发出面试通知的申报", field: "items") }
        guard targets.count <= Self.batchLimit else { throw ZhichengError.invalid("一次最多向 \(Self.batchLimit) 份申报发出面试通知", field: "items") }
        let (records, notify) = try await store.write(caller) { conn -> ([EvaluationRecord], Bool) in
            var records: [EvaluationRecord] = [], notify = false
            for target in targets {
                do {
                    let (record, sent) = try Self.setInterview(target, time: time, place: place, caller: caller, conn)
                    records.append(record)
                    notify = notify || sent
                } catch let error as ZhichengError where targets.count > 1 && error.field != "time" {
                    throw ZhichengError(error.code, "\(try Self.applicantName(target, conn))：\(error.message)（本次通知均未发出）", field: error.field)
                }
            }
            return (records, notify)
        }
        if notify { relay?.kick(caller.tenant) }
        return records
    }

    /// Applications a batch step may name at once.
    public static let batchLimit = 500

    static func setInterview(_ target: EvaluationTarget, time: InterviewTime, place: String, caller: SignedIn, _ conn: SQLiteConnection) throws -> (EvaluationRecord, Bool) {
        let (evaluation, committee, facts) = try Self.evaluation(for: target, caller: caller, conn)
        guard ["pending"].contains(try Self.state(evaluation, conn)) else { throw ZhichengError.conflict("评审结果已录入，不能再修改面试通知") }
        // The same notice again (a form sent twice, the time typed another way) changes nothing
        // and notifies nobody: times compared as read, a notice of free text (written before
        // times were checked) as it is.
        let current = try conn.query("SELECT interview_time, interview_place FROM evaluations WHERE id = ?", [evaluation]).first
        if let stored = current?["interview_time"].string, InterviewTime(stored: stored) == time, current?["interview_place"].string == place {
            return (try Self.record(evaluation, conn), false)
        }
        try time.requireAllowed()
        try conn.run("UPDATE evaluations SET interview_time = ?, interview_place = ?, updated_at = ? WHERE id = ?",
                     [time.description, place, Date().timeIntervalSince1970, evaluation])
        let interview = Self.interviewNotice(time: time.description, place: place)
        switch target {
        case .application(let id):
            try conn.run("UPDATE applications SET committee_name = ?, interview = ?, version = version + 1 WHERE id = ?", [committee.name, interview, id])
            try Self.appendStep(id, .interview, committee: committee.name, detail: interview, caller: caller, conn)
        case .received:
            try Self.enqueueBack(facts, kind: "application.interview", body: ["committee": committee.name, "interview": interview], conn)
        }
        try conn.appendAudit(caller.audit(.evaluationInterview, target: Self.describe(target), detail: #"{"interview":\#(jsonString(interview))}"#))
        return (try Self.record(evaluation, conn), facts.source != nil)
    }

    /// A 面试通知 as the application, its trail and the city read it: `2026-12-05 09:30，市人社局301`
    /// (`InterviewNotice`, which the screens read the time and the place back out of).
    /// (A notice written before times were checked keeps its time as it was typed.)
    public static func interviewNotice(time: String, place: String) -> String { InterviewNotice(time: time, place: place).description }

    /// Who applied, to name an application in a message (its id if it is unknown).
    static func applicantName(_ target: EvaluationTarget, _ conn: SQLiteConnection) throws -> String {
        let name = switch target {
        case .application(let id): try conn.scalar("SELECT applicant_name FROM applications WHERE id = ?", [id])?.string
        case .received(let id): try conn.scalar("SELECT applicant_name FROM received_applications WHERE id = ?", [id])?.string
        }
        return name ?? "申报 \(Self.id(target))"
    }

    public func recordResult(_ target: EvaluationTarget, result: String, note rawNote: String?, caller: SignedIn) async throws -> EvaluationRecord {
        try Access.requireOrgAdmin(caller)
        guard ["通过", "未通过"].contains(result) else { throw ZhichengError.invalid("评审结果应为“通过”或“未通过”", field: "result") }
        let note = try FreeText.resultNote.validate(rawNote)
        let until = publicityDeadline()
        let record = try await store.write(caller) { conn in
            // One that sits in a review session (planned or drawn: SessionService.holdingSession)
            // gets its result from the experts' votes there; one whose session was closed short of
            // its quorum or cancelled is free again.
            if case .received(let id) = target, let session = try SessionService.holdingSession(of: id, conn) {
                throw ZhichengError.conflict("该申报在评审会“\(session.name)”中，评审结果由专家表决产生")
            }
            return try Self.recordResult(target, result: result, note: note, publicityUntil: until, caller: caller, interviewHeldBy: Date(), conn)
        }
        if case .received = target { relay?.kick(caller.tenant) }
        return record
    }

    /// Records a result in the caller's transaction (a committee's entry, or a
    /// review session's close): the result enters public notice until `publicityUntil`.
    /// `interviewHeldBy`: a committee's entry, refused before the time of the 面试通知 it sent
    /// (`InterviewTime.requireInterviewHeld`); a session's close (nil here) has refused itself
    /// before the session's date and before every interview of what it decides (`SessionTiming`).
    static func recordResult(_ target: EvaluationTarget, result: String, note: String, publicityUntil until: Date, caller: SignedIn,
                             committee acting: Int? = nil, interviewHeldBy now: Date? = nil, _ conn: SQLiteConnection) throws -> EvaluationRecord {
        let (evaluation, committee, facts) = try Self.evaluation(for: target, caller: caller, committee: acting, conn)
        guard try Self.state(evaluation, conn) == "pending" else { throw ZhichengError.conflict("评审结果已录入") }
        if let now {
            try InterviewTime.requireInterviewHeld(stored: try conn.scalar("SELECT interview_time FROM evaluations WHERE id = ?", [evaluation])?.string, now: now)
        }
        try conn.run("UPDATE evaluations SET result = ?, note = ?, state = 'publicity', publicity_until = ?, updated_at = ? WHERE id = ?",
                     [result, note, until.timeIntervalSince1970, Date().timeIntervalSince1970, evaluation])
        try move(target, received: "publicity", conn) { chain throws(ZhichengError) in try chain.enterPublicity() }
        switch target {
        case .application(let id):
            // The unit's status query names the committee even without an interview notice;
            // the applicant sees the result in public notice and until when.
            try conn.run("UPDATE applications SET committee_name = ?, publicity_result = ?, publicity_until = ?, version = version + 1 WHERE id = ?",
                         [committee.name, result, until.timeIntervalSince1970, id])
            try appendStep(id, .result, committee: committee.name, detail: resultDetail(result, until: until.timeIntervalSince1970, note: note), caller: caller, conn)
        case .received:
            // The applicant's city shows the province's notice, with its 说明, and its people may object.
            let notice = try enqueueBack(facts, kind: "application.publicity",
                                         body: ["committee": committee.name, "result": result, "note": note, "publicity_until": until.timeIntervalSince1970], conn)
            try conn.run("UPDATE evaluations SET notice = ? WHERE id = ?", [notice, evaluation])
        }
        try conn.appendAudit(caller.audit(.evaluationResult, target: Self.describe(target), detail: #"{"result":"\#(result)"}"#))
        return try Self.record(evaluation, conn)
    }

    /// The publicity deadline for a result recorded now.
    func publicityDeadline() -> Date { publicity.calendar.end(ofNoticeRecordedAt: Date()) }

    /// Where a lodged objection went.
    public enum Lodged: Sendable, Equatable {
        /// An objection of this tenant, with its id.
        case objection(Int)
        /// Sent to the province, whose committee's result it is; the province office resolves it.
        case forwarded
    }

    /// Any signed-in person of the tenant may object while the result is in public notice:
    /// a result of the tenant's own committee, or the province's result on an application
    /// of the tenant (sent on to the province through the relay).
    public func lodgeObjection(_ target: EvaluationTarget, text rawText: String, evidence rawEvidence: String, caller: SignedIn) async throws -> Lodged {
        let text = try FreeText.objectionText.require(rawText, else: "请填写异议内容（不超过2000字）")
        let evidence = try FreeText.objectionEvidence.validate(rawEvidence)
        let lodged = try await store.write(caller) { conn -> Lodged in
            // An org whose info its parent has not approved acts on nothing but that info.
            try Access.requireApprovedOrg(caller, conn)
            let now = Date().timeIntervalSince1970
            let column = Self.column(target)
            guard let row = try conn.query("SELECT id, state, publicity_until FROM evaluations WHERE \(column) = ?", [Self.id(target)]).first else {
                guard case .application(let id) = target else { throw ZhichengError.conflict("该申报不在公示期，不能提出异议") }
                return try Self.forwardObjection(id, text: text, evidence: evidence, now: now, caller: caller, conn)
            }
            guard row["state"].string == "publicity", let evaluation = row["id"].int else {
                throw ZhichengError.conflict("该申报不在公示期，不能提出异议")
            }
            try Self.requireStanding(until: row["publicity_until"].double, now: now)
            // The same objection sent twice by the same person is one objection.
            if let same = try conn.scalar("SELECT id FROM objections WHERE evaluation_id = ? AND account_id = ? AND text = ? AND evidence = ? AND state = 'open'",
                                          [evaluation, caller.accountID, text, evidence])?.int {
                return .objection(same)
            }
            // Who lodged it, by the name they had then (a record of who objected, as a decision
            // keeps its reviewer's: schema v25) and their org's (every unit's admin is 系统管理员),
            // as an objection from a city names its person and org there (`Objector.displayName`,
            // the one rule): `lodged_by`. Rows written before name no one there and read the
            // account's name as it is now (`objections`); rows written with the name alone stay so.
            let lodger = try conn.account(caller.accountID)
            let lodgedBy = try lodger.map { Objector.displayName($0.name, org: try conn.org(caller.orgID)?.name ?? "") }
            try conn.run("INSERT INTO objections (evaluation_id, account_id, lodged_by, text, evidence, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                         [evaluation, caller.accountID, lodgedBy, text, evidence, now])
            let id = Int(conn.lastInsertRowID)
            // Logged at the committee's office, which resolves it, not at the objector's org: the
            // admins above the objector may be the applicant's own (a colleague objecting).
            let office = try conn.scalar("SELECT c.org_id FROM evaluations e JOIN committees c ON c.id = e.committee_id WHERE e.id = ?", [evaluation])?.int
            try conn.appendAudit(caller.audit(.objectionLodge, target: "objection:\(id)", detail: #"{"evaluation":\#(evaluation)}"#,
                                              orgID: office ?? conn.rootOrg()?.id))
            return .objection(id)
        }
        if lodged == .forwarded { relay?.kick(caller.tenant) }
        return lodged
    }

    /// The period is a boundary: from its end on, the office may confirm, and nobody may
    /// object (to a result of the tenant's committee, or to the province's shown in a city).
    static func requireStanding(until: Double?, now: Double) throws(ZhichengError) {
        guard PublicityCalendar.isStanding(until: until, now: now) else { throw ZhichengError.conflict("公示期已结束，不能再提出异议") }
    }

    /// An objection to the province's result on the city's application `id`, in public
    /// notice as the province last told the city: written to the outbox (kind
    /// `objection.lodge`) in the caller's transaction, naming the notice it objects to,
    /// so that the province can tell an objection to a result it set aside since.
    static func forwardObjection(_ id: Int, text: String, evidence: String, now: Double, caller: SignedIn, _ conn: SQLiteConnection) throws -> Lodged {
        guard let app = try conn.query("SELECT state, publicity_until, publicity_notice FROM applications WHERE id = ?", [id]).first,
              app["state"].string == ApplicationState.awaitingProvince.rawValue, let until = app["publicity_until"].double else {
            throw ZhichengError.conflict("该申报不在公示期，不能提出异议")
        }
        try requireStanding(until: until, now: now)
        // The same objection sent twice by the same person goes to the province once.
        if try conn.scalar("""
            SELECT 1 FROM sent_objections WHERE application_id = ? AND account_id = ? AND text = ? AND evidence = ? AND state IN ('sent', 'open')
            """, [id, caller.accountID, text, evidence]) != nil {
            return .forwarded
        }
        let name = try conn.account(caller.accountID)?.name ?? ""
        let payload: [String: Any] = ["source_application_id": id, "text": text, "evidence": evidence, "lodged_by": name,
                                      "org_name": try conn.org(caller.orgID)?.name ?? caller.tenant.rawValue,
                                      "notice": app["publicity_notice"].string ?? "", "lodged_at": now]
        let messageID = CrossTenantRelay.messageID(caller.tenant.rawValue, "objection.lodge", id)
        try CrossTenantRelay.enqueue("objection.lodge", id: messageID, to: CrossTenantRelay.provinceTarget, payload: payload, conn)
        // Kept here too, so that the person sees how the province resolves it.
        try conn.run("INSERT INTO sent_objections (application_id, account_id, message_id, text, evidence, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                     [id, caller.accountID, messageID, text, evidence, now])
        // At the city's office, which sends it on, not at the objector's org (see `lodgeObjection`).
        try conn.appendAudit(caller.audit(.objectionForward, target: "application:\(id)", detail: #"{"message_id":\#(jsonString(messageID))}"#,
                                          orgID: try conn.rootOrg()?.id))
        return .forwarded
    }

    /// The office resolves an objection: upheld sets the result aside (the committee
    /// decides again); dismissed leaves it standing.
    public func resolveObjection(_ objectionID: Int, upheld: Bool, reason rawReason: String, caller: SignedIn) async throws -> EvaluationRecord {
        try Access.requireOrgAdmin(caller)
        let reason = try FreeText.objectionReason.require(rawReason, else: "请填写处理理由")
        let (record, notify) = try await store.write(caller) { conn -> (EvaluationRecord, Bool) in
            guard let row = try conn.query("SELECT o.evaluation_id, o.state, e.application_id, e.received_id FROM objections o JOIN evaluations e ON e.id = o.evaluation_id WHERE o.id = ?", [objectionID]).first,
                  let evaluation = row["evaluation_id"].int else { throw ZhichengError.notFound("没有这个异议") }
            let target: EvaluationTarget = row["application_id"].int.map { .application($0) } ?? .received(row["received_id"].int ?? 0)
            let (_, committee, facts) = try Self.evaluation(for: target, caller: caller, conn)
            guard row["state"].string == "open" else { throw ZhichengError.conflict("该异议已处理") }
            let now = Date().timeIntervalSince1970
            // The objections this resolution closes: this one, and if it is upheld every other open one.
            let closing = try conn.query("SELECT id FROM objections WHERE evaluation_id = ? AND state = 'open' AND (id = ? OR ?)", [evaluation, objectionID, upheld ? 1 : 0])
                .compactMap { $0["id"].int }
            try conn.run("UPDATE objections SET state = ?, reason = ?, resolved_at = ? WHERE id = ?", [upheld ? "upheld" : "dismissed", reason, now, objectionID])
            if upheld {
                try conn.run("UPDATE objections SET state = 'upheld', reason = '评审结果已撤销', resolved_at = ? WHERE evaluation_id = ? AND state = 'open'", [now, evaluation])
                try conn.run("UPDATE evaluations SET result = NULL, note = NULL, state = 'pending', publicity_until = NULL, updated_at = ? WHERE id = ?", [now, evaluation])
                try Self.move(target, received: "received", conn) { chain throws(ZhichengError) in try chain.setAside() }
                switch target {
                case .application(let id):
                    try conn.run("UPDATE applications SET publicity_result = NULL, publicity_until = NULL, version = version + 1 WHERE id = ?", [id])
                case .received:
                    // The city takes the notice down, and its trail says why.
                    try Self.enqueueBack(facts, kind: "application.publicity-withdrawn", body: ["committee": committee.name, "reason": reason], conn)
                }
            }
            if case .application(let id) = target {
                try Self.appendStep(id, upheld ? .objectionUpheld : .objectionDismissed, committee: committee.name, detail: reason, caller: caller, conn)
            }
            // Whoever lodged them in the city learns how they were resolved (and the city's
            // trail shows a dismissal; an upheld one is in the withdrawal above).
            for closed in closing {
                try Self.answerObjection(closed, facts: facts, committee: committee.name, conn)
            }
            try conn.appendAudit(caller.audit(upheld ? .objectionUphold : .objectionDismiss, target: "objection:\(objectionID)", detail: #"{"reason":\#(jsonString(reason))}"#))
            return (try Self.record(evaluation, conn), row["received_id"].int != nil)
        }
        if notify { relay?.kick(caller.tenant) }
        return record
    }

    /// After 公示 with every objection resolved, the result becomes final (and, for
    /// the province, flows back to the applicant's city).
    public func confirm(_ target: EvaluationTarget, caller: SignedIn) async throws -> EvaluationRecord {
        let (record, notify) = try await store.write(caller) { conn -> (EvaluationRecord, Bool) in
            let (evaluation, committee, facts) = try Self.evaluation(for: target, caller: caller, conn)
            let current = try Self.record(evaluation, conn)
            if let refusal = current.confirmationRefused(at: Date().timeIntervalSince1970) { throw refusal }
            let result = current.result ?? ""
            try conn.run("UPDATE evaluations SET state = 'final', updated_at = ? WHERE id = ?", [Date().timeIntervalSince1970, evaluation])
            switch target {
            case .application(let id):
                var chain = try Self.chain(id, conn)
                try chain.finalize(passed: result == "通过")
                try ApplicationService.store(chain, id: id, conn, extra: "result = ?", extraArgs: [result])
                try Self.appendStep(id, .final, committee: committee.name, detail: result, caller: caller, conn)
            case .received(let id):
                try conn.run("UPDATE received_applications SET state = 'final', result = ? WHERE id = ?", [result, id])
                try Self.enqueueBack(facts, kind: "application.result", body: ["result": result, "committee": committee.name, "note": current.note ?? ""], conn)
            }
            try conn.appendAudit(caller.audit(.evaluationConfirm, target: Self.describe(target), detail: #"{"result":"\#(result)"}"#))
            return (try Self.record(evaluation, conn), facts.source != nil)
        }
        if notify { relay?.kick(caller.tenant) }
        return record
    }

    /// The committee's work on `target`, for whoever may see the application (a city's
    /// own: as `ApplicationService.get` decides) or, for one the province received,
    /// the province office. Nil while no committee has taken it up. A city's application
    /// bound for the province is evaluated there, never here: 409 saying so (where the city
    /// shows what the province sends back), not a missing record that reads as no application.
    public func evaluation(_ target: EvaluationTarget, caller: SignedIn) async throws -> EvaluationRecord? {
        try await store.read(caller) { conn in
            var application: ApplicationView?
            switch target {
            case .application(let id): application = try ApplicationService.view(id, for: caller, conn)
            case .received: try ExpertService.requireProvinceOffice(caller, conn, admin: true)   // the province office's alone
            }
            guard let row = try conn.query("SELECT e.id, c.org_id FROM evaluations e JOIN committees c ON c.id = e.committee_id WHERE e.\(Self.column(target)) = ?",
                                           [Self.id(target)]).first, let id = row["id"].int else {
                if let application, application.chain.endsInProvince { throw Self.evaluatedByProvince(kind: application.kind) }
                return nil
            }
            var record = try Self.record(id, conn)
            if !(caller.kind == .orgAdmin && row["org_id"].int == caller.orgID) { record.openObjections = nil }
            return record
        }
    }

    // MARK: Helpers

    struct Facts {
        var series: String
        var level: TitleLevel
        /// For a received application: the city tenant and its application id.
        var source: (tenant: String, applicationID: Int)?
    }

    /// The evaluation row for `target` (created on first use) and the committee
    /// acting, checking that the caller administers the final authority of the
    /// application (the office at the top of a city application's route; the province
    /// office for one it received) and, once a committee has taken the application up,
    /// that committee's office; otherwise a committee of the office covering it.
    /// `committee`: the committee a review session of it sat under (`SessionService.close`):
    /// it is the one acting, whatever the office's committees cover now.
    static func evaluation(for target: EvaluationTarget, caller: SignedIn, committee acting: Int? = nil,
                           _ conn: SQLiteConnection) throws -> (Int, CommitteeRecord, Facts) {
        try Access.requireOrgAdmin(caller)
        try Access.requireApprovedOrg(caller, conn)
        let facts: Facts
        var mayStart = true
        switch target {
        case .application(let id):
            guard let row = try conn.query("SELECT series, level, chain FROM applications WHERE id = ?", [id]).first else { throw ZhichengError.notFound("没有这个申报") }
            let chain = try ApplicationService.decode(row["chain"].string ?? "")
            guard chain.route.contains(caller.orgID) else { throw ZhichengError.notFound("没有这个申报") }
            guard chain.isFinalAuthority(caller.orgID) else {
                throw ZhichengError(.forbidden, chain.endsInProvince ? "该申报由省职改办的评委会评审" : "该申报由终审职改办的评委会评审，本单位不能录入")
            }
            guard [.atCommittee, .publicity, .passed, .failed].contains(chain.state) else { throw ZhichengError.conflict("该申报尚未到评委会（状态：\(chain.state.label)）") }
            mayStart = chain.state == .atCommittee
            facts = Facts(series: row["series"].string ?? "", level: TitleLevel(rawValue: row["level"].string ?? "") ?? .junior, source: nil)
        case .received(let id):
            try ExpertService.requireProvinceOffice(caller, conn, admin: true)
            guard let row = try conn.query("SELECT series, level, state, source_tenant, source_application_id FROM received_applications WHERE id = ? AND kind = 'title'",
                                           [id]).first else {
                throw ZhichengError.notFound("没有这个申报")
            }
            // The office's own review comes first (ProvinceReviewService).
            if row["state"].string == "in_review" { throw ZhichengError.conflict("该申报尚在省职改办审查中，经办人、负责人审查通过后方可评审") }
            if row["state"].string == "rejected" { throw ZhichengError.conflict("该申报省职改办审查未通过，不再评审") }
            // Sent back to the applicant: the committee takes up the version the city hands over again.
            if row["state"].string == "returned" { throw ZhichengError.conflict("该申报已退回申报人修改，重新报送并经省职改办审查通过后方可评审") }
            facts = Facts(series: row["series"].string ?? "", level: TitleLevel(rawValue: row["level"].string ?? "") ?? .junior,
                          source: (row["source_tenant"].string ?? "", row["source_application_id"].int ?? 0))
        }
        let column = column(target)
        let session = try acting.map { id -> CommitteeRecord in
            guard let record = try committee(id, conn), record.orgID == caller.orgID else { throw ZhichengError(.forbidden, "该评审会不属于本单位的评委会") }
            return record
        }
        if let existing = try conn.query("SELECT id, committee_id, state FROM evaluations WHERE \(column) = ?", [id(target)]).first, let evaluation = existing["id"].int {
            // The committee that took the application up goes on with it; a review session's
            // committee, which is the one that voted, takes over a result still pending.
            if let session, session.id != existing["committee_id"].int, existing["state"].string == "pending" {
                try conn.run("UPDATE evaluations SET committee_id = ?, updated_at = ? WHERE id = ?", [session.id, Date().timeIntervalSince1970, evaluation])
                return (evaluation, session, facts)
            }
            guard let bound = try committee(existing["committee_id"].int ?? 0, conn), bound.orgID == caller.orgID else {
                throw ZhichengError(.forbidden, "该申报由其他单位的评委会评审")
            }
            return (evaluation, bound, facts)
        }
        guard mayStart else { throw ZhichengError.conflict("该申报没有评委会的评审记录，不能再录入") }
        if let session {
            try conn.run("INSERT INTO evaluations (committee_id, \(column), updated_at) VALUES (?, ?, ?)", [session.id, id(target), Date().timeIntervalSince1970])
            return (Int(conn.lastInsertRowID), session, facts)
        }
        let candidates = try conn.query("SELECT id FROM committees WHERE org_id = ?", [caller.orgID]).compactMap { $0["id"].int }.compactMap { try committee($0, conn) }
        guard let committee = candidates.first(where: { $0.series.contains(facts.series) && $0.levels.contains(facts.level) }) else {
            throw ZhichengError(.forbidden, "本单位没有负责“\(facts.series) \(facts.level.rawValue)”的评委会")
        }
        try conn.run("INSERT INTO evaluations (committee_id, \(column), updated_at) VALUES (?, ?, ?)", [committee.id, id(target), Date().timeIntervalSince1970])
        return (Int(conn.lastInsertRowID), committee, facts)
    }

    /// The answer to a city that asks for its evaluation of an application bound for the
    /// province (副高级 and above, an expert recommendation): the city holds none; the
    /// application itself (`GET applications/<id>`) shows what the province sent back.
    static func evaluatedByProvince(kind: String) -> ZhichengError {
        ApplicationKind(rawValue: kind) == .expert
            ? .conflict("专家推荐由省职改办审查入库，不经评委会评审")
            : .conflict("该申报由省职改办的评委会评审，评审记录在省职改办；评委会、面试通知和评审结果见申报详情")
    }

    /// A message from the province back to the applicant's city.
    /// Returns the message's id (nil for a city's own application: nothing to send).
    @discardableResult
    static func enqueueBack(_ facts: Facts, kind: String, body: [String: Any], _ conn: SQLiteConnection) throws -> String? {
        guard let source = facts.source else { return nil }
        var payload: [String: Any] = ["source_application_id": source.applicationID]
        // Who acted, as the city's trail names it (河南省职称改革办公室).
        if let office = try conn.rootOrg()?.name { payload["office"] = office }
        for (key, value) in body { payload[key] = value }
        payload = RelayedText.withoutRefusedOptionalText(kind: kind, payload: payload)
        let messageID = CrossTenantRelay.messageID("province", kind, source.tenant, source.applicationID)
        try CrossTenantRelay.enqueue(kind, id: messageID, to: source.tenant, payload: payload, conn)
        return messageID
    }

    /// A committee step on the city's own application `id`, in its trail, by the caller
    /// (in the caller's transaction). The province's steps reach the city's trail through
    /// the relay (`CrossTenantRelay.apply`).
    static func appendStep(_ id: Int, _ event: CommitteeEvent, committee: String, detail: String, caller: SignedIn, _ conn: SQLiteConnection) throws {
        try appendStep(id, event, office: try conn.org(caller.orgID)?.name ?? "", committee: committee,
                       actor: try conn.account(caller.accountID)?.name, detail: detail, conn)
    }

    static func appendStep(_ id: Int, _ event: CommitteeEvent, office: String, committee: String, actor: String?, detail: String, _ conn: SQLiteConnection) throws {
        try conn.run("INSERT INTO committee_steps (application_id, office, committee, actor_name, event, detail, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                     [id, office, committee, actor, event.rawValue, detail, Date().timeIntervalSince1970])
    }

    /// How the trail words a result entering public notice.
    static func resultDetail(_ result: String, until: Double, note: String) -> String {
        "\(result)，公示至 \(ChinaTime.end(until))" + (note.isEmpty ? "" : "；\(note)")
    }

    /// Tells the applicant's city how an objection to the province's result now stands
    /// (`objection.resolved`): the person who lodged it there sees the answer, and a
    /// dismissal enters the application's trail. Nothing for a city's own application,
    /// and nothing about an objection lodged at the province that it did not dismiss.
    static func answerObjection(_ objection: Int, facts: Facts, committee: String, _ conn: SQLiteConnection) throws {
        guard facts.source != nil,
              let row = try conn.query("SELECT state, reason, message_id FROM objections WHERE id = ?", [objection]).first else { return }
        let messageID = row["message_id"].string, state = row["state"].string ?? ""
        guard messageID != nil || state == ObjectionState.dismissed.rawValue else { return }
        try enqueueBack(facts, kind: "objection.resolved", body: ["objection_message_id": messageID ?? NSNull(), "state": state,
                                                                   "reason": row["reason"].string ?? "", "committee": committee], conn)
    }

    static func committee(_ id: Int, _ conn: SQLiteConnection) throws -> CommitteeRecord? {
        try conn.query("SELECT id, org_id, name, series, levels, rule FROM committees WHERE id = ?", [id]).first.map { r in
            CommitteeRecord(id: r["id"].int ?? 0, orgID: r["org_id"].int ?? 0, name: r["name"].string ?? "",
                            series: AccountRecord.strings(r["series"]) ?? [], levels: (AccountRecord.strings(r["levels"]) ?? []).compactMap(TitleLevel.init(rawValue:)),
                            rule: (try? VotingRule.named(r["rule"].string ?? "")) ?? .national)
        }
    }

    static func record(_ id: Int, _ conn: SQLiteConnection) throws -> EvaluationRecord {
        guard let r = try conn.query("SELECT \(recordColumns) FROM evaluations e JOIN committees c ON c.id = e.committee_id WHERE e.id = ?", [id]).first,
              let record = record(r) else {
            throw ZhichengError.notFound("没有这个评审记录")
        }
        return record
    }

    /// What `record(_:)` reads of a row: columns of `evaluations e` joined with its
    /// `committees c`, and the count of its open objections. A query may join them
    /// to its own rows (`LEFT JOIN`), one statement for a whole list.
    static let recordColumns = """
        e.id AS evaluation_id, c.name AS committee, e.interview_time, e.interview_place, e.result, e.note, e.state AS evaluation_state,
        e.publicity_until, (SELECT count(*) FROM objections o WHERE o.evaluation_id = e.id AND o.state = 'open') AS open_objections
        """

    /// The evaluation in a row read with `recordColumns`; nil when the row has none.
    static func record(_ r: SQLiteRow) -> EvaluationRecord? {
        guard let id = r["evaluation_id"].int else { return nil }
        return EvaluationRecord(id: id, committee: r["committee"].string ?? "", interviewTime: r["interview_time"].string, interviewPlace: r["interview_place"].string,
                                result: r["result"].string, note: r["note"].string, state: r["evaluation_state"].string ?? "",
                                publicityUntil: r["publicity_until"].double, openObjections: r["open_objections"].int ?? 0)
    }

    static func state(_ evaluation: Int, _ conn: SQLiteConnection) throws -> String {
        try conn.scalar("SELECT state FROM evaluations WHERE id = ?", [evaluation])?.string ?? ""
    }

    /// Moves the application behind `target` as a committee step requires: a city's own
    /// through its review chain, one the province received to the `received` state.
    static func move(_ target: EvaluationTarget, received state: String, _ conn: SQLiteConnection,
                     chain transition: (inout ReviewChain) throws(ZhichengError) -> Void) throws {
        switch target {
        case .application(let id):
            var chain = try Self.chain(id, conn)
            try transition(&chain)
            try ApplicationService.store(chain, id: id, conn)
        case .received(let id):
            try conn.run("UPDATE received_applications SET state = ? WHERE id = ?", [state, id])
        }
    }

    static func chain(_ id: Int, _ conn: SQLiteConnection) throws -> ReviewChain {
        try ApplicationService.decode(try conn.scalar("SELECT chain FROM applications WHERE id = ?", [id])?.string ?? "")
    }

    static func column(_ target: EvaluationTarget) -> String {
        if case .application = target { return "application_id" }
        return "received_id"
    }

    static func id(_ target: EvaluationTarget) -> Int {
        switch target {
        case .application(let id), .received(let id): id
        }
    }

    static func describe(_ target: EvaluationTarget) -> String {
        switch target {
        case .application(let id): "application:\(id)"
        case .received(let id): "received_application:\(id)"
        }
    }


}

// MARK: - Worklist, objections, public notices (the committee screens)

/// An application on a committee's desk, with its evaluation so far.
/// One page of an office's committee desk.
public struct CommitteeWorklistPage: Sendable {
    public var items: [CommitteeWorkItem]
    /// The `after` of the next page; nil on the last.
    public var next: EvaluationTarget?
}

public struct CommitteeWorkItem: Sendable {
    public var target: EvaluationTarget
    public var applicantName: String
    public var unitName: String
    /// The city it came from (province), nil for a city's own application.
    public var sourceTenant: String?
    /// That city's name (郑州市), as the registry has it; the id if it has since been archived.
    public var sourceTenantName: String?
    public var year: Int
    public var series: String
    public var level: String
    public var title: String
    public var evaluation: EvaluationRecord?
    /// Whether a committee of the office covers its series and level. One that none covers
    /// waits at 评委会 until the office sets one up: listed, so that the office knows.
    public var covered: Bool = true
}

extension CommitteeWorkItem {
    /// Whether it waits for the committee's result: covered, with no evaluation or one
    /// still pending (the desk offers it for the batch's 面试通知 and counts it on the 首页).
    public var awaitsResult: Bool { covered && (evaluation == nil || evaluation?.state == "pending") }
}

/// What the office's 首页 says of its open committee desk (`EvaluationService.deskCounts`).
public struct CommitteeDeskCounts: Sendable, Equatable {
    /// Items waiting for a result (`CommitteeWorkItem.awaitsResult`).
    public var awaitingResult = 0
    /// Objections not yet resolved, over every result in notice.
    public var openObjections = 0
    /// Results whose notice is over with no objection open: the office may confirm them.
    public var toConfirm = 0
    /// Whether some item waits with no committee of the office covering it.
    public var uncovered = false

    mutating func add(_ item: CommitteeWorkItem, now: Double) {
        if item.awaitsResult { awaitingResult += 1 }
        openObjections += item.evaluation?.openObjections ?? 0
        if item.evaluation.map({ $0.confirmationRefused(at: now) == nil }) ?? false { toConfirm += 1 }
        if !item.covered { uncovered = true }
    }
}

/// A written objection lodged during 公示.
public struct ObjectionRecord: Sendable {
    public var id: Int
    /// Who lodged it, as they were named when they did (one from a city: the person and their
    /// org there); an objection written before it kept the name: the account's name now.
    public var lodgedBy: String
    public var text: String
    public var evidence: String
    /// open, upheld or dismissed.
    public var state: String
    public var reason: String?
    public var createdAt: Double
}

/// An objection as the person who lodged it sees it: what it was against, and how it stands.
public struct OwnObjection: Sendable {
    public var applicantName: String
    public var title: String
    public var committee: String
    public var text: String
    public var evidence: String
    public var state: ObjectionState
    /// The office's reason once resolved (or why it was closed on arrival).
    public var reason: String?
    public var createdAt: Double
    public var resolvedAt: Double?
    /// Sent on to the province (its committee's result); resolved there.
    public var toProvince: Bool
}

/// A result standing in public notice, as every signed-in account of the tenant sees it.
public struct PublicNotice: Sendable {
    public var target: EvaluationTarget
    public var committee: String
    public var applicantName: String
    public var unitName: String
    public var series: String
    public var level: String
    public var title: String
    public var result: String
    public var publicityUntil: Double
    /// The province's result on an application of this city: objections go on to the province.
    public var byProvince: Bool

    /// Where a notice stands in the list (ending first first): a page starts after one.
    /// `kind`: 0 a result on the city's own application, 1 on one the province received,
    /// 2 the province's result on the city's application; `id` that application's.
    public struct Position: Sendable, Equatable {
        public var until: Double
        public var kind: Int
        public var id: Int

        public init(until: Double, kind: Int, id: Int) { (self.until, self.kind, self.id) = (until, kind, id) }

        /// As a link carries it: `<until>_<kind>_<id>`; nil for anything else.
        public init?(_ text: String) {
            let parts = text.split(separator: "_", omittingEmptySubsequences: false)
            guard parts.count == 3, let until = Double(parts[0]), until.isFinite, let kind = Int(parts[1]), (0...2).contains(kind),
                  let id = Int(parts[2]) else { return nil }
            self.init(until: until, kind: kind, id: id)
        }

        public var text: String { "\(until)_\(kind)_\(id)" }
    }

    public var position: Position {
        switch target {
        case .application(let id): Position(until: publicityUntil, kind: byProvince ? 2 : 0, id: id)
        case .received(let id): Position(until: publicityUntil, kind: 1, id: id)
        }
    }
}

/// The public-notice calendar in force, shared by every copy of the service, so that a
/// config reload (new holidays for the year) applies to the next result recorded.
public final class PublicityPolicy: Sendable {
    private let current: Mutex<PublicityCalendar>
    init(_ calendar: PublicityCalendar) { current = Mutex(calendar) }
    public var calendar: PublicityCalendar {
        get { current.withLock { $0 } }
        set { current.withLock { $0 = newValue } }
    }
}

extension EvaluationService {
    /// The ids of a city's applications that reached its committee: those at it or in public
    /// notice (read from their partial index, schema v21, not from every application of the
    /// city's years) and those it evaluated.
    static let reachedCommitteeSQL = """
        SELECT id FROM applications INDEXED BY applications_at_committee WHERE state IN ('at_committee', 'publicity')
        UNION ALL SELECT application_id FROM evaluations WHERE application_id IS NOT NULL
        """

    /// The province's received title applications that reached its committee (as `r`): past
    /// the office's own review, not sent back or turned down by it.
    /// (Named by `state IN`, not by the states before it: SQLite then reads them from
    /// `received_kind_state` instead of every received row's `state`, stored after its
    /// sections and trail, over their overflow pages.)
    static let receivedAtCommitteeSQL = "r.kind = 'title' AND r.state IN ('received', 'publicity', 'final')"

    /// Of those, the ones without a final result (the desk's `open`, the 首页's counts).
    static let receivedOpenAtCommitteeSQL = "r.kind = 'title' AND r.state IN ('received', 'publicity')"

    /// The applications that reached the caller's office as their final authority: a
    /// city's own at 评委会 (or decided), or those the province received, each marked
    /// whether a committee of the office covers it (one no committee covers waits until
    /// the office sets one up). For the office admin. `year`: only the applications of
    /// that 年度; `only`: just that one (an item's own page reads no other); `open`: only
    /// those without a final result (首页's 待办事项 reads no history).
    public func worklist(caller: SignedIn, year: Int? = nil, only: EvaluationTarget? = nil, open: Bool = false) async throws -> [CommitteeWorkItem] {
        try await worklist(caller: caller, year: year, only: only, open: open, after: nil, paging: nil).items
    }

    /// One page of the office's committee desk: the office's own applications first, then
    /// those the province received, each oldest first; `after`: the `next` of the page
    /// before. `limit`: 1–500 (nil: every item, as the API has always answered). Over the
    /// years a province's desk holds tens of thousands: its screen must not carry them all.
    public func worklistPage(caller: SignedIn, year: Int? = nil, open: Bool = false, limit: Int?, after: EvaluationTarget? = nil) async throws -> CommitteeWorklistPage {
        try await worklist(caller: caller, year: year, only: nil, open: open, after: after, paging: limit.map { Paging($0, maximum: 500) })
    }

    /// The 首页's counts of the office's open committee desk (`worklist(open: true)`), without
    /// reading it whole: the city's own items are few (from their partial index) and read;
    /// the received ones (tens of thousands in a province) are counted in SQL through
    /// `received_kind_state`, by series and level for those without an evaluation, and only
    /// those with a result (in notice) read as records, for their objections and whether
    /// they may be confirmed (`EvaluationRecord.confirmationRefused`).
    public func deskCounts(caller: SignedIn, now: Double = Date().timeIntervalSince1970) async throws -> CommitteeDeskCounts {
        var counts = CommitteeDeskCounts()
        for item in try await worklist(caller: caller, year: nil, only: nil, open: true, after: nil, paging: nil, receivedToo: false).items {
            counts.add(item, now: now)
        }
        return try await store.read(caller) { [counts] conn in
            var counts = counts
            guard try conn.rootOrg()?.id == caller.orgID else { return counts }
            let covered = try Self.coverage(of: caller.orgID, conn)
            for group in try conn.query("""
                SELECT r.series, r.level, count(*) AS n FROM received_applications r
                WHERE \(Self.receivedOpenAtCommitteeSQL) AND NOT EXISTS (SELECT 1 FROM evaluations e WHERE e.received_id = r.id) GROUP BY r.series, r.level
                """) {
                // As `add` counts an item without an evaluation: awaiting its result where a committee covers it.
                if covered(group["series"].string ?? "", group["level"].string ?? "") { counts.awaitingResult += group["n"].int ?? 0 } else { counts.uncovered = true }
            }
            counts.awaitingResult += try conn.scalar("""
                SELECT count(*) FROM received_applications r JOIN evaluations e ON e.received_id = r.id
                WHERE \(Self.receivedOpenAtCommitteeSQL) AND e.state = 'pending'
                """)?.int ?? 0
            for row in try conn.query("""
                SELECT r.series, r.level, \(Self.recordColumns) FROM received_applications r JOIN evaluations e ON e.received_id = r.id
                JOIN committees c ON c.id = e.committee_id WHERE \(Self.receivedOpenAtCommitteeSQL) AND e.state != 'pending'
                """) {
                counts.add(CommitteeWorkItem(target: .received(0), applicantName: "", unitName: "", sourceTenant: nil, sourceTenantName: nil, year: 0,
                                             series: row["series"].string ?? "", level: row["level"].string ?? "", title: "", evaluation: Self.record(row)), now: now)
            }
            return counts
        }
    }

    /// Whether a committee of office `orgID` covers a series and level (one that none covers
    /// waits at 评委会 until the office sets one up).
    static func coverage(of orgID: Int, _ conn: SQLiteConnection) throws -> (_ series: String, _ level: String) -> Bool {
        let committees = try conn.query("SELECT id FROM committees WHERE org_id = ?", [orgID]).compactMap { $0["id"].int }.compactMap { try committee($0, conn) }
        return { series, level in committees.contains { $0.series.contains(series) && $0.levels.contains { $0.rawValue == level } } }
    }

    /// What no committee of the office covers among the applications waiting at 评委会
    /// without one (series and level, such as "中小学教师 副高级"), in order: the office must
    /// set up a committee before they can be evaluated. Read from what waits, of every year.
    /// Read by series and level, not item by item: a desk of thousands waiting is not read
    /// whole for one line on each of its pages and on the 首页.
    public func uncoveredScopes(caller: SignedIn) async throws -> [String] {
        try Access.requireOrgAdmin(caller)
        return try await store.read(caller) { conn in
            try Access.requireApprovedOrg(caller, conn)
            let covered = try Self.coverage(of: caller.orgID, conn)
            var missing = Set<String>()
            // The city's own at 评委会 without an evaluation (from their partial index: SQLite
            // uses it only for a WHERE that repeats its own term, hence the two on `state`),
            // each scope no committee covers kept if one of them is this office's to evaluate.
            let waiting = """
                FROM applications WHERE state IN ('at_committee', 'publicity') AND state = 'at_committee' AND kind = 'title'
                AND id NOT IN (SELECT application_id FROM evaluations WHERE application_id IS NOT NULL)
                """
            for scope in try conn.query("SELECT DISTINCT series, level " + waiting) {
                let series = scope["series"].string ?? "", level = scope["level"].string ?? ""
                guard !covered(series, level) else { continue }
                try conn.forEachRow("SELECT chain " + waiting + " AND series = ? AND level = ?", [series, level]) { row in
                    guard !missing.contains("\(series) \(level)"), let chain = try? ApplicationService.decode(row.string(0)),
                          chain.isFinalAuthority(caller.orgID) else { return }
                    missing.insert("\(series) \(level)")
                }
            }
            if try conn.rootOrg()?.id == caller.orgID {
                for scope in try conn.query("""
                    SELECT DISTINCT r.series, r.level FROM received_applications r LEFT JOIN evaluations e ON e.received_id = r.id
                    WHERE \(Self.receivedOpenAtCommitteeSQL) AND e.id IS NULL
                    """) where !covered(scope["series"].string ?? "", scope["level"].string ?? "") {
                    missing.insert("\(scope["series"].string ?? "") \(scope["level"].string ?? "")")
                }
            }
            return missing.sorted()
        }
    }

    private func worklist(caller: SignedIn, year: Int?, only: EvaluationTarget?, open: Bool, after: EvaluationTarget?, paging: Paging?,
                          receivedToo: Bool = true) async throws -> CommitteeWorklistPage {
        // One filter for both kinds of row: the year, the one item asked for, open ones, those
        // after the page before's last one.
        @Sendable func filter(received: Bool, alias: String) -> (sql: String, arguments: [any SQLiteBindable]) {
            var sql = "", arguments: [any SQLiteBindable] = []
            if let year { sql += " AND \(alias)year = ?"; arguments.append(year) }
            if open && !received { sql += " AND a.state IN ('at_committee', 'publicity')" }
            switch (only, received) {
            case (nil, _): break
            case (.application(let id)?, false), (.received(let id)?, true): sql += " AND \(alias)id = ?"; arguments.append(id)
            default: sql += " AND 0"   // the item asked for is of the other kind
            }
            switch (after, received) {
            case (nil, _): break
            case (.application(let id)?, false), (.received(let id)?, true): sql += " AND \(alias)id > ?"; arguments.append(id)
            case (.application?, true): break   // the received ones follow the office's own
            case (.received?, false): sql += " AND 0"   // past the office's own
            }
            return (sql, arguments)
        }
        try Access.requireOrgAdmin(caller)
        let wanted = paging?.rowsToRead ?? Int.max
        var items = try await store.read(caller) { conn -> [CommitteeWorkItem] in
            try Access.requireApprovedOrg(caller, conn)
            // The desk is an office's (the one rule `committees` and its screen follow): a
            // unit's or a department's admin is refused, not answered an empty desk.
            _ = try Access.requireCommitteeOffice(caller, conn)
            let covered = try Self.coverage(of: caller.orgID, conn)
            var items: [CommitteeWorkItem] = []
            let own = filter(received: false, alias: "a.")
            // Read a batch at a time: some rows are another office's (a city department's
            // own committee), left out after the read, so a page may take more than one.
            // (Never a handful at a time: each batch runs the reached-committee subquery again.)
            let batch = min(max(min(wanted, 500) * 2, 100), 500)
            var last = 0
            while items.count < wanted {
                let rows = try conn.query("""
                    SELECT a.id, a.year, a.series, a.level, a.title, a.chain, p.name AS applicant, o.name AS unit, \(Self.recordColumns) FROM applications a
                    JOIN accounts p ON p.id = a.applicant_id JOIN orgs o ON o.id = a.org_id
                    LEFT JOIN evaluations e ON e.application_id = a.id LEFT JOIN committees c ON c.id = e.committee_id
                    WHERE a.kind = 'title' AND a.id IN (\(Self.reachedCommitteeSQL))\(own.sql) AND a.id > ?
                    ORDER BY a.id\(paging == nil ? "" : " LIMIT \(batch)")
                    """, own.arguments + [last])
                for r in rows where items.count < wanted {
                    // Only those the caller's office evaluates (as `evaluation(for:)` requires).
                    guard try ApplicationService.decode(r["chain"].string ?? "").isFinalAuthority(caller.orgID) else { continue }
                    let id = r["id"].int ?? 0
                    let evaluation = Self.record(r)
                    items.append(CommitteeWorkItem(target: .application(id), applicantName: r["applicant"].string ?? "", unitName: r["unit"].string ?? "",
                                                   sourceTenant: nil, sourceTenantName: nil, year: r["year"].int ?? 0,
                                                   series: r["series"].string ?? "", level: r["level"].string ?? "", title: r["title"].string ?? "",
                                                   evaluation: evaluation, covered: evaluation != nil || covered(r["series"].string ?? "", r["level"].string ?? "")))
                }
                guard paging != nil, rows.count == batch, let next = rows.last?["id"].int else { break }
                last = next
            }
            if receivedToo, items.count < wanted, try conn.rootOrg()?.id == caller.orgID {
                let received = filter(received: true, alias: "r.")
                for r in try conn.query("""
                    SELECT r.id, r.applicant_name, r.unit_name, r.source_tenant, r.year, r.series, r.level, r.title, \(Self.recordColumns) FROM received_applications r
                    LEFT JOIN evaluations e ON e.received_id = r.id LEFT JOIN committees c ON c.id = e.committee_id
                    WHERE \(open ? Self.receivedOpenAtCommitteeSQL : Self.receivedAtCommitteeSQL)\(received.sql) ORDER BY r.id\(paging == nil ? "" : " LIMIT ?")
                    """, received.arguments + (paging == nil ? [] : [wanted - items.count])) {
                    let id = r["id"].int ?? 0
                    let evaluation = Self.record(r)
                    items.append(CommitteeWorkItem(target: .received(id), applicantName: r["applicant_name"].string ?? "", unitName: r["unit_name"].string ?? "",
                                                   sourceTenant: r["source_tenant"].string, sourceTenantName: r["source_tenant"].string, year: r["year"].int ?? 0,
                                                   series: r["series"].string ?? "", level: r["level"].string ?? "",
                                                   title: r["title"].string ?? "", evaluation: evaluation,
                                                   covered: evaluation != nil || covered(r["series"].string ?? "", r["level"].string ?? "")))
                }
            }
            return items
        }
        // The cities by name, from the registry (cached there).
        for (n, item) in items.enumerated() {
            if let id = item.sourceTenant.flatMap({ try? TenantID($0) }), let city = try await store.registry.get(id) { items[n].sourceTenantName = city.name }
        }
        let (shown, next) = paging?.cut(items, cursor: \.target) ?? (items, nil)
        return CommitteeWorklistPage(items: shown, next: next)
    }

    /// The objections to one result, for the committee's office, each by who lodged it as they
    /// were named then (`lodged_by`, written with the row). An office's (the rule of its desk,
    /// `Access.requireCommitteeOffice`): a unit's or a department's admin is refused, not
    /// answered an empty list; another office's result reads as none.
    public func objections(_ target: EvaluationTarget, caller: SignedIn) async throws -> [ObjectionRecord] {
        try Access.requireOrgAdmin(caller)
        return try await store.read(caller) { conn in
            try Access.requireApprovedOrg(caller, conn)
            _ = try Access.requireCommitteeOffice(caller, conn)
            guard let evaluation = try conn.query("SELECT e.id, c.org_id FROM evaluations e JOIN committees c ON c.id = e.committee_id WHERE e.\(Self.column(target)) = ?",
                                                  [Self.id(target)]).first, evaluation["org_id"].int == caller.orgID else { return [] }
            return try conn.query("""
                SELECT o.id, o.text, o.evidence, o.state, o.reason, o.created_at, COALESCE(o.lodged_by, a.name) AS name FROM objections o LEFT JOIN accounts a ON a.id = o.account_id
                WHERE o.evaluation_id = ? ORDER BY o.id
                """, [evaluation["id"].int ?? 0]).map {
                ObjectionRecord(id: $0["id"].int ?? 0, lodgedBy: $0["name"].string ?? "", text: $0["text"].string ?? "", evidence: $0["evidence"].string ?? "",
                                state: $0["state"].string ?? "", reason: $0["reason"].string, createdAt: $0["created_at"].double ?? 0)
            }
        }
    }

    /// The objections the caller lodged, newest first: to this tenant's committees' results,
    /// and those sent on to the province, with the province's answer once it has come.
    public func ownObjections(caller: SignedIn) async throws -> [OwnObjection] {
        try await store.read(caller) { conn in
            try Access.requireApprovedOrg(caller, conn)
            return try conn.query("""
                SELECT COALESCE(p.name, r.applicant_name) AS applicant, COALESCE(a.title, r.title) AS title, c.name AS committee,
                       o.text, o.evidence, o.state, o.reason, o.created_at, o.resolved_at, 0 AS to_province
                FROM objections o JOIN evaluations e ON e.id = o.evaluation_id JOIN committees c ON c.id = e.committee_id
                LEFT JOIN applications a ON a.id = e.application_id LEFT JOIN accounts p ON p.id = a.applicant_id
                LEFT JOIN received_applications r ON r.id = e.received_id
                WHERE o.account_id = ?
                UNION ALL
                SELECT p.name, a.title, COALESCE(a.committee_name, ''), s.text, s.evidence, s.state, s.reason, s.created_at, s.resolved_at, 1
                FROM sent_objections s JOIN applications a ON a.id = s.application_id JOIN accounts p ON p.id = a.applicant_id
                WHERE s.account_id = ?
                ORDER BY 8 DESC
                """, [caller.accountID, caller.accountID]).map { r in
                OwnObjection(applicantName: r["applicant"].string ?? "", title: r["title"].string ?? "", committee: r["committee"].string ?? "",
                             text: r["text"].string ?? "", evidence: r["evidence"].string ?? "",
                             state: ObjectionState(rawValue: r["state"].string ?? "") ?? .open, reason: r["reason"].string,
                             createdAt: r["created_at"].double ?? 0, resolvedAt: r["resolved_at"].double, toProvince: r["to_province"].int == 1)
            }
        }
    }

    /// Results now in public notice (公示), for every signed-in account of the tenant: its
    /// own committees' results, and the province's results on its applications; not those
    /// whose period has ended and that wait for the office's confirmation (nobody may
    /// object to them any more). Those ending first first; every one, or a page of `limit`
    /// after the notice `after` (the page before's `next`), of applicants whose name holds
    /// `applicant` (taken literally) if given.
    public func publicNotices(caller: SignedIn, now: Date = Date(), applicant: String? = nil, limit: Int? = nil,
                              after: PublicNotice.Position? = nil) async throws -> (notices: [PublicNotice], next: PublicNotice.Position?) {
        let now = now.timeIntervalSince1970
        let applicant = applicant?.trimmingWhitespaceAndNewlines() ?? ""
        guard applicant.count <= 40 else { throw ZhichengError.invalid("申报人查询不超过40个字", field: "applicant") }
        let paging = limit.map { Paging($0, maximum: 500) }
        let rows = try await store.read(caller) { conn in
            try Access.requireApprovedOrg(caller, conn)
            return try conn.query(Self.publicNoticesSQL, [now, after?.until ?? -1, after?.kind ?? 0, after?.id ?? 0,
                                                          applicant.isEmpty ? nil : ApplicationService.containing(applicant) as String?,
                                                          paging?.rowsToRead ?? -1]).map { r in
                PublicNotice(target: r["application_id"].int.map { .application($0) } ?? .received(r["received_id"].int ?? 0), committee: r["committee"].string ?? "",
                             applicantName: r["applicant"].string ?? "", unitName: r["unit"].string ?? "", series: r["series"].string ?? "",
                             level: r["level"].string ?? "", title: r["title"].string ?? "", result: r["result"].string ?? "",
                             publicityUntil: r["publicity_until"].double ?? 0, byProvince: r["by_province"].int == 1)
            }
        }
        guard let paging else { return (rows, nil) }
        let (shown, next) = paging.cut(rows, cursor: \.position)
        return (shown, next)
    }

    /// Results now in public notice, every one (`GET public-notices`).
    public func publicNotices(caller: SignedIn, now: Date = Date()) async throws -> [PublicNotice] {
        try await publicNotices(caller: caller, now: now, applicant: nil, limit: nil, after: nil).notices
    }

    /// What `publicNotices` reads (?1: now; ?2–?4: the position after which to start, ?5: a
    /// LIKE pattern for the applicant's name or NULL, ?6: how many, -1 every one), from the
    /// notices' partial indexes (schema v21), in `PublicNotice.Position` order.
    static let publicNoticesSQL = """
                SELECT * FROM (
                SELECT e.application_id, e.received_id, e.result, e.publicity_until, c.name AS committee,
                       COALESCE(p.name, r.applicant_name) AS applicant, COALESCE(o.name, r.unit_name) AS unit,
                       COALESCE(a.series, r.series) AS series, COALESCE(a.level, r.level) AS level, COALESCE(a.title, r.title) AS title, 0 AS by_province,
                       CASE WHEN e.application_id IS NULL THEN 1 ELSE 0 END AS k, COALESCE(e.application_id, e.received_id) AS kid
                FROM evaluations e JOIN committees c ON c.id = e.committee_id
                LEFT JOIN applications a ON a.id = e.application_id LEFT JOIN accounts p ON p.id = a.applicant_id LEFT JOIN orgs o ON o.id = a.org_id
                LEFT JOIN received_applications r ON r.id = e.received_id
                WHERE e.state = 'publicity' AND e.publicity_until > ?1
                UNION ALL
                SELECT a.id, NULL, a.publicity_result, a.publicity_until, a.committee_name, p.name, o.name, a.series, a.level, a.title, 1, 2, a.id
                FROM applications a JOIN accounts p ON p.id = a.applicant_id JOIN orgs o ON o.id = a.org_id
                WHERE a.state = 'awaiting_province' AND a.publicity_result IS NOT NULL AND a.publicity_until > ?1)
                WHERE (publicity_until, k, kid) > (?2, ?3, ?4) AND (?5 IS NULL OR applicant LIKE ?5 ESCAPE '\\')
                ORDER BY publicity_until, k, kid LIMIT ?6
                """
}
