import Crypto
import Foundation
import Logging
import ZhichengCore
import ZhichengStorage

/// A new session: the bearer token (shown once) and who it belongs to.
public struct Session: Sendable {
    public var token: String
    public var account: SignedIn
    public var expiresAt: Double
}

/// Sign-in, sessions, password changes and lock-out. Tokens are random 256-bit
/// values; only their SHA-256 is stored, in the tenant's own database, so a token
/// of one tenant means nothing in another.
public struct AuthService: Sendable {
    let store: TenantStore
    let hasher: PasswordHasher
    public var sessionSeconds: Double = 12 * 3600
    /// A session unused for this long ends (自动退出); 0: never, only `sessionSeconds` counts.
    public var sessionIdleSeconds: Double = 2 * 3600
    let activity = SessionActivity()
    let unknownLogins = UnknownLoginFailures()
    /// Consecutive failures before a login is locked, and for how long.
    public var maxFailures = 5
    public var lockSeconds: Double = 15 * 60

    public init(store: TenantStore, hasher: PasswordHasher = .init()) {
        self.store = store
        self.hasher = hasher
    }

    /// Checks `login`/`password`; on success opens a session.
    public func signIn(tenant: TenantID, login rawLogin: String, password: String, source: String) async throws -> Session {
        let login = Login.normalized(rawLogin)
        guard !login.isEmpty, !password.isEmpty else { throw ZhichengError.badRequest("请填写登录名和密码", field: login.isEmpty ? "login" : "password") }
        let now = Date().timeIntervalSince1970
        // The tenant's epoch before anything is read (see `authenticate`).
        guard let epoch = store.registry.epoch(tenant) else { throw SignedIn.tenantOutOfService }
        // The account whose login this is, exactly or in another case (`Zhang.Wei` typed as
        // `zhang.wei`), in one index search either way. Its count and lock-out are the
        // account's, whichever form was typed. A form that only differs by case from two logins
        // (made before logins were one whatever their case) names neither: it is answered and
        // counted as a made-up login is, while each of the two still signs in as written.
        let account = try await store.withTenant(tenant) { db in try await db.read { try $0.account(typedLogin: login).found } }
        guard let account else {
            // Answered as for an account, step by step: admitted, counted before the check (a
            // lock refuses it), the same work (a durable write where an account's count is
            // written, a real hash check, a second write where its lock is audited: timing does
            // not tell), and the check that locks answers 429. Counted whatever its case, as an
            // account is (`Login.folded`): `Li.Si` and `LI.SI` lock together, as `Zhang.Wei` and
            // `ZHANG.WEI` do, or a lock-out shared across cases would tell a real login. A login
            // longer than any account's (64) is not counted, in memory or on disk: no account can
            // answer like it.
            try await hasher.admitted(tenant: tenant.rawValue) {
                let counted = login.count <= Self.maxLoginLength
                let attempt: UnknownLoginFailures.Attempt = counted
                    ? unknownLogins.attempt(sha256Hex(utf8: tenant.rawValue + "\u{0}" + Login.folded(login)), now: now, maxFailures: maxFailures, lockSeconds: lockSeconds)
                    : .counted(locks: false)
                if case .locked(let until) = attempt { throw Self.locked(until: until, now: now) }
                if counted { try await countUnknown(tenant, locks: false) }
                _ = try? await hasher.verify(password, against: Self.dummyHash)
                if attempt == .counted(locks: true) {
                    try await countUnknown(tenant, locks: true)
                    throw lockedNow
                }
            }
            throw ZhichengError(.unauthorized, "登录名或密码错误")
        }
        // Admitted before it is counted: a check refused for load does not count against the account.
        // Counted in the account's shared count, or in that of `source` if the account has signed
        // in from there before (`FamiliarSources`): the right password from a familiar address
        // works while wrong ones from elsewhere hold the shared count locked.
        let counted = try await hasher.admitted(tenant: tenant.rawValue) {
            let attempt = try await countAttempt(tenant, account: account, source: source, now: now)
            let matches: Bool
            do {
                matches = try await hasher.verify(password, against: account.passwordHash)
            } catch {
                // Not the user's wrong password (the stored hash cannot be read): not counted.
                try? await uncount(attempt, tenant, account: account)
                throw error
            }
            guard matches else {
                try await failed(attempt, tenant, account: account, source: source)
                throw ZhichengError(.unauthorized, "登录名或密码错误")
            }
            return attempt.whose
        }
        await FaultInjection.pause("sign-in.checked")
        let token = Self.randomToken()
        let csrf = Self.randomToken()
        let expires = now + sessionSeconds
        let opened = try await store.withTenant(tenant) { db in
            try await db.write { conn -> AccountRecord? in
                // The account as checked, in the transaction that opens the session: a reset or a
                // change of its password, a disabling, a deletion (or a restore of the tenant)
                // while the password was being checked must not be overtaken by this sign-in.
                guard let current = try conn.account(account.id), current.passwordHash == account.passwordHash else {
                    throw ZhichengError(.unauthorized, "登录名或密码错误")
                }
                // The password was right: not a failure to count (in the count it was counted
                // in), also for an account not enabled.
                try conn.clearSignInFailures(account.id, counted)
                guard current.enabled else { return nil }
                try conn.purgeExpiredSessions(now: now)
                try conn.run("INSERT INTO sessions (token_hash, account_id, csrf_token, created_at, expires_at, source) VALUES (?,?,?,?,?,?)",
                             [Self.hash(token), account.id, csrf, now, expires, source])
                // Signed in from `source`: familiar from now on, durably with the session.
                try conn.signedIn(account.id, from: source, now: now)
                try conn.appendAudit(AuditEntry(actor: current.auditActor, orgID: current.orgID, action: .sessionCreate,
                                                target: "account:\(current.id)", source: source))
                return current
            }
        }
        guard let signedIn = opened else { throw ZhichengError(.forbidden, "账户未启用，请联系本单位系统管理员") }
        // Known from its start: a token not used for the idle period after sign-in has ended too.
        _ = activity.use(Self.activityKey(tenant, Self.hash(token)), now: now, idle: sessionIdleSeconds, lifetime: sessionSeconds)
        return Session(token: token, account: SignedIn(tenant: tenant, account: signedIn, csrfToken: csrf, sessionHash: Self.hash(token), epoch: epoch, source: source),
                       expiresAt: expires)
    }

    /// The account behind a token, or `unauthorized`. The session and the account are
    /// read afresh, or taken from the tenant's `SessionCache`, which every commit
    /// changing sessions, accounts or orgs empties before it is acknowledged: either
    /// way a sign-out, a role change or a disabled account takes effect on the next
    /// request.
    public func authenticate(tenant: TenantID, token: String, source: String) async throws -> SignedIn {
        guard token.count >= 20, token.count <= 100 else { throw ZhichengError(.unauthorized, "请先登录") }
        let now = Date().timeIntervalSince1970
        let tokenHash = Self.hash(token)
        // The tenant's epoch before its session is read: a restore after this changes it.
        guard let epoch = store.registry.epoch(tenant) else { throw SignedIn.tenantOutOfService }
        let found = try await store.withTenant(tenant) { db -> SessionCache.Entry? in
            if let cached = db.sessions.entry(forTokenHash: tokenHash) { return cached }
            let generation = db.sessions.generation
            let entry = try await db.read { conn in try conn.session(tokenHash: tokenHash) }
            if let entry { db.sessions.store(entry, forTokenHash: tokenHash, ifGeneration: generation) }
            return entry
        }
        let session = try Self.signsIn(found, now: now)
        if sessionIdleSeconds > 0,
           activity.use(Self.activityKey(tenant, tokenHash), now: now, idle: sessionIdleSeconds, lifetime: sessionSeconds) == .idle {
            // Ended here too, so that no later request finds it.
            try await store.withTenant(tenant) { db in
                try await db.write { conn in _ = try conn.run("DELETE FROM sessions WHERE token_hash = ?", [tokenHash]) }
            }
            throw ZhichengError(.unauthorized, "长时间未操作，已自动退出，请重新登录")
        }
        // Tests hold a request here, let in, while what may end its session is done.
        await FaultInjection.pause("session.checked")
        return SignedIn(tenant: tenant, account: session.account, csrfToken: session.csrfToken, sessionHash: tokenHash, epoch: epoch, source: source)
    }

    /// The session (`SQLiteConnection.session`) if it signs its account in at `now` (the
    /// account `accountID`, when given), else why it signs in nobody (401): none (signed out,
    /// ended by a password reset, a disabling or a restore of the tenant, or never there),
    /// expired, another account's, or its account disabled. Asked when a request starts
    /// (`authenticate`) and again in each of its transactions (`SignedIn.requireSession`).
    static func signsIn(_ session: SessionCache.Entry?, now: Double, accountID: Int? = nil) throws(ZhichengError) -> SessionCache.Entry {
        try requireStanding(session.map { ($0.account.id, $0.expiresAt, $0.account.enabled) }, now: now, accountID: accountID)
        return session!
    }

    /// The rule of a session that signs its account in: there, unexpired, for `accountID` when
    /// one is expected, its account enabled (`signsIn`; a request's transactions ask it again
    /// of `SQLiteConnection.sessionStanding`).
    static func requireStanding(_ session: (accountID: Int, expiresAt: Double, enabled: Bool)?, now: Double, accountID: Int? = nil) throws(ZhichengError) {
        guard let session, session.expiresAt > now, accountID == nil || accountID == session.accountID else {
            throw ZhichengError(.unauthorized, "登录已失效，请重新登录")
        }
        guard session.enabled else { throw ZhichengError(.unauthorized, "账户已停用") }
    }

    static func activityKey(_ tenant: TenantID, _ tokenHash: String) -> String { tenant.rawValue + " " + tokenHash }

    public func signOut(token: String, caller: SignedIn) async throws {
        activity.forget(Self.activityKey(caller.tenant, Self.hash(token)))
        try await store.withTenant(caller.tenant) { db in
            try await db.write { conn in
                try conn.run("DELETE FROM sessions WHERE token_hash = ?", [Self.hash(token)])
                try conn.appendAudit(caller.audit(.sessionDelete, target: "account:\(caller.accountID)"))
            }
        }
    }

    /// A counted password check.
    struct Attempt {
        /// The count it was counted in: the account's shared one, or a familiar source's.
        var whose: FamiliarSources.Count
        /// This check is the one that locked the account (said in the audit if it fails).
        var locked: Bool
        var failures: Int
        /// The account's count before this attempt and as this attempt left it: a check that
        /// could not be made is taken back (`uncount`), not left to lock the account.
        var before: (failures: Int, lockedUntil: Double?) = (0, nil)
        var after: (failures: Int, lockedUntil: Double?) = (0, nil)
    }

    /// One password check about to be made against `account` from `source`: counted in the
    /// count `FamiliarSources` picks (the source's own if the account has signed in from there
    /// before, else the account's shared one), refused while that count is locked, and counted
    /// before it is made, so checks sent at once cannot go past the allowance (the check that
    /// reaches it locks the count for the others). A successful check clears the count.
    private func countAttempt(_ tenant: TenantID, account: AccountRecord, source: String, now: Double) async throws -> Attempt {
        let maxFailures = self.maxFailures, lockSeconds = self.lockSeconds
        return try await store.withTenant(tenant) { db in
            try await db.write { conn -> Attempt in
                let whose = FamiliarSources.count(for: source, familiar: try conn.familiarSources(account.id), now: now)
                guard let counted = try conn.signInFailures(account.id, whose) else {
                    throw ZhichengError(.unauthorized, "登录名或密码错误")
                }
                switch SignInLockOut.attempt(.init(failures: counted.failures, lockedUntil: counted.lockedUntil), now: now,
                                             maxFailures: maxFailures, lockSeconds: lockSeconds) {
                case .locked(let until):
                    throw Self.locked(until: until, now: now)
                case let .counted(failures, locks, keep):
                    try conn.setSignInFailures(account.id, whose, failures: keep.failures, lockedUntil: keep.lockedUntil)
                    return Attempt(whose: whose, locked: locks, failures: failures, before: (counted.failures, counted.lockedUntil),
                                   after: (keep.failures, keep.lockedUntil))
                }
            }
        }
    }

    /// Takes `attempt`'s count back, unless another attempt has counted since.
    private func uncount(_ attempt: Attempt, _ tenant: TenantID, account: AccountRecord) async throws {
        try await store.withTenant(tenant) { db in
            try await db.write { conn in
                guard let now = try conn.signInFailures(account.id, attempt.whose), now.failures == attempt.after.failures,
                      now.lockedUntil == attempt.after.lockedUntil else { return }
                try conn.setSignInFailures(account.id, attempt.whose, failures: attempt.before.failures, lockedUntil: attempt.before.lockedUntil)
            }
        }
    }

    /// A made-up login's counterpart of `countAttempt` (and, `locks`, of the lock's audit row).
    private func countUnknown(_ tenant: TenantID, locks: Bool) async throws {
        try await store.withTenant(tenant) { db in
            try await db.write { conn in try conn.countUnknownSignInFailure(locks: locks) }
        }
    }

    /// A counted check failed: if it was the one that locked the account (or, a familiar
    /// source's count, the account at that source: `familiar_source` in the audit), that is
    /// audited and said (429).
    private func failed(_ attempt: Attempt, _ tenant: TenantID, account: AccountRecord, source: String) async throws {
        guard attempt.locked else { return }
        let familiar = attempt.whose == .shared ? "" : #","familiar_source":true"#
        try await store.withTenant(tenant) { db in
            try await db.write { conn in
                try conn.appendAudit(AuditEntry(actor: account.auditActor, orgID: account.orgID, action: .accountLocked,
                                                target: "account:\(account.id)", detail: #"{"failures":\#(attempt.failures)\#(familiar)}"#, source: source))
            }
        }
        throw lockedNow
    }

    /// The answer to a check refused because its count (`FamiliarSources`) is locked until
    /// `until`: said as true of every count (`SignInLockOut.refusal`), never "the account is locked".
    static func locked(until: Double, now: Double) -> ZhichengError { SignInLockOut.refusal(secondsLeft: until - now) }

    /// The answer to the check that has just locked its count, for the whole lock.
    var lockedNow: ZhichengError { SignInLockOut.refusal(secondsLeft: lockSeconds) }

    /// Changes the caller's password (clears the one-time-password flag) and ends
    /// every other session of the account. A wrong old password counts against the
    /// account's lock-out like a failed sign-in from the request's source: a stolen session
    /// cannot guess it freely. The change clears every count (`clearSignInFailures`).
    public func changePassword(caller: SignedIn, old: String, new: String, keepToken: String?) async throws {
        try PasswordPolicy.validate(new)
        guard old != new else { throw ZhichengError.invalid("新密码不能与原密码相同", field: "new_password") }
        let current = try await store.read(caller) { try $0.account(caller.accountID) }
        guard let current else { throw ZhichengError(.unauthorized, "请先登录") }
        try await hasher.admitted(tenant: caller.tenant.rawValue) {
            let attempt = try await countAttempt(caller.tenant, account: current, source: caller.source, now: Date().timeIntervalSince1970)
            guard try await hasher.verify(old, against: current.passwordHash) else {
                try await failed(attempt, caller.tenant, account: current, source: caller.source)
                throw ZhichengError.invalid("原密码不正确", field: "old_password")
            }
        }
        let hash = try await hasher.hash(new)
        await FaultInjection.pause("password-change.checked")
        // `write(caller)` refuses a session ended meanwhile (signed out, a reset ends them all)
        // and an account disabled or deleted.
        try await store.write(caller) { conn in
            // The old password was checked against the hash read before: a reset (or another
            // change) since then wins.
            guard try conn.account(caller.accountID)?.passwordHash == current.passwordHash else {
                throw ZhichengError.conflict("密码已在此期间被重置或修改，本次修改未生效；请重新登录")
            }
            try conn.run("UPDATE accounts SET password_hash = ?, must_change_password = 0 WHERE id = ?", [hash, caller.accountID])
            try conn.clearSignInFailures(caller.accountID)
            try conn.run("DELETE FROM sessions WHERE account_id = ? AND token_hash != ?", [caller.accountID, keepToken.map(Self.hash) ?? ""])
            try conn.appendAudit(caller.audit(.accountChangePassword, target: "account:\(caller.accountID)"))
        }
    }

    /// No account's login is longer (an org code, an ID-card number, a staff login: see the
    /// validators); longer ones are answered without being counted.
    static let maxLoginLength = 64


    static func randomToken() -> String {
        var rng = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
        return Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func hash(_ token: String) -> String {
        sha256Hex(utf8: token)
    }

    /// A valid yescrypt hash of a random string, for constant-work failures.
    static let dummyHash = (try? PasswordHasher.hashSync(randomToken(), cost: 0)) ?? "$y$j9T$invalid"
}
