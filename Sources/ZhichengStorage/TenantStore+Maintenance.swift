import Crypto
import Foundation
import Logging
import ZhichengCore

/// What `tenant.check` found.
public struct CheckReport: Sendable, Equatable {
    public var integrity: [String]
    public var foreignKeys: [String]
    /// nil when the audit chain is intact.
    public var auditProblem: String?
    /// Live logins that differ only by ASCII case, each group in the order made (`Zhang.Wei`,
    /// `zhang.wei`): made before schema v28, when a login was one only in the same case. Not a
    /// fault of the file (each still signs in by its exact login), so `ok` does not count it, but
    /// a third form of such a pair has a lock-out of its own: a sysadmin may want to part them.
    public var loginCasePairs: [[String]] = []
    /// Messages from other tenants kept in the inbox without their effect (`relay.unapplied`:
    /// malformed, text the rules refuse, a rename finding none of its copies, an answer about
    /// an application the tenant no longer waits on): how many in all, and the newest
    /// `UnappliedMessage.listed`. Nothing applies them later, and the application a refused
    /// hand-over or answer was about may wait for good, so a sysadmin is told. Not a fault of
    /// the file: `ok` does not count them.
    public var unappliedCount = 0
    public var unapplied: [UnappliedMessage] = []
    public var ok: Bool { integrity == ["ok"] && foreignKeys.isEmpty && auditProblem == nil }
}

/// One message kept in a tenant's inbox without its effect, as its audit row says.
public struct UnappliedMessage: Sendable, Equatable {
    /// How many `tenant.check` lists (the newest).
    public static let listed = 20
    public var messageID: String
    public var kind: String
    /// The tenant that sent it.
    public var from: String
    /// What was wrong, in the relay's words (a field and a character by its code point, never
    /// the text itself; an ID-card number is never in it).
    public var reason: String
    public var at: Double
}

/// Counts shown by `tenant.list`.
public struct TenantStats: Sendable, Equatable {
    public var dbBytes: Int
    public var orgs: Int
    public var accounts: Int
    public var applications: Int
    public var schemaVersion: Int
}

/// A tenant's cross-tenant outbox: messages still to deliver, and those set aside
/// because the city they were written to was archived.
public struct OutboxCounts: Sendable, Equatable {
    public var waiting: Int
    public var setAside: Int
}

/// Where `tenant.archive` put a tenant, and how many of its outbox messages (a city's
/// hand-overs to the province) had not been delivered and left service with it.
public struct ArchivedTenant: Sendable, Equatable {
    public var path: String
    public var undeliveredMessages: Int
    /// Applications not yet decided that left service with it: a city's under review (or
    /// waiting for the province), the province's received and not yet final.
    public var undecidedApplications: Int = 0
}

extension TenantStore {
    /// Writes an online, consistent copy of the tenant to the backup dir and records it.
    public func backup(_ id: TenantID) async throws -> BackupRecord {
        let dir = paths.backupDirectory(for: id)
        if !FileManager.default.fileExists(atPath: dir) {
            // A tenant's first backup: its folder's entry must be durable too, or a power cut
            // could lose a backup the registry records.
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            try await Self.fileWork.run { [paths] in try Self.fsync(path: paths.backupDir) }
        }
        let final = Self.unusedPath(dir + "/" + BackupFileName.stem(of: id, at: Self.timestamp()), suffix: BackupFileName.suffix)
        let partial = final + ".partial"
        // Reserve the name (an empty file is an empty database to SQLite) before the
        // copy, so a concurrent backup of the same tenant picks another.
        guard FileManager.default.createFile(atPath: partial, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw ZhichengError.internal("cannot create \(partial)")
        }
        let record: BackupRecord
        do {
            let bytes = try await withTenant(id) { db in try await db.backup(to: partial) }
            FaultInjection.point("tenant.backup.copied")
            record = try await Self.fileWork.run {
                try Self.fsync(path: partial)
                try FileManager.default.moveItem(atPath: partial, toPath: final)
                try Self.fsync(path: dir)
                return BackupRecord(path: final, bytes: bytes, sha256: try Self.sha256(ofFile: final), at: Date().timeIntervalSince1970)
            }
        } catch {
            Self.removeDatabaseFiles(partial)
            throw error
        }
        try await registry.recordBackup(id, record)
        return record
    }

    /// Replaces the tenant's database with the file at `source` after verifying it
    /// (SQLite integrity, foreign keys, audit chain, and that it belongs to this
    /// tenant). The current file is kept in the backup dir, never deleted. The restored
    /// file carries `token` (`tenant_meta.restore_token`; `restoreToken(_:)` reads it), so
    /// that after a stop one can tell whether it took the tenant's place. Returns the
    /// size and SHA-256 of the backup file as it was copied.
    /// The caller has checked that the tenant is suspended.
    /// `identity`: the tenant's division code (short form) and kind as the registry has them;
    /// a backup made under the same id by another tenant since archived is refused.
    /// `knownElsewhere`: the highest application id of this tenant that another tenant holds
    /// (a city's, in the province; 0 for the province), nil when that could not be read; the
    /// restored database numbers new applications above it too. When the database replaced
    /// cannot be read either (damaged: the reason for the restore), the restore is refused
    /// rather than number applications as ones the province already holds.
    public func restore(_ id: TenantID, from source: String, token: String = UUID().uuidString,
                        identity: (divisionCode: String, kind: String)? = nil, knownElsewhere: Int? = 0,
                        earlierTenant allowed: Bool = false) async throws -> BackupRecord {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: source, isDirectory: &isDir), !isDir.boolValue else {
            throw ZhichengError.notFound("no backup file at \(source)")
        }
        // Exclusive from the start: the staged copy has one name per tenant, and the
        // copy and checks run off the actor, so a second restore must wait its turn.
        return try await withExclusiveFiles(id) { [paths, logger] in
            try await Self.fileWork.run {
                let dir = paths.directory(for: id)
                let live = paths.database(for: id)
                let staged = paths.stagedRestore(for: id)
                Self.removeStaged(staged)
                try Self.copyBackupFile(source, to: staged, live: live)
                let restored: BackupRecord
                do {
                    // What is restored, as copied, before the marks below change the copy.
                    let bytes = (try fm.attributesOfItem(atPath: staged)[.size] as? Int) ?? 0
                    restored = BackupRecord(path: source, bytes: bytes, sha256: try Self.sha256(ofFile: staged), at: Date().timeIntervalSince1970)
                    try Self.verifyCandidate(staged, named: source, for: id, identity: identity)
                    if !allowed { try Self.requireSameTenant(staged, as: live, source: source, id: id) }
                    // The backup may be older than applications other tenants already know:
                    // its next ids start above what the database it replaces had used.
                    let used: Int
                    do {
                        guard Self.hasSQLiteHeader(live) else { throw ZhichengError.internal("\(live) is not an SQLite database") }
                        used = max(try SQLiteConnection.readOnce(path: live, ApplicationIDs.used), knownElsewhere ?? 0)
                    } catch {
                        if let knownElsewhere {
                            used = knownElsewhere
                            logger.warning("restore: cannot read which application ids the replaced database used; new ids continue above the backup's and those other tenants hold",
                                           metadata: ["tenant.id": "\(id)", "error": "\(error)", "known_elsewhere": "\(knownElsewhere)"])
                        } else {
                            throw ZhichengError.unavailable("cannot read which application ids \(id) used (its database: \(error)), nor which the province holds; restore again once the province can be read")
                        }
                    }
                    // Which backups in the dir were an earlier tenant's when this one was made
                    // (`backupsAtCreationKey`) is the replaced database's to say: a backup of an
                    // earlier tenant under this id, or one made before the record existed, would
                    // bring its own (or none), and retention would then count those files as this
                    // tenant's. A replaced database that cannot be read leaves the backup's.
                    let atCreation: String?? = Self.hasSQLiteHeader(live)
                        ? try? SQLiteConnection.readOnce(path: live) { conn in
                            try conn.scalar("SELECT value FROM tenant_meta WHERE key = ?", [Self.backupsAtCreationKey])?.string
                        }
                        : nil
                    // Which tenant the database is is the replaced database's to say, as the record
                    // above is: a backup made before v31 has no incarnation (opened, it would get a
                    // new one, and the tenant's own backups since v31 would read as an earlier
                    // tenant's), and one restored with `force` becomes this tenant's data. A
                    // replaced database that cannot be read leaves the backup's.
                    let current = Self.incarnation(of: live)
                    let conn = try SQLiteConnection(path: staged, options: .init(create: false))
                    defer { conn.close() }
                    try conn.transaction {
                        try ApplicationIDs.reserve(upTo: used, conn)
                        switch atCreation {
                        case .some(.some(let names)):
                            try conn.run("INSERT OR REPLACE INTO tenant_meta (key, value) VALUES (?, ?)", [Self.backupsAtCreationKey, names])
                        case .some(.none):
                            try conn.run("DELETE FROM tenant_meta WHERE key = ?", [Self.backupsAtCreationKey])
                        case .none:
                            break
                        }
                        if let current {
                            try conn.run("INSERT OR REPLACE INTO tenant_meta (key, value) VALUES ('incarnation', ?)", [current])
                        }
                        try conn.run("INSERT OR REPLACE INTO tenant_meta (key, value) VALUES ('restore_token', ?)", [token])
                        // The backup's sessions are void: a token signed out, or cut off by a
                        // password change or a disabled account since the backup, must not
                        // come back with it. Everyone signs in again.
                        try conn.run("DELETE FROM sessions")
                    }
                } catch {
                    Self.removeStaged(staged)
                    throw error
                }
                try Self.fsync(path: staged)
                do {
                    if fm.fileExists(atPath: live) {
                        try Self.keep(live, in: paths.backupDirectory(for: id), as: id.rawValue + "-pre-restore-" + Self.timestamp())
                    }
                } catch {
                    Self.removeStaged(staged)
                    throw error
                }
                FaultInjection.point("tenant.restore.kept")
                // One atomic step: a stop before it leaves the current file in place, after it the backup.
                guard rename(staged, live) == 0 else { throw ZhichengError.internal("cannot move \(staged) into place: errno \(errno)") }
                try Self.fsync(path: dir)
                FaultInjection.point("tenant.restore.swapped")
                return restored
            }
        }
    }

    /// The token of the restore that put the tenant's current file in place (nil if none
    /// did), read without opening the tenant into the cache.
    public func restoreToken(_ id: TenantID) async throws -> String? {
        let path = paths.database(for: id)
        return try await Self.openWork.run {
            try SQLiteConnection.readOnce(path: path) { conn in
                try conn.scalar("SELECT value FROM tenant_meta WHERE key = 'restore_token'")?.string
            }
        }
    }

    /// Removes what a restore a stop cut off before the swap left in the tenant's directory.
    public func discardStagedRestore(_ id: TenantID) async throws {
        let staged = paths.stagedRestore(for: id)
        try await Self.fileWork.run {
            Self.removeStaged(staged)
            guard !FileManager.default.fileExists(atPath: staged) && !FileManager.default.fileExists(atPath: staged + "-journal") else {
                throw ZhichengError.internal("cannot remove the staged restore \(staged): errno \(errno)")
            }
        }
    }

    /// Removes a staged restore file with its rollback journal, WAL and wal-index. A
    /// restore stopped during the staged file's own commit leaves a hot `-journal`: kept,
    /// SQLite would play its pages (of that backup) into the next restore's copy (of
    /// another), which then fails its checks or, worse, passes them carrying the other
    /// backup's `tenant_meta`.
    static func removeStaged(_ staged: String) {
        removeDatabaseFiles(staged)
    }

    /// Removes a database file that is no one's (a staged restore, a backup's unfinished copy)
    /// with what SQLite may have left beside it: its rollback `-journal` (a copy cut off
    /// mid-write leaves one, hot), and a `-wal` and `-shm`. The journal first: the file gone
    /// and its journal left is the case to avoid.
    static func removeDatabaseFiles(_ path: String) {
        for file in databaseFiles(path).reversed() { unlink(file) }
    }

    /// A database file and the files SQLite may keep beside it, the database first.
    static func databaseFiles(_ path: String) -> [String] {
        [path] + databaseCompanionSuffixes.map { path + $0 }
    }

    /// What SQLite names the files it keeps beside a database: rollback journal, WAL, wal-index.
    static let databaseCompanionSuffixes = ["-shm", "-wal", "-journal"]

    /// Keeps a copy of the database at `live` as `<dir>/<name>.sqlite`, whole and durable,
    /// leaving `live` in place. Its WAL is folded in and removed first (journal mode
    /// DELETE), so the copy needs no other file and no old WAL is left beside `live` to be
    /// paired with the file that replaces it. A copy, not a hard link: were the restore
    /// stopped before the swap, a link would go on changing with the tenant.
    ///
    /// A file SQLite cannot read as a database (damaged: the reason for many a restore) is
    /// kept byte for byte, and its `-wal` and `-journal`, if any, are moved beside the copy:
    /// neither may stay to be played into the file that replaces it.
    static func keep(_ live: String, in dir: String, as name: String) throws {
        let fm = FileManager.default
        let inUse = ZhichengError.unavailable("another process has \(live) open (a sqlite3 shell?); close it and restore again")
        // A file without SQLite's header is not opened at all: SQLite, closing a connection to
        // it, would delete the -wal beside it before it is kept.
        var readable = hasSQLiteHeader(live)
        if readable {
            do {
                let conn = try SQLiteConnection(path: live, options: .init(create: false))
                defer { conn.close() }
                try conn.execute("PRAGMA busy_timeout = 2000; PRAGMA journal_mode = DELETE")
            } catch let error as SQLiteError where error.isBusy {
                throw inUse
            } catch let error as SQLiteError where error.isCorrupt {
                readable = false
            }
        }
        if readable { guard !fm.fileExists(atPath: live + "-wal") else { throw inUse } }
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let kept = unusedPath(dir + "/" + name, suffix: ".sqlite")
        do {
            try fm.copyItem(atPath: live, toPath: kept)
            try fsync(path: kept)
            if !readable {
                // Copied, then removed from beside the live file (the backup directory may be
                // on another file system, where a rename cannot go).
                for suffix in ["-wal", "-journal"] where fm.fileExists(atPath: live + suffix) {
                    try fm.copyItem(atPath: live + suffix, toPath: kept + suffix)
                    try fsync(path: kept + suffix)
                }
            }
            try fsync(path: dir)
            if !readable {
                for suffix in ["-wal", "-journal", "-shm"] { unlink(live + suffix) }
            }
        } catch {
            for suffix in ["", "-wal", "-journal"] { try? fm.removeItem(atPath: kept + suffix) }   // a part copy is no backup
            throw error
        }
    }

    /// Whether the file at `path` starts as an SQLite database does. One that does not is not
    /// opened by the restore: SQLite, closing a connection to it, deletes the -wal beside it.
    static func hasSQLiteHeader(_ path: String) -> Bool {
        let header = FileHandle(forReadingAtPath: path).flatMap { handle in
            defer { try? handle.close() }
            return try? handle.read(upToCount: 16)
        }
        return header == Data("SQLite format 3\0".utf8)
    }

    /// Refuses a backup of an earlier tenant of this id (one archived, the id then created
    /// again with the same division and kind, which `verifyCandidate` cannot tell apart): its
    /// database was made as another one (`tenant_meta.incarnation`, schema v31, a random value
    /// each tenant database gets once). Only when both files have one: a backup made before v31
    /// has none and is taken as before, and so is any backup when the live database cannot be
    /// read (a damaged one is what a restore is for).
    static func requireSameTenant(_ staged: String, as live: String, source: String, id: TenantID) throws {
        guard let backup = incarnation(of: staged), let current = incarnation(of: live), backup != current else { return }
        throw ZhichengError.invalid("\(source) is a backup of an earlier tenant \(id) (archived, the id then created again): "
                                    + "restoring it replaces this tenant's data with that one's; pass force to restore it all the same", field: "path")
    }

    /// A database's `tenant_meta.incarnation`; nil when it has none or cannot be read.
    static func incarnation(of path: String) -> String? {
        guard hasSQLiteHeader(path) else { return nil }
        return (try? SQLiteConnection.readOnce(path: path) { conn in
            try conn.hasTable("tenant_meta") ? try conn.scalar("SELECT value FROM tenant_meta WHERE key = 'incarnation'")?.string : nil
        }) ?? nil
    }

    /// Opens a candidate file on its own and refuses it unless it is a sound tenant database of `id`.
    /// A refusal names the file as `shown` (the backup file the sysadmin gave, of which `path`
    /// is the daemon's staged copy), or `path` itself when nil.
    static func verifyCandidate(_ path: String, named shown: String? = nil, for id: TenantID, identity: (divisionCode: String, kind: String)? = nil) throws {
        let name = shown ?? path
        let conn: SQLiteConnection
        do {
            conn = try SQLiteConnection(path: path, options: .init(create: false))
            try conn.execute("PRAGMA journal_mode = DELETE")
        } catch {
            throw ZhichengError.invalid("\(name) is not an SQLite database: \(error)", field: "path")
        }
        defer { conn.close() }
        do {
            let integrity = try conn.query("PRAGMA integrity_check").compactMap { $0[0].string }
            guard integrity == ["ok"] else {
                throw ZhichengError.invalid("\(name) fails integrity_check: \(integrity.prefix(3).joined(separator: "; "))", field: "path")
            }
            let version = try conn.scalar("PRAGMA user_version")?.int ?? 0
            guard version >= 1, version <= TenantSchema.latestVersion else {
                throw ZhichengError.invalid("\(name) has schema version \(version); this build reads 1…\(TenantSchema.latestVersion)", field: "path")
            }
            let owner = try conn.scalar("SELECT value FROM tenant_meta WHERE key = 'tenant_id'")?.string
            guard owner == id.rawValue else {
                throw ZhichengError.invalid("\(name) is a backup of tenant \(owner ?? "?"), not of \(id)", field: "path")
            }
            if let identity {
                let code = try conn.scalar("SELECT value FROM tenant_meta WHERE key = 'division_code'")?.string
                let kind = try conn.scalar("SELECT value FROM tenant_meta WHERE key = 'kind'")?.string
                guard code == identity.divisionCode, kind == identity.kind else {
                    throw ZhichengError.invalid("\(name) is a backup of an earlier tenant \(id) (division \(code ?? "?"), \(kind ?? "?")), "
                                                + "not of the one registered now (division \(identity.divisionCode), \(identity.kind))", field: "path")
                }
            }
            guard try conn.query("PRAGMA foreign_key_check").isEmpty else {
                throw ZhichengError.invalid("\(name) has broken foreign keys", field: "path")
            }
            if let problem = try conn.verifyAuditChain() {
                throw ZhichengError.invalid("\(name): \(problem)", field: "path")
            }
        } catch let error as ZhichengError {
            throw error
        } catch {
            throw ZhichengError.invalid("\(name) is not a readable tenant database: \(error)", field: "path")
        }
    }

    /// Runs SQLite's `integrity_check`, `foreign_key_check` and the audit-chain check, through
    /// a connection of its own: on a large tenant this takes long, and the tenant's requests
    /// go on meanwhile.
    public func check(_ id: TenantID) async throws -> CheckReport {
        try await withTenant(id) { db in
            try await db.readAlone(label: "zhicheng.check") { conn in
                FaultInjection.pauseBlocking("check.reading")
                let integrity = try conn.query("PRAGMA integrity_check").compactMap { $0[0].string }
                let fks = try conn.query("PRAGMA foreign_key_check").map { row in
                    "\(row["table"].string ?? "?") row \(row["rowid"].int.map(String.init) ?? "?") → \(row["parent"].string ?? "?")"
                }
                var report = CheckReport(integrity: integrity, foreignKeys: fks, auditProblem: try conn.verifyAuditChain(),
                                         loginCasePairs: try conn.loginsDifferingOnlyByCase())
                // Read from the audit log (a walk of it, as the chain's check is): the rows the
                // relay wrote as it kept each message (`relay.unapplied`).
                let unapplied = "FROM audit WHERE action = 'relay.unapplied'"
                report.unappliedCount = try conn.scalar("SELECT count(*) \(unapplied)")?.int ?? 0
                // A message kept as it came names itself in the row's target and says why; an answer
                // about an application no longer waiting for the province names the application, and
                // the message and the application's state in the detail.
                report.unapplied = try conn.query("""
                    SELECT at, substr(source, 8) AS sender, d.kind,
                           CASE WHEN target LIKE 'message:%' THEN substr(target, 9) ELSE COALESCE(d.message_id, '') END AS message_id,
                           COALESCE(d.reason, 'application ' || substr(target, 13) || ' no longer waits for the province (state: '
                                              || COALESCE(d.state, 'none') || ')') AS reason
                    FROM (SELECT seq, at, target, source,
                                 CASE WHEN json_valid(detail) THEN json_extract(detail, '$.kind') END AS kind,
                                 CASE WHEN json_valid(detail) THEN json_extract(detail, '$.reason') END AS reason,
                                 CASE WHEN json_valid(detail) THEN json_extract(detail, '$.message_id') END AS message_id,
                                 CASE WHEN json_valid(detail) THEN json_extract(detail, '$.state') END AS state
                          \(unapplied)) AS d
                    ORDER BY seq DESC LIMIT ?
                    """, [UnappliedMessage.listed]).map {
                    UnappliedMessage(messageID: $0["message_id"].string ?? "", kind: $0["kind"].string ?? "", from: $0["sender"].string ?? "",
                                     reason: $0["reason"].string ?? "", at: $0["at"].double ?? 0)
                }
                return report
            }
        }
    }

    /// Counts for the tenant list, and the schema version. A tenant that is not
    /// open is read through a short-lived connection instead of being opened
    /// into the cache, so listing 1,000 tenants neither evicts the busy ones nor
    /// holds 1,000 files open.
    public func stats(_ id: TenantID) async throws -> TenantStats {
        let path = paths.database(for: id)
        let bytes = ["", "-wal"].reduce(0) { sum, suffix in
            sum + (((try? FileManager.default.attributesOfItem(atPath: path + suffix))?[.size] as? Int) ?? 0)
        }
        if isOpen(id) {
            return try await withTenant(id) { db in try await db.read { try Self.stats(of: $0, bytes: bytes) } }
        }
        guard !isExclusive(id) else { throw ZhichengError.unavailable("tenant \(id) is being restored or archived") }
        return try await Self.openWork.run { try SQLiteConnection.readOnce(path: path) { try Self.stats(of: $0, bytes: bytes) } }
    }

    /// A tenant's outbox counts, read without opening it into the cache. `setAside`: count the
    /// messages set aside too (`tenant show`), a walk of the whole outbox; without it (the relay's
    /// start-up, which needs only what waits) that count is 0, not read.
    public func outbox(_ id: TenantID, setAside countSetAside: Bool = true) async throws -> OutboxCounts {
        let query: @Sendable (SQLiteConnection) throws -> OutboxCounts = { conn in
            let setAside = try countSetAside && conn.hasColumn("set_aside_at", in: "outbox")
                ? try conn.scalar("SELECT count(*) FROM outbox WHERE set_aside_at IS NOT NULL")?.int ?? 0 : 0
            return OutboxCounts(waiting: try Self.undelivered(conn), setAside: setAside)
        }
        if isOpen(id) { return try await withTenant(id) { db in try await db.read(query) } }
        let path = paths.database(for: id)
        return try await Self.openWork.run { try SQLiteConnection.readOnce(path: path, query) }
    }

    /// Messages in a tenant's outbox still to deliver (neither delivered nor set aside),
    /// on a database of any schema version: one not opened since an upgrade may predate
    /// the outbox or its `set_aside_at`. From v44 counted in `outbox_waiting`, which holds
    /// just those (else SQLite reads each waiting row whole to reach `set_aside_at`, over an
    /// objection's payload with its evidence files).
    static let undeliveredSQL = "SELECT count(*) FROM outbox INDEXED BY outbox_waiting WHERE delivered_at IS NULL AND set_aside_at IS NULL"

    @Sendable static func undelivered(_ conn: SQLiteConnection) throws -> Int {
        guard try conn.hasTable("outbox") else { return 0 }
        if try conn.hasIndex("outbox_waiting") { return try conn.scalar(undeliveredSQL)?.int ?? 0 }
        let setAside = try conn.hasColumn("set_aside_at", in: "outbox") ? " AND set_aside_at IS NULL" : ""
        return try conn.scalar("SELECT count(*) FROM outbox WHERE delivered_at IS NULL" + setAside)?.int ?? 0
    }

    /// `applications`: the tenant's own, and in the province those received from the
    /// cities (a province has no applicants of its own; its work is what it received).
    /// Applications not yet decided, on a database of any schema version: a city's own
    /// under review or waiting for the province's committee, and those the province
    /// received and has not decided (final, or an expert application passed or rejected).
    @Sendable static func undecided(_ conn: SQLiteConnection) throws -> Int {
        var count = 0
        if try conn.hasColumn("state", in: "applications") {
            count += try conn.scalar("SELECT count(*) FROM applications WHERE state IN ('in_review', 'awaiting_province', 'at_committee', 'publicity')")?.int ?? 0
        }
        if try conn.hasTable("received_applications") {
            count += try conn.scalar("SELECT count(*) FROM received_applications WHERE state NOT IN ('final', 'passed', 'rejected')")?.int ?? 0
        }
        return count
    }

    static func stats(of conn: SQLiteConnection, bytes: Int) throws -> TenantStats {
        var applications = 0
        for table in ["applications", "received_applications"] where try conn.hasTable(table) {
            applications += try conn.scalar("SELECT count(*) FROM \(table)")?.int ?? 0
        }
        return TenantStats(
            dbBytes: bytes,
            orgs: try conn.scalar("SELECT count(*) FROM orgs")?.int ?? 0,
            accounts: try conn.scalar("SELECT count(*) FROM accounts")?.int ?? 0,
            applications: applications,
            schemaVersion: try conn.scalar("PRAGMA user_version")?.int ?? 0)
    }

    /// Unregisters the tenant and moves its directory into the archive dir. Nothing is deleted.
    /// The registry remembers the application ids it used, so that creating the id again
    /// never reuses one (`ApplicationIDs`), and where the files go, before they move: a
    /// crash in between is finished by `reconcile` at the next start. Also says how many of
    /// its outbox messages had not been delivered: they leave service with it.
    public func archive(_ id: TenantID, audit entry: AuditEntry? = nil) async throws -> ArchivedTenant {
        try await withExclusiveFiles(id) { [paths, registry, logger] in
            let (target, used, undelivered, undecided) = try await Self.fileWork.run {
                var used = 0, undelivered = 0, undecided = 0
                // The archive's audit row, once it is sure to go ahead (nothing uses the tenant
                // any more): a refused archive (still in use) leaves no row saying it was done.
                // A database that cannot be written is archived without it, said in the log.
                if let entry {
                    do {
                        try SQLiteConnection.writeOnce(path: paths.database(for: id)) { conn in try conn.appendTenantAudit(entry) }
                    } catch {
                        logger.error("\(entry.action) without its audit row: the tenant database cannot be written", metadata: [
                            "tenant.id": "\(id)", "actor": "\(entry.actor)", "error": "\(error)"])
                    }
                }
                do {
                    (used, undelivered, undecided) = try SQLiteConnection.readOnce(path: paths.database(for: id)) { conn in
                        (try ApplicationIDs.used(conn), try Self.undelivered(conn), try Self.undecided(conn))
                    }
                } catch {
                    logger.warning("archive: cannot read the database (application ids used, undelivered messages); a tenant created again with this id numbers its applications above those the province holds",
                                   metadata: ["tenant.id": "\(id)", "error": "\(error)"])
                }
                return (Self.unusedPath(paths.archiveDir + "/" + id.rawValue + "-" + Self.timestamp()), used, undelivered, undecided)
            }
            let undo = try await registry.archive(id, path: target, applicationIDsUsed: used)
            FaultInjection.point("tenant.archive.unregistered")
            do {
                try await Self.fileWork.run { try Self.moveIntoArchive(paths.directory(for: id), to: target, paths) }
            } catch {
                try await registry.unarchive(undo)
                throw error
            }
            return ArchivedTenant(path: target, undeliveredMessages: undelivered, undecidedApplications: undecided)
        }
    }

    /// Moves a tenant directory into the archive dir, durably.
    static func moveIntoArchive(_ directory: String, to target: String, _ paths: TenantPaths) throws {
        try renameIntoArchive(directory, to: target)
        try fsync(path: paths.archiveDir)
        try fsync(path: paths.tenantsDir)
    }

    /// Refuses an archive dir on another file system than the tenants dir before anything is
    /// done (see `renameIntoArchive`, which refuses the move itself).
    public nonisolated func requireArchiveOnSameFileSystem() throws {
        var tenants = stat(), archive = stat()
        guard stat(paths.tenantsDir, &tenants) == 0, stat(paths.archiveDir, &archive) == 0 else { return }
        guard tenants.st_dev == archive.st_dev else {
            throw ZhichengError.unavailable("the archive dir \(paths.archiveDir) must be on the same file system as the data dir "
                                            + "(an archive is a rename, never a copy); nothing was changed")
        }
    }

    /// `rename(2)`, never a copy: across file systems `FileManager.moveItem` copies and then
    /// deletes, with no fsync of the copy, so a power cut after the delete could lose the
    /// tenant. An archive dir on another file system than the data dir is refused instead.
    static func renameIntoArchive(_ directory: String, to target: String) throws {
        guard rename(directory, target) != 0 else { return }
        let code = errno
        if code == EXDEV {
            throw ZhichengError.unavailable("the archive dir must be on the same file system as the data dir (an archive is a rename, never a copy): "
                                            + "cannot move \(directory) to \(target); nothing was moved")
        }
        throw ZhichengError.internal("cannot move \(directory) to \(target): \(String(cString: strerror(code)))")
    }

    /// The hex SHA-256 of a file, read in chunks.
    /// Copies the backup file at `source` (a symbolic link is followed: the file it names is
    /// copied, never the link) to a new file `to` (mode 0600). Refused unless it is a regular
    /// file other than the tenant's live database: a FIFO or a device would block the
    /// tenant store's file lane, and a link moved into place would make another file, or a
    /// loop, the live database.
    static func copyBackupFile(_ source: String, to target: String, live: String) throws {
        let resolved = URL(fileURLWithPath: source).resolvingSymlinksInPath().path
        let input = open(resolved, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard input >= 0 else { throw ZhichengError.invalid("cannot open \(source): \(String(cString: strerror(errno)))", field: "path") }
        defer { close(input) }
        var info = stat()
        guard fstat(input, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            throw ZhichengError.invalid("\(source) is not a regular file", field: "path")
        }
        var liveInfo = stat()
        if stat(live, &liveInfo) == 0, liveInfo.st_dev == info.st_dev, liveInfo.st_ino == info.st_ino {
            throw ZhichengError.invalid("\(source) is the tenant's live database, not a backup", field: "path")
        }
        let output = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard output >= 0 else { throw ZhichengError.internal("cannot create \(target): \(String(cString: strerror(errno)))") }
        defer { close(output) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw ZhichengError.internal("cannot read \(source): \(String(cString: strerror(errno)))") }
            if count == 0 { break }
            var written = 0
            while written < count {
                let n = buffer.withUnsafeBytes { write(output, $0.baseAddress! + written, count - written) }
                if n < 0, errno == EINTR { continue }
                guard n > 0 else { throw ZhichengError.internal("cannot write \(target): \(String(cString: strerror(errno)))") }
                written += n
            }
        }
    }

    public static func sha256(ofFile path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ZhichengError.internal("cannot read \(path)") }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return hasher.finalize().withUnsafeBytes { hexString($0) }
    }
}
