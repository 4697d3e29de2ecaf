import Foundation
import Testing
import ZhichengCore
@testable import ZhichengStorage

/// The familiar sign-in sources as stored (schema v34, `sign_in_sources`): a sign-in records its
/// address with the time, the list stays at `FamiliarSources.limit` (the least recent forgotten),
/// each familiar address keeps a count apart from the account's, and a reset or a new password
/// clears every count while the addresses stay familiar.
@Suite("Familiar sign-in sources, stored")
struct FamiliarSourceRecordsTests {
    @Test func aSignInRecordsItsSourceAndTheListStaysBounded() async throws {
        let dir = try TemporaryDirectory()
        let db = try Database(path: dir.path + "/t.sqlite", migrations: TenantSchema.migrations)
        let now = 1_000_000.0
        try await db.write { conn in
            try conn.run("INSERT INTO orgs (id, parent_id, code, name, kind, created_at) VALUES (1, NULL, '4101', '职改办', 'office', 0)")
            try conn.run("INSERT INTO accounts (id, org_id, login, name, kind, password_hash, created_at) VALUES (1, 1, '4101', '管理员', 'org_admin', 'h', 0)")
            for n in 0..<FamiliarSources.limit {
                try conn.signedIn(1, from: "192.0.2.\(n)", now: now + Double(n))
            }
            // Not an address: never recorded.
            try conn.signedIn(1, from: "unknown", now: now + 100)
        }
        let (stored, fresh) = try await db.read { conn in (try conn.familiarSources(1), try conn.signInFailures(1, .familiar("192.0.2.3"))) }
        #expect(stored.count == FamiliarSources.limit && !stored.contains { $0.source == "unknown" })
        #expect(fresh?.failures == 0 && fresh?.lockedUntil == nil)

        // A count of its own, apart from the account's shared one.
        try await db.write { conn in
            try conn.setSignInFailures(1, .familiar("192.0.2.3"), failures: 0, lockedUntil: now + 900)
            try conn.setSignInFailures(1, .shared, failures: 3, lockedUntil: nil)
            // A failure never makes an address familiar: only a row that is there is updated.
            try conn.setSignInFailures(1, .familiar("203.0.113.9"), failures: 4, lockedUntil: nil)
        }
        let counts = try await db.read { conn in
            (try conn.signInFailures(1, .familiar("192.0.2.3")), try conn.signInFailures(1, .shared), try conn.familiarSources(1).count,
             try conn.signInFailures(2, .familiar("192.0.2.3")))
        }
        #expect(counts.0?.lockedUntil == now + 900 && counts.1?.failures == 3 && counts.2 == FamiliarSources.limit)
        #expect(counts.3 == nil, "no such account")

        // One more address: the least recent (192.0.2.0) is forgotten; signing in again from one
        // already there starts its count over.
        try await db.write { conn in
            try conn.signedIn(1, from: "203.0.113.5", now: now + 200)
            try conn.signedIn(1, from: "192.0.2.3", now: now + 201)
        }
        let after = try await db.read { conn in (try conn.familiarSources(1), try conn.signInFailures(1, .familiar("192.0.2.3"))) }
        #expect(after.0.count == FamiliarSources.limit)
        #expect(!after.0.contains { $0.source == "192.0.2.0" } && after.0.contains { $0.source == "203.0.113.5" })
        #expect(after.0.first { $0.source == "192.0.2.3" }?.signedInAt == now + 201)
        #expect(after.1?.lockedUntil == nil && after.1?.failures == 0)

        // A reset (or a new password) clears every count, the addresses staying familiar.
        try await db.write { conn in
            try conn.setSignInFailures(1, .familiar("192.0.2.4"), failures: 0, lockedUntil: now + 900)
            try conn.resetPassword(accountID: 1, oneTimeHash: "h2")
        }
        let reset = try await db.read { conn in
            (try conn.scalar("SELECT count(*) FROM sign_in_sources WHERE failures != 0 OR locked_until IS NOT NULL")?.int,
             try conn.signInFailures(1, .shared), try conn.familiarSources(1).count)
        }
        #expect(reset.0 == 0 && reset.1?.failures == 0 && reset.1?.lockedUntil == nil && reset.2 == FamiliarSources.limit)
        await db.close()
    }
}
