import Foundation
import Testing
import ZhichengCore
@testable import ZhichengStorage

/// The session cache must forget what a commit changed before that commit is
/// answered, whoever made it; and it must survive the writes that do not concern it
/// (a reviewer's decisions), or it would not save anything.
@Suite("Session cache")
struct SessionCacheTests {
    /// A tenant database with one org, two accounts and a session for each.
    final class Fixture: Sendable {
        let dir: TemporaryDirectory
        let db: Database
        var path: String { dir.path + "/t.sqlite" }

        init(sessionTables: Set<String> = TenantSchema.sessionTables) async throws {
            dir = try TemporaryDirectory()
            db = try Database(path: dir.path + "/t.sqlite", migrations: TenantSchema.migrations, sessionTables: sessionTables)
            try await db.write { conn in
                try conn.run("INSERT INTO orgs (id, parent_id, code, name, kind, created_at) VALUES (1, NULL, '4101', '职改办', 'office', 0)")
                for (id, login) in [(1, "alice"), (2, "bob")] {
                    try conn.run("INSERT INTO accounts (id, org_id, login, name, kind, password_hash, must_change_password, enabled, created_at) VALUES (?, 1, ?, ?, 'staff', 'x', 0, 1, 0)",
                                 [id, login, login])
                    try conn.run("INSERT INTO sessions (token_hash, account_id, csrf_token, created_at, expires_at, source) VALUES (?, ?, 'csrf', 0, 9e9, 'test')",
                                 ["hash-\(login)", id])
                }
            }
        }

        /// Fills the cache the way `AuthService.authenticate` does; returns the entry read.
        @discardableResult
        func fill(_ login: String) async throws -> SessionCache.Entry? {
            let generation = db.sessions.generation
            let entry = try await db.read { conn -> SessionCache.Entry? in
                guard let row = try conn.query("""
                    SELECT s.csrf_token, s.expires_at, \(AccountRecord.qualifiedColumns) FROM sessions s JOIN accounts a ON a.id = s.account_id
                    WHERE s.token_hash = ?
                    """, ["hash-\(login)"]).first else { return nil }
                return SessionCache.Entry(account: AccountRecord(row: row), csrfToken: "csrf", expiresAt: row["expires_at"].double ?? 0)
            }
            if let entry { db.sessions.store(entry, forTokenHash: "hash-\(login)", ifGeneration: generation) }
            return entry
        }

        func cached(_ login: String) -> SessionCache.Entry? { db.sessions.entry(forTokenHash: "hash-\(login)") }

        func write(_ sql: String) async throws { try await db.write { try $0.execute(sql) } }
    }

    /// A commit that updates or deletes a row of a session table empties the whole cache (it
    /// does not know what a row change means) before it is answered. One that only inserts
    /// keeps it: a new session, account or org is never a row the cache holds; sign-in
    /// failures are in a table of their own.
    @Test(arguments: [
        ("UPDATE accounts SET enabled = 0 WHERE id = 2", true),
        ("UPDATE accounts SET roles = '[\"handler\"]' WHERE id = 2", true),
        ("UPDATE accounts SET permitted_series = '[\"会计人员\"]' WHERE id = 2", true),
        ("UPDATE accounts SET password_hash = 'y', must_change_password = 1 WHERE id = 2", true),
        ("UPDATE accounts SET deleted_at = 1 WHERE id = 2", true),
        ("DELETE FROM sessions WHERE token_hash = 'hash-bob'", true),
        ("DELETE FROM sessions WHERE account_id = 2", true),
        ("DELETE FROM sessions", true),
        ("UPDATE sessions SET expires_at = 1 WHERE account_id = 2", true),
        ("UPDATE orgs SET profile_state = 'approved' WHERE id = 1", true),
        ("INSERT INTO sessions (token_hash, account_id, csrf_token, created_at, expires_at, source) VALUES ('new', 2, 'c', 0, 9e9, 't')", false),
        ("INSERT INTO accounts (id, org_id, login, name, kind, password_hash, must_change_password, enabled, created_at) VALUES (3, 1, 'carol', 'carol', 'staff', 'x', 0, 1, 0)", false),
        ("INSERT INTO orgs (id, parent_id, code, name, kind, created_at) VALUES (2, 1, '410101', '某单位', 'unit', 0)", false),
        ("INSERT INTO sign_in_failures (account_id, failures) VALUES (2, 4)", false),
    ])
    func aCommitEmptiesTheCacheExactlyWhenItMayChangeAnEntry(sql: String, empties: Bool) async throws {
        let f = try await Fixture()
        try await f.fill("alice")
        try await f.fill("bob")
        let generation = f.db.sessions.generation
        try await f.write(sql)
        #expect((f.cached("alice") == nil) == empties)
        #expect((f.cached("bob") == nil) == empties)
        #expect((f.db.sessions.generation != generation) == empties)
    }

    /// Purging expired sessions leaves the entries (the check refuses an expired one anyway);
    /// the watch, paused for it, notices the next deletion again.
    @Test func purgingExpiredSessionsKeepsTheEntries() async throws {
        let f = try await Fixture()
        try await f.write("INSERT INTO sessions (token_hash, account_id, csrf_token, created_at, expires_at, source) VALUES ('old', 2, 'c', 0, 5, 't')")
        try await f.fill("alice")
        let generation = f.db.sessions.generation
        try await f.db.write { try $0.purgeExpiredSessions(now: 10) }
        #expect(try await f.db.read { try $0.scalar("SELECT count(*) FROM sessions WHERE token_hash = 'old'")?.int } == 0)
        #expect(f.cached("alice") != nil && f.db.sessions.generation == generation)
        try await f.write("DELETE FROM sessions WHERE token_hash = 'hash-bob'")
        #expect(f.cached("alice") == nil)
    }

    @Test func writesToOtherTablesKeepTheEntries() async throws {
        let f = try await Fixture()
        try await f.fill("alice")
        let generation = f.db.sessions.generation
        // Concurrent units sharing commits, like reviewers' decisions.
        await withTaskGroup(of: Void.self) { group in
            for i in 0..<50 {
                group.addTask { try? await f.db.write { try $0.appendAudit(AuditEntry(actor: "t", code: "a\(i)", target: "x", source: "test")) } }
            }
        }
        _ = try await f.db.write { try $0.run("INSERT INTO tenant_meta (key, value) VALUES ('k', 'v')") }
        #expect(f.cached("alice") != nil)
        #expect(f.db.sessions.generation == generation)
    }

    @Test func aUnitThatFailsAfterTouchingSessionsStillEmptiesTheCache() async throws {
        let f = try await Fixture()
        try await f.fill("alice")
        await #expect(throws: ZhichengError.self) {
            try await f.db.write { conn in
                try conn.run("DELETE FROM sessions WHERE account_id = 1")
                throw ZhichengError.conflict("changed my mind")
            }
        }
        #expect(f.cached("alice") == nil)
        #expect(try await f.fill("alice") != nil)  // rolled back: the session is still there
    }

    @Test func aCommitFromAnotherConnectionIsNoticedOnTheNextLookup() async throws {
        let f = try await Fixture()
        try await f.fill("bob")
        #expect(f.cached("bob") != nil)
        // As an operator's `sqlite3` would: a connection of its own, behind the daemon's back.
        let other = try SQLiteConnection(path: f.path, options: .init(create: false))
        try other.execute("PRAGMA busy_timeout = 5000")
        try other.execute("UPDATE sessions SET expires_at = 1 WHERE token_hash = 'hash-bob'")
        other.close()
        #expect(f.cached("bob") == nil)
        #expect(try await f.fill("bob")?.expiresAt == 1)
    }

    @Test func aCommitFromAnotherConnectionBetweenTheWritersCommitsIsNoticed() async throws {
        let f = try await Fixture()
        try await f.fill("bob")
        let other = try SQLiteConnection(path: f.path, options: .init(create: false))
        try other.execute("PRAGMA busy_timeout = 5000")
        try other.execute("DELETE FROM sessions WHERE token_hash = 'hash-bob'")
        other.close()
        // The writer commits next (an unrelated table) before anyone looks.
        try await f.db.write { try $0.appendAudit(AuditEntry(actor: "t", code: "a", target: "x", source: "test")) }
        #expect(f.cached("bob") == nil)
        #expect(try await f.fill("bob") == nil)
    }

    @Test func aReadThatStartedBeforeAnInvalidationDoesNotStore() async throws {
        let f = try await Fixture()
        let generation = f.db.sessions.generation
        let stale = try #require(try await f.fill("bob"))
        _ = try await f.db.write { try $0.run("UPDATE accounts SET enabled = 0 WHERE id = 2") }
        f.db.sessions.store(stale, forTokenHash: "hash-bob", ifGeneration: generation)
        #expect(f.cached("bob") == nil)
    }

    @Test func noPasswordHashIsKept() async throws {
        let f = try await Fixture()
        try await f.fill("alice")
        #expect(f.cached("alice")?.account.passwordHash == "")
    }

    @Test func aDatabaseWithoutSessionTablesNeverCaches() async throws {
        let f = try await Fixture(sessionTables: [])
        try await f.fill("alice")
        #expect(f.cached("alice") == nil)
    }

    @Test func aClosedDatabaseCachesNothing() async throws {
        let f = try await Fixture()
        try await f.fill("alice")
        await f.db.close()
        #expect(f.cached("alice") == nil)
        f.db.sessions.store(SessionCache.Entry(account: try #require(try await Fixture().fill("alice")).account, csrfToken: "c", expiresAt: 9e9),
                            forTokenHash: "hash-alice", ifGeneration: f.db.sessions.generation)
        #expect(f.cached("alice") == nil)
    }
}
