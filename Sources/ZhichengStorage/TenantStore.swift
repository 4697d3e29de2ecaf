import Dispatch
import Foundation
import Logging
import ZhichengCore

/// Owns every tenant database: opens them lazily, keeps at most `maxOpen` open
/// (least recently used closed first, never one in use), closes idle ones, and
/// performs the file-level life cycle (create, backup, restore, archive).
public actor TenantStore {
    public nonisolated let paths: TenantPaths
    public nonisolated let registry: Registry
    private var maxOpen: Int
    private var idleSeconds: Double
    private var entries: [TenantID: Entry] = [:]
    /// Tenants whose file is being replaced or moved; leases are refused meanwhile.
    private var exclusive: Set<TenantID> = []
    /// Work on a tenant's backup files under way (retention removing old ones), by tenant: a
    /// restore, which may read one of them, waits for it as for a lease (`withExclusiveFiles`).
    private var backupFileUsers: [TenantID: Int] = [:]
    /// How many regular backups of each tenant are kept (`[backup] keep`); a reload changes it.
    private(set) var backupRetention: BackupRetention
    let logger: Logger

    /// Opening a tenant (file, migrations, a busy wait after a crash), the short-lived
    /// connections of `stats` and `outbox` to tenants not open, and the file work
    /// of create, backup, restore and archive (copies, checks, fsync, SHA-256) block:
    /// they run here, off the actor and off the concurrency pool. Before, a restore of a
    /// 68 MB tenant held the actor, and so every request of every tenant, for 0.5 s.
    /// Separate lanes, so that opening a tenant never waits behind a long copy.
    static let openWork = BlockingWork(label: "zhicheng.tenant-open")
    static let fileWork = BlockingWork(label: "zhicheng.tenant-files", width: 1)

    private struct Entry {
        var opening: Task<Database, any Error>
        var users = 0
        var lastUsed: Double
    }

    /// Opens the registry and reconciles it with the tenants directory: a tenant
    /// directory without a registry row (a create that crashed before it was
    /// acknowledged) is moved to the archive, never deleted.
    public init(paths: TenantPaths, maxOpen: Int, idleSeconds: Double, backupRetention: BackupRetention = .keepAll, logger: Logger) throws {
        try paths.createDirectories()
        self.paths = paths
        self.maxOpen = max(1, maxOpen)
        self.idleSeconds = idleSeconds
        self.backupRetention = backupRetention
        self.logger = logger
        // A registry made afresh beside tenant directories would make every one of them
        // "unregistered", and `reconcile` would take them all out of service.
        if !FileManager.default.fileExists(atPath: paths.registry) {
            let dirs = ((try? FileManager.default.contentsOfDirectory(atPath: paths.tenantsDir)) ?? []).filter { !$0.hasPrefix(".") }
            guard dirs.isEmpty else {
                throw ZhichengError.unavailable("the tenant registry \(paths.registry) is missing, but \(paths.tenantsDir) holds \(dirs.count) tenant "
                                                + "director\(dirs.count == 1 ? "y" : "ies") (\(dirs.sorted().prefix(5).joined(separator: ", "))): "
                                                + "put the registry back from a copy before starting; nothing was changed")
            }
        }
        registry = try Registry(path: paths.registry)
    }

    /// Moves unregistered directories out of the tenants directory. Run once at start.
    /// An archive the daemon stopped in the middle of (unregistered, not moved yet) is
    /// finished: the directory goes where the registry says. Anything else unregistered
    /// (a create that crashed before it was acknowledged) goes to `incomplete-…`.
    ///
    /// A registered row this build cannot read (a division code it does not know, e.g. one
    /// a later build added and an earlier one runs again) is not served, but its directory
    /// stays where it is, with an error in the log: taking it for unregistered would move
    /// a live tenant out of service.
    public func reconcile() async throws {
        let known = try await registry.registeredIDs()
        for (id, row) in try await registry.unreadable() {
            logger.error("a registered tenant this build cannot read is not served; its files stay in place",
                         metadata: ["tenant.id": "\(id)", "registry.row": "\(row)"])
        }
        let fm = FileManager.default
        for name in (try? fm.contentsOfDirectory(atPath: paths.tenantsDir)) ?? [] where !known.contains(name) {
            let source = paths.tenantsDir + "/" + name
            let interrupted = try await registry.interruptedArchive(name)
            let target = interrupted ?? Self.unusedPath(paths.archiveDir + "/" + "incomplete-" + name + "-" + Self.timestamp())
            do {
                try Self.moveIntoArchive(source, to: target, paths)
            } catch {
                // An unregistered directory is served by nobody where it is: left there (an
                // archive dir on another file system, say), the daemon still starts.
                logger.error("cannot move an unregistered tenant directory to the archive; it stays where it is",
                             metadata: ["path": "\(source)", "archive": "\(target)", "error": "\(error)"])
                continue
            }
            if interrupted != nil {
                logger.notice("finished an archive interrupted by a stop", metadata: ["tenant.id": "\(name)", "archive": "\(target)"])
            } else {
                logger.warning("moved an unregistered tenant directory to the archive", metadata: ["path": "\(source)", "archive": "\(target)"])
            }
        }
        removeUnfinishedBackups()
    }

    /// Removes the copies of backups a stop interrupted (`<backup>.partial`, up to a whole
    /// database each), with the `-journal` a stop during the copy leaves beside one (and a
    /// `-wal` or `-shm`, should SQLite have left them): never recorded, never renamed into
    /// place, kept by nobody. Run at start only, when no backup can be under way (the data dir
    /// is locked to this process).
    func removeUnfinishedBackups() {
        let fm = FileManager.default
        let unfinished = [".partial"] + Self.databaseCompanionSuffixes.map { ".partial" + $0 }
        for tenant in (try? fm.contentsOfDirectory(atPath: paths.backupDir)) ?? [] {
            let dir = paths.backupDir + "/" + tenant
            // The journals first (see `removeDatabaseFiles`).
            let names = ((try? fm.contentsOfDirectory(atPath: dir)) ?? []).filter { name in unfinished.contains { name.hasSuffix($0) } }
            for name in names.filter({ !$0.hasSuffix(".partial") }) + names.filter({ $0.hasSuffix(".partial") }) {
                do {
                    try fm.removeItem(atPath: dir + "/" + name)
                    logger.notice("removed the copy of a backup a stop interrupted", metadata: ["path": "\(dir)/\(name)"])
                } catch {
                    logger.warning("cannot remove the copy of a backup a stop interrupted", metadata: ["path": "\(dir)/\(name)", "error": "\(error)"])
                }
            }
        }
    }

    /// Changes the limits at run time (config reload).
    public func setLimits(maxOpen: Int, idleSeconds: Double) async {
        self.maxOpen = max(1, maxOpen)
        self.idleSeconds = idleSeconds
        await evictOverCap()
    }

    /// Changes how many backups of each tenant are kept (config reload); applies from the next backup.
    public func setBackupRetention(_ retention: BackupRetention) {
        backupRetention = retention
    }

    /// How many tenant databases are open now.
    public var openCount: Int { entries.count }

    func isOpen(_ id: TenantID) -> Bool { entries[id] != nil }
    func isExclusive(_ id: TenantID) -> Bool { exclusive.contains(id) }
    /// How many pieces of work on the tenant's backup files run now (`withBackupFiles`).
    func backupFileWork(for id: TenantID) -> Int { backupFileUsers[id] ?? 0 }

    /// Runs `body` with the tenant's database open; the database stays open at least
    /// until `body` returns.
    public func withTenant<T: Sendable>(_ id: TenantID, _ body: @Sendable (Database) async throws -> T) async throws -> T {
        let db = try await lease(id)
        defer { release(id) }
        return try await body(db)
    }

    private func lease(_ id: TenantID) async throws -> Database {
        guard !exclusive.contains(id) else { throw ZhichengError.unavailable("tenant \(id) is being restored or archived; try again shortly") }
        let now = Date().timeIntervalSince1970
        if entries[id] == nil {
            let path = paths.database(for: id)
            guard FileManager.default.fileExists(atPath: path) else { throw ZhichengError.notFound("tenant \(id) has no database file") }
            // In use from the start: making room below must not pick this very entry.
            let opening = Task.detached {
                try await Self.openWork.run { try Database(path: path, migrations: TenantSchema.migrations, sessionTables: TenantSchema.sessionTables) }
            }
            entries[id] = Entry(opening: opening, users: 1, lastUsed: now)
            await evictOverCap()
        } else {
            entries[id]?.users += 1
            entries[id]?.lastUsed = now
        }
        guard let task = entries[id]?.opening else { throw ZhichengError.internal("tenant \(id) vanished while opening") }
        do {
            return try await task.value
        } catch {
            entries[id]?.users -= 1
            if entries[id]?.users == 0 { entries[id] = nil }
            throw ZhichengError(storage: error, context: "cannot open tenant \(id)")
        }
    }

    private func release(_ id: TenantID) {
        entries[id]?.users -= 1
        entries[id]?.lastUsed = Date().timeIntervalSince1970
    }

    /// Closes least recently used idle tenants until at most `maxOpen` are open.
    private func evictOverCap() async {
        while entries.count > maxOpen {
            guard let victim = entries.filter({ $0.value.users == 0 }).min(by: { $0.value.lastUsed < $1.value.lastUsed }) else { return }
            await close(victim.key)
        }
    }

    /// Closes tenants unused for longer than the idle limit, least recently used first.
    /// Called periodically. Each is checked again when its turn comes: closing the one
    /// before it awaited, and a request may have leased it meanwhile.
    public func closeIdle() async {
        let cutoff = Date().timeIntervalSince1970 - idleSeconds
        let candidates = entries.filter { $0.value.users == 0 && $0.value.lastUsed < cutoff }
            .sorted { $0.value.lastUsed < $1.value.lastUsed }.map(\.key)
        for id in candidates {
            guard let entry = entries[id], entry.users == 0, entry.lastUsed < cutoff else { continue }
            await close(id)
        }
    }

    private func close(_ id: TenantID) async {
        guard let entry = entries.removeValue(forKey: id) else { return }
        guard let db = try? await entry.opening.value else { return }
        if let unfinished = await db.close() {
            // A copy of the file alone (after a stop) would miss what is still in its -wal file.
            logger.warning("tenant database closed without a complete checkpoint", metadata: ["tenant.id": "\(id)", "error": "\(unfinished)"])
        }
    }

    /// Checkpoints and closes every open tenant database and the registry (shutdown).
    public func closeAll() async {
        for id in entries.keys { await close(id) }
        await registry.close()
    }

    /// Runs `body` with exclusive use of the tenant's files: waits (bounded) for
    /// in-flight users, and for work on its backup files, closes the database, refuses new
    /// leases and backup file work until done.
    public func withExclusiveFiles<T: Sendable>(_ id: TenantID, _ body: @Sendable () async throws -> T) async throws -> T {
        guard !exclusive.contains(id) else { throw ZhichengError.conflict("tenant \(id) is busy with another restore or archive") }
        exclusive.insert(id)
        defer { exclusive.remove(id) }
        let deadline = Date().timeIntervalSince1970 + 10
        while (entries[id]?.users ?? 0) > 0 || (backupFileUsers[id] ?? 0) > 0 {
            guard Date().timeIntervalSince1970 < deadline else { throw ZhichengError.unavailable("tenant \(id) is still in use; try again") }
            try await Task.sleep(for: .milliseconds(10))
        }
        await close(id)
        return try await body()
    }

    /// Runs `body` while no restore or archive of the tenant runs, and keeps one from starting
    /// until it returns (`withExclusiveFiles` waits for it); nil, without running it, while one
    /// runs. For work on a tenant's backup files, which a restore may be reading: unlike a
    /// lease, it does not open the tenant's database.
    func withBackupFiles<T: Sendable>(_ id: TenantID, _ body: @Sendable () async -> T) async -> T? {
        guard !exclusive.contains(id) else { return nil }
        backupFileUsers[id, default: 0] += 1
        defer {
            backupFileUsers[id, default: 1] -= 1
            if backupFileUsers[id] == 0 { backupFileUsers[id] = nil }
        }
        return await body()
    }

    /// Creates a tenant's database in a scratch directory, seeds it in one
    /// transaction, moves it into place, and only then registers it: a crash
    /// before the registry row commits leaves nothing acknowledged behind.
    /// `knownApplicationIDs`: the highest id of this tenant id's applications that others know
    /// (the province's inbox), which new applications continue above too.
    public func create<T: Sendable>(_ info: TenantInfo, knownApplicationIDs: Int = 0,
                                    seed: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        guard try await registry.get(info.id) == nil, !FileManager.default.fileExists(atPath: paths.directory(for: info.id)) else {
            throw ZhichengError.conflict("tenant \(info.id) already exists")
        }
        let fm = FileManager.default
        let scratch = paths.tenantsDir + "/.creating-" + info.id.rawValue + "-" + UUID().uuidString.prefix(8)
        try fm.createDirectory(atPath: scratch, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        do {
            // An id archived before: new applications continue above the ids it used (as its
            // archive recorded them, and as others know them: an archive of a database that
            // could not be read records none).
            let used = max(try await registry.applicationIDsUsed(byArchived: info.id), knownApplicationIDs)
            // Backups an earlier tenant of this id left dated after this creation (its clock
            // ran ahead): recorded with the tenant, so that retention never takes them for its own,
            // even once now has passed their dates (`BackupRetention.prunable`). Nothing else
            // writes to the directory meanwhile: the id is not registered.
            let laterBackups = try await Self.fileWork.run { [paths, logger] in
                try Self.backupsAtCreationJSON(in: paths.backupDirectory(for: info.id), of: info.id, createdAt: info.createdAt, logger: logger)
            }
            let db = try await Self.openWork.run { try Database(path: scratch + "/tenant.sqlite", migrations: TenantSchema.migrations) }
            let result = try await db.write { conn in
                try ApplicationIDs.reserve(upTo: used, conn)
                if let laterBackups {
                    try conn.run("INSERT INTO tenant_meta (key, value) VALUES (?, ?)", [Self.backupsAtCreationKey, laterBackups])
                }
                return try seed(conn)
            }
            await db.close()
            try await Self.fileWork.run { [paths] in
                try Self.fsync(path: scratch)
                try FileManager.default.moveItem(atPath: scratch, toPath: paths.directory(for: info.id))
                try Self.fsync(path: paths.tenantsDir)
            }
            do {
                try await registry.insert(info)
            } catch {
                // Refused at the last step (a concurrent create took the id, or the
                // province): back to the scratch dir, removed below. Nothing was ever
                // served from these files, and the id stays free.
                try? await Self.fileWork.run { [paths] in
                    try FileManager.default.moveItem(atPath: paths.directory(for: info.id), toPath: scratch)
                }
                throw error
            }
            return result
        } catch {
            try? fm.removeItem(atPath: scratch)
            throw error
        }
    }

    /// A UTC timestamp usable in file names, e.g. `20261129T071502.123Z`.
    public static func timestamp(_ date: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss.SSS'Z'"
        return formatter.string(from: date)
    }

    /// `base + suffix`, or `base-2 + suffix`, `base-3 + suffix` … whichever does not exist yet,
    /// so two backups or archives in the same millisecond never collide. (`BackupFileName`
    /// reads a regular backup's `-<n>` as written here.)
    public static func unusedPath(_ base: String, suffix: String = "") -> String {
        var candidate = base + suffix
        var counter = 2
        while FileManager.default.fileExists(atPath: candidate) || FileManager.default.fileExists(atPath: candidate + ".partial") {
            candidate = "\(base)-\(counter)\(suffix)"
            counter += 1
        }
        return candidate
    }

    /// fsyncs a file or directory so a rename or write in it survives power loss.
    public static func fsync(path: String) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw ZhichengError.internal("cannot open \(path) to sync: errno \(errno)") }
        defer { Glibc.close(fd) }
        guard Glibc.fsync(fd) == 0 else { throw ZhichengError.internal("fsync \(path) failed: errno \(errno)") }
    }
}
