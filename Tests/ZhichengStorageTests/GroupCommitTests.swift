import Foundation
import Testing
@testable import ZhichengStorage

@Suite("Group commit")
struct GroupCommitTests {
    @Test func concurrentWritesShareCommitsAndFailAlone() async throws {
        let dir = try TemporaryDirectory()
        let db = try Database(path: dir.path + "/t.sqlite", migrations: [Migration(version: 1, name: "t", sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL UNIQUE) STRICT;")])
        let outcomes = await withTaskGroup(of: Bool.self) { group in
            for n in 0..<300 {
                group.addTask {
                    do {
                        try await db.write { conn in
                            try conn.run("INSERT INTO t (n) VALUES (?)", [n])
                            // Every 10th unit inserts a duplicate after its own row: it must fail alone, leaving nothing behind.
                            if n % 10 == 0 { try conn.run("INSERT INTO t (n) VALUES (?)", [n]) }
                        }
                        return true
                    } catch {
                        return false
                    }
                }
            }
            var results: [Bool] = []
            for await ok in group { results.append(ok) }
            return results
        }
        #expect(outcomes.filter { $0 }.count == 270)
        await db.close()
        // Reopen: what was acknowledged is on disk, what failed is not.
        let reopened = try Database(path: dir.path + "/t.sqlite", migrations: [Migration(version: 1, name: "t", sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL UNIQUE) STRICT;")])
        let (count, failedRows) = try await reopened.read { conn in
            (try conn.scalar("SELECT count(*) FROM t")?.int, try conn.scalar("SELECT count(*) FROM t WHERE n % 10 = 0")?.int)
        }
        #expect(count == 270)
        #expect(failedRows == 0)
    }

    @Test func auditChainStaysIntactUnderConcurrentWrites() async throws {
        let dir = try TemporaryDirectory()
        let db = try Database(path: dir.path + "/t.sqlite", migrations: TenantSchema.migrations)
        await withTaskGroup(of: Void.self) { group in
            for i in 0..<100 {
                group.addTask { try? await db.write { try $0.appendAudit(AuditEntry(actor: "t", action: "a\(i)", target: "x", source: "test")) } }
            }
        }
        #expect(try await db.read { try $0.verifyAuditChain() } == nil)
        #expect(try await db.read { try $0.scalar("SELECT count(*) FROM audit")?.int } == 100)
    }
}
