import Foundation
import ZhichengCore
import ZhichengStorage

extension EvaluationService {
    /// Where a lodged objection went.
    public enum Lodged: Sendable, Equatable {
        /// An objection of this tenant, with its id.
        case objection(Int)
        /// Sent to the province, whose committee's result it is; the province office resolves it.
        case forwarded
    }

    /// Any signed-in person of the tenant may object while the result is in public notice:
    /// a result of the tenant's own committee, or the province's result on an application
    /// of the tenant (sent on to the province through the relay). `files`: the evidence files
    /// (证据材料), checked by `ObjectionEvidence` under `maxEvidenceBytes` and stored with the
    /// objection in its transaction, or sent on with it.
    public func lodgeObjection(_ target: EvaluationTarget, text rawText: String, evidence rawEvidence: String, files uploads: [ObjectionEvidence.Upload] = [],
                               caller: SignedIn) async throws -> Lodged {
        let text = try FreeText.objectionText.require(rawText, else: "请填写异议内容（不超过2000字）")
        let evidence = try FreeText.objectionEvidence.validate(rawEvidence)
        let files = try ObjectionEvidence.validate(uploads, maxBytes: maxEvidenceBytes).map { EvidenceFile($0) }
        let lodged = try await store.write(caller) { conn -> Lodged in
            // An org whose info its parent has not approved acts on nothing but that info.
            try Access.requireApprovedOrg(caller, conn)
            let now = Date().timeIntervalSince1970
            let column = Self.column(target)
            guard let row = try conn.query("SELECT id, state, publicity_until FROM evaluations WHERE \(column) = ?", [Self.id(target)]).first else {
                guard case .application(let id) = target else { throw ZhichengError.conflict("该申报不在公示期，不能提出异议") }
                return try Self.forwardObjection(id, text: text, evidence: evidence, files: files, now: now, caller: caller, conn)
            }
            guard row["state"].string == "publicity", let evaluation = row["id"].int else {
                throw ZhichengError.conflict("该申报不在公示期，不能提出异议")
            }
            try Self.requireStanding(until: row["publicity_until"].double, now: now)
            // The same objection sent twice by the same person (the same text, evidence and
            // files: a double click, a retry) is one objection, its files stored once.
            let candidates = try conn.query("SELECT id FROM objections WHERE evaluation_id = ? AND account_id = ? AND text = ? AND evidence = ? AND state = 'open' ORDER BY id",
                                            [evaluation, caller.accountID, text, evidence]).compactMap { $0["id"].int }
            if let same = try candidates.first(where: { try Self.evidenceKeys(objection: $0, conn) == files.map(\.key) }) {
                return .objection(same)
            }
            if !files.isEmpty {
                try ObjectionEvidence.requireRoom(open: try conn.scalar("""
                    SELECT count(*) FROM objections o WHERE o.evaluation_id = ? AND o.account_id = ? AND o.state = 'open'
                    AND EXISTS (SELECT 1 FROM objection_files f WHERE f.objection_id = o.id)
                    """, [evaluation, caller.accountID])?.int ?? 0)
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
            try Self.storeEvidence(files, objection: id, conn)
            // Logged at the committee's office, which resolves it, not at the objector's org: the
            // admins above the objector may be the applicant's own (a colleague objecting).
            let office = try conn.scalar("SELECT c.org_id FROM evaluations e JOIN committees c ON c.id = e.committee_id WHERE e.id = ?", [evaluation])?.int
            try conn.appendAudit(caller.audit(.objectionLodge, target: "objection:\(id)", detail: #"{"evaluation":\#(evaluation)\#(Self.auditFiles(files))}"#,
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
    /// so that the province can tell an objection to a result it set aside since. Its
    /// evidence files travel in the message (`files`: name, type, size, SHA-256 and the bytes
    /// in base64; `ObjectionEvidence.relayCap` keeps a message of three within bounds); the
    /// city keeps their names, types, sizes and digests only (`sent_objection_files`), for its
    /// author to read what they sent.
    static func forwardObjection(_ id: Int, text: String, evidence: String, files: [EvidenceFile], now: Double, caller: SignedIn,
                                 _ conn: SQLiteConnection) throws -> Lodged {
        guard let app = try conn.query("SELECT state, publicity_until, publicity_notice FROM applications WHERE id = ?", [id]).first,
              app["state"].string == ApplicationState.awaitingProvince.rawValue, let until = app["publicity_until"].double else {
            throw ZhichengError.conflict("该申报不在公示期，不能提出异议")
        }
        try requireStanding(until: until, now: now)
        // The same objection sent twice by the same person goes to the province once.
        let candidates = try conn.query("""
            SELECT id FROM sent_objections WHERE application_id = ? AND account_id = ? AND text = ? AND evidence = ? AND state IN ('sent', 'open') ORDER BY id
            """, [id, caller.accountID, text, evidence]).compactMap { $0["id"].int }
        if try candidates.contains(where: { try evidenceKeys(sentObjection: $0, conn) == files.map(\.key) }) {
            return .forwarded
        }
        if !files.isEmpty {
            try ObjectionEvidence.requireRoom(open: try conn.scalar("""
                SELECT count(*) FROM sent_objections o WHERE o.application_id = ? AND o.account_id = ? AND o.state IN ('sent', 'open')
                AND EXISTS (SELECT 1 FROM sent_objection_files f WHERE f.sent_objection_id = o.id)
                """, [id, caller.accountID])?.int ?? 0)
        }
        let name = try conn.account(caller.accountID)?.name ?? ""
        var payload: [String: Any] = ["source_application_id": id, "text": text, "evidence": evidence, "lodged_by": name,
                                      "org_name": try conn.org(caller.orgID)?.name ?? caller.tenant.rawValue,
                                      "notice": app["publicity_notice"].string ?? "", "lodged_at": now]
        if !files.isEmpty {
            payload["files"] = files.map { f -> [String: Any] in
                ["name": f.name, "mime": f.mime, "size": f.bytes.count, "sha256": f.sha256, "base64": Data(f.bytes).base64EncodedString()]
            }
        }
        let messageID = CrossTenantRelay.messageID(caller.tenant.rawValue, "objection.lodge", id)
        try CrossTenantRelay.enqueue("objection.lodge", id: messageID, to: CrossTenantRelay.provinceTarget, payload: payload, conn)
        // Kept here too, so that the person sees how the province resolves it.
        try conn.run("INSERT INTO sent_objections (application_id, account_id, message_id, text, evidence, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                     [id, caller.accountID, messageID, text, evidence, now])
        let sent = Int(conn.lastInsertRowID)
        for (index, file) in files.enumerated() {
            try conn.run("INSERT INTO sent_objection_files (sent_objection_id, position, name, mime, size, sha256) VALUES (?, ?, ?, ?, ?, ?)",
                         [sent, index + 1, file.name, file.mime, file.bytes.count, file.sha256])
        }
        // At the city's office, which sends it on, not at the objector's org (see `lodgeObjection`).
        try conn.appendAudit(caller.audit(.objectionForward, target: "application:\(id)",
                                          detail: #"{"message_id":\#(jsonString(messageID))\#(auditFiles(files))}"#, orgID: try conn.rootOrg()?.id))
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
            var records = try conn.query("""
                SELECT o.id, o.text, o.evidence, o.state, o.reason, o.created_at, COALESCE(o.lodged_by, a.name) AS name FROM objections o LEFT JOIN accounts a ON a.id = o.account_id
                WHERE o.evaluation_id = ? ORDER BY o.id
                """, [evaluation["id"].int ?? 0]).map {
                ObjectionRecord(id: $0["id"].int ?? 0, lodgedBy: $0["name"].string ?? "", text: $0["text"].string ?? "", evidence: $0["evidence"].string ?? "",
                                state: $0["state"].string ?? "", reason: $0["reason"].string, createdAt: $0["created_at"].double ?? 0)
            }
            let files = try Self.evidenceFiles(objections: records.map(\.id), conn)
            for index in records.indices { records[index].files = files[records[index].id] ?? [] }
            return records
        }
    }

    /// The objections the caller lodged, newest first: to this tenant's committees' results,
    /// and those sent on to the province, with the province's answer once it has come.
    public func ownObjections(caller: SignedIn) async throws -> [OwnObjection] {
        try await store.read(caller) { conn in
            try Access.requireApprovedOrg(caller, conn)
            let rows = try conn.query("""
                SELECT COALESCE(p.name, r.applicant_name) AS applicant, COALESCE(a.title, r.title) AS title, c.name AS committee,
                       o.text, o.evidence, o.state, o.reason, o.created_at, o.resolved_at, 0 AS to_province, o.id
                FROM objections o JOIN evaluations e ON e.id = o.evaluation_id JOIN committees c ON c.id = e.committee_id
                LEFT JOIN applications a ON a.id = e.application_id LEFT JOIN accounts p ON p.id = a.applicant_id
                LEFT JOIN received_applications r ON r.id = e.received_id
                WHERE o.account_id = ?
                UNION ALL
                SELECT p.name, a.title, COALESCE(a.committee_name, ''), s.text, s.evidence, s.state, s.reason, s.created_at, s.resolved_at, 1, s.id
                FROM sent_objections s JOIN applications a ON a.id = s.application_id JOIN accounts p ON p.id = a.applicant_id
                WHERE s.account_id = ?
                ORDER BY 8 DESC
                """, [caller.accountID, caller.accountID])
            // Their files: an objection of this tenant's with their ids, one sent to the province by name.
            let own = try Self.evidenceFiles(objections: rows.filter { $0["to_province"].int == 0 }.compactMap { $0["id"].int }, conn)
            let sent = try Self.evidenceFiles(sentObjections: rows.filter { $0["to_province"].int == 1 }.compactMap { $0["id"].int }, conn)
            return rows.map { r in
                let toProvince = r["to_province"].int == 1, id = r["id"].int ?? 0
                return OwnObjection(applicantName: r["applicant"].string ?? "", title: r["title"].string ?? "", committee: r["committee"].string ?? "",
                                    text: r["text"].string ?? "", evidence: r["evidence"].string ?? "",
                                    state: ObjectionState(rawValue: r["state"].string ?? "") ?? .open, reason: r["reason"].string,
                                    createdAt: r["created_at"].double ?? 0, resolvedAt: r["resolved_at"].double, toProvince: toProvince,
                                    id: toProvince ? nil : id, files: (toProvince ? sent[id] : own[id]) ?? [])
            }
        }
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
}
