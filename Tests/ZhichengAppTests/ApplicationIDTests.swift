import Foundation
import Testing
import ZhichengApp
import ZhichengCore
import ZhichengStorage

/// Other tenants know an application by (tenant id, application id), so no id is ever
/// used twice under one tenant id: not after a restore to an older backup, and not
/// after the tenant id is archived and created again.
@Suite("Application ids are never used twice under one tenant id")
struct ApplicationIDTests {
    /// A city with one applicant, signed in.
    static func city(_ f: ExpertFixture) async throws -> (admin: SignedIn, applicant: SignedIn, login: String) {
        let created = try await f.tenants.create(id: "zhengzhou", name: "郑州市", divisionCode: "4101", kind: nil, by: .system)
        let admin = try await f.signIn("zhengzhou", created.adminLogin, created.adminPassword)
        let person = try await f.people.addApplicant(to: admin.orgID, idNumber: "410102199001011234", name: "张老师", phone: "", caller: admin)
        return (admin, try await f.signIn("zhengzhou", person.account.login, person.password), person.account.login)
    }

    static func apply(_ f: ExpertFixture, _ applicant: SignedIn) async throws -> Int {
        try await f.applications.create(kind: "title", year: 2026, series: "中小学教师", level: "中级", title: "一级教师", caller: applicant).id
    }

    @Test func aRestoreToAnOlderBackupContinuesAboveTheIdsAlreadyUsed() async throws {
        let f = try ExpertFixture()
        let (_, applicant, login) = try await Self.city(f)
        #expect(try await Self.apply(f, applicant) == 1)
        let backup = try await f.tenants.backup("zhengzhou", by: .system).record
        #expect(try await Self.apply(f, applicant) == 2)   // the province may know this one already

        _ = try await f.tenants.setState("zhengzhou", .suspended, by: .system)
        _ = try await f.tenants.restore("zhengzhou", from: backup.path, by: .system)
        _ = try await f.tenants.setState("zhengzhou", .active, by: .system)
        let token = try await f.auth.signIn(tenant: TenantID("zhengzhou"), login: login, password: ServiceFixture.password, source: "test").token
        let again = try await f.auth.authenticate(tenant: TenantID("zhengzhou"), token: token, source: "test")
        #expect(try await f.applications.mine(caller: again).map(\.id) == [1], "the backup's state")
        #expect(try await Self.apply(f, again) == 3, "2 was used before the restore")

        // Restoring the same backup again still remembers 3.
        _ = try await f.tenants.setState("zhengzhou", .suspended, by: .system)
        _ = try await f.tenants.restore("zhengzhou", from: backup.path, by: .system)
        _ = try await f.tenants.setState("zhengzhou", .active, by: .system)
        let third = try await f.auth.authenticate(tenant: TenantID("zhengzhou"), token: try await f.auth.signIn(
            tenant: TenantID("zhengzhou"), login: login, password: ServiceFixture.password, source: "test").token, source: "test")
        #expect(try await Self.apply(f, third) == 4)
    }

    @Test func anIdArchivedAndCreatedAgainContinuesAboveTheArchivedIds() async throws {
        let f = try ExpertFixture()
        for expected in [[1, 2], [3, 4], [5, 6]] {
            let (_, applicant, _) = try await Self.city(f)
            #expect([try await Self.apply(f, applicant), try await Self.apply(f, applicant)] == expected)
            _ = try await f.tenants.archive("zhengzhou", confirm: "zhengzhou", by: .system)
        }
        // Another id is not affected.
        let created = try await f.tenants.create(id: "kaifeng", name: "开封市", divisionCode: "4102", kind: nil, by: .system)
        let admin = try await f.signIn("kaifeng", created.adminLogin, created.adminPassword)
        let person = try await f.people.addApplicant(to: admin.orgID, idNumber: "410102199001011234", name: "张老师", phone: "", caller: admin)
        #expect(try await Self.apply(f, try await f.signIn("kaifeng", person.account.login, person.password)) == 1)
    }
}
