import Foundation
import Synchronization
import ZhichengCore

/// The daemon-wide list of tenants (`registry.sqlite`): identity, kind, state and
/// last backup. Tenant data itself lives only in each tenant's own file.
public struct Registry: Sendable {
    private let db: Database
    /// Tenant rows by id, read through and updated by every write below (the
    /// registry is the only writer of its file), so resolving the tenant of an
    /// HTTP request costs no database read.
    private let cache = Cache()
    /// The state of every registered tenant, always complete (loaded when the registry
    /// opens, then set by every write below that changes a state or a row): what a tenant's
    /// write made for a signed-in account asks, synchronously, inside its own transaction
    /// (`isActive`).
    private let states: States

    /// Each write takes a ticket inside its transaction (the registry's writes are serialized),
    /// and its state is recorded after the commit unless a later transaction's already is: two
    /// writes of one tenant whose callers resume in the other order leave what the file says.
    final class States: Sendable {
        private struct Table: ~Copyable {
            /// `epoch`: the ticket of the change that gave the tenant its present state (0 for
            /// the state it had when the registry was opened).
            var rows: [TenantID: (state: TenantState?, ticket: UInt64, epoch: UInt64)]
            var issued: UInt64 = 0
        }
        private let table: Mutex<Table>

        init(_ states: [TenantID: TenantState]) { table = Mutex(Table(rows: states.mapValues { ($0, 0, 0) })) }

        func state(_ id: TenantID) -> TenantState? { table.withLock { $0.rows[id]?.state } }

        func epoch(_ id: TenantID) -> UInt64? { table.withLock { table in table.rows[id].flatMap { $0.state == nil ? nil : $0.epoch } } }

        /// Taken inside the transaction that changes a tenant's row.
        func ticket() -> UInt64 {
            table.withLock { table in
                table.issued += 1
                return table.issued
            }
        }

        /// `state` (nil: no row) as the transaction that took `ticket` left it.
        func record(_ id: TenantID, _ state: TenantState?, ticket: UInt64) {
            table.withLock { table in
                guard let row = table.rows[id] else { table.rows[id] = (state, ticket, ticket); return }
                if row.ticket < ticket { table.rows[id] = (state, ticket, state == row.state ? row.epoch : ticket) }
            }
        }
    }

    /// Only existing tenants are cached (unknown ids would let anyone grow it). Every
    /// write bumps `generation`, and a read only fills the cache when no write happened
    /// meanwhile, so a slow read can never store a stale row.
    final class Cache: Sendable {
        struct State: ~Copyable {
            var rows: [TenantID: TenantInfo] = [:]
            var generation = 0
        }
        let state = Mutex(State())

        func get(_ id: TenantID) -> TenantInfo? { state.withLock { $0.rows[id] } }
        var generation: Int { state.withLock { $0.generation } }
        func store(_ info: TenantInfo, ifGeneration generation: Int) {
            state.withLock { if $0.generation == generation { $0.rows[info.id] = info } }
        }
        func invalidate(_ id: TenantID) {
            state.withLock {
                $0.generation += 1
                $0.rows[id] = nil
            }
        }
    }

    static let migrations: [Migration] = [
        Migration(version: 1, name: "tenants", sql: """
            CREATE TABLE tenants (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                division_code TEXT NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('city', 'province')),
                state TEXT NOT NULL CHECK (state IN ('active', 'suspended')),
                created_at REAL NOT NULL,
                last_backup_path TEXT,
                last_backup_at REAL,
                last_backup_bytes INTEGER,
                last_backup_sha256 TEXT
            ) STRICT;
            """),
        Migration(version: 2, name: "archived tenant ids and the application ids they used", sql: """
            CREATE TABLE archived (
                id TEXT NOT NULL,
                archived_at REAL NOT NULL,
                path TEXT NOT NULL,
                application_ids_used INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX archived_id ON archived(id);
            """),
        Migration(version: 3, name: "restores under way", sql: """
            -- Written before a restore touches the tenant's files and removed once it is
            -- audited and the other tenants' messages are offered again: a row left at
            -- start belongs to a restore a stop cut off (TenantService.finishInterruptedRestores).
            CREATE TABLE restores (
                id TEXT PRIMARY KEY,
                token TEXT NOT NULL,
                path TEXT NOT NULL,
                actor TEXT NOT NULL,
                source TEXT NOT NULL,
                started_at REAL NOT NULL
            ) STRICT;
            """),
    ]

    public init(path: String) throws {
        db = try Database(path: path, migrations: Self.migrations, cacheKiB: 512)
        let rows = try db.readNow { conn in try conn.query("SELECT * FROM tenants").compactMap(Self.info) }
        states = States(Dictionary(rows.map { ($0.id, $0.state) }, uniquingKeysWith: { first, _ in first }))
    }

    /// Whether `id` is registered and active, from memory (no read, no wait): true from the
    /// return of the `insert` or `setState` that made it so, false from the return of the
    /// `setState` that suspended it or the `archive` that unregistered it.
    public func isActive(_ id: TenantID) -> Bool {
        states.state(id) == .active
    }

    /// Which spell of its present state a registered tenant is in, from memory as `isActive`
    /// (nil: not registered). It changes with each change of state (a suspension, a resume, an
    /// archive, a create under the id again) and with nothing else: a restore, which needs the
    /// tenant suspended, always changes it. A request keeps the epoch it was let in under
    /// (`SignedIn`), and its reads are made only under that same one.
    public func epoch(_ id: TenantID) -> UInt64? {
        states.epoch(id)
    }

    /// Every registered tenant, sorted by id.
    public func all() async throws -> [TenantInfo] {
        try await db.read { conn in try conn.query("SELECT * FROM tenants ORDER BY id").compactMap(Self.info) }
    }

    /// The id of every row, readable by this build or not (see `unreadable`).
    public func registeredIDs() async throws -> Set<String> {
        try await db.read { conn in Set(try conn.query("SELECT id FROM tenants").compactMap { $0["id"].string }) }
    }

    /// Rows this build cannot read (an id, division code, kind or state it does not know,
    /// e.g. a row written by a newer build): id and why. `all()` leaves them out.
    public func unreadable() async throws -> [(id: String, row: String)] {
        try await db.read { conn in
            try conn.query("SELECT * FROM tenants ORDER BY id").filter { Self.info($0) == nil }.map { row in
                (row["id"].string ?? "", "division_code=\(row["division_code"].string ?? "-") kind=\(row["kind"].string ?? "-") state=\(row["state"].string ?? "-")")
            }
        }
    }

    public func get(_ id: TenantID) async throws -> TenantInfo? {
        if let cached = cache.get(id) { return cached }
        let generation = cache.generation
        let info = try await db.read { conn in try conn.query("SELECT * FROM tenants WHERE id = ?", [id.rawValue]).first.flatMap(Self.info) }
        if let info { cache.store(info, ifGeneration: generation) }
        return info
    }

    /// When each registered tenant's last backup was made (seconds since 1970), or when it
    /// was created for one never backed up (an alert on the age of the last backup then fires
    /// a day after a tenant's creation without one, not at once): for /metrics, in one read.
    public func lastBackupTimes() async throws -> [(id: String, at: Double)] {
        try await db.read { conn in
            try conn.query("SELECT id, coalesce(last_backup_at, created_at) AS at FROM tenants").compactMap { row -> (id: String, at: Double)? in
                guard let id = row["id"].string, let at = row["at"].double else { return nil }
                return (id, at)
            }
        }
    }

    /// The last backup recorded for `id`.
    public func lastBackup(_ id: TenantID) async throws -> BackupRecord? {
        try await db.read { conn in
            guard let row = try conn.query("SELECT * FROM tenants WHERE id = ?", [id.rawValue]).first,
                  let path = row["last_backup_path"].string else { return nil }
            return BackupRecord(path: path, bytes: row["last_backup_bytes"].int ?? 0, sha256: row["last_backup_sha256"].string ?? "", at: row["last_backup_at"].double ?? 0)
        }
    }

    /// Adds `info`; throws `conflict` when the id is taken, or when `info` is a province
    /// and a province tenant exists: an installation serves one province, and the relay
    /// hands every city's senior applications to it.
    public func insert(_ info: TenantInfo) async throws {
        do {
            let ticket = try await db.write { [states] conn in
                if info.kind == .province, let other = try Self.provinceID(conn) {
                    throw ZhichengError.conflict("the province tenant already exists (\(other)); an installation has one")
                }
                try conn.run(
                    "INSERT INTO tenants (id, name, division_code, kind, state, created_at) VALUES (?,?,?,?,?,?)",
                    [info.id.rawValue, info.name, info.divisionCode.short, info.kind.rawValue, info.state.rawValue, info.createdAt])
                return states.ticket()
            }
            states.record(info.id, info.state, ticket: ticket)
        } catch let error as SQLiteError where error.isConstraint {
            throw ZhichengError.conflict("tenant \(info.id) already exists")
        }
        cache.invalidate(info.id)
    }

    /// The province tenant's id, if there is one.
    public func provinceID() async throws -> String? {
        try await db.read { conn in try Self.provinceID(conn) }
    }

    private static func provinceID(_ conn: SQLiteConnection) throws -> String? {
        try conn.scalar("SELECT id FROM tenants WHERE kind = 'province' ORDER BY id LIMIT 1")?.string
    }

    /// Sets the state of `id`; returns false when there is no such tenant.
    public func setState(_ id: TenantID, _ state: TenantState) async throws -> Bool {
        defer { cache.invalidate(id) }
        let (changed, ticket) = try await db.write { [states] conn in
            (try conn.run("UPDATE tenants SET state = ? WHERE id = ?", [state.rawValue, id.rawValue]) > 0, states.ticket())
        }
        if changed { states.record(id, state, ticket: ticket) }
        return changed
    }

    /// Gives `id` a new display name; returns false when there is no such tenant. The cached
    /// row goes with the write, so the next request of the tenant (its pages' headings, the
    /// province's screens naming the city) reads the new name.
    public func rename(_ id: TenantID, to name: String) async throws -> Bool {
        defer { cache.invalidate(id) }
        return try await db.write { conn in try conn.run("UPDATE tenants SET name = ? WHERE id = ?", [name, id.rawValue]) > 0 }
    }

    public func recordBackup(_ id: TenantID, _ backup: BackupRecord) async throws {
        _ = try await db.write { conn in
            try conn.run(
                "UPDATE tenants SET last_backup_path = ?, last_backup_at = ?, last_backup_bytes = ?, last_backup_sha256 = ? WHERE id = ?",
                [backup.path, backup.at, backup.bytes, backup.sha256, id.rawValue])
        }
    }

    /// Unregisters `id`, to be archived at `path`, remembering the application ids it used.
    /// Written before the files move: a crash in between is finished at the next start
    /// (`TenantStore.reconcile`, `interruptedArchive`). Returns what `unarchive` needs to
    /// undo it when the move fails.
    public func archive(_ id: TenantID, path: String, applicationIDsUsed: Int) async throws -> Unarchive {
        defer { cache.invalidate(id) }
        let (undo, ticket) = try await db.write { [states] conn in
            guard let row = try conn.query("SELECT * FROM tenants WHERE id = ?", [id.rawValue]).first else {
                throw ZhichengError.notFound("tenant \(id) does not exist")
            }
            try conn.run("DELETE FROM tenants WHERE id = ?", [id.rawValue])
            try conn.run("INSERT INTO archived (id, archived_at, path, application_ids_used) VALUES (?, ?, ?, ?)",
                         [id.rawValue, Date().timeIntervalSince1970, path, applicationIDsUsed])
            return (Unarchive(id: id, path: path, row: Self.tenantColumns.map { row[$0] }), states.ticket())
        }
        states.record(id, nil, ticket: ticket)
        return undo
    }

    /// The registry row of a tenant being archived, to put back if its files cannot move.
    public struct Unarchive: Sendable {
        let id: TenantID
        let path: String
        let row: [SQLiteValue]
    }

    static let tenantColumns = ["id", "name", "division_code", "kind", "state", "created_at",
                                "last_backup_path", "last_backup_at", "last_backup_bytes", "last_backup_sha256"]

    /// Registers again a tenant whose archive could not move its files, as it was before.
    public func unarchive(_ undo: Unarchive) async throws {
        defer { cache.invalidate(undo.id) }
        let ticket = try await db.write { [states] conn in
            try conn.run("DELETE FROM archived WHERE id = ? AND path = ?", [undo.id.rawValue, undo.path])
            try conn.run("INSERT INTO tenants (\(Self.tenantColumns.joined(separator: ", "))) VALUES (\(Array(repeating: "?", count: undo.row.count).joined(separator: ",")))",
                         undo.row)
            return states.ticket()
        }
        states.record(undo.id, TenantState(rawValue: undo.row[Self.tenantColumns.firstIndex(of: "state")!].string ?? ""), ticket: ticket)
    }

    /// Where the last archive of `id` was to put its files, when they are not there yet:
    /// the daemon stopped between unregistering the tenant and moving its directory.
    public func interruptedArchive(_ id: String) async throws -> String? {
        let path = try await db.read { conn in
            try conn.scalar("SELECT path FROM archived WHERE id = ? ORDER BY archived_at DESC LIMIT 1", [id])?.string
        }
        guard let path, !FileManager.default.fileExists(atPath: path) else { return nil }
        return path
    }

    /// The highest application id used under `id` by tenants archived before (0 if none).
    public func applicationIDsUsed(byArchived id: TenantID) async throws -> Int {
        try await db.read { conn in try conn.scalar("SELECT coalesce(max(application_ids_used), 0) FROM archived WHERE id = ?", [id.rawValue])?.int ?? 0 }
    }

    /// Whether a tenant with this id was archived before.
    public func wasArchived(_ id: TenantID) async throws -> Bool {
        try await db.read { conn in try conn.scalar("SELECT count(*) FROM archived WHERE id = ?", [id.rawValue])?.int ?? 0 > 0 }
    }

    /// Records a restore of `intent.id` under way; `conflict` while another one is.
    public func beginRestore(_ intent: RestoreIntent) async throws {
        do {
            _ = try await db.write { conn in
                try conn.run("INSERT INTO restores (id, token, path, actor, source, started_at) VALUES (?, ?, ?, ?, ?, ?)",
                             [intent.id.rawValue, intent.token, intent.path, intent.actor, intent.source, intent.startedAt])
            }
        } catch let error as SQLiteError where error.isConstraint {
            throw ZhichengError.conflict("tenant \(intent.id) is busy with another restore (or one that waits for the next start to be finished)")
        }
    }

    /// This restore is over (done and followed up, or failed without a change).
    public func endRestore(_ intent: RestoreIntent) async throws {
        _ = try await db.write { conn in try conn.run("DELETE FROM restores WHERE id = ? AND token = ?", [intent.id.rawValue, intent.token]) }
    }

    /// Restores recorded as under way: at start, those a stop cut off.
    public func restoresUnderWay() async throws -> [RestoreIntent] {
        try await db.read { conn in
            try conn.query("SELECT * FROM restores ORDER BY started_at").compactMap { row in
                guard let id = try? TenantID(row["id"].string ?? "") else { return nil }
                return RestoreIntent(id: id, token: row["token"].string ?? "", path: row["path"].string ?? "", actor: row["actor"].string ?? "",
                                     source: row["source"].string ?? "", startedAt: row["started_at"].double ?? 0)
            }
        }
    }

    /// When a tenant of id `id` was last archived, nil if never.
    public func lastArchived(_ id: TenantID) async throws -> Double? {
        try await db.read { conn in try conn.scalar("SELECT max(archived_at) FROM archived WHERE id = ?", [id.rawValue])?.double }
    }

    /// The last archive of a tenant of id `id`: when, and where its files went; nil if never.
    public func lastArchive(_ id: TenantID) async throws -> (at: Double, path: String)? {
        try await db.read { conn in
            try conn.query("SELECT archived_at, path FROM archived WHERE id = ? ORDER BY archived_at DESC LIMIT 1", [id.rawValue]).first.map {
                ($0["archived_at"].double ?? 0, $0["path"].string ?? "")
            }
        }
    }

    public func close() async { await db.close() }

    private static func info(_ row: SQLiteRow) -> TenantInfo? {
        guard let id = try? TenantID(row["id"].string ?? ""),
              let code = try? DivisionCode(row["division_code"].string ?? ""),
              let kind = TenantKind(rawValue: row["kind"].string ?? ""),
              let state = TenantState(rawValue: row["state"].string ?? "") else { return nil }
        return TenantInfo(id: id, name: row["name"].string ?? "", divisionCode: code, kind: kind, state: state, createdAt: row["created_at"].double ?? 0)
    }
}

/// A restore under way: which tenant, from which file, asked by whom, and the token the
/// restored file carries (`tenant_meta.restore_token`), which tells after a stop whether
/// the file took the tenant's place.
public struct RestoreIntent: Sendable, Equatable {
    public var id: TenantID
    public var token: String
    public var path: String
    public var actor: String
    public var source: String
    public var startedAt: Double

    public init(id: TenantID, token: String = UUID().uuidString, path: String, actor: String, source: String, startedAt: Double = Date().timeIntervalSince1970) {
        self.id = id
        self.token = token
        self.path = path
        self.actor = actor
        self.source = source
        self.startedAt = startedAt
    }
}

/// A finished backup: where, how big, its SHA-256, and when.
public struct BackupRecord: Sendable, Equatable {
    public var path: String
    public var bytes: Int
    public var sha256: String
    public var at: Double

    public init(path: String, bytes: Int, sha256: String, at: Double) {
        self.path = path
        self.bytes = bytes
        self.sha256 = sha256
        self.at = at
    }
}
