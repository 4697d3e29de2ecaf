import Foundation
import Logging
import ZhichengCore
import ZhichengStorage

/// An account created with its one-time password (shown once).
public struct CreatedAccount: Sendable {
    public var account: AccountRecord
    public var password: String
}

/// One row of a CSV import that could not be taken, and why.
public struct ImportProblem: Sendable, Equatable {
    public var row: Int
    public var message: String
}

/// 本单位人员角色管理 and 创建申报人员账户 (manual §4, §5): the staff who review
/// and the applicants who apply, each managed by their own org's admin.
public struct PeopleService: Sendable {
    let store: TenantStore
    let hasher: PasswordHasher
    /// Carries an applicant's new name to the province, which holds applications of theirs
    /// (`renameApplicant`).
    let relay: CrossTenantRelay?
    /// The series names reviewers may be limited to (the catalog).
    let knownSeries: Set<String>
    static let logger = Logger(label: "zhicheng.people")

    public init(store: TenantStore, hasher: PasswordHasher = .init(), relay: CrossTenantRelay? = nil,
                knownSeries: Set<String> = Set(TitleCatalog.henan.series.map(\.name))) {
        self.store = store
        self.hasher = hasher
        self.relay = relay
        self.knownSeries = knownSeries
    }

    // MARK: Staff

    /// An org's staff accounts, as `applicants` lists applicants (the province office's are
    /// its experts too: thousands).
    public func staff(of orgID: Int, search: String? = nil, limit: Int? = nil, after: Int? = nil, caller: SignedIn) async throws -> AccountPage {
        try await accounts(of: orgID, kind: .staff, search: search, limit: limit, after: after, caller: caller)
    }

    /// Adds a staff member, disabled until 启动 and without roles.
    public func addStaff(to orgID: Int, login rawLogin: String, name rawName: String, phone rawPhone: String, caller: SignedIn) async throws -> CreatedAccount {
        try Access.requireOrgAdmin(caller)
        let login = try StaffLogin.validate(rawLogin)
        guard !login.allSatisfy(\.isNumber), !(login.count == 18 && login.dropLast().allSatisfy(\.isNumber)) else {
            throw ZhichengError.invalid("登录名不能是纯数字或身份证号的样子（这些留给单位编号和申报人）", field: "login")
        }
        let name = try TenantInfo.validateName(rawName)
        let phone = try ContactValidation.optionalPhone(rawPhone)
        return try await createAccount(orgID: orgID, login: login, name: name, phone: phone, kind: .staff, enabled: false, caller: caller)
    }

    public func updateStaff(_ accountID: Int, name: String?, phone: String?, caller: SignedIn) async throws -> AccountRecord {
        try await updateContact(accountID, kind: .staff, name: name, phone: phone, caller: caller)
    }

    /// 启动 / 停用. A disabled account cannot sign in and its sessions end at once.
    public func setEnabled(_ accountID: Int, _ enabled: Bool, caller: SignedIn) async throws -> AccountRecord {
        try await mutate(accountID, kind: .staff, action: enabled ? .staffEnable : .staffDisable, caller: caller) { conn, account in
            try conn.run("UPDATE accounts SET enabled = ? WHERE id = ?", [enabled, account.id])
            if !enabled { try conn.run("DELETE FROM sessions WHERE account_id = ?", [account.id]) }
        }
    }

    /// 设置角色: 经办人 and/or 负责人.
    public func setRoles(_ accountID: Int, _ rawRoles: [String], caller: SignedIn) async throws -> AccountRecord {
        let roles = try StaffRole.parse(rawRoles)
        return try await mutate(accountID, kind: .staff, action: .staffRoles, detail: #"{"roles":\#(jsonArray(roles.map(\.rawValue)))}"#, caller: caller) { conn, account in
            try conn.run("UPDATE accounts SET roles = ? WHERE id = ?", [jsonArray(roles.map(\.rawValue)), account.id])
        }
    }

    /// 设置角色审查权限: the series and content sections a reviewer may see.
    public func setPermissions(_ accountID: Int, series: [String], sections: [String], caller: SignedIn) async throws -> AccountRecord {
        try Access.requireOrgAdmin(caller)
        let (s, c) = try permissions(series: series, sections: sections)
        return try await mutate(accountID, kind: .staff, action: .staffPermissions, detail: Self.permissionsDetail(s, c), caller: caller) { conn, account in
            try conn.run("UPDATE accounts SET permitted_series = ?, permitted_sections = ? WHERE id = ?", [jsonArray(s), jsonArray(c), account.id])
        }
    }

    /// 设置角色和审查权限 at once, as the staff page's one form sends them: roles, series and
    /// sections in one transaction, each of the two audited as its own action (`staff.roles`,
    /// `staff.permissions`, as when set apart) when it changed. Anything refused changes nothing.
    public func setReviewAccess(_ accountID: Int, roles rawRoles: [String], series: [String], sections: [String],
                                caller: SignedIn) async throws -> AccountRecord {
        try Access.requireOrgAdmin(caller)
        let roles = try StaffRole.parse(rawRoles)
        let (s, c) = try permissions(series: series, sections: sections)
        return try await store.write(caller) { conn in
            let account = try Self.ownAccount(accountID, kind: .staff, caller: caller, conn)
            if Set(account.roles) != Set(roles) {
                try conn.run("UPDATE accounts SET roles = ? WHERE id = ?", [jsonArray(roles.map(\.rawValue)), account.id])
                try conn.appendAudit(caller.audit(.staffRoles, target: "account:\(accountID)", detail: #"{"roles":\#(jsonArray(roles.map(\.rawValue)))}"#))
            }
            if Set(account.permittedSeries) != Set(s) || Set(account.permittedSections) != Set(c) {
                try conn.run("UPDATE accounts SET permitted_series = ?, permitted_sections = ? WHERE id = ?", [jsonArray(s), jsonArray(c), account.id])
                try conn.appendAudit(caller.audit(.staffPermissions, target: "account:\(accountID)", detail: Self.permissionsDetail(s, c)))
            }
            return try conn.account(accountID) ?? account
        }
    }

    /// Review permissions as kept: known series (each once, in the order given) and known
    /// sections (in the application's order); an unknown one is refused, naming it.
    func permissions(series: [String], sections: [String]) throws(ZhichengError) -> (series: [String], sections: [String]) {
        for name in series where !knownSeries.contains(name) {
            throw ZhichengError.invalid("未知的系列：\(name.prefix(30))", field: "series")
        }
        let known = Set(ApplicationSection.allCases.map(\.rawValue))
        for name in sections where !known.contains(name) {
            throw ZhichengError.invalid("未知的内容：\(name.prefix(30))（可选：\(ApplicationSection.allCases.map(\.rawValue).joined(separator: "、"))）", field: "sections")
        }
        let s = Array(NSOrderedSet(array: series)) as? [String] ?? series
        return (s, ApplicationSection.allCases.map(\.rawValue).filter(sections.contains))
    }

    static func permissionsDetail(_ series: [String], _ sections: [String]) -> String {
        #"{"series":\#(jsonArray(series)),"sections":\#(jsonArray(sections))}"#
    }

    public func deleteStaff(_ accountID: Int, caller: SignedIn) async throws {
        _ = try await mutate(accountID, kind: .staff, action: .staffDelete, caller: caller) { conn, account in
            try conn.retireAccount(account.id)
        }
    }

    // MARK: Applicants

    /// One page of an org's applicant accounts and how many match in all.
    public struct AccountPage: Sendable {
        public var accounts: [AccountRecord]
        public var total: Int
        /// The `after` of the next page; nil on the last.
        public var next: Int?
    }

    /// An org's applicant accounts in the order they were made: those whose name holds
    /// `search` or whose login (ID-card number) it is (as the status query finds a person), one page
    /// of `limit` (1–500; nil: all of them, as the API has always answered) after the account
    /// `after`. A hospital has thousands of applicants: its page must not carry them all.
    public func applicants(of orgID: Int, search: String? = nil, limit: Int? = nil, after: Int? = nil,
                           caller: SignedIn) async throws -> AccountPage {
        try await accounts(of: orgID, kind: .applicant, search: search, limit: limit, after: after, caller: caller)
    }

    /// One page of an org's accounts of `kind` for its own admin, found by name or login.
    private func accounts(of orgID: Int, kind: AccountKind, search rawSearch: String?, limit: Int?, after: Int?,
                          caller: SignedIn) async throws -> AccountPage {
        let search = rawSearch?.trimmingInvisibles() ?? ""
        guard search.count <= 40 else { throw ZhichengError.invalid("查询不超过40个字", field: "q") }
        let paging = limit.map { Paging($0, maximum: 500) }
        return try await store.read(caller) { conn in
            try Access.requireApprovedOrg(caller, conn)
            _ = try Access.ownOrg(orgID, caller: caller, conn)
            let (rows, total) = try conn.accounts(of: orgID, kind: kind, matching: search.isEmpty ? nil : ApplicationService.personFilter(search),
                                                  after: after ?? 0, limit: paging?.rowsToRead)
            let (shown, next) = paging?.cut(rows, cursor: \.id) ?? (rows, nil)
            return AccountPage(accounts: shown, total: total, next: next)
        }
    }

    /// Adds an applicant who signs in with the ID-card number (unique in the tenant).
    public func addApplicant(to orgID: Int, idNumber: String, name rawName: String, phone rawPhone: String, caller: SignedIn) async throws -> CreatedAccount {
        try Access.requireOrgAdmin(caller)
        let applicant = try Self.checkedApplicant(idNumber: idNumber, name: rawName, phone: rawPhone)
        return try await createAccount(orgID: orgID, login: applicant.login, name: applicant.name, phone: applicant.phone, kind: .applicant, enabled: true,
                                       caller: caller)
    }

    /// An applicant as 添加 and each row of an import give one: the ID-card number (the login),
    /// the name and the phone, checked and normalized.
    static func checkedApplicant(idNumber: String, name: String, phone: String) throws(ZhichengError) -> (login: String, name: String, phone: String) {
        (try IDCardNumber(idNumber).rawValue, try TenantInfo.validateName(name), try ContactValidation.optionalPhone(phone))
    }

    public func updateApplicant(_ accountID: Int, name: String?, phone: String?, caller: SignedIn) async throws -> AccountRecord {
        try await updateContact(accountID, kind: .applicant, name: name, phone: phone, caller: caller)
    }

    /// Deletes an applicant's account, refused while one of their applications is still on
    /// its way: nobody could resubmit or withdraw it, and a returned one would hold its plan
    /// place for ever.
    public func deleteApplicant(_ accountID: Int, caller: SignedIn) async throws {
        _ = try await mutate(accountID, kind: .applicant, action: .applicantDelete, caller: caller) { conn, account in
            let live = try conn.scalar("SELECT count(*) FROM applications WHERE applicant_id = ? AND state IN (\(ApplicationState.underWaySQL))",
                                       [account.id])?.int ?? 0
            guard live == 0 else { throw ZhichengError.conflict("\(account.name)还有\(live)份申报在审查、退回修改或评审中，不能删除") }
            // A move offered and not yet accepted ends with them (audited as a cancel is).
            if let waiting = try conn.scalar("SELECT id FROM applicant_moves WHERE account_id = ? AND state = 'pending'", [account.id])?.int {
                _ = try Self.cancelWaiting(waiting, reason: "申报人账户已删除", by: caller, conn)
            }
            try conn.retireAccount(account.id)
        }
    }

    /// Rows one applicant import may hold.
    static let maxImportRows = 5000

    /// Bulk import from CSV (`身份证号,姓名,手机号`, a header row allowed): every
    /// valid row is created, every other row reported with its reason.
    public func importApplicants(to orgID: Int, csv: String, caller: SignedIn) async throws -> (created: [CreatedAccount], problems: [ImportProblem]) {
        // Access first: a caller who may not manage the org learns nothing from the file.
        try Access.requireOrgAdmin(caller)
        try await store.read(caller) { conn in
            try Access.requireApprovedOrg(caller, conn)
            _ = try Access.ownOrg(orgID, caller: caller, conn)
        }
        // The rows allowed, a header row besides; read no further than one more.
        let rows = try CSVTable.parse(csv, stopAfter: Self.maxImportRows + 2)
        guard rows.count <= Self.maxImportRows + 1 else { throw ZhichengError(.tooLarge, "一次最多导入\(Self.maxImportRows)行") }
        var problems: [ImportProblem] = []
        // Every row checked as 添加 checks one, before anything is hashed or written.
        var valid: [(line: Int, login: String, name: String, phone: String)] = []
        for (index, row) in rows.enumerated() {
            let cells = row.cells.map { $0.trimmingCharacters(in: .whitespaces) }
            if index == 0, cells.first.map({ $0.contains("身份证") || $0.lowercased().contains("id") }) == true { continue }
            guard cells.count >= 2, cells.count <= 3 else {
                problems.append(ImportProblem(row: row.line, message: "每行应为：身份证号,姓名,手机号（手机号可空）"))
                continue
            }
            do throws(ZhichengError) {
                let applicant = try Self.checkedApplicant(idNumber: cells[0], name: cells[1], phone: cells.count > 2 ? cells[2] : "")
                valid.append((row.line, applicant.login, applicant.name, applicant.phone))
            } catch {
                problems.append(ImportProblem(row: row.line, message: error.message))
            }
        }
        // A number that has an account, or came earlier in the file, is refused before its hash.
        let taken = try await store.read(caller) { [valid] conn in Set(try valid.map(\.login).filter { try conn.takenLogin($0) != nil }) }
        var seen: Set<String> = []
        var fresh: [(line: Int, login: String, name: String, phone: String)] = []
        for row in valid {
            if taken.contains(row.login) || !seen.insert(Login.folded(row.login)).inserted {
                problems.append(ImportProblem(row: row.line, message: Self.taken(row.login, by: row.login, .applicant).message))
            } else {
                fresh.append(row)
            }
        }
        // The slow hashes on every hasher thread at once (not one row after another: a 5,000-row
        // file took minutes, longer than a proxy waits, and its one-time passwords were lost),
        // then the accounts written a few hundred to a transaction.
        let hashed = try await withThrowingTaskGroup(of: (Int, String, String).self) { group in
            var out: [(Int, String, String)] = []
            for (index, _) in fresh.enumerated() {
                if index >= Self.importHashesAtOnce, let done = try await group.next() { out.append(done) }
                group.addTask { [hasher] in
                    let password = OneTimePassword.generate()
                    return (index, password, try await hasher.hash(password))
                }
            }
            for try await done in group { out.append(done) }
            return out.sorted { $0.0 < $1.0 }
        }
        var created: [CreatedAccount] = []
        for start in stride(from: 0, to: fresh.count, by: Self.importRowsPerTransaction) {
            let part = Array(start..<min(start + Self.importRowsPerTransaction, fresh.count)).map { (fresh[$0], hashed[$0].1, hashed[$0].2) }
            let written: ([CreatedAccount], [ImportProblem])
            do {
                // A write of a later part failing (tests: as a full disk would make it).
                if start > 0 { try FaultInjection.failure("import.later-part") }
                written = try await store.write(caller) { conn -> ([CreatedAccount], [ImportProblem]) in
                    try Access.requireApprovedOrg(caller, conn)
                    _ = try Access.ownOrg(orgID, caller: caller, conn)
                    var made: [CreatedAccount] = [], refused: [ImportProblem] = []
                    for (row, password, hash) in part {
                        // Made elsewhere since it was looked up.
                        if let holder = try conn.takenLogin(row.login) {
                            refused.append(ImportProblem(row: row.line, message: Self.taken(row.login, by: holder, .applicant).message))
                            continue
                        }
                        made.append(try Self.insertAccount(orgID: orgID, login: row.login, name: row.name, phone: row.phone, kind: .applicant, enabled: true,
                                                           hash: hash, password: password, caller: caller, conn))
                    }
                    return (made, refused)
                }
            } catch {
                // The accounts already written stand, and their one-time passwords are shown;
                // this part and the rest are reported, to be imported again.
                let why = (error as? ZhichengError).flatMap { $0.code == .internal ? nil : $0.message } ?? "写入失败"
                if why == "写入失败" {
                    // Not the file's fault: the cause is for the log, as for any internal error.
                    Self.logger.error("applicant import cut short", metadata: [
                        "tenant.id": "\(caller.tenant)", "org.id": "\(orgID)", "written": "\(created.count)", "not_written": "\(fresh.count - start)",
                        "error": "\((error as? ZhichengError)?.message ?? "\(error)")"])
                }
                problems += fresh[start...].map { ImportProblem(row: $0.line, message: "未导入（\(why)），请稍后重新导入该行") }
                break
            }
            created += written.0
            problems += written.1
        }
        return (created, problems.sorted { $0.row < $1.row })
    }

    /// Hashes an import runs at once: enough to keep every hasher thread busy.
    static let importHashesAtOnce = 16
    /// Accounts an import writes in one transaction (one durable commit).
    static let importRowsPerTransaction = 250

    // MARK: Shared

    /// 编辑: a person's name and phone (nil keeps the current value).
    private func updateContact(_ accountID: Int, kind: AccountKind, name: String?, phone: String?, caller: SignedIn) async throws -> AccountRecord {
        try Access.requireOrgAdmin(caller)
        let name = try name.map { (n: String) throws(ZhichengError) in try TenantInfo.validateName(n) }
        let phone = try phone.map { (p: String) throws(ZhichengError) in try ContactValidation.optionalPhone(p) }
        let tenant = caller.tenant
        let (updated, told) = try await changing(accountID, kind: kind, action: kind == .staff ? .staffUpdate : .applicantUpdate,
                                                 caller: caller) { conn, account -> Bool in
            try conn.run("UPDATE accounts SET phone = ? WHERE id = ?", [phone ?? account.phone, account.id])
            guard let name, name != account.name else { return false }
            guard account.kind == .applicant else {
                try conn.run("UPDATE accounts SET name = ? WHERE id = ?", [name, account.id])
                // An expert of the province's 专家信息库 signs in with an account of its office:
                // the entry names them as the account does (the draw, the sessions, the lists).
                try conn.run("UPDATE experts SET name = ? WHERE account_id = ?", [name, account.id])
                return false
            }
            return try Self.renameApplicant(account, to: name, tenant: tenant, conn)
        }
        if told { relay?.kick(caller.tenant) }
        return updated
    }

    /// Gives an applicant their new name (a correction by their unit's admin, 编辑), in the
    /// caller's transaction. The one place an applicant's name changes, so that the province
    /// learns it: the city's own rows follow the account (the `applications.applicant_name`
    /// triggers), but a hand-over to the province copied the name. If the city handed over an
    /// application of the person (`CrossTenantRelay.handedOver`), `applicant.renamed` goes to the province in this transaction, naming those
    /// applications and the ID-card number (the login, which never changes): the province's
    /// copies (its received applications, and the 专家信息库 entry of an expert admitted from
    /// one) take the name. What was decided keeps its names (the trail carries no applicant's
    /// name; a recorded draw keeps its recorded inputs). Returns whether a message was written
    /// (the caller kicks the relay).
    static func renameApplicant(_ account: AccountRecord, to name: String, tenant: TenantID, _ conn: SQLiteConnection) throws -> Bool {
        try conn.run("UPDATE accounts SET name = ? WHERE id = ?", [name, account.id])
        let handedOver = try CrossTenantRelay.handedOver(.ofApplicant(account.id), conn)
        guard !handedOver.isEmpty else { return false }
        try CrossTenantRelay.enqueue("applicant.renamed", id: CrossTenantRelay.messageID(tenant.rawValue, "applicant.renamed", account.id),
                                     to: CrossTenantRelay.provinceTarget,
                                     payload: ["source_application_ids": handedOver, "id_number": account.login, "name": name], conn)
        return true
    }

    private func createAccount(orgID: Int, login: String, name: String, phone: String, kind: AccountKind, enabled: Bool, caller: SignedIn) async throws -> CreatedAccount {
        // A login already taken is refused before the slow hash (an import sent twice hashed
        // a password for every row it then refused); the write checks again.
        try await store.read(caller) { conn in
            try Access.requireApprovedOrg(caller, conn)
            _ = try Access.ownOrg(orgID, caller: caller, conn)
            if let holder = try conn.takenLogin(login) { throw Self.taken(login, by: holder, kind) }
        }
        let password = OneTimePassword.generate()
        let hash = try await hasher.hash(password)
        return try await store.write(caller) { conn in
            try Access.requireApprovedOrg(caller, conn)
            _ = try Access.ownOrg(orgID, caller: caller, conn)
            if let holder = try conn.takenLogin(login) { throw Self.taken(login, by: holder, kind) }
            return try Self.insertAccount(orgID: orgID, login: login, name: name, phone: phone, kind: kind, enabled: enabled, hash: hash, password: password,
                                          caller: caller, conn)
        }
    }

    /// Writes a new account with its audit row, in the caller's transaction (its login free).
    private static func insertAccount(orgID: Int, login: String, name: String, phone: String, kind: AccountKind, enabled: Bool, hash: String,
                                      password: String, caller: SignedIn, _ conn: SQLiteConnection) throws -> CreatedAccount {
        try conn.run("INSERT INTO accounts (org_id, login, name, kind, password_hash, must_change_password, enabled, phone, created_at) VALUES (?,?,?,?,?,1,?,?,?)",
                     [orgID, login, name, kind.rawValue, hash, enabled, phone, Date().timeIntervalSince1970])
        let id = Int(conn.lastInsertRowID)
        try conn.appendAudit(caller.audit(kind == .applicant ? .applicantCreate : .staffCreate, target: "account:\(id)",
                                          detail: #"{"login":\#(jsonString(IDCardNumber.maskedIfOne(login))),"name":\#(jsonString(name))}"#))
        return CreatedAccount(account: try conn.account(id)!, password: password)
    }

    /// The refusal of `login`, which the live account with login `holder` has, in whatever
    /// case (`SQLiteConnection.takenLogin`): with `Zhang.Wei` taken, `zhang.wei` is too (sign-in
    /// would find the one account by either).
    private static func taken(_ login: String, by holder: String, _ kind: AccountKind) -> ZhichengError {
        if kind == .applicant { return .conflict("身份证号 \(login) 已有账户") }
        return .conflict(holder == login ? "登录名 \(login) 已被使用" : "登录名 \(login) 已被使用（登录名不区分大小写，已有 \(holder)）")
    }

    /// Loads an account of `kind` belonging to the caller's org (only its own admin
    /// manages it), applies `change` and audits it, in one transaction.
    private func mutate(_ accountID: Int, kind: AccountKind, action: AuditAction, detail: String = "{}", caller: SignedIn,
                        _ change: @escaping @Sendable (SQLiteConnection, AccountRecord) throws -> Void) async throws -> AccountRecord {
        try await changing(accountID, kind: kind, action: action, detail: detail, caller: caller) { conn, account -> Bool in
            try change(conn, account)
            return false
        }.account
    }

    /// `mutate`, answering also what `change` returns.
    private func changing<Result: Sendable>(_ accountID: Int, kind: AccountKind, action: AuditAction, detail: String = "{}", caller: SignedIn,
                                            _ change: @escaping @Sendable (SQLiteConnection, AccountRecord) throws -> Result) async throws
        -> (account: AccountRecord, result: Result) {
        try Access.requireOrgAdmin(caller)
        return try await store.write(caller) { conn in
            let account = try Self.ownAccount(accountID, kind: kind, caller: caller, conn)
            let result = try change(conn, account)
            try conn.appendAudit(caller.audit(action, target: "account:\(accountID)", detail: detail))
            return (try conn.account(accountID) ?? account, result)
        }
    }

    /// An account of the caller's own org, of `kind` (404 otherwise, as for an account of
    /// another org), read inside the write that changes it; the caller's org approved.
    private static func ownAccount(_ accountID: Int, kind: AccountKind, caller: SignedIn, _ conn: SQLiteConnection) throws -> AccountRecord {
        try Access.requireApprovedOrg(caller, conn)
        guard let account = try conn.account(accountID), account.kind == kind, account.orgID == caller.orgID else {
            throw ZhichengError.notFound(kind == .staff ? "本单位没有该人员" : "本单位没有该申报人")
        }
        return account
    }

}
