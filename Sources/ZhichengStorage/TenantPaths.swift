import Foundation
import ZhichengCore

/// Where state lives on disk. The one place a tenant id becomes a path, and only
/// a validated `TenantID` can.
public struct TenantPaths: Sendable, Equatable {
    public var dataDir: String
    public var backupDir: String
    public var archiveDir: String

    public init(dataDir: String, backupDir: String? = nil, archiveDir: String? = nil) {
        self.dataDir = dataDir
        self.backupDir = backupDir ?? dataDir + "/backups"
        self.archiveDir = archiveDir ?? dataDir + "/archive"
    }

    public var registry: String { dataDir + "/registry.sqlite" }
    public var tenantsDir: String { dataDir + "/tenants" }

    /// `tenants/<id>`.
    public func directory(for id: TenantID) -> String { tenantsDir + "/" + id.rawValue }
    /// `tenants/<id>/tenant.sqlite`.
    public func database(for id: TenantID) -> String { directory(for: id) + "/tenant.sqlite" }
    /// `tenants/<id>/tenant.sqlite.restoring`: a verified backup staged for a restore.
    public func stagedRestore(for id: TenantID) -> String { database(for: id) + ".restoring" }
    /// `backups/<id>`.
    public func backupDirectory(for id: TenantID) -> String { backupDir + "/" + id.rawValue }

    /// Creates the data, tenants, backup and archive directories (mode 0700) if missing.
    public func createDirectories() throws {
        for dir in [dataDir, tenantsDir, backupDir, archiveDir] {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
    }
}
