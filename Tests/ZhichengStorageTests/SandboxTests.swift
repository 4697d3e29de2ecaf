import CSQLite
import Foundation
import Testing
@testable import ZhichengStorage

/// A fresh temporary directory, removed when the test's scope ends.
final class TemporaryDirectory: Sendable {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "zhicheng-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

@Suite("Tenant database sandbox")
struct SandboxTests {
    @Test func refusesAttachOfAnotherTenantsFile() async throws {
        let dir = try TemporaryDirectory()
        let other = try Database(path: dir.path + "/other.sqlite", migrations: TenantSchema.migrations)
        _ = try await other.write { try $0.run("INSERT INTO tenant_meta VALUES ('secret', 'other tenant data')") }
        let db = try Database(path: dir.path + "/mine.sqlite", migrations: TenantSchema.migrations)
        for sql in ["ATTACH DATABASE '\(dir.path)/other.sqlite' AS other", "ATTACH '\(dir.path)/new.sqlite' AS x", "DETACH DATABASE main"] {
            await #expect(throws: SQLiteError.self) { try await db.write { try $0.execute(sql) } }
        }
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/new.sqlite"))
    }

    @Test func aClosedConnectionRefusesStatementsWithoutTouchingItsHandle() throws {
        let dir = try TemporaryDirectory()
        let conn = try SQLiteConnection(path: dir.path + "/closed.sqlite")
        try conn.execute("CREATE TABLE t (x)")
        _ = try conn.query("SELECT x FROM t")
        conn.close()
        for attempt in [{ try conn.execute("SELECT 1") }, { _ = try conn.query("SELECT x FROM t") }, { try conn.run("INSERT INTO t VALUES (1)") }] {
            #expect(throws: SQLiteError.self) { try attempt() }
            do { try attempt() } catch let error as SQLiteError {
                #expect(error.code == SQLITE_MISUSE && error.message == "the connection is closed")
            }
        }
    }

    /// `VACUUM INTO` writes a file anywhere the process may: refused in a tenant connection,
    /// while the same statement works on a connection without the sandbox (the control: the
    /// refusal is the sandbox's). `load_extension()` and `readfile()` are no test of it: the
    /// first is off unless the C API turns it on, the second is not built into the library.
    @Test func cannotWriteOrReadFilesOutsideItsOwn() async throws {
        let dir = try TemporaryDirectory()
        let db = try Database(path: dir.path + "/mine.sqlite", migrations: TenantSchema.migrations)
        await #expect(throws: SQLiteError.self) { try await db.writeWithoutTransaction { try $0.execute("VACUUM INTO '\(dir.path)/copy.sqlite'") } }
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/copy.sqlite"))
        let plain = try SQLiteConnection(path: dir.path + "/plain.sqlite", options: .init(sandboxed: false))
        try plain.execute("CREATE TABLE t (x); VACUUM INTO '\(dir.path)/control.sqlite'")
        plain.close()
        #expect(FileManager.default.fileExists(atPath: dir.path + "/control.sqlite"), "the control VACUUM INTO did not run")
    }

    @Test(arguments: ["PRAGMA writable_schema = ON", "PRAGMA trusted_schema = ON", "PRAGMA temp_store_directory = '/tmp'",
                      "PRAGMA case_sensitive_like = ON", "PRAGMA main.writable_schema = 1", "PRAGMA legacy_alter_table = ON"])
    func refusesPragmasOffTheAllowList(_ sql: String) async throws {
        let dir = try TemporaryDirectory()
        let db = try Database(path: dir.path + "/t.sqlite", migrations: TenantSchema.migrations)
        await #expect(throws: SQLiteError.self) { try await db.writeWithoutTransaction { try $0.execute(sql) } }
    }

    @Test func allowedPragmasAndDurabilitySettingsHold() async throws {
        let dir = try TemporaryDirectory()
        let db = try Database(path: dir.path + "/t.sqlite", migrations: TenantSchema.migrations)
        // Read back from the writer connection itself: FULL is 2.
        let (sync, journal, fks) = try await db.writeWithoutTransaction { conn in
            (try conn.scalar("PRAGMA synchronous")?.int, try conn.scalar("PRAGMA journal_mode")?.string, try conn.scalar("PRAGMA foreign_keys")?.int)
        }
        #expect(sync == 2)
        #expect(journal == "wal")
        #expect(fks == 1)
        // A checkpoint that resets the WAL cuts it back to this size (16 MiB).
        let walLimit = try await db.writeWithoutTransaction { try $0.scalar("PRAGMA journal_size_limit")?.int }
        #expect(walLimit == Database.walSizeLimit)
        let checks = try await db.read { conn in
            (try conn.query("PRAGMA integrity_check").first?[0].string, try conn.query("PRAGMA foreign_key_check").count, try conn.scalar("PRAGMA user_version")?.int)
        }
        #expect(checks.0 == "ok")
        #expect(checks.1 == 0)
        #expect(checks.2 == TenantSchema.latestVersion)
        let attributes = try FileManager.default.attributesOfItem(atPath: dir.path + "/t.sqlite")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test func schemaCannotBeTamperedWithThroughDefensiveMode() async throws {
        let dir = try TemporaryDirectory()
        let db = try Database(path: dir.path + "/t.sqlite", migrations: TenantSchema.migrations)
        await #expect(throws: SQLiteError.self) {
            try await db.write { try $0.execute("UPDATE sqlite_schema SET sql = 'x' WHERE name = 'orgs'") }
        }
    }

    @Test func refusesAFileFromANewerBuild() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/t.sqlite"
        _ = try Database(path: path, migrations: TenantSchema.migrations)
        let raw = try SQLiteConnection(path: path, options: .init(sandboxed: false))
        try raw.execute("PRAGMA user_version = 999")
        raw.close()
        #expect(throws: SQLiteError.self) { try Database(path: path, migrations: TenantSchema.migrations) }
    }

    @Test func migratesAnOlderFileForward() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/t.sqlite"
        let v1 = Array(TenantSchema.migrations.prefix(1))
        let old = try Database(path: path, migrations: v1)
        await old.close()
        let next = v1 + [Migration(version: 2, name: "test column", sql: "ALTER TABLE orgs ADD COLUMN note TEXT")]
        let db = try Database(path: path, migrations: next)
        let version = try await db.read { try $0.scalar("PRAGMA user_version")?.int }
        #expect(version == 2)
    }

    @Test func anEmptyBlobIsStoredAsAnEmptyBlobNotNull() async throws {
        let dir = try TemporaryDirectory()
        let db = try Database(path: dir.path + "/t.sqlite", migrations: [Migration(version: 1, name: "t", sql: "CREATE TABLE t (b BLOB NOT NULL) STRICT;")])
        _ = try await db.write { try $0.run("INSERT INTO t (b) VALUES (?)", [[UInt8]()]) }
        let (type, length) = try await db.read { conn in
            (try conn.scalar("SELECT typeof(b) FROM t")?.string, try conn.scalar("SELECT length(b) FROM t")?.int)
        }
        #expect(type == "blob" && length == 0)
        await db.close()
    }
}
