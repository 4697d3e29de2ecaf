import Foundation
import Logging
import Testing
@testable import ZhichengApp
import ZhichengCore
import ZhichengStorage

/// A request is authenticated when it starts; its transactions come later (a slow body, a
/// password hash, plugin steps). Each of them checks again that the request's session is
/// still there (`TenantStore.read/write(caller)`), and a write that the tenant is still
/// active: whatever ended the session or took the tenant out of service meanwhile wins.
@Suite("Sessions checked again in every transaction")
struct LateSessionTests {
    final class Fixture: ServiceFixture, @unchecked Sendable {
        let city = try! TenantID("zhengzhou")
        var orgs: OrgService { OrgService(store: store, maxUploadBytes: 4096) }
        var created: CreatedTenant!

        init() throws { try super.init(prefix: "late-session") }

        /// The city's root admin, signed in.
        func admin() async throws -> SignedIn {
            created = try await tenants.create(id: city.rawValue, name: "郑州市", divisionCode: "4101", kind: nil, by: .system)
            return try await signIn(city, created.adminLogin, created.adminPassword)
        }

        /// A second session of the same account, as its request was let in.
        func secondSession() async throws -> (token: String, caller: SignedIn) {
            let token = try await auth.signIn(tenant: city, login: created.adminLogin, password: ServiceFixture.password, source: "test").token
            return (token, try await auth.authenticate(tenant: city, token: token, source: "test"))
        }

        /// A write by `caller`: a new unit under its office.
        func write(_ caller: SignedIn, _ name: String = "测试单位") async throws {
            _ = try await orgs.createChild(of: caller.orgID, name: name, kind: "unit", caller: caller)
        }

        /// A read by `caller`: its own office.
        func read(_ caller: SignedIn) async throws {
            _ = try await orgs.org(caller.orgID, caller: caller)
        }

        func orgCount() async throws -> Int {
            try await store.withTenant(city) { db in try await db.read { try $0.scalar("SELECT count(*) FROM orgs")?.int ?? -1 } }
        }
    }

    @Test func aSignOutEndsTheTransactionsOfARequestAlreadyLetIn() async throws {
        let f = try Fixture()
        let admin = try await f.admin()
        let (token, late) = try await f.secondSession()
        try await f.auth.signOut(token: token, caller: late)
        let before = try await f.orgCount()
        await expectCode(.unauthorized) { try await f.write(late) }
        // A read shows the same person what they could read a moment before: not refused.
        try await f.read(late)
        #expect(try await f.orgCount() == before, "nothing written")
        // The account's other session is not affected.
        try await f.write(admin)
        try await f.read(admin)
    }

    @Test func aPasswordResetByTheOperatorEndsThemToo() async throws {
        let f = try Fixture()
        let admin = try await f.admin()
        _ = try await f.tenants.resetPassword(tenant: f.city.rawValue, login: f.created.adminLogin, by: .system)
        await expectCode(.unauthorized) { try await f.write(admin) }
    }

    @Test func anExpiredSessionWritesNothing() async throws {
        let f = try Fixture()
        let admin = try await f.admin()
        try await f.store.withTenant(f.city) { db in
            try await db.write { conn in _ = try conn.run("UPDATE sessions SET expires_at = 1 WHERE account_id = ?", [admin.accountID]) }
        }
        await expectCode(.unauthorized) { try await f.write(admin) }
    }

    @Test func anotherAccountsSessionSignsNobodyIn() async throws {
        let f = try Fixture()
        let admin = try await f.admin()
        let unit = try await f.orgs.createChild(of: admin.orgID, name: "测试单位", kind: "unit", caller: admin)
        let other = try await f.store.withTenant(f.city) { db in
            try await db.read { conn in try conn.account(conn.scalar("SELECT id FROM accounts WHERE login = ?", [unit.adminLogin])?.int ?? 0)! }
        }
        // The unit admin's account with the city admin's session: refused.
        let forged = SignedIn(tenant: f.city, account: other, csrfToken: admin.csrfToken, sessionHash: admin.sessionHash, epoch: admin.epoch, source: "test")
        await expectCode(.unauthorized) { _ = try await f.orgs.saveProfile(of: other.orgID, UnitProfile(), caller: forged) }
    }

    @Test func aSuspendedTenantRefusesWritesWith503AndTheSessionOutlivesTheSuspension() async throws {
        let f = try Fixture()
        let admin = try await f.admin()
        let before = try await f.orgCount()
        _ = try await f.tenants.setState(f.city.rawValue, .suspended, by: .system)
        await expectCode(.unavailable) { try await f.write(admin) }
        #expect(try await f.orgCount() == before, "nothing written")
        // The operator's commands go on (they act without a session).
        _ = try await f.tenants.backup(f.city.rawValue, by: .system)
        _ = try await f.tenants.setState(f.city.rawValue, .active, by: .system)
        try await f.write(admin)
        #expect(try await f.orgCount() == before + 1)
    }

    @Test func aRestoreEndsEverySessionEvenWhenTheTenantIsResumed() async throws {
        let f = try Fixture()
        let admin = try await f.admin()
        let backup = try await f.tenants.backup(f.city.rawValue, by: .system).record
        _ = try await f.tenants.setState(f.city.rawValue, .suspended, by: .system)
        _ = try await f.tenants.restore(f.city.rawValue, from: backup.path, by: .system)
        await expectCode(.unavailable) { try await f.write(admin) }
        _ = try await f.tenants.setState(f.city.rawValue, .active, by: .system)
        let before = try await f.orgCount()
        await expectCode(.unauthorized) { try await f.write(admin) }
        await expectCode(.unauthorized) { try await f.read(admin) }
        #expect(try await f.orgCount() == before, "nothing written")
    }

    @Test func aTenantArchivedAndCreatedAgainUnderItsIDKnowsNoEarlierSession() async throws {
        let f = try Fixture()
        let admin = try await f.admin()
        _ = try await f.tenants.archive(f.city.rawValue, confirm: f.city.rawValue, by: .system)
        await expectCode(.unavailable) { try await f.write(admin) }
        await expectCode(.unavailable) { try await f.read(admin) }
        _ = try await f.tenants.create(id: f.city.rawValue, name: "郑州市", divisionCode: "4101", kind: nil, by: .system)
        await expectCode(.unauthorized) { try await f.write(admin) }
        await expectCode(.unauthorized) { try await f.read(admin) }
        #expect(try await f.orgCount() == 1, "only the new tenant's root office")
    }
}
