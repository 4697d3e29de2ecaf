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
        _ = try await store.create(info) { conn in
            try conn.run("INSERT INTO tenant_meta (key, value) VALUES ('tenant_id', ?)", [id])
        }
    }

    /// A store in a new directory with these tenants created.
    func storeWith(_ names: String...) async throws -> (dir: TemporaryDirectory, store: TenantStore) {
        let dir = try TemporaryDirectory()
        let store = try makeStore(dir)
        for name in names { try await create(store, name) }
        return (dir, store)
    }

    /// A store in a new directory with one tenant `name`, backed up once.
    func storeWithBackedUpTenant(_ name: String) async throws -> (dir: TemporaryDirectory, store: TenantStore, id: TenantID, backup: BackupRecord) {
        let (dir, store) = try await storeWith(name)
        let id = try TenantID(name)
        return (dir, store, id, try await store.backup(id))
    }

    @Test func keepsAtMostMaxOpenTenantsOpen() async throws {
        let dir = try TemporaryDirectory()
        let store = try makeStore(dir, maxOpen: 2)
        for i in 1...5 { try await create(store, "t\(i)") }
        for i in 1...5 {
            let value = try await store.withTenant(try TenantID("t\(i)")) { db in
                try await owner(of: db)
            }
            #expect(value == "t\(i)")
            #expect(await store.openCount <= 2)
        }
    }

    /// The tenant id a database says it belongs to.
    func owner(of db: Database) async throws -> String? {
        try await db.read { try $0.scalar("SELECT value FROM tenant_meta WHERE key = 'tenant_id'")?.string }
    }

    /// A gate a test opens once: `wait()` returns after `open()`.
    final class Gate: Sendable {
        private let stream: AsyncStream<Void>
        private let continuation: AsyncStream<Void>.Continuation
        init() { (stream, continuation) = AsyncStream.makeStream() }
        func open() { continuation.finish() }
        func wait() async { for await _ in stream {} }
    }

    /// Runs `body` inside `withTenant(id)` in a task; returns once the lease is held.
    func hold(_ store: TenantStore, _ id: String, until release: Gate,
              then body: @escaping @Sendable (Database) async throws -> Void = { _ in }) async throws -> Task<Void, any Error> {
        let entered = Gate()
        let tenant = try TenantID(id)
        let task = Task {
            try await store.withTenant(tenant) { db in
                entered.open()
                await release.wait()
                try await body(db)
            }
        }
        await entered.wait()
        return task
    }

    @Test func aTenantOpenedOverTheCapIsServedNotEvictedByItself() async throws {
        let dir = try TemporaryDirectory()
        let store = try makeStore(dir, maxOpen: 1)
        try await create(store, "t1")
        try await create(store, "t2")
        let release = Gate()
        let holder = try await hold(store, "t1", until: release)
        // t1 is in use, so making room for t2 finds nothing to close: t2 is served anyway
        // (one over the cap for a while) instead of being closed under its own request.
        let value = try await store.withTenant(try TenantID("t2")) { db in
            try await owner(of: db)
        }
        #expect(value == "t2")
        release.open()
        try await holder.value
    }

    @Test func closingIdleTenantsSkipsOneLeasedWhileAnotherCloses() async throws {
        let dir = try TemporaryDirectory()
        let store = try makeStore(dir)
        try await create(store, "slow")
        try await create(store, "busy")
        let slow = try TenantID("slow"), busy = try TenantID("busy")
        // Both open and idle, `busy` used last (so closed last); `slow` has WAL frames.
        _ = try await store.withTenant(slow) { db in try await db.write { try $0.run("INSERT INTO tenant_meta (key, value) VALUES ('x', 'y')") } }
        try await store.withTenant(busy) { _ in }
        // A reader outside the store holds a snapshot of `slow`'s WAL: closing `slow`
        // (a TRUNCATE checkpoint) waits for it.
        let reader = try SQLiteConnection(path: store.paths.database(for: slow), options: .init(create: false, sandboxed: false))
        try reader.execute("PRAGMA busy_timeout = 5000; BEGIN; SELECT count(*) FROM tenant_meta;")
        await store.setLimits(maxOpen: 64, idleSeconds: 0)
        try await Task.sleep(for: .milliseconds(20))
        let sweep = Task { await store.closeIdle() }
        for _ in 0..<500 where await store.isOpen(slow) { try await Task.sleep(for: .milliseconds(10)) }
        #expect(await store.isOpen(slow) == false, "the sweep did not start closing slow")
        #expect(await store.isOpen(busy), "busy was closed before slow")
        // While `slow` is still closing, a request leases `busy`.
        let release = Gate()
        let holder = try await hold(store, "busy", until: release) { db in
            let value = try await owner(of: db)
            #expect(value == "busy")
        }
        try reader.execute("COMMIT")
        reader.close()
        await sweep.value
        // The sweep saw `busy` idle when it started; it must not close it now.
        #expect(await store.isOpen(busy))
        release.open()
        try await holder.value
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
        let (dir, store) = try await storeWith("alpha", "beta")
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
        let archived = try await store.archive(try TenantID("gone"))
        #expect(FileManager.default.fileExists(atPath: archived.path + "/tenant.sqlite"))
        #expect(try await store.registry.get(try TenantID("gone")) == nil)
        try await create(store, "gone")
    }

    @Test func whileOneRestoreRunsASecondRestoreOrAnArchiveIsRefusedAndRequestsWait() async throws {
        let (dir, store, id, backup) = try await storeWithBackedUpTenant("busy")
        // Hold the tenant's files as a long restore does, at the point where it copies.
        let entered = Gate(), release = Gate()
        let first = Task {
            try await store.withExclusiveFiles(id) {
                entered.open()
                await release.wait()
                return true
            }
        }
        await entered.wait()
        for attempt in ["restore", "archive"] {
            do {
                if attempt == "restore" { _ = try await store.restore(id, from: backup.path) } else { _ = try await store.archive(id) }
                Issue.record("\(attempt) went ahead during another restore")
            } catch let error as ZhichengError {
                #expect(error.code == .conflict && error.message.contains("busy"), "\(attempt): \(error)")
            }
        }
        await #expect(throws: ZhichengError.self) { try await store.withTenant(id) { _ in } }
        await #expect(throws: ZhichengError.self) { try await store.stats(id) }
        release.open()
        #expect(try await first.value)
        // Afterwards the same restore goes, and the tenant is whole.
        _ = try await store.restore(id, from: backup.path)
        #expect(try await store.withTenant(id) { db in try await owner(of: db) } == "busy")
        #expect(try await store.registry.get(id) != nil)
        withExtendedLifetime(dir) {}   // the files outlive every use above
    }

    /// A restore stopped during the staged copy's own commit leaves its hot journal beside it.
    /// The next restore, from another backup, must not have that journal played into its copy.
    @Test func aRestoreStoppedMidCommitLeavesNoJournalForTheNextOne() async throws {
        let (dir, store) = try await storeWith("stale")
        let id = try TenantID("stale")
        func tag(_ value: String) async throws {
            _ = try await store.withTenant(id) { db in
                try await db.write { try $0.run("INSERT INTO tenant_meta (key, value) VALUES ('tag', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [value]) }
            }
        }
        try await tag("A")
        let a = try await store.backup(id)
        try await tag("B")
        let b = try await store.backup(id)
        // What the stopped restore (of A) left: its staged copy's hot journal, records synced.
        let staged = store.paths.stagedRestore(for: id)
        try FileManager.default.copyItem(atPath: a.path, toPath: staged)
        let conn = try SQLiteConnection(path: staged, options: .init(create: false, sandboxed: false))
        try conn.execute("PRAGMA journal_mode = DELETE; PRAGMA cache_size = 1; BEGIN IMMEDIATE; UPDATE tenant_meta SET value = 'cut' WHERE key = 'tag'; CREATE TABLE pad (x);")
        for _ in 0..<200 { try conn.run("INSERT INTO pad VALUES (zeroblob(1000))") }
        let journal = try Data(contentsOf: URL(fileURLWithPath: staged + "-journal"))
        try conn.execute("ROLLBACK")
        conn.close()
        try journal.write(to: URL(fileURLWithPath: staged + "-journal"))
        try await store.discardStagedRestore(id)   // what the next start does
        #expect(!FileManager.default.fileExists(atPath: staged + "-journal"))
        // Planted again, as if the start had not run: the restore itself clears it too.
        try journal.write(to: URL(fileURLWithPath: staged + "-journal"))
        _ = try await store.restore(id, from: b.path)
        let restored = try await store.withTenant(id) { db in
            try await db.read { conn in (try conn.scalar("SELECT value FROM tenant_meta WHERE key = 'tag'")?.string, try conn.scalar("PRAGMA integrity_check")?.string) }
        }
        #expect(restored.0 == "B" && restored.1 == "ok", "\(restored)")
        #expect(!FileManager.default.fileExists(atPath: staged + "-journal"))
        withExtendedLifetime(dir) {}
    }

    @Test func aRestoreThatCannotKeepTheCurrentFileChangesNothing() async throws {
        let (dir, store, id, backup) = try await storeWithBackedUpTenant("keeps")
        let source = dir.path + "/elsewhere.sqlite"
        try FileManager.default.copyItem(atPath: backup.path, toPath: source)
        _ = try await store.withTenant(id) { db in try await db.write { try $0.run("INSERT INTO tenant_meta (key, value) VALUES ('after', 'backup')") } }
        // The tenant's backup dir is a file now: the current database cannot be kept.
        let keepDir = dir.path + "/data/backups/keeps"
        try FileManager.default.removeItem(atPath: keepDir)
        #expect(FileManager.default.createFile(atPath: keepDir, contents: Data("not a directory".utf8)))
        await #expect(throws: (any Error).self) { try await store.restore(id, from: source) }
        #expect(try await store.withTenant(id) { db in try await db.read { try $0.scalar("SELECT value FROM tenant_meta WHERE key = 'after'")?.string } } == "backup",
                "the current data stays")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path + "/data/tenants/keeps").filter { $0.hasSuffix(".restoring") } == [])
    }

    @Test func anArchiveWhoseFilesCannotMoveLeavesTheTenantAsItWas() async throws {
        let (dir, store, id, backup) = try await storeWithBackedUpTenant("stays")
        let before = try await store.registry.get(id)
        // The archive dir is a file now: the move fails even for root.
        let archiveDir = dir.path + "/data/archive"
        try FileManager.default.removeItem(atPath: archiveDir)
        #expect(FileManager.default.createFile(atPath: archiveDir, contents: Data("not a directory".utf8)))
        await #expect(throws: (any Error).self) { try await store.archive(id) }
        #expect(try await store.registry.get(id) == before)
        #expect(try await store.registry.lastBackup(id) == backup, "the last backup is remembered as before")
        #expect(try await store.registry.lastArchived(id) == nil)
        #expect(try await store.withTenant(id) { db in try await owner(of: db) } == "stays")
    }

    @Test func anArchiveStoppedBeforeItsFilesMovedIsFinishedAtTheNextStart() async throws {
        let (dir, store) = try await storeWith("halfway", "other")
        let id = try TenantID("halfway")
        // What a stop right after the registry commit leaves: unregistered, files in place.
        let target = dir.path + "/data/archive/halfway-test"
        _ = try await store.registry.archive(id, path: target, applicationIDsUsed: 7)
        await store.registry.close()

        let restarted = try makeStore(dir)
        try await restarted.reconcile()
        #expect(FileManager.default.fileExists(atPath: target + "/tenant.sqlite"))
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/data/tenants/halfway"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path + "/data/archive") == ["halfway-test"], "no incomplete- copy")
        #expect(try await restarted.registry.all().map(\.id.rawValue) == ["other"])
        #expect(try await restarted.registry.applicationIDsUsed(byArchived: id) == 7)
        try await create(restarted, "halfway")
    }

    /// A registry row this build cannot read (here a division code it does not know, as a row
    /// of a later build would have) is not served, and its directory is not taken for an
    /// unregistered one and archived.
    @Test func aRegisteredTenantThisBuildCannotReadStaysInPlace() async throws {
        let (dir, store) = try await storeWith("future", "other")
        await store.registry.close()
        let raw = try SQLiteConnection(path: dir.path + "/data/registry.sqlite", options: .init(create: false, sandboxed: false))
        try raw.run("UPDATE tenants SET division_code = '419800' WHERE id = 'future'")
        raw.close()

        let restarted = try makeStore(dir)
        try await restarted.reconcile()
        #expect(FileManager.default.fileExists(atPath: dir.path + "/data/tenants/future/tenant.sqlite"))
        #expect(((try? FileManager.default.contentsOfDirectory(atPath: dir.path + "/data/archive")) ?? []) == [])
        #expect(try await restarted.registry.all().map(\.id.rawValue) == ["other"])
        #expect(try await restarted.registry.unreadable().map(\.id) == ["future"])
    }

    @Test func undeliveredMessagesAreCountedOnEverySchemaVersionWithAnOutbox() async throws {
        let dir = try TemporaryDirectory()
        // Version 8: an outbox without set_aside_at (a tenant not opened since the upgrade).
        let old = try Database(path: dir.path + "/v8.sqlite", migrations: Array(TenantSchema.migrations.prefix(while: { $0.version <= 8 })))
        let new = try Database(path: dir.path + "/new.sqlite", migrations: TenantSchema.migrations)
        for db in [old, new] {
            _ = try await db.write { conn in
                for (n, delivered) in [(1, true), (2, false), (3, false)] {
                    try conn.run("INSERT INTO outbox (message_id, target, kind, payload, created_at, delivered_at) VALUES (?, '@province', 'application.forward', '{}', 0, ?)",
                                 ["m\(n)", delivered ? 1.0 : nil])
                }
            }
        }
        _ = try await new.write { conn in try conn.run("UPDATE outbox SET set_aside_at = 1, set_aside_reason = 'test' WHERE message_id = 'm3'") }
        #expect(try await old.read(TenantStore.undelivered) == 2)
        #expect(try await new.read(TenantStore.undelivered) == 1, "a message set aside is not waiting")
        await old.close()
        await new.close()
        // Before version 4 there is no outbox at all.
        let older = try Database(path: dir.path + "/v3.sqlite", migrations: Array(TenantSchema.migrations.prefix(while: { $0.version <= 3 })))
        #expect(try await older.read(TenantStore.undelivered) == 0)
        await older.close()
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
        // (A fresh database holds only the incarnation its migrations gave it.)
        #expect(try await reopened.read { try $0.scalar("SELECT count(*) FROM tenant_meta WHERE key != 'incarnation'")?.int } == 0)
    }
}

@Suite("Hex and digests")
struct HexTests {
    @Test func hexIsLowerCaseAndMatchesTheDigests() {
        #expect(hexString([0x00, 0x0f, 0xab, 0xff]) == "000fabff")
        #expect(hexString([UInt8]()) == "")
        // FIPS 180-2 test vector; the string form hashes the same bytes as the data form.
        let abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        #expect(sha256Hex(Array("abc".utf8)) == abc)
        #expect(sha256Hex(utf8: "abc") == abc)
        #expect(sha256Hex(utf8: "郑州市") == sha256Hex(Array("郑州市".utf8)))
    }
}

@Suite("Schema v8")
struct SchemaV8Tests {
    /// A tenant written by a version-7 daemon gets its applicants' names copied onto
    /// its applications when it is opened by this one, and only in-review rows enter
    /// the queue index.
    @Test func migratingFromVersion7FillsTheApplicantNames() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/tenant.sqlite"
        let old = try Database(path: path, migrations: Array(TenantSchema.migrations.prefix(while: { $0.version <= 7 })))
        try await old.write { conn in
            try conn.run("INSERT INTO orgs (id, code, name, kind, created_at) VALUES (1, '4101', '郑州市职改办', 'office', 0)")
            for (id, name) in [(1, "张老师"), (2, "李老师")] {
                try conn.run("INSERT INTO accounts (id, org_id, login, name, kind, password_hash, created_at) VALUES (?, 1, ?, ?, 'applicant', 'x', 0)",
                             [id, "a\(id)", name])
            }
            for (id, applicant, state) in [(1, 1, "in_review"), (2, 2, "in_review"), (3, 1, "draft")] {
                try conn.run("""
                    INSERT INTO applications (id, applicant_id, org_id, kind, year, series, level, title, state, chain, current_org_id, stage, created_at, updated_at)
                    VALUES (?, ?, 1, 'title', 2026, '中小学教师', '中级', '一级教师', ?, '{}', 1, 'handler', 0, 0)
                    """, [id, applicant, state])
            }
        }
        await old.close()
        let db = try Database(path: path, migrations: TenantSchema.migrations)
        let (version, names, indexed) = try await db.read { conn in
            (try conn.scalar("PRAGMA user_version")?.int,
             try conn.query("SELECT applicant_name FROM applications ORDER BY id").map { $0[0].string ?? "?" },
             try conn.scalar("SELECT count(*) FROM applications INDEXED BY applications_queue WHERE state = 'in_review' AND current_org_id = 1")?.int)
        }
        #expect(version == TenantSchema.latestVersion)
        #expect(names == ["张老师", "李老师", "张老师"])
        #expect(indexed == 2)
        // New rows and renames keep the copy right.
        try await db.write { conn in
            try conn.run("""
                INSERT INTO applications (id, applicant_id, org_id, kind, year, series, level, title, state, chain, current_org_id, stage, created_at, updated_at)
                VALUES (4, 2, 1, 'title', 2027, '中小学教师', '中级', '一级教师', 'in_review', '{}', 1, 'handler', 0, 0)
                """)
            try conn.run("UPDATE accounts SET name = '李明' WHERE id = 2")
            try conn.run("UPDATE applications SET applicant_id = 2 WHERE id = 3")
        }
        #expect(try await db.read { try $0.query("SELECT applicant_name FROM applications ORDER BY id").map { $0[0].string ?? "?" } }
                == ["张老师", "李明", "李明", "李明"])
    }
}
