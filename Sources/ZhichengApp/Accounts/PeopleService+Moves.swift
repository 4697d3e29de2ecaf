import Foundation
import ZhichengCore
import ZhichengStorage

/// 人员调动 (`ApplicantMove`): the unit a person leaves offers the move, the unit named accepts
/// or declines it, the offering one may cancel it while it waits; an accepted one moves the
/// account with its drafts and tells the province when it holds an expert recommendation of
/// the person (`applicant.moved`).
extension PeopleService {
    /// A move one unit offered another (`ApplicantMove`), as both units' lists show it.
    public struct MoveOffer: Sendable {
        public var id: Int
        public var accountID: Int
        public var name: String
        /// The ID-card number: whole for the unit the person is in, masked for the other.
        public var login: String
        public var from: ApplicantMove.Target
        public var to: ApplicantMove.Target
        public var state: ApplicantMove.State
        public var offeredAt: Double
    }

    /// What an accepted move did.
    public struct ApplicantMoved: Sendable {
        public var offer: MoveOffer
        /// The account, now of the unit moved to.
        public var account: AccountRecord
        /// Drafts that went with the person.
        public var draftsMoved: Int
        /// Applications under way that stay with the unit that declared them.
        public var stayingUnderWay: Int
    }

    /// 调出: the admin of the unit an applicant is in offers their move to the unit of the
    /// tenant whose 单位编号 is `unitCode`; nothing moves until that unit accepts
    /// (`acceptMove`). One waiting offer per person.
    public func offerMove(_ accountID: Int, toUnit unitCode: String, caller: SignedIn) async throws -> MoveOffer {
        try Access.requireOrgAdmin(caller)
        let code = try ApplicantMove.unitCode(unitCode)
        return try await store.write(caller) { conn in
            try Access.requireApprovedOrg(caller, conn)
            guard let account = try conn.account(accountID), account.kind == .applicant, account.orgID == caller.orgID else {
                throw ZhichengError.notFound("本单位没有该申报人")
            }
            guard let org = try conn.org(code: code) else { throw ZhichengError.invalid("没有单位编号为 \(code) 的单位", field: "unit_code") }
            try ApplicantMove.check(from: account.orgID, to: Self.target(org))
            try ApplicantMove.checkUnderWay(name: account.name, expertRecommendationsUnderWay: try Self.expertRecommendationsUnderWay(account.id, conn))
            if let waiting = try conn.query("""
                SELECT o.name, o.code FROM applicant_moves m JOIN orgs o ON o.id = m.to_org_id WHERE m.account_id = ? AND m.state = 'pending'
                """, [account.id]).first {
                throw ZhichengError.conflict("\(account.name)已有待\(waiting["name"].string ?? "")（单位编号\(waiting["code"].string ?? "")）接收的调动，请先撤销")
            }
            try conn.run("INSERT INTO applicant_moves (account_id, from_org_id, to_org_id, offered_by, offered_at) VALUES (?, ?, ?, ?, ?)",
                         [account.id, account.orgID, org.id, caller.accountID, Date().timeIntervalSince1970])
            let id = Int(conn.lastInsertRowID)
            guard let offer = try Self.moveOffer(id, viewer: caller.orgID, conn) else { throw ZhichengError.notFound("没有这个调动") }
            try conn.appendAudit(caller.audit(.applicantMoveOffer, target: "account:\(account.id)", detail: Self.moveDetail(offer)))
            return offer
        }
    }

    /// The caller's unit's waiting moves: those it offered (`outgoing`) and those offered to
    /// it (`incoming`), oldest first.
    public func moves(caller: SignedIn) async throws -> (outgoing: [MoveOffer], incoming: [MoveOffer]) {
        try Access.requireOrgAdmin(caller)
        return try await store.read(caller) { conn in
            try Access.requireApprovedOrg(caller, conn)
            func waiting(_ column: String) throws -> [MoveOffer] {
                try conn.query("SELECT id FROM applicant_moves WHERE \(column) = ? AND state = 'pending' ORDER BY id", [caller.orgID])
                    .compactMap { try Self.moveOffer($0["id"].int ?? 0, viewer: caller.orgID, conn) }
            }
            return (try waiting("from_org_id"), try waiting("to_org_id"))
        }
    }

    /// 调入: the unit a move was offered to accepts it. The account moves with their drafts,
    /// whose route the unit's place in the tree becomes (shown at once; a first submission
    /// takes the tree as it is then); what they submitted stays with its route.
    public func acceptMove(_ moveID: Int, caller: SignedIn) async throws -> ApplicantMoved {
        try Access.requireOrgAdmin(caller)
        let (moved, told) = try await store.write(caller) { conn -> (ApplicantMoved, Bool) in
            try Access.requireApprovedOrg(caller, conn)
            guard var offer = try Self.moveOffer(moveID, viewer: caller.orgID, conn), offer.to.id == caller.orgID else {
                throw ZhichengError.notFound("没有这个调动")
            }
            offer.state = try offer.state.decide(.accepted)
            // One waiting offer per person, a deleted person's cancelled: they are where it was offered from.
            guard let account = try conn.account(offer.accountID), account.kind == .applicant, account.orgID == offer.from.id else {
                throw ZhichengError.conflict("该调动已失效：\(offer.name)已不在\(offer.from.name)")
            }
            // One submitted since the offer: the offering unit may cancel, or wait for its end.
            try ApplicantMove.checkUnderWay(name: account.name, expertRecommendationsUnderWay: try Self.expertRecommendationsUnderWay(account.id, conn))
            let now = Date().timeIntervalSince1970
            var moved = 0, staying = 0
            for row in try conn.query("SELECT id, kind, level, state FROM applications WHERE applicant_id = ? ORDER BY id", [account.id]) {
                // A row this build cannot read is left where it is.
                guard let state = ApplicationState(rawValue: row["state"].string ?? ""), ApplicantMove.goesWithPerson(state),
                      let kind = ApplicationKind(rawValue: row["kind"].string ?? ""), let level = TitleLevel(rawValue: row["level"].string ?? "") else {
                    if ApplicationState(rawValue: row["state"].string ?? "")?.underWay == true { staying += 1 }
                    continue
                }
                let chain = try ApplicationService.newChain(kind: kind, level: level, unit: offer.to.id, conn)
                try conn.run("UPDATE applications SET org_id = ?, chain = ?, version = version + 1, updated_at = ? WHERE id = ?",
                             [offer.to.id, try ApplicationService.encode(chain), now, row["id"].int ?? 0])
                moved += 1
            }
            try conn.run("UPDATE accounts SET org_id = ? WHERE id = ?", [offer.to.id, account.id])
            try Self.decided(offer, by: caller, at: now, conn)
            offer.login = account.login   // theirs now
            try conn.appendAudit(caller.audit(.applicantMove, target: "account:\(account.id)",
                                              detail: Self.moveDetail(offer, extra: #","drafts":\#(moved),"staying":\#(staying)"#)))
            let told = try Self.tellProvinceOfMove(account, to: offer.to, moveID: offer.id, tenant: caller.tenant, conn)
            return (ApplicantMoved(offer: offer, account: try conn.account(account.id) ?? account, draftsMoved: moved, stayingUnderWay: staying), told)
        }
        if told { relay?.kick(caller.tenant) }
        return moved
    }

    /// Tells the province, in the move's transaction, the unit a person works at now when it
    /// holds an expert application of theirs (an expert of its 专家信息库 may have been admitted
    /// from it: same-unit 回避 follows the unit). Their title applications keep the unit that
    /// declared them, at the province as here. Returns whether a message was written.
    static func tellProvinceOfMove(_ account: AccountRecord, to unit: ApplicantMove.Target, moveID: Int, tenant: TenantID,
                                   _ conn: SQLiteConnection) throws -> Bool {
        let experts = try CrossTenantRelay.handedOver(.expertsOf(applicant: account.id), conn)
        guard !experts.isEmpty else { return false }
        try CrossTenantRelay.enqueue("applicant.moved", id: CrossTenantRelay.messageID(tenant.rawValue, "applicant.moved", moveID),
                                     to: CrossTenantRelay.provinceTarget,
                                     payload: ["source_application_ids": experts, "id_number": account.login, "unit_code": unit.code, "name": unit.name], conn)
        return true
    }

    /// 不接收: the unit a move was offered to declines it; the person stays where they are.
    public func declineMove(_ moveID: Int, caller: SignedIn) async throws -> MoveOffer {
        try await settle(moveID, as: .declined, action: .applicantMoveDecline, caller: caller) { $0.to.id }
    }

    /// 撤销: the unit that offered a move takes it back while it waits.
    public func cancelMove(_ moveID: Int, caller: SignedIn) async throws -> MoveOffer {
        try await settle(moveID, as: .cancelled, action: .applicantMoveCancel, caller: caller) { $0.from.id }
    }

    /// Ends a waiting move as `state`, by the admin of the unit `side` names.
    private func settle(_ moveID: Int, as state: ApplicantMove.State, action: AuditAction, caller: SignedIn,
                        side: @escaping @Sendable (MoveOffer) -> Int) async throws -> MoveOffer {
        try Access.requireOrgAdmin(caller)
        return try await store.write(caller) { conn in
            try Access.requireApprovedOrg(caller, conn)
            guard var offer = try Self.moveOffer(moveID, viewer: caller.orgID, conn), side(offer) == caller.orgID else {
                throw ZhichengError.notFound("没有这个调动")
            }
            offer.state = try offer.state.decide(state)
            try Self.decided(offer, by: caller, at: Date().timeIntervalSince1970, conn)
            try conn.appendAudit(caller.audit(action, target: "account:\(offer.accountID)", detail: Self.moveDetail(offer)))
            return offer
        }
    }

    /// Cancels a waiting move because of `reason` (the person or the unit named deleted), in
    /// the caller's transaction, audited as a cancel at the unit that offered it.
    static func cancelWaiting(_ moveID: Int, reason: String, by caller: SignedIn, _ conn: SQLiteConnection) throws -> MoveOffer? {
        guard var offer = try moveOffer(moveID, viewer: caller.orgID, conn), offer.state == .pending else { return nil }
        offer.state = .cancelled
        try decided(offer, by: caller, at: Date().timeIntervalSince1970, conn)
        try conn.appendAudit(caller.audit(.applicantMoveCancel, target: "account:\(offer.accountID)",
                                          detail: moveDetail(offer, extra: #","reason":\#(jsonString(reason))"#), orgID: offer.from.id))
        return offer
    }

    private static func decided(_ offer: MoveOffer, by caller: SignedIn, at time: Double, _ conn: SQLiteConnection) throws {
        let changed = try conn.run("UPDATE applicant_moves SET state = ?, decided_by = ?, decided_at = ? WHERE id = ? AND state = 'pending'",
                                   [offer.state.rawValue, caller.accountID, time, offer.id])
        guard changed == 1 else { throw ZhichengError.conflict("该调动已办理，请刷新后查看") }
    }

    /// The person's expert recommendations (专家推荐) under way: in review in the city, returned
    /// to them, or with the province.
    private static func expertRecommendationsUnderWay(_ accountID: Int, _ conn: SQLiteConnection) throws -> Int {
        try conn.scalar("SELECT count(*) FROM applications WHERE applicant_id = ? AND kind = 'expert' AND state IN (\(ApplicationState.underWaySQL))",
                        [accountID])?.int ?? 0
    }

    private static func target(_ org: OrgRecord) -> ApplicantMove.Target {
        ApplicantMove.Target(id: org.id, code: org.code, name: org.name, approved: org.isApproved)
    }

    /// A move as `viewer`'s unit sees it: the ID-card number whole only where the person is.
    static func moveOffer(_ id: Int, viewer: Int, _ conn: SQLiteConnection) throws -> MoveOffer? {
        guard let row = try conn.query("""
            SELECT m.id, m.account_id, a.name, a.login, a.org_id, m.from_org_id, f.code AS from_code, f.name AS from_name,
                   m.to_org_id, t.code AS to_code, t.name AS to_name, t.parent_id AS to_parent, t.profile_state AS to_profile, m.state, m.offered_at
            FROM applicant_moves m JOIN accounts a ON a.id = m.account_id JOIN orgs f ON f.id = m.from_org_id JOIN orgs t ON t.id = m.to_org_id
            WHERE m.id = ?
            """, [id]).first else { return nil }
        let login = row["login"].string ?? ""
        return MoveOffer(
            id: row["id"].int ?? 0, accountID: row["account_id"].int ?? 0, name: row["name"].string ?? "",
            login: row["org_id"].int == viewer ? login : IDCardNumber.maskedIfOne(login),
            from: .init(id: row["from_org_id"].int ?? 0, code: row["from_code"].string ?? "", name: row["from_name"].string ?? "", approved: true),
            to: .init(id: row["to_org_id"].int ?? 0, code: row["to_code"].string ?? "", name: row["to_name"].string ?? "",
                      approved: OrgRecord.isApproved(parentID: row["to_parent"].int,
                                                     profileState: ProfileState(rawValue: row["to_profile"].string ?? "") ?? .draft)),
            state: ApplicantMove.State(rawValue: row["state"].string ?? "") ?? .pending, offeredAt: row["offered_at"].double ?? 0)
    }

    /// An audit row's detail: the person (masked number), both units, and `extra` members.
    private static func moveDetail(_ offer: MoveOffer, extra: String = "") -> String {
        let from = offer.from.name + "（" + offer.from.code + "）", to = offer.to.name + "（" + offer.to.code + "）"
        return #"{"name":\#(jsonString(offer.name)),"login":\#(jsonString(IDCardNumber.maskedIfOne(offer.login))),"#
            + #""from_unit":\#(jsonString(from)),"to_unit":\#(jsonString(to))"# + extra + "}"
    }
}
