import Foundation
import ZhichengCore
import ZhichengStorage

/// The receiving side of `CrossTenantRelay`: what each kind of message does to the tenant it
/// reaches (`apply`, one case per `RelayMessageKind`), inside the receiver's transaction that
/// also records it in the `inbox`, and the helpers those effects share. The relay's own work
/// (outboxes, delivery, retries, pauses) is in CrossTenantRelay.swift.
extension CrossTenantRelay {
    /// What a message's effect at its receiver came to.
    enum Applied: Equatable {
        /// Applied (or, an answer about an application not waiting for it, kept unapplied: `awaitingProvince`).
        case done
        /// Applied, and it queued an answer at the receiver: its relay is woken.
        case answered
        /// Not applied: its payload does not say what the message must (`RelayedRename.Malformed`,
        /// or no JSON object at all). Kept in the inbox as it came; audited and logged.
        case malformed(String)
        /// Not applied: a correction of a name (`org.renamed`, `applicant.renamed`) or a move (`applicant.moved`) that finds
        /// none of the province's copies it names (the city's applications, and for a person
        /// their ID-card number with them). Kept in the inbox as it came; audited
        /// (`relay.unapplied`) and logged as such, never as a rename.
        case unmatched(String)
        /// Not applied: text it carries for people breaks the receiver's rules (`RelayedText`:
        /// a NUL, a bidi override…), said as the receiver's screens say it, with the payload's
        /// key. Kept in the inbox as it came, never rewritten; audited and logged.
        case refused(String)

        /// Why it was not applied, for the audit row and the log; nil when it was.
        var unapplied: String? {
            switch self {
            case .malformed(let why), .unmatched(let why), .refused(let why): why
            case .done, .answered: nil
            }
        }
    }

    /// The receiving side's effect of a message.
    static func apply(_ message: Message, from source: TenantID, in target: TenantID, _ conn: SQLiteConnection) throws -> Applied {
        // A payload that is no JSON object never becomes one: retried, it would hold back every
        // message behind it to this target for good.
        guard let sent = (try? JSONSerialization.jsonObject(with: Data(message.payload.utf8))) as? [String: Any] else {
            return .malformed("the payload is not a JSON object")
        }
        // An optional text the receiver's rules refuse (a note with a result, a comment with the
        // end of a review, sent by an earlier version) is read as missing: the message is taken in.
        let payload = RelayedText.withoutRefusedOptionalText(kind: message.kind, payload: sent)
        // Any other text the receiver would never take from its own screens is not taken from
        // another tenant's either; retried, it would be refused again and hold back what follows.
        if let refusal = RelayedText.refusal(kind: message.kind, payload: payload) {
            return .refused("\(refusal.field ?? "")：\(refusal.message)")
        }
        let now = Date().timeIntervalSince1970
        if RelayMessageKind(rawValue: message.kind)?.isAnswer == true, try !awaitingProvince(payload["source_application_id"] as? Int ?? 0, message, from: source, conn) {
            return .done
        }
        switch RelayMessageKind(rawValue: message.kind) {
        case .forward:
            return try receive(message, payload, from: source, in: target, now: now, conn) ? .answered : .done
        case .received:
            let id = payload["source_application_id"] as? Int ?? 0
            try conn.run("UPDATE applications SET forwarded_at = ?, version = version + 1, updated_at = ? WHERE id = ?", [now, now, id])
            try conn.appendTenantAudit(AuditEntry(actor: "relay", action: .applicationForwarded,
                                            target: "application:\(id)", detail: #"{"province":"\#(source)"}"#, source: "tenant:\(source)"))
            return .done
        case .provinceReview:
            // A step of the province office's own review (经办人 or 负责人): in the trail.
            let id = payload["source_application_id"] as? Int ?? 0
            try provinceStep(id, payload, decision: payload["decision"] as? String ?? "pass", conn)
            try conn.run("UPDATE applications SET version = version + 1, updated_at = ? WHERE id = ?", [now, id])
            try conn.appendTenantAudit(AuditEntry(actor: "relay", action: .applicationProvinceReview, target: "application:\(id)",
                                            detail: #"{"province":"\#(source)","stage":\#(jsonString(payload["stage"] as? String ?? "")),"decision":\#(jsonString(payload["decision"] as? String ?? ""))}"#,
                                            source: "tenant:\(source)"))
            return .done
        case .provinceRejected, .provinceAdmitted:
            // The province office's own review ended it at a step (`ProvinceOfficeEnd`): its
            // 经办人's or 负责人's 未通过, as a city reviewer's 未通过 ends one (未通过, 审查结束); or,
            // for an expert recommendation, its 负责人's 通过 that admitted the person (已入库
            // （专家信息库）). The 评审表 is marked so. No committee judged it: no 公示, no result, no
            // 结果确认 in the trail, whose row is the office's step (kept once, whether or not its
            // `application.province-review` came first). A province of an earlier version sent
            // either as `application.result` (未通过, 通过), still applied as it was then.
            guard let end = ProvinceOfficeEnd(messageKind: message.kind) else { return .malformed("unknown end of the province office's review") }
            let id = payload["source_application_id"] as? Int ?? 0
            guard let row = try conn.query("SELECT kind, chain FROM applications WHERE id = ?", [id]).first else {
                return .malformed("no application \(id)")
            }
            let kind = ApplicationKind(rawValue: row["kind"].string ?? "") ?? .title
            var chain = try ApplicationService.decode(row["chain"].string ?? "")
            do throws(ZhichengError) {
                try end.apply(to: &chain, kind: kind)
            } catch {
                // An admission of a title application (which goes on to a committee) says what
                // cannot be: kept in the inbox as it came, audited, and nothing held up behind it.
                return .malformed(error.message)
            }
            try provinceStep(id, payload, decision: end.decision.rawValue, conn)
            try ApplicationService.store(chain, id: id, conn)
            try conn.appendTenantAudit(AuditEntry(actor: "relay", action: end == .rejected ? .applicationProvinceRejected : .applicationProvinceAdmitted,
                                            target: "application:\(id)",
                                            detail: #"{"province":"\#(source)","stage":\#(jsonString(payload["stage"] as? String ?? ""))}"#,
                                            source: "tenant:\(source)"))
            return .done
        case .returned:
            // The province office sends it back for changes: the applicant edits and submits
            // again, and it climbs the city's route from the unit as after any return.
            let id = payload["source_application_id"] as? Int ?? 0
            var chain = try ApplicationService.decode(try conn.scalar("SELECT chain FROM applications WHERE id = ?", [id])?.string ?? "")
            try chain.returnFromProvince()
            try ApplicationService.store(chain, id: id, conn, extra: "return_sections = ?, return_reason = ?, return_comment = ?, forwarded_at = NULL",
                                         extraArgs: [jsonArray(payload["sections"] as? [String] ?? []), payload["reason"] as? String, payload["comment"] as? String ?? ""])
            try conn.appendTenantAudit(AuditEntry(actor: "relay", action: .applicationReturned, target: "application:\(id)",
                                            detail: #"{"province":"\#(source)","reason":\#(jsonString(payload["reason"] as? String ?? ""))}"#, source: "tenant:\(source)"))
            return .done
        case .interview:
            // Taken as the province wrote it: its time was checked when the province set it
            // (`InterviewTime.requireAllowed`; not again here, where a notice held up in the outbox may
            // arrive after its day), and a province of a version before that sends free text,
            // which the city shows as it came rather than lose the notice.
            let id = payload["source_application_id"] as? Int ?? 0
            try conn.run("UPDATE applications SET committee_name = ?, interview = ?, version = version + 1, updated_at = ? WHERE id = ?",
                         [payload["committee"] as? String ?? "", payload["interview"] as? String ?? "", now, id])
            try step(id, .interview, payload, detail: payload["interview"] as? String ?? "", conn)
            try conn.appendTenantAudit(AuditEntry(actor: "relay", action: .applicationInterview,
                                            target: "application:\(id)", detail: #"{"province":"\#(source)"}"#, source: "tenant:\(source)"))
            return .done
        case .publicity:
            // The province's result stands in public notice: the city shows it, with the committee's
            // 说明 as its own committee's (trail and 评审表), and its people may object.
            let id = payload["source_application_id"] as? Int ?? 0
            let note = Self.note(payload) ?? ""
            try conn.run("""
                UPDATE applications SET committee_name = COALESCE(?, committee_name), publicity_result = ?, publicity_until = ?, publicity_notice = ?,
                    committee_note = ?, version = version + 1, updated_at = ? WHERE id = ?
                """, [(payload["committee"] as? String).flatMap { $0.isEmpty ? nil : $0 }, payload["result"] as? String ?? "",
                      (payload["publicity_until"] as? NSNumber)?.doubleValue ?? 0, message.messageID, note.isEmpty ? nil : note, now, id])
            try step(id, .result, payload, detail: EvaluationService.resultDetail(payload["result"] as? String ?? "",
                                                                              until: (payload["publicity_until"] as? NSNumber)?.doubleValue ?? 0, note: note), conn)
            try conn.appendTenantAudit(AuditEntry(actor: "relay", action: .applicationPublicity, target: "application:\(id)",
                                            detail: #"{"province":"\#(source)","result":\#(jsonString(payload["result"] as? String ?? ""))}"#, source: "tenant:\(source)"))
            return .done
        case .publicityWithdrawn:
            // An objection was upheld at the province: its committee decides again.
            let id = payload["source_application_id"] as? Int ?? 0
            try conn.run("""
                UPDATE applications SET publicity_result = NULL, publicity_until = NULL, publicity_notice = NULL, committee_note = NULL,
                    version = version + 1, updated_at = ? WHERE id = ?
                """, [now, id])
            try step(id, .objectionUpheld, payload, detail: payload["reason"] as? String ?? "", conn)
            try conn.appendTenantAudit(AuditEntry(actor: "relay", action: .applicationPublicityWithdrawn,
                                            target: "application:\(id)", detail: #"{"province":"\#(source)"}"#, source: "tenant:\(source)"))
            return .done
        case .orgRenamed:
            // A city's unit has a new name (a rename by its parent, a correction in 单位信息维护):
            // the province names it so in its lists, as the city does. Only the copies of the
            // unit's name change (each application keeping the name it had among its former
            // ones): the city's opinions in the hand-over's trail stay as they were given, and a
            // recorded draw keeps its recorded inputs. Found by the ids of the
            // unit's applications the city handed over (`OrgService.rename`), never given twice
            // under a city's id, where its code may be; the experts by the application that
            // admitted them.
            let rename: RelayedRename
            do { rename = try RelayedRename.parse(message.kind, payload).get() } catch { return .malformed(error.description) }
            let copies = "source_tenant = ? AND source_application_id IN (SELECT value FROM json_each(?))"
            let arguments: [any SQLiteBindable] = [source.rawValue, try json(rename.applications)]
            guard try holds(copies, [source.rawValue, try json(rename.applications + rename.experts)], conn) else {
                return .unmatched("the province holds none of the applications it names")
            }
            // The experts: admitted from those applications, or from the recommendations of
            // people who moved to the unit since (`experts`), whose copies keep their own unit.
            let expertCopies = "source_tenant = ? AND source_application_id IN (SELECT value FROM json_each(?))"
            let renamed = try renameCopies(unit: rename.name, code: rename.unitCode, of: copies, arguments,
                                           experts: (expertCopies, [source.rawValue, try json(rename.applications + rename.experts)]), now: now, conn)
            try conn.appendTenantAudit(AuditEntry(actor: "relay", action: .orgRenamedInCity, target: "unit:\(source):\(rename.unitCode)",
                                            detail: #"{"city":"\#(source)","unit_code":\#(jsonString(rename.unitCode)),"name":\#(jsonString(rename.name)),"applications":\#(renamed.applications),"experts":\#(renamed.experts)}"#,
                                            source: "tenant:\(source)"))
            return .done
        case .applicantRenamed:
            // A city's applicant has a corrected name (their unit's admin, 编辑): the province
            // names them so, as the city does, in its lists, the committee's desk, the sessions
            // and 公示 (all read `received_applications.applicant_name`), and in the 专家信息库 if
            // one of those applications made them an expert. Found by the city's applications
            // the message names, each also by the ID-card number (the login, which never changes),
            // which the ids alone already find (never given twice under a city's id): a check.
            // What was decided is not rewritten: a recorded draw keeps its recorded inputs.
            let rename: RelayedRename
            do { rename = try RelayedRename.parse(message.kind, payload).get() } catch { return .malformed(error.description) }
            guard let (copies, arguments) = try personCopies(rename, from: source, conn) else {
                return .unmatched("the province holds none of the applications it names with its id_number")
            }
            let renamed = try renameCopies(applicant: rename.name, of: copies, arguments, now: now, conn)
            try conn.appendTenantAudit(AuditEntry(actor: "relay", action: .applicantRenamedInCity,
                                            target: "applicant:\(source):\(IDCardNumber.maskedIfOne(rename.idNumber))",
                                            detail: #"{"city":"\#(source)","name":\#(jsonString(rename.name)),"applications":\#(renamed.applications),"experts":\#(renamed.experts)}"#,
                                            source: "tenant:\(source)"))
            return .done
        case .applicantMoved:
            // A city's applicant moved to another of its units (人员调动, accepted by that unit)
            // after an expert application of theirs was handed over: the 专家信息库's entry of an
            // expert admitted from one of them names the unit they work at now, by name and
            // code, so that a draw keeps them off that unit's applicants (同一单位回避) and no
            // longer off their former unit's (a relation may name it: 回避关系). The province's
            // copies of their applications keep the unit that declared them. Found as a
            // correction of their name finds them: the ids, each with the ID-card number.
            let move: RelayedRename
            do { move = try RelayedRename.parse(message.kind, payload).get() } catch { return .malformed(error.description) }
            guard let (copies, arguments) = try personCopies(move, from: source, conn) else {
                return .unmatched("the province holds none of the applications it names with its id_number")
            }
            let experts = try conn.run("""
                UPDATE experts SET unit_name = ?, unit_code = ?, updated_at = ?
                WHERE received_id IN (SELECT id FROM received_applications WHERE \(copies)) AND (unit_name != ? OR unit_code IS NOT ?)
                """, [move.name, move.unitCode, now] + arguments + [move.name, move.unitCode])
            try conn.appendTenantAudit(AuditEntry(actor: "relay", action: .applicantMovedInCity,
                                            target: "applicant:\(source):\(IDCardNumber.maskedIfOne(move.idNumber))",
                                            detail: #"{"city":"\#(source)","unit_code":\#(jsonString(move.unitCode)),"name":\#(jsonString(move.name)),"experts":\#(experts)}"#,
                                            source: "tenant:\(source)"))
            return .done
        case .withdrawn:
            // The applicant withdrew in the city what the province office had returned to them
            // (or what the city returned after the province had): its copy here ends so. Returned
            // as a rule; under the office's review or passed on (`received`) only where the
            // province was restored to before its return and took the hand-over in again (the
            // city's application stays withdrawn, nothing would ever answer it). Never a later
            // submission's copy (`source_submission`), nor one a committee has judged.
            guard let id = payload["source_application_id"] as? Int, let submission = payload["submission"] as? Int else {
                return .malformed("no source_application_id or submission")
            }
            for ended in try conn.query("""
                UPDATE received_applications SET state = 'withdrawn', version = version + 1
                WHERE source_tenant = ? AND source_application_id = ? AND state IN ('returned', 'in_review', 'received')
                    AND coalesce(source_submission, 0) <= ?
                RETURNING id
                """, [source.rawValue, id, submission]) {
                try conn.appendTenantAudit(AuditEntry(actor: "relay", action: .applicationWithdrawnInCity, target: "received_application:\(ended["id"].int ?? 0)",
                                                detail: #"{"from":"\#(source)","source_application_id":\#(id),"submission":\#(submission)}"#, source: "tenant:\(source)"))
            }
            return .done
        case .objectionLodge:
            return try lodge(message, payload, from: source, now: now, conn) ? .answered : .done
        case .objectionResolved:
            try objectionResolved(message, payload, from: source, now: now, conn)
            return .done
        case .result:
            // A committee's final result. A province of an earlier version also sent its office's
            // 未通过 and an expert's admission so: applied as they were then (with a 结果确认 row).
            let id = payload["source_application_id"] as? Int ?? 0
            let result = payload["result"] as? String ?? ""
            var chain = try ApplicationService.decode(try conn.scalar("SELECT chain FROM applications WHERE id = ?", [id])?.string ?? "")
            try chain.finalize(passed: result == "通过")
            // The 说明 it carries ("" for none) is the one of its 公示; a message without one (an
            // earlier version's) keeps the one its notice brought.
            let note = Self.note(payload)
            try ApplicationService.store(chain, id: id, conn, extra: "result = ?, committee_name = COALESCE(?, committee_name), committee_note = CASE WHEN ? THEN ? ELSE committee_note END",
                                         extraArgs: [result, (payload["committee"] as? String).flatMap { $0.isEmpty ? nil : $0 }, note != nil,
                                                     note.flatMap { $0.isEmpty ? nil : $0 }])
            try step(id, .final, payload, detail: result, conn)
            try conn.appendTenantAudit(AuditEntry(actor: "relay", action: .applicationResult,
                                            target: "application:\(id)", detail: #"{"province":"\#(source)","result":"\#(result)"}"#, source: "tenant:\(source)"))
            return .done
        case nil:
            throw ZhichengError.internal("unknown cross-tenant message kind \(message.kind)")
        }
    }

    /// The province's copies of a person's applications a message names (`applicant.renamed`,
    /// `applicant.moved`): by city, the city's ids and the ID-card number together (the number
    /// read as the hand-over stored it, both by `givenNumber`); nil when it holds none.
    static func personCopies(_ message: RelayedRename, from source: TenantID, _ conn: SQLiteConnection) throws
        -> (condition: String, arguments: [any SQLiteBindable])? {
        let copies = "source_tenant = ? AND source_application_id IN (SELECT value FROM json_each(?)) AND id_number = ?"
        let arguments: [any SQLiteBindable] = [source.rawValue, try json(message.applications), message.idNumber]
        return try holds(copies, arguments, conn) ? (copies, arguments) : nil
    }

    /// The name a message gives (a unit's, a person's), trimmed as names are (`TenantInfo.validateName`);
    /// nil when there is none: missing, not text, or blank. A hand-over's copy takes it as ""
    /// (`renaming` keeps the name a row has), and a rename message without one is malformed.
    static func givenName(_ value: Any?) -> String? {
        guard let name = (value as? String)?.trimmingInvisibles(), !name.isEmpty else { return nil }
        return name
    }

    /// The ID-card number a message gives (a hand-over's applicant, the person an
    /// `applicant.renamed` names), read as every door reads one (`IDCardNumber.normalized`:
    /// blanks and invisible characters dropped, full width as ASCII, the check character in
    /// upper case): the number a hand-over stores and the one a correction finds its copies by
    /// are read by this one rule. A city sends the person's login, which is so already. nil
    /// when there is none (missing, not text, or blank).
    static func givenNumber(_ value: Any?) -> String? {
        guard let number = (value as? String).map(IDCardNumber.normalized), !number.isEmpty else { return nil }
        return number
    }

    /// The ID-card number a payload names (`applicant.renamed`), for the log to name it masked.
    static func idNumber(inPayload payload: String) -> String? {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(payload.utf8))) as? [String: Any] else { return nil }
        return givenNumber(object["id_number"])
    }

    /// Whether the province holds any received application `condition` (with `arguments`) picks.
    static func holds(_ condition: String, _ arguments: [any SQLiteBindable], _ conn: SQLiteConnection) throws -> Bool {
        try conn.scalar("SELECT EXISTS (SELECT 1 FROM received_applications WHERE \(condition))", arguments)?.int == 1
    }

    /// The SET clause of an UPDATE of `received_applications` that gives `column` (the unit's
    /// or the applicant's name) the value `newName` (an SQL expression; "" for none): the name
    /// it has until then joins `former` (`former_unit_names`, `former_applicant_names`) when it
    /// changes, unless empty or there already (SET reads the row as it was), and the new name
    /// leaves it: a name that comes back (a correction undone, a city restored to before it
    /// handing the application over again) is the current one, not a former one, as an
    /// application received later is given them (`inheritFormerNames`). An empty new name (a
    /// hand-over without one) changes neither: it never replaces a name, nor is filed as former.
    static func renaming(_ column: String, keptIn former: String, to newName: String) -> String {
        let (old, kept) = ("received_applications.\(column)", "received_applications.\(former)")
        return """
            \(former) = CASE WHEN \(newName) = '' THEN \(kept) ELSE (SELECT json_group_array(value) FROM (SELECT value FROM json_each(
                CASE WHEN \(old) = \(newName) OR \(old) = '' OR EXISTS (SELECT 1 FROM json_each(\(kept)) WHERE value = \(old))
                    THEN \(kept) ELSE json_insert(\(kept), '$[#]', \(old)) END) WHERE value != \(newName) ORDER BY key)) END,
            \(column) = CASE WHEN \(newName) = '' THEN \(old) ELSE \(newName) END
            """
    }

    /// A received application new to the province takes the names its unit and its applicant
    /// had in the applications received before from the same city (the unit by its code, the
    /// person by ID-card number), their current and former ones but its own: a relation an
    /// expert declared under a name corrected before this application came still names them
    /// (回避 rules 4). A code given again by a city created again or restored may bring another
    /// unit's names: the draw then excludes more, never less.
    static func inheritFormerNames(of sourceID: Int, from source: TenantID, _ conn: SQLiteConnection) throws {
        guard let id = try conn.scalar("SELECT id FROM received_applications WHERE source_tenant = ? AND source_application_id = ?",
                                       [source.rawValue, sourceID])?.int else { return }
        for (column, former, key) in [("unit_name", "former_unit_names", "unit_code"), ("applicant_name", "former_applicant_names", "id_number")] {
            let earlier = "FROM received_applications o, received_applications r WHERE r.id = ?1 AND o.source_tenant = r.source_tenant AND o.\(key) = r.\(key) AND o.id != r.id"
            try conn.run("""
                UPDATE received_applications SET \(former) = (
                    SELECT json_group_array(value) FROM (
                        SELECT DISTINCT value FROM (SELECT o.\(column) AS value \(earlier) UNION ALL SELECT j.value \(earlier.replacingOccurrences(of: "FROM received_applications o, received_applications r",
                            with: "FROM received_applications o, received_applications r, json_each(o.\(former)) j")))
                        WHERE value != '' AND value != (SELECT \(column) FROM received_applications WHERE id = ?1)
                        ORDER BY value))
                WHERE id = ?1 AND \(key) IS NOT NULL AND \(key) != ''
                """, [id])
        }
    }

    /// The province's copies of the names a city gives (`unit`: the applicant's unit,
    /// `applicant`: the person), for the received applications `received` picks (a condition
    /// with `arguments`): the applications, and the 专家信息库 entries of experts admitted from
    /// them, with the expert's account of the office for a person's name (its login the same
    /// ID-card number). Copies, not decisions: nothing decided is rewritten. Returns how many
    /// applications and experts changed. One place for a correction (`org.renamed`,
    /// `applicant.renamed`) and for a hand-over again that carries the city's names now.
    /// `code`: the unit's 单位编号, when the message gives one: an expert entry whose unit has
    /// another code (a 人员调动 since: `applicant.moved`) is not the unit's to rename. `experts`:
    /// the received applications whose experts may take the name, when they are other than
    /// `received` (the expert recommendations of people who moved to the unit since).
    static func renameCopies(unit: String? = nil, code: String = "", applicant: String? = nil, of received: String,
                             _ arguments: [any SQLiteBindable], experts expertRows: (condition: String, arguments: [any SQLiteBindable])? = nil,
                             now: Double, _ conn: SQLiteConnection) throws -> (applications: Int, experts: Int) {
        let picked = "SELECT id FROM received_applications WHERE \(received)"
        var applications = 0, experts = 0
        if let unit = givenName(unit) {
            // An expert admitted from one of these applications, unless their unit has another
            // code now; without a code (a city of an older version), by the applications alone.
            // ?1 the code, ?2 the name, ?3 the time; the condition's own arguments follow.
            let (condition, conditionArguments) = expertRows ?? (received, arguments)
            experts += try conn.run("""
                UPDATE experts SET unit_name = ?2, updated_at = ?3
                WHERE received_id IN (SELECT id FROM received_applications WHERE \(condition)) AND unit_name != ?2
                AND (unit_code IS NULL OR ?1 = '' OR unit_code = ?1)
                """, [code, unit, now] + conditionArguments)
            // The name it had is kept (`former_unit_names`): a relation an expert declared naming
            // it still names the unit (回避, ExpertDraw rules 4). The name is ?1, the condition's
            // arguments follow (?2…).
            applications += try conn.run("""
                UPDATE received_applications SET \(renaming("unit_name", keptIn: "former_unit_names", to: "?1"))
                WHERE id IN (\(picked)) AND unit_name != ?1
                """, [unit] + arguments)
        }
        if let applicant = givenName(applicant) {
            try conn.run("""
                UPDATE accounts SET name = ? WHERE id IN (SELECT e.account_id FROM experts e
                    WHERE e.received_id IN (\(picked)) AND e.id_number = accounts.login AND e.name != ?)
                """, [applicant] + arguments + [applicant])
            experts += try conn.run("UPDATE experts SET name = ?, updated_at = ? WHERE received_id IN (\(picked)) AND name != ?", [applicant, now] + arguments + [applicant])
            // Kept too (`former_applicant_names`): a relation naming the person by it still names them.
            applications += try conn.run("""
                UPDATE received_applications SET \(renaming("applicant_name", keptIn: "former_applicant_names", to: "?1"))
                WHERE id IN (\(picked)) AND applicant_name != ?1
                """, [applicant] + arguments)
        }
        return (applications, experts)
    }

    /// The province receives a hand-over and acknowledges it. An application it already has
    /// and has acted on (a committee evaluates it; the office decided on an expert
    /// application) keeps the province's state, and the hand-over is answered with what the
    /// province has: the acknowledgement, then the interview notice and the final result if
    /// there are any. That is what a city restored to a backup older than those answers
    /// needs when it hands the application over again. One not acted on yet takes the new data.
    static func receive(_ message: Message, _ payload: [String: Any], from source: TenantID, in target: TenantID, now: Double,
                        _ conn: SQLiteConnection) throws -> Bool {
        let sourceID = payload["source_application_id"] as? Int ?? 0
        let existing = try conn.query("""
            SELECT r.id, r.kind, r.series, r.level, r.state, r.result, e.interview_time, e.interview_place, e.result AS notice_result, e.note, e.publicity_until, c.name AS committee,
                   -- A resubmission after the office sent it back is a new hand-over.
                   -- So is one after a withdrawal of its return the city no longer has (restored to before it).
                   CASE WHEN r.state IN ('returned', 'withdrawn') AND ? > coalesce(r.source_submission, 0) THEN 0
                        ELSE e.id IS NOT NULL OR r.state NOT IN ('received', 'in_review')
                             OR EXISTS (SELECT 1 FROM received_decisions d WHERE d.received_id = r.id) END AS acted
            FROM received_applications r LEFT JOIN evaluations e ON e.received_id = r.id LEFT JOIN committees c ON c.id = e.committee_id
            WHERE r.source_tenant = ? AND r.source_application_id = ?
            """, [payload["submission"] as? Int ?? 0, source.rawValue, sourceID]).first
        if existing?["acted"].int != 1 {
            let kind = ApplicationKind(rawValue: payload["kind"] as? String ?? "title") ?? .title
            // The province office reviews it itself (经办人 then 负责人, `ProvinceReviewService`
            // and `ExpertService`) before its committee takes up a title application and
            // before an expert enters the database. A title application under that review
            // is `in_review`; an expert application keeps `received` until it is decided.
            guard let root = try conn.rootOrg() else { throw ZhichengError.internal("the province tenant has no office") }
            var review = try ReviewChain(route: [root.id], endsInProvince: false)
            _ = try review.submit()
            let state = kind == .title ? "in_review" : "received"
            try conn.run("""
                INSERT INTO received_applications (source_tenant, source_application_id, message_id, applicant_name, id_number, unit_name,
                    year, series, level, title, sections, trail, received_at, kind, specialty, chain, state, source_submission, unit_code)
                    VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                ON CONFLICT (source_tenant, source_application_id) DO UPDATE SET
                    -- What the office reviewed and returned, for its reviewers to compare with.
                    previous_sections = CASE WHEN received_applications.state IN ('returned', 'withdrawn') THEN received_applications.sections
                                             ELSE received_applications.previous_sections END,
                    message_id = excluded.message_id, sections = excluded.sections, trail = excluded.trail, state = excluded.state,
                    -- A hand-over without a name (blank) keeps the one known (`renaming`).
                    \(Self.renaming("unit_name", keptIn: "former_unit_names", to: "excluded.unit_name")),
                    \(Self.renaming("applicant_name", keptIn: "former_applicant_names", to: "excluded.applicant_name")),
                    received_at = excluded.received_at, chain = excluded.chain, source_submission = excluded.source_submission, version = version + 1,
                    -- A hand-over without the unit's code (a city of an older version) keeps one known.
                    unit_code = coalesce(excluded.unit_code, received_applications.unit_code)
                """, [source.rawValue, sourceID, message.messageID, givenName(payload["applicant_name"]) ?? "", givenNumber(payload["id_number"]) ?? "",
                      givenName(payload["unit_name"]) ?? "", payload["year"] as? Int ?? 0, payload["series"] as? String ?? "",
                      payload["level"] as? String ?? "", payload["title"] as? String ?? "", payload["sections"] as? String ?? "{}",
                      payload["trail"] as? String ?? "[]", now, kind.rawValue, payload["specialty"] as? String, try ApplicationService.encode(review),
                      state, payload["submission"] as? Int, (payload["unit_code"] as? String).flatMap { $0.isEmpty ? nil : $0 }])
            if existing == nil { try inheritFormerNames(of: sourceID, from: source, conn) }
        }
        let receivedID = try conn.scalar("SELECT id FROM received_applications WHERE source_tenant = ? AND source_application_id = ?", [source.rawValue, sourceID])?.int ?? 0
        try enqueue("application.received", id: "\(target):application.received:\(message.messageID)", to: source.rawValue,
                    payload: ["source_application_id": sourceID, "province_application_id": receivedID], conn)
        if let existing, existing["acted"].int == 1 {
            // Its names are copies: a hand-over again (by a city restored to before the first
            // one) carries the ones the city uses now, which a correction made since did not send.
            _ = try renameCopies(unit: givenName(payload["unit_name"]), code: (payload["unit_code"] as? String) ?? "",
                                 applicant: givenName(payload["applicant_name"]), of: "id = ?", [existing["id"].int ?? 0], now: now, conn)
            let facts = EvaluationService.Facts(series: existing["series"].string ?? "", level: TitleLevel(rawValue: existing["level"].string ?? "") ?? .senior,
                                                source: (source.rawValue, sourceID))
            // The office's own review steps first, as they went the first time (the city
            // keeps each step once: `province_decisions` is matched on its time).
            let steps = try conn.query("SELECT stage, decision, comment, sections, reason, submission, at FROM received_decisions WHERE received_id = ? ORDER BY id",
                                       [existing["id"].int ?? 0])
            let bodies = steps.map { step in
                ProvinceReview.stepBody(
                    stage: ReviewStage(rawValue: step["stage"].string ?? "") ?? .handler, decision: ReviewDecision(rawValue: step["decision"].string ?? "") ?? .pass,
                    comment: step["comment"].string ?? "", sections: AccountRecord.strings(step["sections"]) ?? [],
                    reason: step["reason"].string.flatMap(ReturnReason.init(rawValue:)), at: step["at"].double ?? 0,
                    // Each on the submission it was on (a step of an earlier round stays with it).
                    submission: step["submission"].int ?? payload["submission"] as? Int ?? 0)
            }
            for body in bodies {
                try EvaluationService.enqueueBack(facts, kind: "application.province-review", body: body, conn)
            }
            // Sent back for changes (and handed over again with the same submission, by a city
            // restored to before the return): the return again.
            if existing["state"].string == "returned", let last = steps.last, last["decision"].string == ReviewDecision.return.rawValue {
                try EvaluationService.enqueueBack(facts, kind: "application.returned", body: ProvinceReview.returnBody(
                    sections: AccountRecord.strings(last["sections"]) ?? [], reason: last["reason"].string.flatMap(ReturnReason.init(rawValue:)) ?? .other,
                    comment: last["comment"].string ?? "", submission: payload["submission"] as? Int ?? 0), conn)
            }
            if let time = existing["interview_time"].string, let place = existing["interview_place"].string {
                try EvaluationService.enqueueBack(facts, kind: "application.interview",
                                                  body: ["committee": existing["committee"].string ?? "",
                                                         "interview": EvaluationService.interviewNotice(time: time, place: place)], conn)
            }
            if let result = existing["notice_result"].string, existing["state"].string == "publicity", let until = existing["publicity_until"].double {
                let notice = try EvaluationService.enqueueBack(facts, kind: "application.publicity",
                                                               body: ["result": result, "committee": existing["committee"].string ?? "", "note": existing["note"].string ?? "",
                                                                      "publicity_until": until], conn)
                try conn.run("UPDATE evaluations SET notice = ? WHERE received_id = ?", [notice, existing["id"].int ?? 0])
            }
            if ["rejected", "passed"].contains(existing["state"].string ?? ""), let last = steps.last, let body = bodies.last,
               let end = ProvinceOfficeEnd(kind: ApplicationKind(rawValue: existing["kind"].string ?? "") ?? .title,
                                           stage: ReviewStage(rawValue: last["stage"].string ?? "") ?? .handler,
                                           decision: ReviewDecision(rawValue: last["decision"].string ?? "") ?? .pass) {
                // Ended by the office's review (turned down; an expert admitted): that step ends it
                // in the city (not a committee's result).
                try EvaluationService.enqueueBack(facts, kind: end.messageKind, body: body, conn)
            } else if let result = existing["result"].string, ["final", "passed", "rejected"].contains(existing["state"].string ?? "") {
                try EvaluationService.enqueueBack(facts, kind: "application.result", body: ["result": result, "committee": existing["committee"].string ?? "",
                                                                                           "note": existing["note"].string ?? ""], conn)
            }
        }
        try conn.appendTenantAudit(AuditEntry(actor: "relay", action: existing?["acted"].int == 1 ? .applicationReceiveAgain : .applicationReceive,
                                        target: "received_application:\(receivedID)", detail: #"{"from":"\#(source)","source_application_id":\#(sourceID)}"#,
                                        source: "tenant:\(source)"))
        return true
    }

    /// A committee's 说明 as an answer of the province carries it (`application.publicity`,
    /// `application.result`; held to `FreeText.resultNote` on arrival by `RelayedText`), as
    /// written; nil when the message has none (a province of an earlier version sent none), ""
    /// when the committee gave none.
    static func note(_ payload: [String: Any]) -> String? {
        (payload["note"] as? String).map { FreeText.isBlank($0) ? "" : $0 }
    }

    /// A step of the province office's own review on the city's application `id`, as `payload`
    /// (`ProvinceReview.stepBody`) gives it, with `decision`, into its trail and 评审表
    /// (`province_decisions`). A step the province sends again (to a city restored to a backup,
    /// with the hand-over repeated; a rejection after its step) is kept once: the same step at
    /// the same time.
    static func provinceStep(_ id: Int, _ payload: [String: Any], decision: String, _ conn: SQLiteConnection) throws {
        let submission = payload["submission"] as? Int ?? 0
        let stage = payload["stage"] as? String ?? "handler"
        let at = (payload["at"] as? NSNumber)?.doubleValue ?? Date().timeIntervalSince1970
        try conn.run("""
            INSERT INTO province_decisions (application_id, submission, office, stage, decision, comment, sections, reason, at)
            SELECT ?, CASE WHEN ? > 0 THEN ? ELSE (SELECT submissions FROM applications WHERE id = ?) END, ?, ?, ?, ?, ?, ?, ?
            WHERE NOT EXISTS (SELECT 1 FROM province_decisions WHERE application_id = ? AND stage = ? AND decision = ? AND at = ?)
            """, [id, submission, submission, id, payload["office"] as? String ?? "省职改办", stage, decision, payload["comment"] as? String ?? "",
                  jsonArray(payload["sections"] as? [String] ?? []), payload["reason"] as? String, at,
                  id, stage, decision, at])
    }

    /// The province receives an objection a person of the city lodged against its result
    /// while it stood in public notice; its state on arrival is `RelayedObjection.arrival`.
    /// The person who lodged it learns its state on arrival (`objection.resolved`): open
    /// for the office, or already closed. Its evidence files, carried in the message, are
    /// stored with it (`EvaluationService.storeRelayedEvidence`). Returns whether that answer
    /// was queued.
    static func lodge(_ message: Message, _ payload: [String: Any], from source: TenantID, now at: Double, _ conn: SQLiteConnection) throws -> Bool {
        let sourceID = payload["source_application_id"] as? Int ?? 0
        guard let evaluation = try conn.query("""
            SELECT e.id, e.state, e.notice FROM received_applications r JOIN evaluations e ON e.received_id = r.id
            WHERE r.source_tenant = ? AND r.source_application_id = ?
            """, [source.rawValue, sourceID]).first, let evaluationID = evaluation["id"].int else {
            try conn.appendTenantAudit(AuditEntry(actor: "relay", action: .relayUnapplied, target: "message:\(message.messageID)",
                                            detail: #"{"kind":"objection.lodge","reason":"no result of the province on this application"}"#, source: "tenant:\(source)"))
            return false
        }
        let now: RelayedObjection.Evaluation = switch evaluation["state"].string {
        case "publicity": .publicity
        case "final": .final
        default: .pending
        }
        let (state, reason) = RelayedObjection.arrival(now, sameNotice: evaluation["notice"].string == (payload["notice"] as? String ?? ""))
        // The person and their org in the city (the city itself is `source_tenant`), as an objection
        // lodged here names its person (`Objector.displayName`).
        let lodgedBy = Objector.displayName(payload["lodged_by"] as? String ?? "", org: givenName(payload["org_name"]) ?? source.rawValue)
        try conn.run("""
            INSERT INTO objections (evaluation_id, lodged_by, source_tenant, message_id, text, evidence, state, reason, created_at, resolved_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [evaluationID, lodgedBy, source.rawValue, message.messageID, payload["text"] as? String ?? "", payload["evidence"] as? String ?? "",
                  state, reason, (payload["lodged_at"] as? NSNumber)?.doubleValue ?? at, state == "open" ? nil : at])
        let objection = Int(conn.lastInsertRowID)
        // Its evidence files came in the message: stored with it, once, as the message is taken in once.
        let files = try EvaluationService.storeRelayedEvidence(payload["files"], objection: objection, conn)
        let filesDetail = (files.stored > 0 ? #","files":\#(files.stored)"# : "") + (files.refused > 0 ? #","files_refused":\#(files.refused)"# : "")
        try conn.appendTenantAudit(AuditEntry(actor: "relay", action: .objectionLodge, target: "objection:\(objection)",
                                        detail: #"{"evaluation":\#(evaluationID),"state":"\#(state)"\#(filesDetail)}"#, source: "tenant:\(source)"))
        let committee = try conn.scalar("SELECT c.name FROM evaluations e JOIN committees c ON c.id = e.committee_id WHERE e.id = ?", [evaluationID])?.string ?? ""
        try EvaluationService.answerObjection(objection, facts: EvaluationService.Facts(series: "", level: .senior, source: (source.rawValue, sourceID)),
                                              committee: committee, conn)
        return true
    }

    /// The city learns how the province resolved an objection to its result: the objection
    /// a person of the city sent moves on (only forward: `ObjectionState.advances`), and a
    /// dismissal enters the application's trail.
    static func objectionResolved(_ message: Message, _ payload: [String: Any], from source: TenantID, now: Double, _ conn: SQLiteConnection) throws {
        let id = payload["source_application_id"] as? Int ?? 0
        guard let state = ObjectionState(rawValue: payload["state"] as? String ?? "") else {
            throw ZhichengError.internal("objection.resolved with an unknown state")
        }
        let reason = payload["reason"] as? String ?? ""
        if let sent = payload["objection_message_id"] as? String,
           let current = try conn.scalar("SELECT state FROM sent_objections WHERE message_id = ?", [sent])?.string.flatMap(ObjectionState.init(rawValue:)),
           current.advances(to: state) {
            try conn.run("UPDATE sent_objections SET state = ?, reason = ?, resolved_at = ? WHERE message_id = ?",
                         [state.rawValue, (reason.isEmpty ? nil : reason) as String?, (state == .open ? nil : now) as Double?, sent])
        }
        if state == .dismissed, try awaitingProvince(id, message, from: source, conn) {
            try step(id, .objectionDismissed, payload, detail: reason, conn)
        }
        try conn.appendTenantAudit(AuditEntry(actor: "relay", action: .objectionResolved, target: "application:\(id)",
                                        detail: #"{"province":"\#(source)","state":"\#(state.rawValue)"}"#, source: "tenant:\(source)"))
    }

    /// A step of the province's committee on the city's application `id`, in its trail.
    static func step(_ id: Int, _ event: CommitteeEvent, _ payload: [String: Any], detail: String, _ conn: SQLiteConnection) throws {
        var committee = payload["committee"] as? String ?? ""
        if committee.isEmpty { committee = try conn.scalar("SELECT committee_name FROM applications WHERE id = ?", [id])?.string ?? "" }
        try EvaluationService.appendStep(id, event, office: payload["office"] as? String ?? "省职改办", committee: committee, actor: nil, detail: detail, conn)
    }

    /// Whether the city's application `id` waits for the province, the only state in which
    /// the province's answers about it apply. It may not: the city was restored to a backup
    /// taken before it handed the application over. The message is then kept in the inbox
    /// and written to the audit log (`relay.unapplied`), but not applied, and never blocks
    /// the messages behind it: the city hands the application over again, and the province
    /// answers again.
    static func awaitingProvince(_ id: Int, _ message: Message, from source: TenantID, _ conn: SQLiteConnection) throws -> Bool {
        let state = try conn.scalar("SELECT state FROM applications WHERE id = ?", [id])?.string
        guard state != ApplicationState.awaitingProvince.rawValue else { return true }
        try conn.appendTenantAudit(AuditEntry(actor: "relay", action: .relayUnapplied, target: "application:\(id)",
                                        detail: #"{"kind":"\#(message.kind)","message_id":\#(jsonString(message.messageID)),"state":\#(state.map(jsonString) ?? "null")}"#,
                                        source: "tenant:\(source)"))
        return false
    }
}
