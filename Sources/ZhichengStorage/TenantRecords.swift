import Foundation
import ZhichengCore

/// One row of `orgs`.
public struct OrgRecord: Sendable, Equatable {
    public var id: Int
    public var parentID: Int?
    public var code: String
    public var name: String
    public var kind: OrgKind
    public var profileState: ProfileState
    public var profile: UnitProfile
    public var rejectReason: String?
    public var certificateFileID: Int?
    public var sealFileID: Int?

    static let columns = "id, parent_id, code, name, kind, profile_state, profile, profile_reject_reason, certificate_file_id, seal_file_id"

    /// The id of the tenant's own office (市职改办, or the province's 省职改办): the root of its
    /// tree, the only org without a parent, inserted with this id by `tenant.create`
    /// (`TenantService.create`) and never deleted or moved. `rootOrg()` reads it.
    public static let officeID = 1

    /// Whether the org may do more than keep and submit its own info: the tenant's root office
    /// always, any other once its parent approved that info (`Access.requireApprovedOrg`; a
    /// unit a person may be moved to, `ApplicantMove`).
    public var isApproved: Bool { Self.isApproved(parentID: parentID, profileState: profileState) }

    public static func isApproved(parentID: Int?, profileState: ProfileState) -> Bool { parentID == nil || profileState == .approved }

    init(row: SQLiteRow) {
        id = row["id"].int ?? 0
        parentID = row["parent_id"].int
        code = row["code"].string ?? ""
        name = row["name"].string ?? ""
        kind = OrgKind(rawValue: row["kind"].string ?? "") ?? .unit
        profileState = ProfileState(rawValue: row["profile_state"].string ?? "") ?? .draft
        profile = (try? JSONDecoder.snake.decode(UnitProfile.self, from: Data((row["profile"].string ?? "{}").utf8))) ?? UnitProfile()
        // 机构类别 is the org's kind (UnitProfile.placed(as:)): also for info never saved, and
        // for info saved before that rule, when the unit could pick another.
        profile.category = kind.label
        rejectReason = row["profile_reject_reason"].string
        certificateFileID = row["certificate_file_id"].int
        sealFileID = row["seal_file_id"].int
    }
}

/// An org as a tree draws it: its place, name and kind, without its 单位信息 (`OrgRecord`
/// decodes a profile for each row, which a tree of hundreds of names does not show).
public struct OrgNode: Sendable, Equatable {
    public var id: Int
    public var parentID: Int?
    public var code: String
    public var name: String
    public var kind: OrgKind

    static let columns = "id, parent_id, code, name, kind"

    init(row: SQLiteRow) {
        id = row["id"].int ?? 0
        parentID = row["parent_id"].int
        code = row["code"].string ?? ""
        name = row["name"].string ?? ""
        kind = OrgKind(rawValue: row["kind"].string ?? "") ?? .unit
    }
}

/// One row of `accounts`.
public struct AccountRecord: Sendable, Equatable {
    public var id: Int
    public var orgID: Int
    public var login: String
    public var name: String
    public var kind: AccountKind
    public var passwordHash: String
    public var mustChangePassword: Bool
    public var enabled: Bool
    public var phone: String
    public var email: String
    public var roles: [StaffRole]
    public var permittedSeries: [String]
    public var permittedSections: [String]

    static let columns = "id, org_id, login, name, kind, password_hash, must_change_password, enabled, phone, email, roles, permitted_series, permitted_sections"
    /// The same columns from a table aliased `a` (for joins).
    public static let qualifiedColumns = columns.split(separator: ",").map { "a." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")

    public init(row: SQLiteRow) {
        id = row["id"].int ?? 0
        orgID = row["org_id"].int ?? 0
        login = row["login"].string ?? ""
        name = row["name"].string ?? ""
        kind = AccountKind(rawValue: row["kind"].string ?? "") ?? .applicant
        passwordHash = row["password_hash"].string ?? ""
        mustChangePassword = row["must_change_password"].int == 1
        enabled = row["enabled"].int == 1
        phone = row["phone"].string ?? ""
        email = row["email"].string ?? ""
        roles = (Self.strings(row["roles"]) ?? []).compactMap(StaffRole.init(rawValue:))
        permittedSeries = Self.strings(row["permitted_series"]) ?? []
        permittedSections = Self.strings(row["permitted_sections"]) ?? []
    }

    /// A JSON array of strings from a TEXT column (JSONSerialization: read on every
    /// request, several times cheaper than JSONDecoder here).
    public static func strings(_ value: SQLiteValue) -> [String]? {
        guard let text = value.string else { return [] }
        if text == "[]" { return [] }
        if let plain = plainStrings(text) { return plain }
        return (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String]
    }

    /// `["a","b"]` as `jsonArray` writes it, when no element needs an escape: split
    /// without a JSON parser (every request reads such arrays). Anything else — a
    /// backslash, white space, a control character, a non-string — is nil, and the
    /// caller parses it properly.
    static func plainStrings(_ text: String) -> [String]? {
        var text = text
        return text.withUTF8 { bytes -> [String]? in
            let quote = UInt8(ascii: "\"")
            guard bytes.count >= 4, bytes[0] == UInt8(ascii: "["), bytes[bytes.count - 1] == UInt8(ascii: "]") else { return nil }
            var out: [String] = []
            var i = 1
            while true {
                guard bytes[i] == quote else { return nil }
                let start = i + 1
                var end = start
                while end < bytes.count - 1, bytes[end] != quote {
                    guard bytes[end] >= 0x20, bytes[end] != UInt8(ascii: "\\") else { return nil }
                    end += 1
                }
                guard end < bytes.count - 1 else { return nil }
                out.append(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self))
                i = end + 1
                if i == bytes.count - 1 { return out }
                guard bytes[i] == UInt8(ascii: ","), i + 1 < bytes.count - 1 else { return nil }
                i += 1
            }
        }
    }
}

/// A stored upload.
public struct FileRecord: Sendable, Equatable {
    public var id: Int
    public var mime: String
    public var bytes: [UInt8]
    /// The name it was uploaded under, where one was given (application attachments).
    public var name: String?

    public init(id: Int, mime: String, bytes: [UInt8], name: String? = nil) {
        self.id = id
        self.mime = mime
        self.bytes = bytes
        self.name = name
    }
}

extension JSONDecoder {
    static let snake: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }()
}

extension JSONEncoder {
    /// snake_case keys, sorted: the form profiles are stored in.
    public static let snake: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()
}

/// Queries on a tenant database, named by what they find. Rules live in the services.
extension SQLiteConnection {
    public func org(_ id: Int) throws -> OrgRecord? {
        try query("SELECT \(OrgRecord.columns) FROM orgs WHERE id = ? AND deleted_at IS NULL", [id]).first.map(OrgRecord.init)
    }

    /// The live org whose 单位编号 is `code` (codes are unique and never reused).
    public func org(code: String) throws -> OrgRecord? {
        try query("SELECT \(OrgRecord.columns) FROM orgs WHERE code = ? AND deleted_at IS NULL", [code]).first.map(OrgRecord.init)
    }

    /// The tenant's own office (`OrgRecord.officeID`, the root of its tree).
    public func rootOrg() throws -> OrgRecord? {
        try query("SELECT \(OrgRecord.columns) FROM orgs WHERE parent_id IS NULL AND deleted_at IS NULL ORDER BY id LIMIT 1").first.map(OrgRecord.init)
    }

    public func children(of id: Int) throws -> [OrgRecord] {
        try query("SELECT \(OrgRecord.columns) FROM orgs WHERE parent_id = ? AND deleted_at IS NULL ORDER BY code", [id]).map(OrgRecord.init)
    }

    /// Ids of `id`'s ancestors, nearest first.
    public func ancestors(of id: Int) throws -> [Int] {
        try query("""
            WITH RECURSIVE up(id, parent_id, depth) AS (
                SELECT id, parent_id, 0 FROM orgs WHERE id = ?
                UNION ALL SELECT o.id, o.parent_id, up.depth + 1 FROM orgs o JOIN up ON o.id = up.parent_id)
            SELECT id FROM up WHERE depth > 0 ORDER BY depth
            """, [id]).compactMap { $0["id"].int }
    }

    /// The level of `id` in its tree: 1 for the root office.
    public func level(of id: Int) throws -> Int {
        try ancestors(of: id).count + 1
    }

    /// Levels of the live subtree under (and including) `id`: 1 for an org without children.
    public func subtreeHeight(of id: Int) throws -> Int {
        try scalar("""
            WITH RECURSIVE down(id, depth) AS (
                SELECT id, 1 FROM orgs WHERE id = ? AND deleted_at IS NULL
                UNION ALL SELECT o.id, down.depth + 1 FROM orgs o JOIN down ON o.parent_id = down.id WHERE o.deleted_at IS NULL)
            SELECT max(depth) FROM down
            """, [id])?.int ?? 1
    }

    /// `down(id)`: the org bound to the one parameter and all its live descendants.
    private static let liveSubtree = """
        WITH RECURSIVE down(id) AS (
            SELECT id FROM orgs WHERE id = ? AND deleted_at IS NULL
            UNION ALL SELECT o.id FROM orgs o JOIN down ON o.parent_id = down.id WHERE o.deleted_at IS NULL)
        """

    /// `id` and all its live descendants.
    public func subtree(of id: Int) throws -> [Int] {
        try query(Self.liveSubtree + " SELECT id FROM down", [id]).compactMap { $0["id"].int }
    }

    public func saveProfile(_ orgID: Int, _ profile: UnitProfile) throws {
        let json = String(decoding: try JSONEncoder.snake.encode(profile), as: UTF8.self)
        try run("UPDATE orgs SET profile = ? WHERE id = ?", [json, orgID])
    }

    /// Gives an account a new (one-time) password hash: it must change it at its next
    /// sign-in, its sessions end (whoever held one is out) and its lock-out is cleared.
    /// Both ways of resetting a password (an org admin's 初始化密码, the operator's
    /// `account.reset-password`) go through here.
    public func resetPassword(accountID: Int, oneTimeHash: String) throws {
        try run("UPDATE accounts SET password_hash = ?, must_change_password = 1 WHERE id = ?", [oneTimeHash, accountID])
        try clearSignInFailures(accountID)
        try run("DELETE FROM sessions WHERE account_id = ?", [accountID])
    }

    // MARK: Sign-in failures (schema v19: a table of their own, which the SessionCache does not watch)

    /// An account's failed password checks in a row and the end of its lock-out, or nil
    /// for an account that does not exist (or is deleted).
    public func signInFailures(_ accountID: Int) throws -> (failures: Int, lockedUntil: Double?)? {
        try query("""
            SELECT f.failures, f.locked_until FROM accounts a LEFT JOIN sign_in_failures f ON f.account_id = a.id
            WHERE a.id = ? AND a.deleted_at IS NULL
            """, [accountID]).first.map { ($0["failures"].int ?? 0, $0["locked_until"].double) }
    }

    public func setSignInFailures(_ accountID: Int, failures: Int, lockedUntil: Double?) throws {
        try run("""
            INSERT INTO sign_in_failures (account_id, failures, locked_until) VALUES (?, ?, ?)
            ON CONFLICT (account_id) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until
            """, [accountID, failures, lockedUntil])
    }

    /// Counts a failed sign-in with a login that has no account (`locks`: the one that locked
    /// it) in one `tenant_meta` row: the durable write a real login's count makes, so that the
    /// time an answer takes does not tell which logins exist; nothing names the login.
    public func countUnknownSignInFailure(locks: Bool = false) throws {
        try run("""
            INSERT INTO tenant_meta (key, value) VALUES (?, '1')
            ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)
            """, [locks ? "unknown_sign_in_locks" : "unknown_sign_in_failures"])
    }

    /// A new password or a reset: every count of the account starts over and every lock-out
    /// ends, its familiar sources' too (which stay familiar: an address is no secret, and the
    /// holder signing in with the new password where they always do is what they keep).
    public func clearSignInFailures(_ accountID: Int) throws {
        try run("DELETE FROM sign_in_failures WHERE account_id = ?", [accountID])
        try run("UPDATE sign_in_sources SET failures = 0, locked_until = NULL WHERE account_id = ? AND (failures != 0 OR locked_until IS NOT NULL)", [accountID])
    }

    // MARK: Familiar sign-in sources (schema v34; the rule: FamiliarSources)

    /// The addresses `accountID` has signed in from, as stored (some may have passed the window).
    public func familiarSources(_ accountID: Int) throws -> [FamiliarSources.Entry] {
        try query("SELECT source, signed_in_at FROM sign_in_sources WHERE account_id = ?", [accountID]).compactMap { row in
            guard let source = row["source"].string, let at = row["signed_in_at"].double else { return nil }
            return FamiliarSources.Entry(source: source, signedInAt: at)
        }
    }

    /// The count `whose` of an existing account (nil for an account that does not exist or is
    /// deleted): the account's shared one, or that of one of its familiar sources.
    public func signInFailures(_ accountID: Int, _ whose: FamiliarSources.Count) throws -> (failures: Int, lockedUntil: Double?)? {
        guard case .familiar(let source) = whose else { return try signInFailures(accountID) }
        return try query("""
            SELECT s.failures, s.locked_until FROM accounts a LEFT JOIN sign_in_sources s ON s.account_id = a.id AND s.source = ?
            WHERE a.id = ? AND a.deleted_at IS NULL
            """, [source, accountID]).first.map { ($0["failures"].int ?? 0, $0["locked_until"].double) }
    }

    /// Stores the count `whose`; a familiar source's row is only updated (a source forgotten
    /// meanwhile is not made familiar again by a failure).
    public func setSignInFailures(_ accountID: Int, _ whose: FamiliarSources.Count, failures: Int, lockedUntil: Double?) throws {
        guard case .familiar(let source) = whose else { return try setSignInFailures(accountID, failures: failures, lockedUntil: lockedUntil) }
        try run("UPDATE sign_in_sources SET failures = ?, locked_until = ? WHERE account_id = ? AND source = ?",
                [failures, lockedUntil, accountID, source])
    }

    /// A right password: the count it was counted in starts over.
    public func clearSignInFailures(_ accountID: Int, _ whose: FamiliarSources.Count) throws {
        guard case .familiar = whose else {
            try run("DELETE FROM sign_in_failures WHERE account_id = ?", [accountID])
            return
        }
        try setSignInFailures(accountID, whose, failures: 0, lockedUntil: nil)
    }

    /// A session opened for `accountID` from `source` at `now`: the source is familiar from now
    /// on (its latest sign-in now, its own count from zero: the right password came from it),
    /// and those `FamiliarSources.afterSignIn` no longer keeps are forgotten. In the transaction
    /// that opens the session.
    public func signedIn(_ accountID: Int, from source: String, now: Double) throws {
        let after = FamiliarSources.afterSignIn(from: source, familiar: try familiarSources(accountID), now: now)
        for gone in after.forgotten {
            try run("DELETE FROM sign_in_sources WHERE account_id = ? AND source = ?", [accountID, gone])
        }
        guard after.kept.contains(where: { $0.source == source }) else { return }
        try run("""
            INSERT INTO sign_in_sources (account_id, source, signed_in_at) VALUES (?, ?, ?)
            ON CONFLICT (account_id, source) DO UPDATE SET signed_in_at = excluded.signed_in_at, failures = 0, locked_until = NULL
            """, [accountID, source, now])
    }

    /// Deletes the sessions that expired before `now`, without emptying the tenant's
    /// `SessionCache`: a cached entry of such a session is refused by its `expiresAt`
    /// anyway (the check compares it with a later clock), so the cache stays right.
    /// A sign-in purges, and would otherwise empty the cache whenever any session had
    /// expired since the last one.
    public func purgeExpiredSessions(now: Double) throws {
        try unwatched { _ = try run("DELETE FROM sessions WHERE expires_at < ?", [now]) }
    }

    public func account(_ id: Int) throws -> AccountRecord? {
        try query("SELECT \(AccountRecord.columns) FROM accounts WHERE id = ? AND deleted_at IS NULL", [id]).first.map(AccountRecord.init)
    }

    /// The session of a token (by its SHA-256 hex) and the (not deleted) account it belongs
    /// to, in one query of two primary keys: what a request is checked against when it starts
    /// (`AuthService.authenticate`, unless `SessionCache` has it) and again in each of its
    /// transactions (`TenantStore.read/write(caller)` in ZhichengApp).
    /// What a session's check needs, and nothing else (no account's roles or permissions to
    /// decode): its account, when it ends, whether the account is enabled; nil when there is no
    /// such session of a live account. Asked in every transaction made for a signed-in request
    /// (`TenantStore.read/write(caller)`), the reviewer's queue page's among them.
    public func sessionStanding(tokenHash: String) throws -> (accountID: Int, expiresAt: Double, enabled: Bool)? {
        try query(Self.sessionStandingSQL, [tokenHash]).first.map { row in
            (row["account_id"].int ?? 0, row["expires_at"].double ?? 0, row["enabled"].int == 1)
        }
    }

    static let sessionStandingSQL = """
        SELECT s.account_id, s.expires_at, a.enabled FROM sessions s JOIN accounts a ON a.id = s.account_id
        WHERE s.token_hash = ? AND a.deleted_at IS NULL
        """

    public func session(tokenHash: String) throws -> SessionCache.Entry? {
        try query("""
            SELECT s.csrf_token, s.expires_at, \(AccountRecord.qualifiedColumns) FROM sessions s JOIN accounts a ON a.id = s.account_id
            WHERE s.token_hash = ? AND a.deleted_at IS NULL
            """, [tokenHash]).first.map { row in
            SessionCache.Entry(account: AccountRecord(row: row), csrfToken: row["csrf_token"].string ?? "", expiresAt: row["expires_at"].double ?? 0)
        }
    }

    /// The live accounts whose login equals `login` ignoring ASCII case (`Login.folded`): one
    /// search of `accounts_login_nocase` (schema v28). More than one only where logins that
    /// differ by case were made before they were one login; none of them is the typed form
    /// unless `login` is exactly one of theirs.
    public func accounts(loginIgnoringCase login: String) throws -> [AccountRecord] {
        try query(Self.loginIgnoringCaseSQL, [login]).map(AccountRecord.init)
    }

    /// `accounts(loginIgnoringCase:)`'s query (its plan is tested).
    public static let loginIgnoringCaseSQL = "SELECT \(AccountRecord.columns) FROM accounts WHERE login = ? COLLATE NOCASE AND deleted_at IS NULL"

    /// The groups of live logins that differ only by ASCII case (`CheckReport.loginCasePairs`),
    /// each in the order its accounts were made, the groups by their first account.
    public func loginsDifferingOnlyByCase() throws -> [[String]] {
        let logins = try query("""
            SELECT a.login FROM accounts a WHERE a.deleted_at IS NULL
            AND EXISTS (SELECT 1 FROM accounts b WHERE b.deleted_at IS NULL AND b.id != a.id AND b.login = a.login COLLATE NOCASE)
            ORDER BY a.id
            """).compactMap { $0["login"].string }
        var groups: [String: Int] = [:], out: [[String]] = []
        for login in logins {
            let key = Login.folded(login)
            if let at = groups[key] { out[at].append(login) } else { groups[key] = out.count; out.append([login]) }
        }
        return out
    }

    /// The live account a typed login names (`Login.match`): the one with exactly that login,
    /// else the only one whose login differs from it by case. Sign-in and the sysadmin's reset
    /// find accounts so.
    public func account(typedLogin login: String) throws -> Login.Match<AccountRecord> {
        Login.match(login, among: try accounts(loginIgnoringCase: login), login: \.login)
    }

    /// The login of a live account that a new account's `login` would be, in whatever case
    /// (`Zhang.Wei` for `zhang.wei`), if there is one: then `login` is taken. (A deleted
    /// account's login was set aside under `#deleted-`, so it never is.)
    public func takenLogin(_ login: String) throws -> String? {
        let holders = try accounts(loginIgnoringCase: login)
        return (holders.first { $0.login == login } ?? holders.first)?.login
    }

    /// The admin accounts of `id`'s children, by org, in one query (a department has hundreds of units).
    public func childAdmins(of id: Int) throws -> [Int: AccountRecord] {
        let admins = try query("""
            SELECT \(AccountRecord.columns) FROM accounts WHERE kind = 'org_admin' AND deleted_at IS NULL
            AND org_id IN (SELECT id FROM orgs WHERE parent_id = ? AND deleted_at IS NULL)
            """, [id]).map(AccountRecord.init)
        return Dictionary(admins.map { ($0.orgID, $0) }, uniquingKeysWith: { first, _ in first })
    }

    public func adminAccount(of orgID: Int) throws -> AccountRecord? {
        try query("SELECT \(AccountRecord.columns) FROM accounts WHERE org_id = ? AND kind = 'org_admin' AND deleted_at IS NULL", [orgID]).first.map(AccountRecord.init)
    }

    /// An org's live accounts of `kind` matching `filter` (SQL on `accounts p`, with its
    /// arguments), in the order they were made after the account `after`: at most `limit`
    /// (nil: every one), and how many match in all.
    public func accounts(of orgID: Int, kind: AccountKind, matching filter: (sql: String, arguments: [any SQLiteBindable])?, after: Int,
                         limit: Int?) throws -> (page: [AccountRecord], total: Int) {
        let condition = "org_id = ? AND kind = ? AND deleted_at IS NULL" + (filter.map { " AND " + $0.sql } ?? "")
        let arguments: [any SQLiteBindable] = [orgID, kind.rawValue] + (filter?.arguments ?? [])
        let total = try scalar("SELECT count(*) FROM accounts p WHERE \(condition)", arguments)?.int ?? 0
        let page = try query("SELECT \(AccountRecord.columns) FROM accounts p WHERE \(condition) AND id > ? ORDER BY id" + (limit == nil ? "" : " LIMIT ?"),
                             arguments + [after] + (limit.map { [$0] } ?? [])).map(AccountRecord.init)
        return (page, total)
    }


    /// Marks an account deleted, ends its sessions and frees its login for reuse
    /// (the row stays, under `<login>#deleted-<id>`, for the history).
    public func retireAccount(_ id: Int) throws {
        try run("UPDATE accounts SET deleted_at = ?, enabled = 0, login = login || '#deleted-' || id WHERE id = ? AND deleted_at IS NULL",
                [Date().timeIntervalSince1970, id])
        try run("DELETE FROM sessions WHERE account_id = ?", [id])
    }

    /// `id` and every org ever below it, deleted ones included (for the audit log).
    public func subtreeIncludingDeleted(of id: Int) throws -> [Int] {
        try query("""
            WITH RECURSIVE down(id) AS (
                SELECT id FROM orgs WHERE id = ?
                UNION ALL SELECT o.id FROM orgs o JOIN down ON o.parent_id = down.id)
            SELECT id FROM down
            """, [id]).compactMap { $0["id"].int }
    }

    public func file(_ id: Int) throws -> FileRecord? {
        try query("SELECT id, mime, bytes FROM files WHERE id = ?", [id]).first.map { row in
            guard case .blob(let bytes) = row["bytes"] else { return FileRecord(id: id, mime: row["mime"].string ?? "", bytes: []) }
            return FileRecord(id: id, mime: row["mime"].string ?? "", bytes: bytes)
        }
    }
}

/// A JSON array of strings for a TEXT column.
public func jsonArray(_ values: [String]) -> String {
    if values.isEmpty { return "[]" }  // every pass or reject decision: no encoder needed
    return String(decoding: (try? JSONEncoder().encode(values)) ?? Data("[]".utf8), as: UTF8.self)
}
