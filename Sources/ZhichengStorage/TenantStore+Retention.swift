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

    public init(removed: [String] = [], failures: [Failure] = [], datedAfterNow: [String] = []) {
        self.removed = removed
        self.failures = failures
        self.datedAfterNow = datedAfterNow
    }
}

extension TenantStore {
    /// Removes the tenant's regular backups beyond `backupRetention` (see `BackupRetention`),
    /// never `record` (the backup just made) nor the one the registry records as the last.
    /// Only backups of the tenant the registry has now count: none dated before its creation
    /// (an earlier tenant's under this id, archived since), none dated after now (the host clock
    /// ran ahead; named in one warning). Each removal is logged (notice), each failure too
    /// (error); the directory is fsynced.
    ///
    /// Not while a restore or an archive of the tenant runs: a restore may be reading one of
    /// these files. One that starts meanwhile waits for this to end (`withBackupFiles`); one
    /// already running means nothing is removed now (the next backup catches up), and
    /// `failures` says so.
    public func pruneBackups(_ id: TenantID, after record: BackupRecord) async -> BackupPruning {
        let retention = backupRetention
        guard retention.keep > 0 else { return BackupPruning() }
        let dir = paths.backupDirectory(for: id)
        let outcome = await withBackupFiles(id) { [registry, logger] in
            // Read inside, so that a restore started from the registry's last backup is not
            // raced, and an archive (or a create again) does not change the tenant meanwhile.
            let last: BackupRecord?, info: TenantInfo?
            do {
                last = try await registry.lastBackup(id)
                info = try await registry.get(id)
            } catch {
                logger.error("backup retention: cannot read the tenant's last backup and creation from the registry; nothing removed",
                             metadata: ["tenant.id": "\(id)", "error": "\(error)"])
                return BackupPruning(failures: [.init(path: dir, reason: "not pruned: cannot read the tenant from the registry: \(error)")])
            }
            guard let info else {
                return BackupPruning(failures: [.init(path: dir, reason: "not pruned: tenant \(id) is no longer registered (archived meanwhile)")])
            }
            let protected = Set([record.path, last?.path].compactMap { $0 }.compactMap { Self.name($0, in: dir) })
            do {
                return try await Self.fileWork.run {
                    Self.removeOldBackups(in: dir, of: id, createdAt: info.createdAt, retention: retention, protected: protected)
                }
            } catch {
                return BackupPruning(failures: [.init(path: dir, reason: "\(error)")])
            }
        }
        guard let outcome else {
            let reason = "not pruned: a restore or archive of \(id) is under way; the next backup prunes"
            logger.notice("backup retention skipped", metadata: ["tenant.id": "\(id)", "reason": "\(reason)"])
            return BackupPruning(failures: [.init(path: dir, reason: reason)])
        }
        if !outcome.datedAfterNow.isEmpty {
            logger.warning("backup retention: backups dated after now (made while the host clock ran ahead?) are neither counted nor removed; remove them by hand once they are not needed",
                           metadata: ["tenant.id": "\(id)", "paths": "\(outcome.datedAfterNow.joined(separator: ", "))"])
        }
        for path in outcome.removed {
            logger.notice("old backup removed", metadata: ["tenant.id": "\(id)", "path": "\(path)", "backup.keep": "\(retention.keep)"])
        }
        for failure in outcome.failures {
            logger.error("backup retention could not remove an old backup", metadata: ["tenant.id": "\(id)", "path": "\(failure.path)", "error": "\(failure.reason)"])
        }
        return outcome
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
    static func removeOldBackups(in dir: String, of id: TenantID, createdAt: Double, retention: BackupRetention,
                                 protected: Set<String>) -> BackupPruning {
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
        let plan = retention.prunable(regularBackups, of: id, createdAt: createdAt, now: Date().timeIntervalSince1970, protected: protected)
        var outcome = BackupPruning(datedAfterNow: plan.datedAfterNow.map { dir + "/" + $0 })
        for name in plan.remove {
            if unlinkat(fd, name, 0) == 0 {
                outcome.removed.append(dir + "/" + name)
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
