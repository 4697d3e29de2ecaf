import Foundation
import ZhichengCore
import ZhichengStorage

/// A signed-in account, as every tenant use case receives it.
public struct SignedIn: Sendable, Equatable {
    public var tenant: TenantID
    public var accountID: Int
    public var orgID: Int
    public var login: String
    public var name: String
    public var kind: AccountKind
    public var roles: [StaffRole]
    /// The series a reviewer may review (read afresh with every request, like the roles).
    public var permittedSeries: [String]
    public var mustChangePassword: Bool
    /// The session's CSRF token, for form posts from the web UI.
    public var csrfToken: String
    /// Where the request came from (client address), for the audit log.
    public var source: String
    /// The session this account was signed in by (its token's SHA-256 hex, the key of
    /// `sessions`): each transaction made for the request checks it is still there
    /// (`TenantStore.read/write(caller)`).
    let sessionHash: String
    /// The tenant's epoch when the request was let in (`Registry.epoch`, taken before its
    /// session was read): each of its reads is made only under that same one.
    let epoch: UInt64

    init(tenant: TenantID, account: AccountRecord, csrfToken: String, sessionHash: String, epoch: UInt64, source: String) {
        self.tenant = tenant
        accountID = account.id
        orgID = account.orgID
        login = account.login
        name = account.name
        kind = account.kind
        roles = account.roles
        permittedSeries = account.permittedSeries
        mustChangePassword = account.mustChangePassword
        self.csrfToken = csrfToken
        self.sessionHash = sessionHash
        self.epoch = epoch
        self.source = source
    }

    var principal: Principal { Principal(name: "account:\(accountID)", source: source) }

    func audit(_ action: AuditAction, target: String, detail: String = "{}", orgID: Int? = nil) -> AuditEntry {
        AuditEntry(actor: AccountRecord.auditActor(id: accountID, login: login), orgID: orgID ?? self.orgID, action: action, target: target,
                   detail: detail, source: source)
    }
}

extension TenantStore {
    /// Runs `body` in a read transaction of the caller's tenant, if the tenant is still in the
    /// epoch the request was let in under (`Registry.epoch`, from memory: no query, no wait). A
    /// restore (which needs a suspension) or an archive and a create under the id again change
    /// it: a request let in before must not be shown what the restored or new file holds under
    /// its account id, which may now be someone else's (401, as for an ended session; 503 while
    /// the tenant is out of service). A sign-out or a password reset meanwhile does not stop a
    /// read (it shows the same person what they could read a moment before); it stops a write.
    func read<T: Sendable>(_ caller: SignedIn, _ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await read(caller) { conn, _ in try body(conn) }
    }

    /// `read`, with what the services learned about the open database (`OpenFacts`).
    func read<T: Sendable>(_ caller: SignedIn, _ body: @escaping @Sendable (SQLiteConnection, OpenFacts) throws -> T) async throws -> T {
        let registry = self.registry
        try caller.requireEpoch(registry)   // archived: the store would say "has no database file"
        return try await withTenant(caller.tenant) { db in
            // Again with the tenant leased: no restore can change its file while the read runs.
            let facts = db.facts
            return try await db.read { conn in
                try caller.requireEpoch(registry)
                return try body(conn, facts)
            }
        }
    }

    /// Runs `body` as one durable unit of work in the caller's tenant, if in that same
    /// transaction the tenant is still active (else 503, as any request to a suspended
    /// tenant) and the caller's session is still there, unexpired, for an enabled account
    /// (else 401, as for any ended session). The request was authenticated before (its body
    /// read since, at the client's pace; passwords hashed; plugin steps run): a sign-out, a
    /// password reset, a disabling, a suspension, a restore (which ends every session, and
    /// may give the account id to someone else), an archive and a re-create of the tenant
    /// meanwhile must not be overtaken by it. Two primary-key lookups and a lookup in memory,
    /// in the transaction the write is in: no other transaction, no other thread.
    ///
    /// Operator commands (the admin socket, acting as a `Principal`), the relay and the
    /// background work have no session and do not come here.
    func write<T: Sendable>(_ caller: SignedIn, _ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await write(caller) { conn, _ in try body(conn) }
    }

    /// `write`, with what the services learned about the open database (`OpenFacts`): a write
    /// that makes a fact true notes it there.
    func write<T: Sendable>(_ caller: SignedIn, _ body: @escaping @Sendable (SQLiteConnection, OpenFacts) throws -> T) async throws -> T {
        let registry = self.registry
        // Checked again in the transaction; here too, so that a tenant archived meanwhile is
        // answered as out of service (503) rather than by the store's `has no database file`.
        guard registry.isActive(caller.tenant) else { throw SignedIn.tenantOutOfService }
        return try await withTenant(caller.tenant) { db in
            let facts = db.facts
            return try await db.write { conn in
                guard registry.isActive(caller.tenant) else { throw SignedIn.tenantOutOfService }
                try caller.requireSession(conn)
                return try body(conn, facts)
            }
        }
    }
}

extension SignedIn {
    /// Throws unless this request's session is still there for the same account, unexpired,
    /// its account enabled and not deleted: the rule of `AuthService.authenticate`, asked again.
    /// Throws unless the tenant is in the epoch this request was let in under: out of service
    /// (archived, suspended) 503, else (resumed after a restore, created again) 401.
    func requireEpoch(_ registry: Registry) throws {
        guard registry.epoch(tenant) != epoch else { return }
        throw registry.isActive(tenant) ? ZhichengError(.unauthorized, "登录已失效，请重新登录") : Self.tenantOutOfService
    }

    func requireSession(_ conn: SQLiteConnection) throws {
        try AuthService.requireStanding(try conn.sessionStanding(tokenHash: sessionHash), now: Date().timeIntervalSince1970, accountID: accountID)
    }

    /// A write for a signed-in account to a tenant suspended (or unregistered) since its
    /// request was let in: refused as the request would be now (SPEC: suspended → 503).
    static let tenantOutOfService = ZhichengError.unavailable("职称管理系统已暂停服务，本次操作未生效，请稍后再试")
}

extension AccountRecord {
    /// Who an audit entry names: `account:<id> <login>`, a login that is an ID-card number
    /// (an applicant's, an expert's) masked (`IDCardNumber.maskedIfOne`).
    static func auditActor(id: Int, login: String) -> String {
        "account:\(id) \(IDCardNumber.maskedIfOne(login))"
    }

    var auditActor: String { Self.auditActor(id: id, login: login) }
}
