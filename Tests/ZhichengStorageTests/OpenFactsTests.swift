import Foundation
import Testing
import ZhichengCore
@testable import ZhichengStorage

/// What the services learn about an open database (OpenFacts): a read settles a fact, a write
/// that makes it true notes it before its commit, and a read that found it false on a snapshot
/// older than that write never takes it back to false. Opened again, nothing is known.
@Suite("Open database facts")
struct OpenFactsTests {
    @Test func aReadSettlesAndAWriteNotes() {
        let facts = OpenFacts()
        #expect(facts.value(of: "x") == nil)
        #expect(facts.settle("x", as: false) == false)
        #expect(facts.value(of: "x") == false)
        // A later read that found it true cannot change what is settled; a write can.
        #expect(facts.settle("x", as: true) == false)
        facts.note("x")
        #expect(facts.value(of: "x") == true)
        #expect(facts.settle("x", as: false) == true)
        #expect(facts.value(of: "y") == nil, "each fact by its name")
    }

    /// A read that began before a write's commit, found the fact false on its snapshot and
    /// settles it after the write noted it: it stays true, and the read is told so.
    @Test func aReadOlderThanAWriteDoesNotTakeItsFactBack() async throws {
        let dir = try TemporaryDirectory()
        let migrations = [Migration(version: 1, name: "t", sql: "CREATE TABLE t (x INTEGER) STRICT;")]
        let db = try Database(path: dir.path + "/t.sqlite", migrations: migrations)
        let found = try await db.read { conn in try conn.scalar("SELECT count(*) FROM t")?.int ?? 0 }
        try await db.write { conn in
            try conn.run("INSERT INTO t (x) VALUES (1)")
            db.facts.note("rows")
        }
        #expect(found == 0 && db.facts.settle("rows", as: found > 0) == true)
        #expect(try Database(path: dir.path + "/t.sqlite", migrations: migrations).facts.value(of: "rows") == nil, "opened again: found out again")
    }
}
