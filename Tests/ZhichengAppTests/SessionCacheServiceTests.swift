import Foundation
import Logging
import Testing
import ZhichengApp
import ZhichengCore
@testable import ZhichengStorage

/// `AuthService.authenticate` answers from the tenant's session cache when it can;
/// every change an account's session check depends on must still take effect on the
/// very next request, through whichever service makes it.
@Suite("Session cache through the services")
struct SessionCacheServiceTests {
    final class Fixture: ServiceFixture, @unchecked Sendable {
        let city = try! TenantID("zhengzhou")
        var orgs: OrgService { OrgService(store: store, maxUploadBytes: 4096) }
        var experts: ExpertService { ExpertService(store: store, relay: CrossTenantRelay(store: store, logger: Logger(label: "test"))) }

        init() throws { try super.init(prefix: "session-cache") }

        func check(_ token: String, in tenant: TenantID? = nil) async throws -> SignedIn {
            try await auth.authenticate(tenant: tenant ?? city, token: token, source: "test")
        }

        /// Authenticates twice; the second time must come from the cache (nothing changed).
        func checkCached(_ token: String, in tenant: TenantID? = nil) async throws -> SignedIn {
            _ = try await check(token, in: tenant)
            let hit = try await store.withTenant(tenant ?? city) { db in db.sessions.entry(forTokenHash: sha256Hex(Data(token.utf8))) != nil }
            #expect(hit, "the second check was not answered from the cache")
            return try await check(token, in: tenant)
        }

        /// The city's admin and a handler of the root office with 中小学教师.
        func cityWithReviewer() async throws -> (admin: SignedIn, adminToken: String, reviewerID: Int, reviewerToken: String) {
            let created = try await tenants.create(id: "zhengzhou", name: "郑州市", divisionCode: "4101", kind: nil, by: .system)
            let adminToken = try await token(city, created.adminLogin, created.adminPassword)
            let admin = try await check(adminToken)
            let staff = try await people.addStaff(to: admin.orgID, login: "reviewer", name: "审查员", phone: "", caller: admin)
            _ = try await people.setEnabled(staff.account.id, true, caller: admin)
            _ = try await people.setRoles(staff.account.id, ["handler"], caller: admin)
            _ = try await people.setPermissions(staff.account.id, series: ["中小学教师"], sections: ["基本信息"], caller: admin)
            return (admin, adminToken, staff.account.id, try await token(city, "reviewer", staff.password))
        }
    }

    @Test func roleAndPermissionChangesApplyToTheNextRequest() async throws {
        let f = try Fixture()
        let c = try await f.cityWithReviewer()
        #expect(try await f.checkCached(c.reviewerToken).roles == [.handler])
        _ = try await f.people.setRoles(c.reviewerID, ["leader"], caller: c.admin)
        #expect(try await f.checkCached(c.reviewerToken).roles == [.leader])
        _ = try await f.people.setPermissions(c.reviewerID, series: ["会计人员"], sections: ["基本信息"], caller: c.admin)
        #expect(try await f.checkCached(c.reviewerToken).permittedSeries == ["会计人员"])
    }

    @Test func disablingOrDeletingAStaffAccountEndsItsSessionAtOnce() async throws {
        let f = try Fixture()
        let c = try await f.cityWithReviewer()
        _ = try await f.checkCached(c.reviewerToken)
        _ = try await f.people.setEnabled(c.reviewerID, false, caller: c.admin)
        await expectCode(.unauthorized) { _ = try await f.check(c.reviewerToken) }

        _ = try await f.people.setEnabled(c.reviewerID, true, caller: c.admin)
        let again = try await f.auth.signIn(tenant: f.city, login: "reviewer", password: ServiceFixture.password, source: "test").token
        _ = try await f.checkCached(again)
        try await f.people.deleteStaff(c.reviewerID, caller: c.admin)
        await expectCode(.unauthorized) { _ = try await f.check(again) }
    }

    @Test func signOutAndPasswordChangeEndSessionsAtOnce() async throws {
        let f = try Fixture()
        let c = try await f.cityWithReviewer()
        let second = try await f.auth.signIn(tenant: f.city, login: "reviewer", password: ServiceFixture.password, source: "test").token
        let me = try await f.checkCached(c.reviewerToken)
        _ = try await f.checkCached(second)
        try await f.auth.signOut(token: second, caller: me)
        await expectCode(.unauthorized) { _ = try await f.check(second) }
        _ = try await f.checkCached(c.reviewerToken)  // the other session stays

        let third = try await f.auth.signIn(tenant: f.city, login: "reviewer", password: ServiceFixture.password, source: "test").token
        _ = try await f.checkCached(third)
        try await f.auth.changePassword(caller: me, old: ServiceFixture.password, new: "Passw0rd2027", keepToken: c.reviewerToken)
        await expectCode(.unauthorized) { _ = try await f.check(third) }
        _ = try await f.checkCached(c.reviewerToken)  // the session that changed it stays
    }

    @Test func passwordResetsByTheAdminProtocolAndByTheParentOrgApplyAtOnce() async throws {
        let f = try Fixture()
        let c = try await f.cityWithReviewer()
        #expect(try await f.checkCached(c.reviewerToken).mustChangePassword == false)
        // The operator's reset (admin protocol) ends the account's sessions, as 初始化密码 does.
        _ = try await f.tenants.resetPassword(tenant: "zhengzhou", login: "reviewer", by: .system)
        await expectCode(.unauthorized) { _ = try await f.check(c.reviewerToken) }

        // 初始化密码 of a sub-org's admin ends that admin's sessions.
        let unit = try await f.orgs.createChild(of: c.admin.orgID, name: "逸夫小学", kind: "unit", caller: c.admin)
        let unitToken = try await f.token(f.city, unit.adminLogin, unit.adminPassword)
        _ = try await f.checkCached(unitToken)
        _ = try await f.orgs.resetAdminPassword(of: unit.org.id, caller: c.admin)
        await expectCode(.unauthorized) { _ = try await f.check(unitToken) }
    }

    @Test func anOrgApprovalEmptiesTheCache() async throws {
        let f = try Fixture()
        let c = try await f.cityWithReviewer()
        let unit = try await f.orgs.createChild(of: c.admin.orgID, name: "逸夫小学", kind: "unit", caller: c.admin)
        let unitToken = try await f.token(f.city, unit.adminLogin, unit.adminPassword)
        let unitAdmin = try await f.checkCached(unitToken)
        _ = try await f.orgs.saveProfile(of: unit.org.id, OrgFixture.validProfile("逸夫小学"), caller: unitAdmin)
        try await f.orgs.upload(.certificate, of: unit.org.id, bytes: OrgFixture.png, caller: unitAdmin)
        _ = try await f.orgs.submitProfile(of: unit.org.id, caller: unitAdmin)
        _ = try await f.checkCached(unitToken)
        let before = try await f.store.withTenant(f.city) { $0.sessions.generation }
        _ = try await f.orgs.reviewProfile(of: unit.org.id, approve: true, reason: nil, caller: c.admin)
        let after = try await f.store.withTenant(f.city) { db in (db.sessions.generation, db.sessions.count) }
        #expect(after.0 != before && after.1 == 0)
    }

    @Test func suspendingAnExpertEndsTheExpertsSessionAtOnce() async throws {
        let f = try Fixture()
        let province = try TenantID("province")
        let created = try await f.tenants.create(id: "province", name: "河南省", divisionCode: "41", kind: "province", by: .system)
        let officeToken = try await f.token(province, created.adminLogin, created.adminPassword)
        let office = try await f.check(officeToken, in: province)
        let staff = try await f.people.addStaff(to: office.orgID, login: "expert1", name: "卫专家", phone: "", caller: office)
        _ = try await f.people.setEnabled(staff.account.id, true, caller: office)
        // An admitted expert (the admission itself is covered by the expert workflow tests).
        _ = try await f.store.withTenant(province) { db in
            try await db.write { conn in
                try conn.run("""
                    INSERT INTO experts (id, account_id, name, id_number, series, specialty, title, level, unit_name, source_tenant, created_at, updated_at)
                    VALUES (1, ?, '卫专家', '410102199001011234', '中小学教师', '小学数学', '高级教师', '副高级', '逸夫小学', 'zhengzhou', 0, 0)
                    """, [staff.account.id])
            }
        }
        let expertToken = try await f.token(province, "expert1", staff.password)
        _ = try await f.checkCached(expertToken, in: province)
        _ = try await f.experts.setState(1, state: "suspended", reason: "回避", caller: office)
        await expectCode(.unauthorized) { _ = try await f.check(expertToken, in: province) }
    }

    /// Sign-ins are frequent (a morning of reviewers and applicants): neither a sign-in, nor
    /// a failed one, nor the lock-out it leads to may empty the cache of everyone else's
    /// sessions. The lock-out still works, and a password reset still ends it.
    @Test func signingInFailingAndBeingLockedOutKeepTheCache() async throws {
        let f = try Fixture()
        let c = try await f.cityWithReviewer()
        _ = try await f.checkCached(c.adminToken)
        let before = try await f.store.withTenant(f.city) { $0.sessions.generation }
        // An expired session, which the next sign-in purges.
        _ = try await f.store.withTenant(f.city) { db in
            try await db.write { conn in
                try conn.run("INSERT INTO sessions (token_hash, account_id, csrf_token, created_at, expires_at, source) VALUES ('expired', ?, 'c', 0, 1, 't')",
                             [c.reviewerID])
            }
        }
        _ = try await f.auth.signIn(tenant: f.city, login: "reviewer", password: ServiceFixture.password, source: "test")
        #expect(try await f.store.withTenant(f.city) { db in try await db.read { try $0.scalar("SELECT count(*) FROM sessions WHERE token_hash = 'expired'")?.int } } == 0)
        for attempt in 1...f.auth.maxFailures {
            await expectCode(attempt < f.auth.maxFailures ? .unauthorized : .tooManyRequests) {
                _ = try await f.auth.signIn(tenant: f.city, login: "reviewer", password: "Wrong-\(attempt)", source: "test")
            }
        }
        await expectCode(.tooManyRequests) { _ = try await f.auth.signIn(tenant: f.city, login: "reviewer", password: ServiceFixture.password, source: "test") }
        let after = try await f.store.withTenant(f.city) { db in (db.sessions.generation, db.sessions.entry(forTokenHash: sha256Hex(Data(c.adminToken.utf8))) != nil) }
        #expect(after.0 == before && after.1, "a sign-in emptied the session cache")

        // Locked at `test`, where the reviewer signed in (a count of its own: FamiliarSources).
        #expect(try await f.signInCount(f.city, c.reviewerID)?.lockedUntil != nil)
        _ = try await f.tenants.resetPassword(tenant: "zhengzhou", login: "reviewer", by: .system)
        for locked in [try await f.signInCount(f.city, c.reviewerID),
                       try await f.store.withTenant(f.city) { db in try await db.read { try $0.signInFailures(c.reviewerID) } }] {
            #expect(locked?.failures == 0 && locked?.lockedUntil == nil)
        }
    }

    @Test func aSessionChangedBehindTheDaemonsBackIsNotServedFromTheCache() async throws {
        let f = try Fixture()
        let c = try await f.cityWithReviewer()
        _ = try await f.checkCached(c.reviewerToken)
        let path = f.store.paths.database(for: f.city)
        let other = try SQLiteConnection(path: path, options: .init(create: false))
        try other.execute("PRAGMA busy_timeout = 5000")
        try other.run("UPDATE sessions SET expires_at = 1 WHERE token_hash = ?", [sha256Hex(Data(c.reviewerToken.utf8))])
        other.close()
        await expectCode(.unauthorized) { _ = try await f.check(c.reviewerToken) }
    }
}
