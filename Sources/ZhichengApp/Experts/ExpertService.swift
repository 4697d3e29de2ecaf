import Foundation
import ZhichengCore
import ZhichengStorage


/// One expert of the database (专家信息库).
public struct ExpertRecord: Sendable {
    public var id: Int
    public var accountID: Int
    public var name: String
    public var idNumber: String
    public var series: String
    public var specialty: String
    public var title: String
    public var level: String
    public var unitName: String
    /// The unit's code (单位编号) in `sourceTenant`, copied from the expert application at
    /// admission; nil for experts admitted before schema v22 or handed over without it.
    public var unitCode: String?
    public var sourceTenant: String
    public var relations: [String]
    /// active, suspended or retired.
    public var state: String
    public var createdAt: Double

    /// The record for office staff who are not its admin: the ID-card number masked, the
    /// relations (names and ID-card numbers of others) left out.
    var withoutPersonalData: ExpertRecord {
        var record = self
        record.idNumber = IDCardNumber.masked(idNumber)
        record.relations = []
        return record
    }

    public var stateLabel: String { (ExpertState(rawValue: state) ?? .retired).label }

    init(row: SQLiteRow) {
        id = row["id"].int ?? 0
        accountID = row["account_id"].int ?? 0
        name = row["name"].string ?? ""
        idNumber = row["id_number"].string ?? ""
        series = row["series"].string ?? ""
        specialty = row["specialty"].string ?? ""
        title = row["title"].string ?? ""
        level = row["level"].string ?? ""
        unitName = row["unit_name"].string ?? ""
        unitCode = row["unit_code"].string
        sourceTenant = row["source_tenant"].string ?? ""
        relations = AccountRecord.strings(row["relations"]) ?? []
        state = row["state"].string ?? ""
        createdAt = row["created_at"].double ?? 0
    }
}

/// What the province office's final 通过 of an expert application produced.
public struct ExpertDecisionOutcome: Sendable {
    public var application: ProvinceReviewView
    /// The new expert and the one-time password of their account (shown once).
    public var expert: ExpertRecord?
    public var password: String?
}

/// 专家推荐审查 at the province and the expert database (SPEC §8, manual §10).
/// The city part of an expert application (unit, then 主管单位) runs through
/// `ApplicationService` like any application; when the 主管单位 passes it, it
/// crosses to the province through the relay, and here the 省职改办 reviews it,
/// 经办人 then 负责人. Once passed, the person is an expert of the database and
/// signs in to the province tenant with an account of the office (no review roles).
public struct ExpertService: Sendable {
    let store: TenantStore
    let hasher: PasswordHasher
    let relay: CrossTenantRelay?

    public init(store: TenantStore, hasher: PasswordHasher = .init(), relay: CrossTenantRelay? = nil) {
        self.store = store
        self.hasher = hasher
        self.relay = relay
    }

    // MARK: Province review of expert applications

    /// Expert applications received by the province, a page at a time (`limit` 1–500, newest
    /// first; `before`: the `next` of the page before): for a reviewer, those of their series
    /// (`waitingOnly`: only those waiting for their step); for the office admin, all of them.
    /// `search`: only those whose applicant's or unit's name holds it (`ProvinceReview.nameSearch`).
    public func applications(caller: SignedIn, waitingOnly: Bool = false, limit: Int = 200, before: Int? = nil, search: String? = nil) async throws -> ProvinceReviewPage {
        let pattern = try ProvinceReview.nameSearch(search)
        return try await store.read(caller) { conn in
            try ProvinceReview.page(.expert, caller: caller, waitingOnly: waitingOnly, limit: limit, before: before, matching: pattern, conn)
        }
    }

    /// How many of them wait for the caller's step (首页's 待办).
    public func waiting(caller: SignedIn) async throws -> Int {
        try await store.read(caller) { conn in try ProvinceReview.waitingCount(.expert, caller: caller, conn) }
    }

    public func application(_ id: Int, caller: SignedIn) async throws -> ProvinceReviewView {
        try await store.read(caller) { conn in try ProvinceReview.readable(id, .expert, caller: caller, conn) }
    }

    /// 通过 or 未通过 by the office's handler, then its leader (four eyes). The
    /// leader's 通过 puts the person in the expert database; either final answer
    /// flows back to the applicant's city.
    public func decide(_ id: Int, decision rawDecision: String, comment rawComment: String, version: Int?, step rawStep: String? = nil,
                       caller: SignedIn) async throws -> ExpertDecisionOutcome {
        guard caller.kind == .staff, !caller.roles.isEmpty else { throw ZhichengError(.forbidden, "只有省职改办的经办人或负责人可以审查专家推荐") }
        // The account of a new expert needs a hash; made before the transaction, used only on a
        // final 通过. Made for every 通过: which step this is is known only in the transaction (the
        // caller's roles may change meanwhile, a handler's 通过 costs a hash it does not need).
        let password = OneTimePassword.generate()
        let hash = rawDecision == ReviewDecision.pass.rawValue ? try await hasher.hash(password) : ""
        let (outcome, final) = try await store.write(caller) { conn -> (ExpertDecisionOutcome, Bool) in
            if try ProvinceReview.isRepeat(id, .expert, decision: rawDecision, version: version, step: rawStep, caller: caller, conn) {
                // Recorded once. The 负责人's 通过 admitted the expert with a one-time password shown
                // in the first answer, which a double click replaced on the screen: the same form
                // sent again (with its version) by that 负责人, still one, within minutes of the
                // admission and before the account was used, shows a new one-time password (the
                // first no longer works). Later, or otherwise, it is the sysadmin's reset.
                // Used: signed in to (a sign-out leaves no session behind, the audit log keeps its
                // `session.create`), or given a password by the sysadmin (`account.reset-password`:
                // the person may hold it; a new one here would void it). The audit rows since the
                // admission, found from the log's end: a few minutes of it. Not for an account since disabled
                // or deleted, nor an expert suspended or retired since. The admission's time is its audit
                // row's: a person admitted again after retiring keeps the account they had, if it is still there.
                let me = try Self.requireProvinceOffice(caller, conn)
                var expert: ExpertRecord?
                if !hash.isEmpty, version != nil, me.roles.contains(.leader), let admitted = try conn.query("""
                    SELECT e.id, e.account_id FROM experts e JOIN accounts a ON a.id = e.account_id
                    JOIN audit x ON x.seq = (SELECT seq FROM audit WHERE action = 'expert.admit' AND target = 'expert:' || e.id ORDER BY seq DESC LIMIT 1)
                    WHERE e.received_id = ? AND a.must_change_password = 1 AND x.at > ? AND a.enabled = 1 AND a.deleted_at IS NULL AND e.state = 'active'
                    AND NOT EXISTS (SELECT 1 FROM audit WHERE target = 'account:' || a.id AND action IN ('session.create', 'account.reset-password')
                        AND seq > x.seq)
                    """, [id, Date().timeIntervalSince1970 - Self.reissueWindowSeconds]).first,
                   let expertID = admitted["id"].int, let account = admitted["account_id"].int {
                    try conn.resetPassword(accountID: account, oneTimeHash: hash)
                    try conn.appendAudit(caller.audit(.expertPasswordReissued, target: "expert:\(expertID)", detail: #"{"account":\#(account)}"#))
                    expert = try Self.expert(expertID, conn)
                }
                return (ExpertDecisionOutcome(application: try ProvinceReview.view(id, .expert, me: me, conn), expert: expert,
                                              password: expert == nil ? nil : password), false)
            }
            let step = try ProvinceReview.decide(id, .expert, decision: rawDecision, comment: rawComment, version: version, step: rawStep, caller: caller, conn)
            var expert: ExpertRecord?
            var final = true
            switch step.action {
            case .completedInTenant:
                guard !hash.isEmpty else { throw ZhichengError.internal("missing password hash for the new expert") }
                expert = try Self.admit(id, row: step.row, passwordHash: hash, caller: caller, conn)
                try step.update(state: "passed", result: "通过", conn)
                // Admitted by the office's 负责人审查, not by a committee: the city ends it at that
                // step, 已入库（专家信息库） (`application.province-admitted`).
                try step.sendEnd(conn)
            case .rejected:
                // Turned down by the office's review, not by a committee: the city ends it at that step.
                try step.update(state: "rejected", result: "未通过", conn)
                try step.sendEnd(conn)
            default:
                try step.update(state: "received", result: nil, conn)
                final = false
            }
            return (ExpertDecisionOutcome(application: try ProvinceReview.view(id, .expert, me: step.me, conn), expert: expert,
                                          password: expert == nil ? nil : password), final)
        }
        // The final answer's crash point (the city learns the result); every step goes to the city's trail.
        if final { FaultInjection.point("expert-decide.after-commit") }
        relay?.kick(caller.tenant)
        return outcome
    }

    /// How long after an expert's admission the admitting 负责人's repeated 通过 may show a new
    /// one-time password (a double click's answer replaced the first).
    static let reissueWindowSeconds: Double = 600

    /// Enters the person of an expert application into the database, with an account. A person
    /// who retired from it (退出) comes back in the entry they had (one per ID-card number): its
    /// particulars those of this recommendation, active again, signing in with the account they
    /// had (its name this application's, a new one-time password, enabled again) or, if the
    /// office deleted that account meanwhile, a new one. The relations (回避关系) they declared
    /// stay: they are about the person, and avoid more rather than less.
    static func admit(_ receivedID: Int, row: SQLiteRow, passwordHash: String, caller: SignedIn, _ conn: SQLiteConnection) throws -> ExpertRecord {
        let idNumber = row["id_number"].string ?? ""
        if try !Self.inLibrary([idNumber], conn).isEmpty { throw Self.alreadyInLibrary(idNumber) }
        let name = row["applicant_name"].string ?? ""
        let now = Date().timeIntervalSince1970
        let retired = try conn.query("SELECT id, account_id FROM experts WHERE id_number = ?", [idNumber]).first
        let formerAccount = try retired?["account_id"].int.flatMap { try conn.account($0) }   // nil: deleted since
        let account: Int
        if let formerAccount {
            try conn.resetPassword(accountID: formerAccount.id, oneTimeHash: passwordHash)
            try conn.run("UPDATE accounts SET name = ?, enabled = 1 WHERE id = ?", [name, formerAccount.id])
            account = formerAccount.id
        } else {
            guard try conn.takenLogin(idNumber) == nil else {
                throw ZhichengError.conflict("省职改办已有登录名为 \(idNumber) 的账户，不能再为该专家建立账户")
            }
            guard let root = try conn.rootOrg() else { throw ZhichengError.internal("the province tenant has no office") }
            try conn.run("INSERT INTO accounts (org_id, login, name, kind, password_hash, must_change_password, enabled, phone, created_at) VALUES (?, ?, ?, 'staff', ?, 1, 1, '', ?)",
                         [root.id, idNumber, name, passwordHash, now])
            account = Int(conn.lastInsertRowID)
        }
        let particulars: [any SQLiteBindable] = [account, receivedID, name, idNumber, row["series"].string ?? "", row["specialty"].string ?? "",
                                                 row["title"].string ?? "", row["level"].string ?? "", row["unit_name"].string ?? "", row["unit_code"].string,
                                                 row["source_tenant"].string ?? "", now]
        let expert: Int
        if let former = retired?["id"].int {
            try conn.run("""
                UPDATE experts SET account_id = ?1, received_id = ?2, name = ?3, id_number = ?4, series = ?5, specialty = ?6, title = ?7, level = ?8,
                    unit_name = ?9, unit_code = ?10, source_tenant = ?11, updated_at = ?12, state = 'active' WHERE id = ?13
                """, particulars + [former])
            expert = former
        } else {
            try conn.run("""
                INSERT INTO experts (account_id, received_id, name, id_number, series, specialty, title, level, unit_name, unit_code, source_tenant, created_at, updated_at)
                VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12)
                """, particulars)
            expert = Int(conn.lastInsertRowID)
        }
        let again = retired == nil ? "" : #","again":true"#
        try conn.appendAudit(caller.audit(.expertAdmit, target: "expert:\(expert)", detail: #"{"account":\#(account),"received_application":\#(receivedID)\#(again)}"#))
        return try Self.expert(expert, conn)
    }

    // MARK: Who is in the database

    /// The one refusal of a recommendation of someone the 专家信息库 already holds (active or
    /// suspended: `ExpertState.isInLibrary`): at its creation and its submission in the city
    /// (`requireNotInLibrary`), and at the province 负责人's admission (`admit`), should the
    /// person have joined meanwhile.
    static func alreadyInLibrary(_ idNumber: String) -> ZhichengError {
        .conflict("身份证号 \(idNumber) 的人员已在专家库中，不能再推荐为专家")
    }

    /// Those of `idNumbers` the database holds (`ExpertState.isInLibrary`): an expert suspended
    /// is still in it, one retired has left it (and may be recommended and admitted again).
    static func inLibrary(_ idNumbers: Set<String>, _ conn: SQLiteConnection) throws -> Set<String> {
        guard !idNumbers.isEmpty else { return [] }
        let numbers = Array(idNumbers)
        return Set(try conn.query("""
            SELECT DISTINCT id_number FROM experts WHERE id_number IN (\(numbers.map { _ in "?" }.joined(separator: ","))) AND state IN (\(ExpertState.inLibrarySQL))
            """, numbers).compactMap { $0["id_number"].string })
    }

    /// Those of `idNumbers` the province's database holds, read from any tenant (a city's
    /// recommendation is made and reviewed there, the database is the province's: read as
    /// `TenantService.provinceHolds` reads the province). Empty without a province; nil when
    /// the province cannot be read now (suspended, being restored): then nothing is refused for
    /// it, as the province's own admission refuses the person anyway.
    static func inLibrary(_ idNumbers: Set<String>, store: TenantStore) async -> Set<String>? {
        guard !idNumbers.isEmpty else { return [] }
        let raw: String?
        do { raw = try await store.registry.provinceID() } catch { return nil }
        guard let raw, let province = try? TenantID(raw) else { return [] }
        return try? await store.withTenant(province) { db in try await db.read { conn in try inLibrary(idNumbers, conn) } }
    }

    /// Refuses (409) a recommendation of the person of `login` (an applicant's: their ID-card
    /// number) when the province's database holds them: at its creation and its submission,
    /// not only at the province 负责人's last step after every level passed it.
    static func requireNotInLibrary(_ login: String, store: TenantStore) async throws {
        let number = idNumber(ofLogin: login)
        if await inLibrary([number], store: store)?.isEmpty == false { throw alreadyInLibrary(number) }
    }

    /// A city applicant's ID-card number as the province's database holds it: the login
    /// (`<number>` or, kept for history, `<number>#deleted-<id>`) read as the hand-over's
    /// `id_number` is (`CrossTenantRelay.givenNumber`).
    static func idNumber(ofLogin login: String) -> String {
        IDCardNumber.normalized(IDCardNumber.personNumber(ofLogin: login))
    }

    // MARK: The expert database

    /// One page of a search of the database, and how many match in all.
    public struct ExpertPage: Sendable {
        public var experts: [ExpertRecord]
        public var total: Int
        /// The `after` of the next page; nil on the last.
        public var next: Int?
    }

    /// Rows on one page of 专家信息库.
    public static let expertPageSize = 200

    /// Searches the database by series, specialty (substring) and state, in the order experts
    /// were admitted: every one, or one page of `limit` (1–500; `after`: the `next` of the page
    /// before), and the count of all that match. A province has thousands: none is out of reach.
    public func experts(series: String?, specialty: String?, state: String?, limit: Int? = nil, after: Int? = nil,
                        caller: SignedIn) async throws -> ExpertPage {
        if let state, !state.isEmpty, ExpertState(rawValue: state) == nil { throw ExpertState.unknown }
        let paging = limit.map { Paging($0, maximum: 500) }
        return try await store.read(caller) { conn in
            _ = try Self.requireProvinceOffice(caller, conn)
            var filter = ""
            var args: [any SQLiteBindable] = []
            if let series, !series.isEmpty { filter += " AND series = ?"; args.append(series) }
            if let specialty, !specialty.isEmpty { filter += " AND instr(specialty, ?) > 0"; args.append(specialty) }
            if let state, !state.isEmpty { filter += " AND state = ?"; args.append(state) }
            let total = try conn.scalar("SELECT count(*) FROM experts WHERE 1 = 1" + filter, args)?.int ?? 0
            let rows = try conn.query("SELECT * FROM experts WHERE id > ?" + filter + " ORDER BY id" + (paging == nil ? "" : " LIMIT ?"),
                                      [after ?? 0] + args + (paging.map { [$0.rowsToRead] } ?? [])).map(ExpertRecord.init(row:))
            let (records, next) = paging?.cut(rows, cursor: \.id) ?? (rows, nil)
            // The office's admin manages the database; its other staff find experts by name,
            // series and specialty, without their ID-card numbers or whom they must avoid.
            return ExpertPage(experts: caller.kind == .orgAdmin ? records : records.map(\.withoutPersonalData), total: total, next: next)
        }
    }

    /// Suspends (暂停), retires (退出) or reinstates an expert; the office admin only.
    public func setState(_ id: Int, state: String, reason rawReason: String, caller: SignedIn) async throws -> ExpertRecord {
        try Access.requireOrgAdmin(caller)
        guard let newState = ExpertState(rawValue: state) else { throw ExpertState.unknown }
        let reason = state == "active" ? try FreeText.expertStateReason.validate(rawReason) : try FreeText.expertStateReason.require(rawReason, else: "请填写暂停或退出的理由")
        return try await store.write(caller) { conn in
            _ = try Self.requireProvinceOffice(caller, conn, admin: true)
            let before = try Self.expert(id, conn)
            guard before.state != "retired" else { throw ZhichengError.conflict("该专家已退出专家库") }
            guard before.state != state else { return before }
            try conn.run("UPDATE experts SET state = ?, updated_at = ? WHERE id = ?", [state, Date().timeIntervalSince1970, id])
            // A retired or suspended expert cannot sign in to judge.
            try conn.run("UPDATE accounts SET enabled = ? WHERE id = ?", [state == "active", before.accountID])
            if state != "active" { try conn.run("DELETE FROM sessions WHERE account_id = ?", [before.accountID]) }
            try conn.appendAudit(caller.audit(.expert(newState), target: "expert:\(id)", detail: #"{"reason":\#(jsonString(reason))}"#))
            return try Self.expert(id, conn)
        }
    }

    /// Declared relations (回避关系): names, ID-card numbers or units the expert must
    /// not judge. The office admin or the expert may set them.
    public func setRelations(_ id: Int, relations raw: [String], caller: SignedIn) async throws -> ExpertRecord {
        // Each a line of free text (`FreeText.relation`: trimmed of what nobody sees); a number as
        // sign-in reads it (full width, in groups, a lower-case x), so that the draw's comparison
        // finds the applicant's.
        let relations = try raw.map { IDCardNumber.normalizedIfOne(try FreeText.relation.validate($0)) }.filter { !$0.isEmpty }
        guard relations.count <= 50 else { throw ZhichengError.invalid("回避关系最多50项", field: "relations") }
        return try await store.write(caller) { conn in
            let before = try Self.expert(id, conn)
            if before.accountID != caller.accountID { _ = try Self.requireProvinceOffice(caller, conn, admin: true) }
            try conn.run("UPDATE experts SET relations = ?, updated_at = ? WHERE id = ?", [jsonArray(relations), Date().timeIntervalSince1970, id])
            try conn.appendAudit(caller.audit(.expertRelations, target: "expert:\(id)", detail: #"{"count":\#(relations.count)}"#))
            return try Self.expert(id, conn)
        }
    }

    /// The caller's own expert record, if the caller is an expert.
    public func me(caller: SignedIn) async throws -> ExpertRecord? {
        try await store.read(caller) { conn in
            try conn.query("SELECT * FROM experts WHERE account_id = ?", [caller.accountID]).first.map(ExpertRecord.init(row:))
        }
    }

    // MARK: Helpers

    /// The caller's account, if it belongs to the province office (the root org of
    /// the province tenant) and is not an expert's; `admin` demands its admin.
    @discardableResult
    static func requireProvinceOffice(_ caller: SignedIn, _ conn: SQLiteConnection, admin: Bool = false) throws -> AccountRecord {
        guard try conn.scalar("SELECT value FROM tenant_meta WHERE key = 'kind'")?.string == TenantKind.province.rawValue,
              let root = try conn.rootOrg(), root.id == caller.orgID, caller.kind != .applicant,
              let me = try conn.account(caller.accountID) else {
            throw ZhichengError(.forbidden, "只有省职改办的人员可以进行此操作")
        }
        guard try conn.scalar("SELECT count(*) FROM experts WHERE account_id = ?", [caller.accountID])?.int == 0 else {
            throw ZhichengError(.forbidden, "评审专家账户只能参加评审")
        }
        if admin { try Access.requireOrgAdmin(caller) }
        return me
    }

    static func expert(_ id: Int, _ conn: SQLiteConnection) throws -> ExpertRecord {
        guard let row = try conn.query("SELECT * FROM experts WHERE id = ?", [id]).first else { throw ZhichengError.notFound("专家库中没有这位专家") }
        return ExpertRecord(row: row)
    }

}
