import Foundation
import ZhichengCore
import ZhichengStorage

/// 评委会 (SPEC §7): committees of the final authority set interview notices and
/// record results; a result stands in public notice (公示, N working days) when
/// objections may be lodged; the office resolves each; then it confirms the result.
/// The province's notices and final results flow back to the city through the relay.
public struct EvaluationService: Sendable {
    let store: TenantStore
    let relay: CrossTenantRelay?
    /// How long a result stands in public notice; a config reload replaces it.
    public let publicity: PublicityPolicy
    /// The most bytes one evidence file of an objection may have: the upload limit
    /// (`limits.upload_max_bytes`, as for an application's attachments), within what one relay
    /// message carries (`ObjectionEvidence.maxFileBytes`).
    public let maxEvidenceBytes: Int

    public init(store: TenantStore, relay: CrossTenantRelay? = nil, publicity: PublicityCalendar = .standard, maxUploadBytes: Int = 5 << 20) {
        self.store = store
        self.relay = relay
        self.publicity = PublicityPolicy(publicity)
        self.maxEvidenceBytes = ObjectionEvidence.maxFileBytes(uploadLimit: maxUploadBytes)
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
        let targets = try Self.batchItems(targets, empty: "请选择要发出面试通知的申报", most: "向 \(Self.batchLimit) 份申报发出面试通知")
        let sent = try await store.write(caller) { conn in
            _ = try Access.requireCommitteeOffice(caller, conn)
            // A time that may not be given (past, too far ahead) is the batch's, not one application's.
            return try Self.eachOrNone(targets, undone: "本次通知均未发出", sharedField: "time", conn) { target in
                try Self.setInterview(target, time: time, place: place, caller: caller, conn)
            }
        }
        if sent.contains(where: \.1) { relay?.kick(caller.tenant) }
        return sent.map(\.0)
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
        try await recordResults([target], result: result, note: rawNote, caller: caller)[0]
    }

    /// The same result (and 说明) for several applications at once (those the committee
    /// passed in one sitting): all of them or none, in one transaction, each entering 公示
    /// until the same day. One that cannot take it (its interview to come, a result recorded,
    /// in a review session, another office's) refuses the whole batch, named in the message.
    public func recordResults(_ targets: [EvaluationTarget], result: String, note rawNote: String?, caller: SignedIn) async throws -> [EvaluationRecord] {
        try Access.requireOrgAdmin(caller)
        guard ["通过", "未通过"].contains(result) else { throw ZhichengError.invalid("评审结果应为“通过”或“未通过”", field: "result") }
        let note = try FreeText.resultNote.validate(rawNote)
        let targets = try Self.batchItems(targets, empty: "请选择要录入评审结果的申报", most: "为 \(Self.batchLimit) 份申报录入评审结果")
        let until = publicityDeadline()
        let records = try await store.write(caller) { conn in
            _ = try Access.requireCommitteeOffice(caller, conn)
            return try Self.eachOrNone(targets, undone: "本次结果均未录入", conn) { target in
                // One that sits in a review session (planned or drawn: SessionService.holdingSession)
                // gets its result from the experts' votes there; one whose session was closed short of
                // its quorum or cancelled is free again.
                if case .received(let id) = target, let session = try SessionService.holdingSession(of: id, conn) {
                    throw ZhichengError.conflict("该申报在评审会“\(session.name)”中，评审结果由专家表决产生")
                }
                return try Self.recordResult(target, result: result, note: note, publicityUntil: until, caller: caller, interviewHeldBy: Date(), conn)
            }
        }
        if targets.contains(where: { if case .received = $0 { true } else { false } }) { relay?.kick(caller.tenant) }
        return records
    }

    /// A batch step's items, each once in the order first named (a list that names one twice,
    /// a form's row ticked and also carried, is not refused for the second's "already done"):
    /// at least one, at most `batchLimit` (400 naming `items`; `most` says what the limit is
    /// of: "为 500 份申报录入评审结果").
    static func batchItems(_ targets: [EvaluationTarget], empty: String, most: String) throws(ZhichengError) -> [EvaluationTarget] {
        var seen = Set<EvaluationTarget>()
        let once = targets.filter { seen.insert($0).inserted }
        guard !once.isEmpty else { throw .invalid(empty, field: "items") }
        guard once.count <= batchLimit else { throw .invalid("一次最多\(most)", field: "items") }
        return once
    }

    /// `step` on each of `targets` in the caller's transaction, their answers in order. The
    /// first refused refuses the batch (the transaction is rolled back): in a batch of more
    /// than one, its message says which it was and that nothing was done (`undone`), unless
    /// the fault is of `sharedField`, what the batch gave them all alike. It names the
    /// applicant only of an application the caller may act on (refused for its state): one
    /// the caller may not see or act on (404, 403: not on the caller's route, another
    /// office's) is named by its place in the batch, which tells nothing the caller did not send.
    static func eachOrNone<T>(_ targets: [EvaluationTarget], undone: String, sharedField: String? = nil, _ conn: SQLiteConnection,
                              _ step: (EvaluationTarget) throws -> T) throws -> [T] {
        var done: [T] = []
        for (index, target) in targets.enumerated() {
            do {
                done.append(try step(target))
            } catch let error as ZhichengError where targets.count > 1 && (sharedField == nil || error.field != sharedField) {
                let which = [.notFound, .forbidden].contains(error.code) ? "所选的第 \(index + 1) 份申报" : try applicantName(target, conn)
                throw ZhichengError(error.code, "\(which)：\(error.message)（\(undone)）", field: error.field)
            }
        }
        return done
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

    /// After 公示 with every objection resolved, the result becomes final (and, for
    /// the province, flows back to the applicant's city).
    public func confirm(_ target: EvaluationTarget, caller: SignedIn) async throws -> EvaluationRecord {
        try await confirm([target], caller: caller)[0]
    }

    /// 确认结果 of several applications at once (every result of a page whose 公示 is over):
    /// all of them or none, in one transaction; one that may not be confirmed yet (its period
    /// runs, an objection is open, another office's) refuses the whole batch, named in the message.
    public func confirm(_ targets: [EvaluationTarget], caller: SignedIn) async throws -> [EvaluationRecord] {
        try Access.requireOrgAdmin(caller)
        let targets = try Self.batchItems(targets, empty: "请选择要确认结果的申报", most: "确认 \(Self.batchLimit) 份申报的结果")
        let done = try await store.write(caller) { conn in
            _ = try Access.requireCommitteeOffice(caller, conn)
            return try Self.eachOrNone(targets, undone: "本次结果均未确认", conn) { target in try Self.confirm(target, caller: caller, conn) }
        }
        if done.contains(where: \.notify) { relay?.kick(caller.tenant) }
        return done.map(\.record)
    }

    /// Confirms one result in the caller's transaction; `notify`: the applicant's city is to be told.
    static func confirm(_ target: EvaluationTarget, caller: SignedIn, _ conn: SQLiteConnection) throws -> (record: EvaluationRecord, notify: Bool) {
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
}
