import Foundation
import Testing
@testable import ZhichengApp
import ZhichengCore
import ZhichengStorage

/// The staff and applicant lists' search (`q`) and 申报人员状态查询's applicant filter find a
/// whole login as sign-in does, whatever its ASCII case (schema v28), in searches of
/// `accounts_login_nocase` (`ApplicationService.personFilter`, the one filter of all three).
@Suite("Finding a person by a whole login, whatever its case")
struct PersonSearchTests {
    @Test func theStaffListFindsALoginInAnyCase() async throws {
        let f = try LoginCaseTests.Fixture()
        let zhang = try await f.staff("Zhang.Wei")
        let li = try await f.staff("Li.Si")
        func found(_ q: String) async throws -> [Int] {
            try await f.people.staff(of: f.admin.orgID, search: q, caller: f.admin).accounts.map(\.id)
        }
        for typed in ["Zhang.Wei", "zhang.wei", "ZHANG.WEI", " zHANG.wEI ", "Ｚｈａｎｇ.Ｗｅｉ"] {
            #expect(try await found(typed) == [zhang], "\(typed)")
        }
        // Whole only, and a name still by part of it; wildcards are taken literally.
        for part in ["zhang", "zhang.we", "zhang_wei", "%", "_"] {
            #expect(try await found(part).isEmpty, "\(part)")
        }
        #expect(try await found("审查").sorted() == [zhang, li].sorted())
        // Two logins that differ only by case, made before: a search lists both (it names no account).
        let other = try await f.staff("Wang.Wu")
        try await f.relabel(other, "zhang.wei")
        #expect(try await found("ZHANG.wei").sorted() == [zhang, other].sorted())
        #expect(try await found("zhang.wei").sorted() == [zhang, other].sorted())
        // A deleted account is not listed.
        try await f.people.deleteStaff(other, caller: f.admin)
        #expect(try await found("zhang.wei") == [zhang])
    }

    /// The filter searches the NOCASE index for the login and its retired forms (an equal
    /// login and a range), in the lists' query and in the status query alike.
    @Test func theLoginIsFoundThroughTheNocaseIndex() async throws {
        let f = try LoginCaseTests.Fixture()
        _ = try await f.staff("Zhang.Wei")
        let filter = ApplicationService.personFilter("zhang.wei")
        let plans = try await f.store.withTenant(f.city) { db in
            try await db.read { conn in
                try [
                    "SELECT p.id FROM accounts p WHERE org_id = 1 AND kind = 'staff' AND deleted_at IS NULL AND \(filter.sql)",
                    "SELECT a.id FROM applications a JOIN accounts p ON p.id = a.applicant_id WHERE a.org_id = 1 AND a.state != 'draft' AND \(filter.sql)",
                ].map { sql in try conn.query("EXPLAIN QUERY PLAN " + sql, filter.arguments).compactMap { $0["detail"].string } }
            }
        }
        for plan in plans {
            #expect(plan.contains { $0.hasPrefix("SEARCH accounts USING COVERING INDEX accounts_login_nocase (login=?)") }, "\(plan)")
            #expect(plan.contains { $0.hasPrefix("SEARCH accounts USING COVERING INDEX accounts_login_nocase (login>? AND login<?)") }, "\(plan)")
            #expect(!plan.contains { $0.hasPrefix("SCAN accounts") }, "\(plan)")
        }
    }
}
