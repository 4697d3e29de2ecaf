import Foundation
import Testing
import ZhichengCore
@testable import ZhichengStorage

/// Which tenant a database was made as (schema v31's `tenant_meta.incarnation`): each database
/// gets its own once, its backups carry it, and a restore refuses a backup whose incarnation is
/// another than the live database's (`TenantStore.requireSameTenant`) unless either has none.
@Suite("Tenant incarnation")
struct IncarnationTests {
    static func incarnation(_ path: String) throws -> String? {
        try SQLiteConnection.readOnce(path: path) { try $0.scalar("SELECT value FROM tenant_meta WHERE key = 'incarnation'")?.string }
    }

    @Test func eachDatabaseGetsOneOfItsOwnOnceAndKeepsIt() async throws {
        let dir = try TemporaryDirectory()
        let (a, b) = (dir.path + "/a.sqlite", dir.path + "/b.sqlite")
        await (try Database(path: a, migrations: TenantSchema.migrations)).close()
        await (try Database(path: b, migrations: TenantSchema.migrations)).close()
        let first = try #require(try Self.incarnation(a))
        #expect(first.count == 32 && first.allSatisfy(\.isHexDigit))
        #expect(try Self.incarnation(b) != first)
        // Opened again (migrations run again from the version it has): the same one.
        await (try Database(path: a, migrations: TenantSchema.migrations)).close()
        #expect(try Self.incarnation(a) == first)
    }

    @Test func aBackupOfAnotherDatabaseIsRefusedOneOfTheSameOrWithoutOneTaken() async throws {
        let dir = try TemporaryDirectory()
        let (live, other, copy, old) = (dir.path + "/live.sqlite", dir.path + "/other.sqlite", dir.path + "/copy.sqlite", dir.path + "/old.sqlite")
        for path in [live, other, old] { await (try Database(path: path, migrations: TenantSchema.migrations)).close() }
        try FileManager.default.copyItem(atPath: live, toPath: copy)
        // A backup made before v31: no incarnation.
        _ = try SQLiteConnection.writeOnce(path: old) { try $0.run("DELETE FROM tenant_meta WHERE key = 'incarnation'") }
        let id = try TenantID("xuchang")
        try TenantStore.requireSameTenant(copy, as: live, source: "/backups/copy.sqlite", id: id)
        try TenantStore.requireSameTenant(old, as: live, source: "/backups/old.sqlite", id: id)
        // A live database that cannot be read: the restore is what mends it.
        try TenantStore.requireSameTenant(other, as: dir.path + "/missing.sqlite", source: "/backups/other.sqlite", id: id)
        #expect {
            try TenantStore.requireSameTenant(other, as: live, source: "/backups/other.sqlite", id: id)
        } throws: { error in
            let error = error as? ZhichengError
            return error?.code == .invalid && error?.field == "path" && error?.message.contains("/backups/other.sqlite is a backup of an earlier tenant xuchang") == true
                && error?.message.contains("force") == true
        }
    }
}
