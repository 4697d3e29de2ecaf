import Foundation
import Logging
import ZhichengCore

/// What retention did after a backup (`BackupRetention`): the old backups it removed, and
/// those it could not (or why it did not look at all). A failure here never undoes the backup.
public struct BackupPruning: Sendable, Equatable {
    /// A file (or the directory) retention could not deal with, and why.
    public struct Failure: Sendable, Equatable {
        public var path: String
        public var reason: String

        public init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }
    }

    /// Full paths of the backups removed, oldest first.
    public var removed: [String] = []
    public var failures: [Failure] = []
    /// Full paths of regular backups dated after now (the host clock ran ahead when they were
    /// made): neither counted nor removed (`BackupRetention.Plan.datedAfterNow`).
    public var datedAfterNow: [String] = []
    /// Why retention cannot apply to backups dated before the tenant's creation, which may be
    /// its own (`BackupRetention.Plan.cannotApply`); logged as a warning.
    public var cannotApply: BackupRetention.CannotApply?
    /// The id was archived before (backups dated after now may be the earlier tenant's).
    public var archivedBefore = false

    public init(removed: [String] = [], failures: [Failure] = [], datedAfterNow: [String] = [],
                cannotApply: BackupRetention.CannotApply? = nil) {
        self.removed = removed
        self.failures = failures
        self.datedAfterNow = datedAfterNow
        self.cannotApply = cannotApply
    }
}

/// What the registry and the tenant's database say about which backups in its directory are
/// its own (`BackupRetention.prunable`).
struct RetentionFacts: Sendable {
    var createdAt: Double
    var lastArchived: Double?
    var presentAtCreation: Set<String> = []
}

extension TenantStore {
    /// Removes the tenant's regular backups beyond `backupRetention` (see `BackupRetention`),
    /// never `record` (the backup just made) nor the one the registry records as the last.
    /// Only backups of the tenant the registry has now count: none dated before its creation or
    /// the id's latest archive (an earlier tenant's under this id), none that was in the
    /// directory already at its creation (`backupsAtCreationKey`), none dated after now (the
    /// host clock ran ahead; named in one warning). Backups dated before the creation when the
    /// id was never archived, or a creation dated after now, get one warning: retention cannot
    /// apply to them. Each removal is logged (notice) as soon as it is done, before the next;
    /// each failure too (error); the directory is fsynced.
    ///
    /// Not while a restore or an archive of the tenant runs: a restore may be reading one of
    /// these files. One that starts meanwhile waits for this to end (`withBackupFiles`); one
    /// already running means nothing is removed now (the next backup catches up), and
    /// `failures` says so.
    public func pruneBackups(_ id: TenantID, after record: BackupRecord) async -> BackupPruning {
        let retention = backupRetention
        guard retention.keep > 0 else { return BackupPruning() }
        let dir = paths.backupDirectory(for: id)
        // Read first, under a lease of the database (which a restore or archive starting
        // meanwhile waits for): fixed at the tenant's creation, and kept by any restore of it.
        let presentAtCreation: Set<String>
        do {
            presentAtCreation = try await backupsAtCreation(id)
        } catch {
            if isExclusive(id) { return skipped(id, dir) }
            if case .some(.none) = try? await registry.get(id) {
                return BackupPruning(failures: [.init(path: dir, reason: Self.noLongerRegistered(id))])
            }
            let reason = "not pruned: cannot read which backups were in the directory at the tenant's creation: \(error)"
            logger.error("backup retention: cannot read the tenant's backups at its creation; nothing removed", metadata: ["tenant.id": "\(id)", "error": "\(error)"])
            return BackupPruning(failures: [.init(path: dir, reason: reason)])
        }
        let outcome = await withBackupFiles(id) { [registry, logger] in
            // Read inside, so that a restore started from the registry's last backup is not
            // raced, and an archive (or a create again) does not change the tenant meanwhile.
            let last: BackupRecord?, info: TenantInfo?, lastArchived: Double?
            do {
                last = try await registry.lastBackup(id)
                info = try await registry.get(id)
                lastArchived = try await registry.lastArchived(id)
            } catch {
                logger.error("backup retention: cannot read the tenant's last backup and creation from the registry; nothing removed",
                             metadata: ["tenant.id": "\(id)", "error": "\(error)"])
                return BackupPruning(failures: [.init(path: dir, reason: "not pruned: cannot read the tenant from the registry: \(error)")])
            }
            guard let info else {
                return BackupPruning(failures: [.init(path: dir, reason: Self.noLongerRegistered(id))])
            }
            let protected = Set([record.path, last?.path].compactMap { $0 }.compactMap { Self.name($0, in: dir) })
            let facts = RetentionFacts(createdAt: info.createdAt, lastArchived: lastArchived, presentAtCreation: presentAtCreation)
            do {
                return try await Self.fileWork.run {
                    Self.removeOldBackups(in: dir, of: id, facts: facts, retention: retention, protected: protected) { path in
                        // At once, before the next removal: a stop in between leaves each removed
                        // file logged.
                        logger.notice("old backup removed", metadata: ["tenant.id": "\(id)", "path": "\(path)", "backup.keep": "\(retention.keep)"])
                        FaultInjection.pauseBlocking("backup.removed-one")
                    }
                }
            } catch {
                return BackupPruning(failures: [.init(path: dir, reason: "\(error)")])
            }
        }
        guard let outcome else { return skipped(id, dir) }
        if !outcome.datedAfterNow.isEmpty {
            if outcome.archivedBefore {
                logger.warning("backup retention: backups dated after now (made while the host clock ran ahead) are neither counted nor removed; this id was archived before, so they may be the earlier tenant's: retention does not count or remove them now, and those that were there when the tenant was created never; remove them by hand once they are not needed",
                               metadata: ["tenant.id": "\(id)", "paths": "\(outcome.datedAfterNow.joined(separator: ", "))"])
            } else {
                logger.warning("backup retention: backups dated after now (made while the host clock ran ahead?) are neither counted nor removed; remove them by hand once they are not needed",
                               metadata: ["tenant.id": "\(id)", "paths": "\(outcome.datedAfterNow.joined(separator: ", "))"])
            }
        }
        if let cannotApply = outcome.cannotApply {
            logger.warning("backup retention cannot apply to this tenant's backups dated before its creation; they pile up until removed by hand (or created_at in registry.sqlite is corrected while the daemon is stopped)",
                           metadata: ["tenant.id": "\(id)", "reason": "\(cannotApply.reason)", "backup.keep": "\(retention.keep)"])
        }
        for failure in outcome.failures {
            logger.error("backup retention could not remove an old backup", metadata: ["tenant.id": "\(id)", "path": "\(failure.path)", "error": "\(failure.reason)"])
        }
        return outcome
    }

    /// Nothing pruned now: a restore or archive of the tenant holds its files.
    private func skipped(_ id: TenantID, _ dir: String) -> BackupPruning {
        let reason = "not pruned: a restore or archive of \(id) is under way; the next backup prunes"
        logger.notice("backup retention skipped", metadata: ["tenant.id": "\(id)", "reason": "\(reason)"])
        return BackupPruning(failures: [.init(path: dir, reason: reason)])
    }

    static func noLongerRegistered(_ id: TenantID) -> String { "not pruned: tenant \(id) is no longer registered (archived meanwhile)" }

    /// The regular backups dated after the tenant's creation that were in its backup dir when
    /// it was created (`backupsAtCreationKey` in its `tenant_meta`): an earlier tenant's of this
    /// id, made while the host clock ran ahead. Empty for a tenant created before this was kept.
    func backupsAtCreation(_ id: TenantID) async throws -> Set<String> {
        let json = try await withTenant(id) { db in
            try await db.read { conn in try conn.scalar("SELECT value FROM tenant_meta WHERE key = ?", [Self.backupsAtCreationKey])?.string }
        }
        guard let json else { return [] }
        guard let names = try? JSONDecoder().decode([String].self, from: Data(json.utf8)) else {
            throw ZhichengError.internal("tenant_meta.\(Self.backupsAtCreationKey) is not a JSON array of names")
        }
        return Set(names)
    }

    /// The `tenant_meta` key of `backupsAtCreation`. Written in the creating transaction, so
    /// every backup of the tenant (and a restore of one) keeps it.
    static let backupsAtCreationKey = "backups_at_creation"

    /// The regular backups of `id` in `dir` dated at or after `createdAt` (to the millisecond),
    /// as a JSON array, nil when there are none: what `create` records under
    /// `backupsAtCreationKey`.
    /// A directory that cannot be read (another error than its absence) records nothing and is
    /// logged: a tenant's creation does not depend on its backup dir, which `keep = 0` (the
    /// default) never reads, and a later backup there would fail and say so anyway.
    static func backupsAtCreationJSON(in dir: String, of id: TenantID, createdAt: Double, logger: Logger) throws -> String? {
        let created = BackupFileName.milliseconds(createdAt)
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: dir) } catch CocoaError.fileReadNoSuchFile {
            return nil
        } catch {
            logger.warning("tenant created without a list of the backups already in its backup dir: it cannot be read; backup retention may count an earlier tenant's backups dated after this creation as this one's",
                           metadata: ["tenant.id": "\(id)", "path": "\(dir)", "error": "\(error)"])
            return nil
        }
        let later = names.compactMap { BackupFileName($0, of: id) }.filter { $0.millisecondsSince1970 >= created }.sorted().map(\.name)
        guard !later.isEmpty else { return nil }
        return String(decoding: try JSONEncoder().encode(later), as: UTF8.self)
    }

    /// The last component of `path` when it names an entry of `dir` itself; nil otherwise.
    static func name(_ path: String, in dir: String) -> String? {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().standardizedFileURL.path == URL(fileURLWithPath: dir).standardizedFileURL.path ? url.lastPathComponent : nil
    }

    /// The removal itself, through a descriptor of `dir`: entries are looked at where they
    /// are (`AT_SYMLINK_NOFOLLOW`) and only regular files count, so a symbolic link named like
    /// a backup is neither counted nor followed out of the directory; `unlinkat` removes a
    /// name in this directory, never what a link points to. Now is read once the directory
    /// has been read: a backup that finished before is not dated after it.
    static func removeOldBackups(in dir: String, of id: TenantID, facts: RetentionFacts, retention: BackupRetention,
                                 protected: Set<String>, removed: (String) -> Void = { _ in }) -> BackupPruning {
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            // No directory yet is no backup to remove; anything else is worth saying.
            if errno == ENOENT { return BackupPruning() }
            return BackupPruning(failures: [.init(path: dir, reason: "cannot open: \(String(cString: strerror(errno)))")])
        }
        defer { Glibc.close(fd) }
        let names: [String]
        do { names = try entries(of: fd) } catch {
            return BackupPruning(failures: [.init(path: dir, reason: "\(error)")])
        }
        let regularBackups = names.filter { name in
            guard BackupFileName(name, of: id) != nil else { return false }
            var info = stat()
            return fstatat(fd, name, &info, AT_SYMLINK_NOFOLLOW) == 0 && info.st_mode & S_IFMT == S_IFREG
        }
        let plan = retention.prunable(regularBackups, of: id, createdAt: facts.createdAt, lastArchived: facts.lastArchived,
                                      presentAtCreation: facts.presentAtCreation, now: Date().timeIntervalSince1970, protected: protected)
        var outcome = BackupPruning(datedAfterNow: plan.datedAfterNow.map { dir + "/" + $0 }, cannotApply: plan.cannotApply)
        outcome.archivedBefore = plan.archivedBefore
        for name in plan.remove {
            if unlinkat(fd, name, 0) == 0 {
                outcome.removed.append(dir + "/" + name)
                removed(dir + "/" + name)
            } else {
                outcome.failures.append(.init(path: dir + "/" + name, reason: "cannot remove: \(String(cString: strerror(errno)))"))
            }
        }
        if !outcome.removed.isEmpty, Glibc.fsync(fd) != 0 {
            outcome.failures.append(.init(path: dir, reason: "fsync after the removals failed: \(String(cString: strerror(errno)))"))
        }
        return outcome
    }

    /// The names in the directory open at `fd` (without `.` and `..`).
    static func entries(of fd: Int32) throws -> [String] {
        let copy = dup(fd)
        guard copy >= 0, let stream = fdopendir(copy) else {
            if copy >= 0 { Glibc.close(copy) }
            throw ZhichengError.internal("cannot read the directory: \(String(cString: strerror(errno)))")
        }
        defer { closedir(stream) }
        var names: [String] = []
        while let entry = readdir(stream) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }
}
