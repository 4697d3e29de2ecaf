import Foundation
import Testing
@testable import ZhichengStorage
import ZhichengCore

@Suite("Hash-chained audit log")
struct AuditChainTests {
    func makeDatabase(_ dir: TemporaryDirectory, entries: Int) async throws -> Database {
        let db = try Database(path: dir.path + "/t.sqlite", migrations: TenantSchema.migrations)
        for i in 1...entries {
            try await db.write { try $0.appendAudit(AuditEntry(actor: "admin:uid=0", code: "test.\(i)", target: "t", source: "test")) }
        }
        return db
    }

    /// Edits the file behind the sandbox's back, as someone with the sqlite3 CLI would.
    func tamper(_ path: String, _ sql: String) throws {
        let raw = try SQLiteConnection(path: path, options: .init(sandboxed: false))
        try raw.execute("DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete; " + sql)
        raw.close()
    }

    @Test func intactChainVerifies() async throws {
        let dir = try TemporaryDirectory()
        let db = try await makeDatabase(dir, entries: 5)
        #expect(try await db.read { try $0.verifyAuditChain() } == nil)
    }

    @Test func anEntryAboutTheTenantIsFiledUnderItsRootOffice() async throws {
        let dir = try TemporaryDirectory()
        let db = try Database(path: dir.path + "/t.sqlite", migrations: TenantSchema.migrations)
        func appended(_ entry: AuditEntry) async throws -> Int? {
            try await db.write { conn in
                try conn.appendTenantAudit(entry)
                return try conn.scalar("SELECT org_id FROM audit ORDER BY seq DESC LIMIT 1")?.int
            }
        }
        let entry = AuditEntry(actor: "admin:uid=0", action: .tenantBackup, target: "tenant:zhengzhou", source: "admin-socket")
        #expect(try await appended(entry) == nil, "no office yet: under no org")
        try await db.write { conn in
            try conn.run("INSERT INTO orgs (id, parent_id, code, name, kind, created_at) VALUES (1, NULL, '4101', '职改办', 'office', 0)")
            try conn.run("INSERT INTO orgs (id, parent_id, code, name, kind, created_at) VALUES (2, 1, '410101', '教育局', 'department', 0)")
        }
        #expect(try await appended(entry) == 1)
        var own = entry
        own.orgID = 2
        #expect(try await appended(own) == 2, "an entry that names its org keeps it")
        #expect(try await db.read { try $0.verifyAuditChain() } == nil)
    }

    @Test func updatesAndDeletesAreRefusedByTheDatabase() async throws {
        let dir = try TemporaryDirectory()
        let db = try await makeDatabase(dir, entries: 2)
        await #expect(throws: SQLiteError.self) { try await db.write { try $0.run("UPDATE audit SET actor = 'x'") } }
        await #expect(throws: SQLiteError.self) { try await db.write { try $0.run("DELETE FROM audit") } }
    }

    @Test(arguments: [
        ("UPDATE audit SET actor = 'someone else' WHERE seq = 2", "altered"),
        ("DELETE FROM audit WHERE seq = 2", "missing"),
        ("UPDATE audit SET seq = 10 WHERE seq = 1; UPDATE audit SET seq = 1 WHERE seq = 3; UPDATE audit SET seq = 3 WHERE seq = 10", "follow"),
    ])
    func tamperingBehindTheDaemonsBackIsFound(sql: String, expected: String) async throws {
        let dir = try TemporaryDirectory()
        let db = try await makeDatabase(dir, entries: 4)
        await db.close()
        try tamper(dir.path + "/t.sqlite", sql)
        let reopened = try Database(path: dir.path + "/t.sqlite", migrations: TenantSchema.migrations)
        let problem = try await reopened.read { try $0.verifyAuditChain() }
        #expect(problem?.contains(expected) == true, "got \(problem ?? "nil")")
    }
}
