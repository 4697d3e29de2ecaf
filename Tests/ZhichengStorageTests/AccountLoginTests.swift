import Foundation
import Testing
import ZhichengCore
@testable import ZhichengStorage

/// Accounts found by their login whatever its case (schema v28, `accounts_login_nocase`):
/// in one index search, with two logins that differ only by case (made before) each kept.
@Suite("Accounts by login, whatever its case")
struct AccountLoginTests {
    /// A v27 file holding `Zhang.Wei` and `zhang.wei` both (made when logins were one only in
    /// the same case) opens in this build, and each is found by its exact login, neither by
    /// another form; a login alone in its case is found by any form; a deleted one by none.
    @Test func aFileWithLoginsDifferingOnlyByCaseOpensAndEachKeepsItsLogin() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/t.sqlite"
        let old = try Database(path: path, migrations: TenantSchema.migrations.filter { $0.version <= 27 })
        try await old.write { conn in
            try conn.run("INSERT INTO orgs (id, parent_id, code, name, kind, created_at) VALUES (1, NULL, '4101', '职改办', 'office', 0)")
            for (id, login, kind) in [(1, "4101", "org_admin"), (2, "Zhang.Wei", "staff"), (3, "zhang.wei", "staff"), (4, "Li.Si", "staff"),
                                      (5, "Wang.Wu#deleted-5", "staff"), (6, "41010419900307123X", "applicant")] {
                try conn.run("""
                    INSERT INTO accounts (id, org_id, login, name, kind, password_hash, must_change_password, enabled, created_at, deleted_at)
                    VALUES (?, 1, ?, '某人', ?, 'h', 0, 1, 0, ?)
                    """, [id, login, kind, id == 5 ? 1.0 : nil])
            }
        }
        await old.close()

        let db = try Database(path: path, migrations: TenantSchema.migrations)
        let (version, found, taken, indexes) = try await db.read { conn in
            (try conn.scalar("PRAGMA user_version")?.int,
             try ["Zhang.Wei", "zhang.wei", "ZHANG.WEI", "li.si", "LI.SI", "Li.Si", "wang.wu", "Wang.Wu#deleted-5", "41010419900307123x", "4101", "nobody"]
                .map { typed -> String in
                    switch try conn.account(typedLogin: typed) {
                    case .one(let account): "\(account.id)"
                    case .ambiguous(let alike): alike.map { "\($0.id)" }.joined(separator: "|")
                    case .none: "-"
                    }
                },
             try ["li.si", "ZHANG.WEI", "zhang.wei", "wang.wu", "newcomer"].map { try conn.takenLogin($0) ?? "-" },
             try conn.query("SELECT name FROM pragma_index_list('accounts') ORDER BY name").compactMap { $0["name"].string })
        }
        #expect(version == TenantSchema.latestVersion)
        #expect(found == ["2", "3", "2|3", "4", "4", "4", "-", "-", "6", "1", "-"], "\(found)")
        #expect(taken == ["Li.Si", "Zhang.Wei", "zhang.wei", "-", "-"], "\(taken)")
        #expect(indexes.contains("accounts_login_nocase") && indexes.contains("accounts_org"), "\(indexes)")
        // Logins that are the same exactly stay refused by the table itself.
        await #expect(throws: SQLiteError.self) {
            try await db.write { conn in
                try conn.run("INSERT INTO accounts (org_id, login, name, kind, password_hash, created_at) VALUES (1, 'Li.Si', '又一个', 'staff', 'h', 0)")
            }
        }
        await db.close()
    }

    /// A sign-in stays one index search: whatever the case typed, the query searches
    /// `accounts_login_nocase`, never the table.
    @Test func theLookupSearchesTheIndex() async throws {
        let dir = try TemporaryDirectory()
        let db = try Database(path: dir.path + "/t.sqlite", migrations: TenantSchema.migrations)
        let plan = try await db.read { conn in
            try conn.query("EXPLAIN QUERY PLAN " + SQLiteConnection.loginIgnoringCaseSQL, ["Zhang.Wei"]).compactMap { $0["detail"].string }
        }
        #expect(plan.count == 1 && plan[0].hasPrefix("SEARCH accounts USING INDEX accounts_login_nocase (login=?)"), "\(plan)")
        await db.close()
    }

    /// The query's NOCASE and `Login.folded` (the in-memory count of made-up logins, the
    /// choice among the candidates) are one rule: they agree, beyond ASCII too.
    @Test(arguments: [("Zhang.Wei", "zhang.wei"), ("ZHANG.WEI", "zhang.wei"), ("zhang.wei", "zhang.wel"), ("ÉCOLE", "école"),
                      ("École", "école"), ("ＡＢＣ", "ａｂｃ"), ("41010419900307123X", "41010419900307123x"), ("Σ", "σ"), ("a_b", "A-B")])
    func nocaseIsLoginFolded(_ a: String, _ b: String) async throws {
        let dir = try TemporaryDirectory()
        let db = try Database(path: dir.path + "/t.sqlite", migrations: [])
        let same = try await db.read { try $0.scalar("SELECT ? = ? COLLATE NOCASE", [a, b])?.int }
        #expect((same == 1) == (Login.folded(a) == Login.folded(b)), "\(a) \(b)")
        await db.close()
    }
}
