import Foundation
import ZhichengCore
import ZhichengStorage

extension EvaluationService {
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
            guard chain.state.atOrPastCommittee else { throw ZhichengError.conflict("该申报尚未到评委会（状态：\(chain.state.label)）") }
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
        guard let committee = try coverage(of: caller.orgID, conn)(facts.series, facts.level.rawValue) else {
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
    /// (in the caller's transaction): under the caller's office, with the seal the office has
    /// now (schema v45), which the 评审表 stamps on the committee's opinion dated by this step.
    /// The province's steps reach the city's trail through the relay (`CrossTenantRelay.apply`).
    static func appendStep(_ id: Int, _ event: CommitteeEvent, committee: String, detail: String, caller: SignedIn, _ conn: SQLiteConnection) throws {
        let office = try conn.org(caller.orgID)
        try appendStep(id, event, office: office?.name ?? "", committee: committee,
                       actor: try conn.account(caller.accountID)?.name, detail: detail, sealOf: office.map { ($0.id, $0.sealFileID) }, conn)
    }

    /// `sealOf`: the office whose step it is and its seal then (nil for the province's steps
    /// relayed to a city, which holds nothing of the province's seal).
    static func appendStep(_ id: Int, _ event: CommitteeEvent, office: String, committee: String, actor: String?, detail: String,
                           sealOf: (office: Int, seal: Int?)? = nil, _ conn: SQLiteConnection) throws {
        try conn.run("""
            INSERT INTO committee_steps (application_id, office, committee, actor_name, event, detail, at, office_id, office_seal_file_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [id, office, committee, actor, event.rawValue, detail, Date().timeIntervalSince1970, sealOf?.office, sealOf?.seal])
    }

    /// How the trail words a result entering public notice.
    static func resultDetail(_ result: String, until: Double, note: String) -> String {
        "\(result)，公示至 \(ChinaTime.end(until))" + (note.isEmpty ? "" : "；\(note)")
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
        e.id AS evaluation_id, e.committee_id, c.name AS committee, e.interview_time, e.interview_place, e.result, e.note, e.state AS evaluation_state,
        e.publicity_until, (SELECT count(*) FROM objections o WHERE o.evaluation_id = e.id AND o.state = 'open') AS open_objections
        """

    /// The evaluation in a row read with `recordColumns`; nil when the row has none.
    static func record(_ r: SQLiteRow) -> EvaluationRecord? {
        guard let id = r["evaluation_id"].int else { return nil }
        return EvaluationRecord(id: id, committee: r["committee"].string ?? "", interviewTime: r["interview_time"].string, interviewPlace: r["interview_place"].string,
                                result: r["result"].string, note: r["note"].string, state: r["evaluation_state"].string ?? "",
                                publicityUntil: r["publicity_until"].double, openObjections: r["open_objections"].int ?? 0,
                                committeeID: r["committee_id"].int ?? 0)
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
