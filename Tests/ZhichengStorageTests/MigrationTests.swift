import Foundation
import Testing
@testable import ZhichengStorage

/// A file made by an older build opens in this one with its data carried over.
@Suite("Schema migrations")
struct MigrationTests {
    /// v19 moved sign-in failures out of `accounts`: a count in progress and a lock-out
    /// still running survive the upgrade, and nothing else about the accounts changes.
    @Test func signInFailuresMoveToTheirOwnTable() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/t.sqlite"
        let old = try Database(path: path, migrations: TenantSchema.migrations.filter { $0.version <= 18 })
        try await old.write { conn in
            try conn.run("INSERT INTO orgs (id, parent_id, code, name, kind, created_at) VALUES (1, NULL, '4101', '职改办', 'office', 0)")
            for (id, failed, locked) in [(1, 0, nil), (2, 3, nil), (3, 0, 9e9 as Double?)] {
                try conn.run("""
                    INSERT INTO accounts (id, org_id, login, name, kind, password_hash, must_change_password, enabled, created_at, failed_logins, locked_until)
                    VALUES (?, 1, ?, ?, 'staff', 'h', 0, 1, 0, ?, ?)
                    """, [id, "user\(id)", "用户\(id)", failed, locked])
            }
        }
        await old.close()

        let db = try Database(path: path, migrations: TenantSchema.migrations)
        let (failures, columns, version, fkProblems) = try await db.read { conn in
            (try [1, 2, 3].map { try conn.signInFailures($0) },
             try conn.query("SELECT name FROM pragma_table_info('accounts')").compactMap { $0["name"].string },
             try conn.scalar("PRAGMA user_version")?.int,
             try conn.query("PRAGMA foreign_key_check").count)
        }
        #expect(failures[0]?.failures == 0 && failures[0]?.lockedUntil == nil)
        #expect(failures[1]?.failures == 3 && failures[1]?.lockedUntil == nil)
        #expect(failures[2]?.failures == 0 && failures[2]?.lockedUntil == 9e9)
        #expect(!columns.contains("failed_logins") && !columns.contains("locked_until") && columns.contains("permitted_sections"))
        #expect(version == TenantSchema.latestVersion && fkProblems == 0)
        let names = try await db.read { conn in try conn.query("SELECT login, name FROM accounts ORDER BY id").map { "\($0["login"].string ?? "")/\($0["name"].string ?? "")" } }
        #expect(names == ["user1/用户1", "user2/用户2", "user3/用户3"])
        #expect(try await db.read { try $0.signInFailures(99) } == nil)
        await db.close()
    }

    /// v21: the province's lists of received applications and the sign-in's cleanup of expired
    /// sessions read through an index, not the whole table (the committee's and the public
    /// notices' queries: QueuePageTests, on the services' own SQL).
    @Test func receivedApplicationsAndExpiredSessionsAreReadByIndex() async throws {
        let dir = try TemporaryDirectory()
        let db = try Database(path: dir.path + "/t.sqlite", migrations: TenantSchema.migrations)
        let plans = try await db.read { conn in
            try [
                // ProvinceReviewService.waitingCount, .page (a reviewer's, the office's), ApplicationService.received.
                "SELECT chain FROM received_applications WHERE kind = 'title' AND chain IS NOT NULL AND state = 'in_review' AND series IN ('a', 'b')",
                "SELECT id FROM received_applications WHERE kind = 'title' AND chain IS NOT NULL AND id < 9 ORDER BY id DESC LIMIT 51",
                "SELECT id FROM received_applications WHERE kind = 'title' AND id > 0 AND state = 'received' ORDER BY id LIMIT 51",
                "DELETE FROM sessions WHERE expires_at < 5",
            ].map { sql in try conn.query("EXPLAIN QUERY PLAN " + sql).compactMap { $0["detail"].string }.joined(separator: "; ") }
        }
        #expect(plans[0].contains("received_kind_state"), "\(plans[0])")
        #expect(plans[1].contains("INDEX received_kind ") && !plans[1].contains("TEMP B-TREE"), "\(plans[1])")
        #expect(plans[2].contains("received_kind_state") && !plans[2].contains("TEMP B-TREE"), "\(plans[2])")
        #expect(plans[3].contains("sessions_expiry"), "\(plans[3])")
        await db.close()
    }
}
