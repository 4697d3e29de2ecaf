import Testing
@testable import ZhichengStorage

@Suite("A connection's prepared statements")
struct StatementCacheTests {
    /// Statements whose text varies with an `IN (…)` list's length do not pile up for ever:
    /// past the limit the least recently used is finalized, and prepared again when asked.
    @Test func theCacheKeepsAtMostItsLimitAndTheHotStatementsStay() throws {
        let dir = try TemporaryDirectory()
        let conn = try SQLiteConnection(path: dir.path + "/cache.sqlite")
        try conn.execute("CREATE TABLE t (x INTEGER)")
        try conn.run("INSERT INTO t VALUES (1), (2), (3)")
        let hot = "SELECT count(*) AS n FROM t"
        for n in 1...(SQLiteConnection.statementCacheLimit * 2) {
            let list = Array(repeating: "?", count: n).joined(separator: ",")
            let rows = try conn.query("SELECT x FROM t WHERE x IN (\(list)) ORDER BY x", Array(1...n))
            #expect(rows.map { $0["x"].int } == Array(1...min(n, 3)))
            #expect(try conn.query(hot).first?["n"].int == 3)
            #expect(conn.cachedStatementCount <= SQLiteConnection.statementCacheLimit)
        }
        #expect(conn.cachedStatementCount == SQLiteConnection.statementCacheLimit)
        // The least recently used went: the hot one, used at every turn, stayed; the shortest
        // lists, used once long ago, were finalized; the last ones are still there.
        #expect(conn.isPrepared(hot))
        #expect(!conn.isPrepared("SELECT x FROM t WHERE x IN (?) ORDER BY x"))
        let last = Array(repeating: "?", count: SQLiteConnection.statementCacheLimit * 2).joined(separator: ",")
        #expect(conn.isPrepared("SELECT x FROM t WHERE x IN (\(last)) ORDER BY x"))
        // An evicted statement is simply prepared again.
        #expect(try conn.query("SELECT x FROM t WHERE x IN (?) ORDER BY x", [2]).map { $0["x"].int } == [2])
    }

    /// A row loop's own statement, stepped part way, is never the one finalized while its
    /// body runs other statements past the limit.
    @Test func aStatementStillRunningIsNotEvicted() throws {
        let dir = try TemporaryDirectory()
        let conn = try SQLiteConnection(path: dir.path + "/busy.sqlite")
        try conn.execute("CREATE TABLE t (x INTEGER)")
        try conn.run("INSERT INTO t VALUES (1), (2), (3)")
        var seen: [Int] = []
        var other = 0
        try conn.forEachRow("SELECT x FROM t ORDER BY x") { row in
            seen.append(row.int(0))
            for _ in 0..<SQLiteConnection.statementCacheLimit {
                other += 1
                _ = try conn.query("SELECT \(other) AS k")
            }
        }
        #expect(seen == [1, 2, 3])
        #expect(conn.cachedStatementCount <= SQLiteConnection.statementCacheLimit)
    }
}
