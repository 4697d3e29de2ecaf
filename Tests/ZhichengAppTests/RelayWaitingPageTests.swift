import Foundation
import Testing
@testable import ZhichengApp
import ZhichengCore
@testable import ZhichengStorage

/// The relay's page of waiting messages (schema v44) and an objection's message whose payload is
/// read only at its turn (`CrossTenantRelay.deferredKind`).
@Suite("Cross-tenant relay: the waiting page and deferred payloads")
struct RelayWaitingPageTests {
    /// Puts a message of `kind` to the province into `source`'s outbox; returns its row id.
    static func send(_ f: RelayFixture, from source: String, kind: String, payload: String) async throws -> Int {
        try await f.store.withTenant(TenantID(source)) { db in
            try await db.write { conn in
                let n = (try conn.scalar("SELECT count(*) FROM outbox")?.int ?? 0) + 1
                try conn.run("INSERT INTO outbox (message_id, target, kind, payload, created_at) VALUES (?, ?, ?, ?, ?)",
                             ["\(source):test:\(n)", CrossTenantRelay.provinceTarget, kind, payload, Date().timeIntervalSince1970])
                return try conn.scalar("SELECT last_insert_rowid()")?.int ?? 0
            }
        }
    }

    /// The columns of `outbox` the program of `sql` reads from the table itself (not the index).
    static func tableColumns(_ sql: String, _ arguments: [any SQLiteBindable], _ conn: SQLiteConnection) throws -> [Int] {
        let program = try conn.query("EXPLAIN " + sql, arguments)
        let root = try conn.scalar("SELECT rootpage FROM sqlite_schema WHERE type = 'table' AND name = 'outbox'")?.int
        let table = program.first { $0["opcode"].string == "OpenRead" && $0["p2"].int == root }?["p1"].int
        return program.filter { $0["opcode"].string == "Column" && $0["p1"].int == table }.compactMap { $0["p2"].int }
    }

    /// The page, the count per target and the count of what waits read the partial index, not
    /// the table's rows: the table is reached only for a payload the page returns (SQLite's
    /// deferred seek), so a waiting objection's payload, stored before `created_at`, is not read
    /// over on every pass, nor at the relay's start.
    @Test func thePageAndTheCountsReadTheWaitingIndex() async throws {
        let f = try await RelayFixture.with("zhengzhou")
        let (plan, page, perTarget, waiting) = try await f.store.withTenant(TenantID("zhengzhou")) { db in
            try await db.read { conn in
                (try conn.query("EXPLAIN QUERY PLAN " + CrossTenantRelay.waitingPageSQL(skipping: 2),
                                [CrossTenantRelay.deferredKind, 0, "a", "b", 200] as [any SQLiteBindable]).compactMap { $0["detail"].string },
                 // Every column read through the table's cursor is the payload (column 4).
                 try Self.tableColumns(CrossTenantRelay.waitingPageSQL(skipping: 0), [CrossTenantRelay.deferredKind, 0, 200] as [any SQLiteBindable], conn),
                 try Self.tableColumns(CrossTenantRelay.waitingCountSQL(targets: 2), ["a", "b"], conn),
                 try Self.tableColumns(TenantStore.undeliveredSQL, [], conn))
            }
        }
        #expect(plan.contains { $0.hasPrefix("SEARCH outbox USING INDEX outbox_waiting (id>?)") }, "\(plan)")
        #expect(page == [4], "only the payload is read from the table: \(page)")
        #expect(perTarget.isEmpty && waiting.isEmpty, "counted in the index: \(perTarget) \(waiting)")
        #expect(try await f.store.outbox(TenantID("zhengzhou")).waiting == 0)
    }

    /// A deferred message gone from the outbox between its page's read and its turn (set aside,
    /// delivered by a pass before, the source restored) is skipped: not delivered, not counted as
    /// delivered, and the messages after it go on.
    @Test func aDeferredMessageGoneBeforeItsTurnIsSkippedAndNotCounted() async throws {
        let f = try await RelayFixture.with("province", "zhengzhou")
        let store = f.store
        let gone = try await Self.send(f, from: "zhengzhou", kind: CrossTenantRelay.deferredKind, payload: #"{"x":1}"#)
        _ = try await Self.send(f, from: "zhengzhou", kind: CrossTenantRelay.deferredKind, payload: #"{"x":2}"#)
        let relay = CrossTenantRelay(store: store, logger: RelayFixture.quiet, schedule: RelaySchedule(), beforePayloadRead: { id in
            guard id == gone else { return }
            _ = try? await store.withTenant(TenantID("zhengzhou")) { db in
                try await db.write { conn in try conn.run("UPDATE outbox SET set_aside_at = 1, set_aside_reason = 'test' WHERE id = ?", [id]) }
            }
        })
        let pass = try await relay.deliverAll(from: TenantID("zhengzhou"))
        #expect(pass.delivered == 1 && pass.waiting == 0)
        #expect(try await f.rows("province", "SELECT message_id AS v FROM inbox") == ["zhengzhou:test:2"])
        #expect(try await f.rows("zhengzhou", "SELECT (set_aside_at IS NOT NULL) || ' ' || (delivered_at IS NOT NULL) AS v FROM outbox ORDER BY id")
                == ["1 0", "0 1"])
        #expect(relay.pauses().isEmpty)
    }
}
