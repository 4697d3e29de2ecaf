import Foundation
import Logging
import Testing
import ZhichengCore
@testable import ZhichengStorage

@Suite("Tenant store")
struct TenantStoreTests {
    func makeStore(_ dir: TemporaryDirectory, maxOpen: Int = 64) throws -> TenantStore {
        try TenantStore(paths: TenantPaths(dataDir: dir.path + "/data"), maxOpen: maxOpen, idleSeconds: 300, logger: Logger(label: "test"))
    }

    func create(_ store: TenantStore, _ id: String) async throws {
        let info = TenantInfo(id: try TenantID(id), name: id, divisionCode: try DivisionCode("4101"), kind: .city, state: .active, createdAt: 0)
        try await store.create(info) { conn in
            try conn.run("INSERT INTO tenant_meta (key, value) VALUES ('tenant_id', ?)", [id])
        }
    }

    @Test func keepsAtMostMaxOpenTenantsOpen() async throws {
        let dir = try TemporaryDirectory()
        let store = try makeStore(dir, maxOpen: 2)
        for i in 1...5 { try await create(store, "t\(i)") }
        for i in 1...5 {
            let value = try await store.withTenant(try TenantID("t\(i)")) { db in
                try await db.read { try $0.scalar("SELECT value FROM tenant_meta WHERE key = 'tenant_id'")?.string }
            }
            #expect(value == "t\(i)")
            #expect(await store.openCount <= 2)
        }
    }

    @Test func createRefusesADuplicateAndLeavesNoScratch() async throws {
        let dir = try TemporaryDirectory()
        let store = try makeStore(dir)
        try await create(store, "dup")
        await #expect(throws: ZhichengError.self) { try await create(store, "dup") }
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/data/tenants")
        #expect(names == ["dup"])
    }

    @Test func unregisteredDirectoriesAreArchivedNotDeleted() async throws {
        let dir = try TemporaryDirectory()
        let store = try makeStore(dir)
        try FileManager.default.createDirectory(atPath: dir.path + "/data/tenants/ghost", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: dir.path + "/data/tenants/ghost/tenant.sqlite", contents: Data("x".utf8))
        try await store.reconcile()
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/data/tenants/ghost"))
        let archived = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/data/archive")
        #expect(archived.count == 1 && archived[0].hasPrefix("incomplete-ghost-"))
    }

    @Test func backupIsConsistentAndRestoreVerifiesOwnership() async throws {
        let dir = try TemporaryDirectory()
        let store = try makeStore(dir)
        try await create(store, "alpha")
        try await create(store, "beta")
        let alpha = try TenantID("alpha")
        let backup = try await store.backup(alpha)
        #expect(backup.sha256 == (try TenantStore.sha256(ofFile: backup.path)))
        // A backup of beta must never replace alpha.
        let betaBackup = try await store.backup(try TenantID("beta"))
        await #expect(throws: ZhichengError.self) { try await store.restore(alpha, from: betaBackup.path) }
        // A file that is not a database is refused, alpha unchanged.
        let junk = dir.path + "/junk.sqlite"
        _ = FileManager.default.createFile(atPath: junk, contents: Data(repeating: 0x41, count: 8192))
        await #expect(throws: ZhichengError.self) { try await store.restore(alpha, from: junk) }
        #expect(try await store.check(alpha).ok)
        // Its own backup restores, and the previous file is kept.
        _ = try await store.restore(alpha, from: backup.path)
        #expect(try await store.check(alpha).ok)
        let kept = try FileManager.default.contentsOfDirectory(atPath: dir.path + "/data/backups/alpha")
        #expect(kept.contains { $0.contains("pre-restore") })
    }

    @Test func archiveMovesTheTenantAndFreesTheID() async throws {
        let dir = try TemporaryDirectory()
        let store = try makeStore(dir)
        try await create(store, "gone")
        let target = try await store.archive(try TenantID("gone"))
        #expect(FileManager.default.fileExists(atPath: target + "/tenant.sqlite"))
        #expect(try await store.registry.get(try TenantID("gone")) == nil)
        try await create(store, "gone")
    }
}

@Suite("Opening a database while another connection holds it")
struct BusyOpenTests {
    /// After a crash, the first connection to touch a WAL file recovers it under an
    /// exclusive lock; a second connection opening at that moment must wait (busy
    /// timeout set before any statement), not fail with "database is locked".
    @Test func openingWaitsForABrieflyHeldLock() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/tenant.sqlite"
        _ = try Database(path: path, migrations: TenantSchema.migrations)
        // An unsandboxed connection in exclusive locking mode keeps every other
        // connection out of the file until it closes.
        let holder = try SQLiteConnection(path: path, options: .init(create: false, sandboxed: false))
        try holder.execute("PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE; COMMIT")
        // Released from a GCD thread: the open below blocks its own thread while it
        // waits, and must not depend on a free thread of the cooperative pool.
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(300)) { holder.close() }
        // Returns only once the holder is gone: it waited instead of failing.
        let reopened = try Database(path: path, migrations: TenantSchema.migrations)
        #expect(try await reopened.read { try $0.scalar("SELECT count(*) FROM tenant_meta")?.int } == 0)
    }
}
