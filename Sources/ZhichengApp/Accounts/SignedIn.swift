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

    init(tenant: TenantID, account: AccountRecord, csrfToken: String, source: String) {
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
        self.source = source
    }

    var principal: Principal { Principal(name: "account:\(accountID)", source: source) }

    func audit(_ action: String, target: String, detail: String = "{}", orgID: Int? = nil) -> AuditEntry {
        AuditEntry(actor: AccountRecord.auditActor(id: accountID, login: login), orgID: orgID ?? self.orgID, action: action, target: target,
                   detail: detail, source: source)
    }
}

extension TenantStore {
    /// Runs `body` in a read transaction of the caller's tenant.
    func read<T: Sendable>(_ caller: SignedIn, _ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await withTenant(caller.tenant) { db in try await db.read(body) }
    }

    /// Runs `body` as one durable unit of work in the caller's tenant, if the caller's account
    /// is still there and enabled in that same transaction: the request was authenticated
    /// before (and may have waited since, e.g. for a plugin step), and an account disabled or
    /// deleted meanwhile must not act.
    func write<T: Sendable>(_ caller: SignedIn, _ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await withTenant(caller.tenant) { db in
            try await db.write { conn in
                guard let me = try conn.account(caller.accountID), me.enabled else {
                    throw ZhichengError(.unauthorized, "账户已停用或已删除")
                }
                return try body(conn)
            }
        }
    }
}

extension AccountRecord {
    /// Who an audit entry names: `account:<id> <login>`, a login that is an ID-card number
    /// (an applicant's, an expert's) masked (`IDCardNumber.maskedIfOne`).
    static func auditActor(id: Int, login: String) -> String {
        "account:\(id) \(IDCardNumber.maskedIfOne(login))"
    }

    var auditActor: String { Self.auditActor(id: id, login: login) }
}
