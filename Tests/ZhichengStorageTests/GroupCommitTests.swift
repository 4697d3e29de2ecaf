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
                group.addTask { try? await db.write { try $0.appendAudit(AuditEntry(actor: "t", code: "a\(i)", target: "x", source: "test")) } }
            }
        }
        #expect(try await db.read { try $0.verifyAuditChain() } == nil)
        #expect(try await db.read { try $0.scalar("SELECT count(*) FROM audit")?.int } == 100)
    }

    /// A unit whose error ends the whole transaction (SQLite does so on a full disk or an
    /// I/O error; here the unit rolls it back itself) must not leave a later unit of its
    /// batch to commit on its own while being reported failed: what is reported failed is
    /// not on disk, and what is reported done is.
    @Test func anErrorThatEndsTheTransactionFailsTheBatchWhole() async throws {
        let dir = try TemporaryDirectory()
        let schema = [Migration(version: 1, name: "t", sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL) STRICT;")]
        let db = try Database(path: dir.path + "/t.sqlite", migrations: schema)
        struct Aborted: Error {}
        // The first write holds the writer until the next three are queued behind it, so
        // those three run as one batch.
        let release = DispatchSemaphore(value: 0), holding = DispatchSemaphore(value: 0)
        let first = Task { try await db.write { conn in
            holding.signal()
            _ = release.wait(timeout: .now() + 10)
            try conn.run("INSERT INTO t (n) VALUES (0)")
        } }
        /// Waits (bounded) until `count` writes are queued behind the held one, in order.
        func queued(_ count: Int) async throws {
            for _ in 0..<1000 where db.queuedWrites < count { try await Task.sleep(for: .milliseconds(5)) }
            try #require(db.queuedWrites == count, "the batch did not form: \(db.queuedWrites) queued, \(count) expected")
        }
        // The writer holds the first write before any other is queued (a fixed pause was not
        // enough on a loaded machine: the writer could take the next write in the same batch).
        var held = false
        for _ in 0..<1000 where !held {
            held = holding.wait(timeout: .now()) == .success
            if !held { try await Task.sleep(for: .milliseconds(5)) }
        }
        try #require(held, "the first write never reached the writer")
        let before = Task { try await db.write { try $0.run("INSERT INTO t (n) VALUES (1)") } }
        try await queued(1)
        let aborting = Task { try await db.write { conn -> Int in
            try conn.run("INSERT INTO t (n) VALUES (2)")
            try conn.execute("ROLLBACK")
            throw Aborted()
        } }
        try await queued(2)
        let after = Task { try await db.write { try $0.run("INSERT INTO t (n) VALUES (3)") } }
        try await queued(3)
        release.signal()
        _ = try await first.value
        var reported: [Int: Bool] = [:]
        for (n, task) in [(1, before), (2, aborting), (3, after)] {
            reported[n] = (try? await task.value) != nil
        }
        #expect(reported[2] == false)
        await db.close()
        let reopened = try Database(path: dir.path + "/t.sqlite", migrations: schema)
        let stored = Set(try await reopened.read { conn in try conn.query("SELECT n FROM t").compactMap { $0["n"].int } })
        for n in 1...3 { #expect(stored.contains(n) == reported[n], "write \(n): reported \(reported[n] == true ? "done" : "failed")") }
        #expect(stored.contains(0))
        await reopened.close()
    }
}
