import Foundation
import Logging
import Testing
@testable import ZhichengApp
import ZhichengCore
import ZhichengStorage

/// A tenant with the manual's tree, signed-in accounts for its admins, on a temporary directory.
final class OrgFixture: ServiceFixture, @unchecked Sendable {
    let tenant = try! TenantID("zhengzhou")
    var orgs: OrgService { OrgService(store: store, maxUploadBytes: 4096) }

    init() throws { try super.init(prefix: "orgs") }

    /// Creates the tenant and signs its city admin in (password already changed).
    func city() async throws -> SignedIn {
        let created = try await tenants.create(id: "zhengzhou", name: "郑州市", divisionCode: "4101", kind: nil, by: .system)
        return try await signIn(created.adminLogin, created.adminPassword)
    }

    func signIn(_ login: String, _ password: String) async throws -> SignedIn {
        try await signIn(tenant, login, password)
    }

    /// A child org with valid, submitted and approved info; returns its signed-in admin.
    func approvedChild(of parent: SignedIn, parentID: Int, name: String, kind: String) async throws -> (Int, SignedIn) {
        let created = try await orgs.createChild(of: parentID, name: name, kind: kind, caller: parent)
        let admin = try await signIn(created.adminLogin, created.adminPassword)
        _ = try await orgs.saveProfile(of: created.org.id, Self.validProfile(name), caller: admin)
        try await orgs.upload(.certificate, of: created.org.id, bytes: Self.png, caller: admin)
        _ = try await orgs.submitProfile(of: created.org.id, caller: admin)
        let approver = parentID == parent.orgID ? parent : try await signInAsAdmin(of: parentID, by: parent)
        _ = try await orgs.reviewProfile(of: created.org.id, approve: true, reason: nil, caller: approver)
        return (created.org.id, try await auth.authenticate(tenant: tenant, token: try await freshToken(created.adminLogin), source: "test"))
    }

    private func signInAsAdmin(of orgID: Int, by ancestor: SignedIn) async throws -> SignedIn {
        let (login, password) = try await orgs.resetAdminPassword(of: orgID, caller: ancestor)
        return try await signIn(login, password)
    }

    private func freshToken(_ login: String) async throws -> String {
        try await auth.signIn(tenant: tenant, login: login, password: Self.password, source: "test").token
    }

    static func validProfile(_ name: String) -> UnitProfile {
        var p = UnitProfile()
        // 机构类别 left out: it is the org's kind (UnitProfile.placed(as:)).
        p.name = name; p.city = "郑州市"; p.affiliationLevel = "市"; p.industry = "教育"
        p.nature = "全额拨款事业单位"; p.economicType = "国有全资"; p.creditCode = "12100000400000624D"; p.contact = "张老师"
        p.phone = "15236547854"; p.address = "郑州市"; p.postcode = "450000"
        return p
    }

    /// A whole PNG as far as the upload check goes: signature, IHDR and IEND chunks.
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        + [0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52] + [UInt8](repeating: 1, count: 13) + [0, 0, 0, 0]  // IHDR
        + [0, 0, 0, 0, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]  // IEND
}

func expectCode(_ code: ZhichengError.Code, _ body: () async throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) async {
    do {
        try await body()
        Issue.record("expected \(code), but it succeeded", sourceLocation: sourceLocation)
    } catch let error as ZhichengError {
        #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
    }
}

@Suite("Org tree, unit info and review rules")
struct OrgRulesTests {
    @Test func codesFollowTheManualAndAreNeverReused() async throws {
        let f = try OrgFixture()
        let city = try await f.city()
        let district = try await f.orgs.createChild(of: city.orgID, name: "管城回族区职改办", kind: "office", caller: city)
        #expect(district.org.code == "410104")
        let dept = try await f.orgs.createChild(of: district.org.id, name: "管城区教育局", kind: "department", caller: city)
        #expect(dept.org.code == "410104001")
        let school = try await f.orgs.createChild(of: dept.org.id, name: "逸夫小学", kind: "unit", caller: city)
        #expect(school.org.code == "4101040010001")
        #expect(school.adminLogin == school.org.code)
        try await f.orgs.delete(school.org.id, caller: city)
        let next = try await f.orgs.createChild(of: dept.org.id, name: "第二小学", kind: "unit", caller: city)
        #expect(next.org.code == "4101040010002", "a deleted org's code is not reused")
        await expectCode(.invalid) { _ = try await f.orgs.createChild(of: next.org.id, name: "x", kind: "unit", caller: city) }
        await expectCode(.invalid) { _ = try await f.orgs.createChild(of: city.orgID, name: "x", kind: "village", caller: city) }
    }

    @Test func onlyAncestorsManageAndMovesStayAcyclic() async throws {
        let f = try OrgFixture()
        let city = try await f.city()
        let (deptID, dept) = try await f.approvedChild(of: city, parentID: city.orgID, name: "教育局", kind: "department")
        let (otherID, _) = try await f.approvedChild(of: city, parentID: city.orgID, name: "卫健委", kind: "department")
        let school = try await f.orgs.createChild(of: deptID, name: "逸夫小学", kind: "unit", caller: dept)
        await expectCode(.forbidden) { _ = try await f.orgs.update(deptID, name: "改名", parentID: nil, caller: dept) }
        await expectCode(.forbidden) { try await f.orgs.delete(deptID, caller: dept) }
        await expectCode(.notFound) { _ = try await f.orgs.org(otherID, caller: dept) }
        await expectCode(.notFound) { _ = try await f.orgs.createChild(of: otherID, name: "x", kind: "unit", caller: dept) }
        await expectCode(.conflict) { try await f.orgs.delete(deptID, caller: city) }
        await expectCode(.invalid) { _ = try await f.orgs.update(deptID, name: nil, parentID: school.org.id, caller: city) }
        let moved = try await f.orgs.update(school.org.id, name: "逸夫小学（新）", parentID: otherID, caller: city)
        #expect(moved.parentID == otherID && moved.code == school.org.code, "a move keeps the code")
        await expectCode(.notFound) { _ = try await f.orgs.org(school.org.id, caller: dept) }
    }

    /// 单位管理's 移到 names the new parent by its 单位编号: resolved in the service to the org the
    /// caller can see, then held to the rules a move by id is (its own subtree, the kinds); a code
    /// outside the caller's subtree is refused as one no org has; its parent already, refused.
    @Test func aMoveByCodeIsAMoveByIDUnderTheSameRules() async throws {
        let f = try OrgFixture()
        let city = try await f.city()
        let (deptID, dept) = try await f.approvedChild(of: city, parentID: city.orgID, name: "教育局", kind: "department")
        let (otherID, _) = try await f.approvedChild(of: city, parentID: city.orgID, name: "卫健委", kind: "department")
        let sub = try await f.orgs.createChild(of: deptID, name: "教研室", kind: "department", caller: dept)
        let school = try await f.orgs.createChild(of: deptID, name: "逸夫小学", kind: "unit", caller: dept)
        let other = try await f.orgs.org(otherID, caller: city)
        func refusal(_ id: Int, _ code: String, _ caller: SignedIn) async -> ZhichengError? {
            do { _ = try await f.orgs.update(id, name: nil, parent: .code(code), caller: caller); return nil } catch { return error as? ZhichengError }
        }
        let unknown = await refusal(school.org.id, "4101999", dept)
        let outside = await refusal(school.org.id, other.code, dept)
        #expect(unknown?.code == .invalid && unknown?.field == "parent_code" && unknown?.message.contains("没有单位编号为 4101999 的机构") == true, "\(String(describing: unknown))")
        #expect(outside?.message == unknown?.message.replacing("4101999", with: other.code), "nothing told of an org the caller cannot see")
        #expect(await refusal(deptID, sub.org.code, city)?.message.contains("不能把机构移到它自己或它的下级之下") == true)
        #expect(await refusal(school.org.id, String(school.org.code.dropLast()) + "2", dept)?.field == "parent_code", "a unit's code that is nobody's")
        #expect(await refusal(deptID, "4101", city)?.message.contains("已在“郑州市") == true, "its parent already")
        #expect(await refusal(school.org.id, "", dept)?.message == "请填写新上级机构的单位编号")
        #expect(await refusal(school.org.id, "41O1", dept)?.message.contains("单位编号只含数字") == true)
        // Full-width digits, blanks around them: read as typed.
        let fullWidth = String(sub.org.code.map { Character(UnicodeScalar($0.unicodeScalars.first!.value + 0xFEE0)!) })
        let moved = try await f.orgs.update(school.org.id, name: nil, parent: .code(" " + fullWidth + " "), caller: dept)
        #expect(moved.parentID == sub.org.id && moved.code == school.org.code)
    }

    @Test func unitInfoIsValidatedSubmittedAndReviewedByTheParentOnly() async throws {
        let f = try OrgFixture()
        let city = try await f.city()
        let created = try await f.orgs.createChild(of: city.orgID, name: "教育局", kind: "department", caller: city)
        let unit = try await f.signIn(created.adminLogin, created.adminPassword)
        var bad = OrgFixture.validProfile("教育局")
        bad.creditCode = "114412365412547896"
        await expectCode(.invalid) { _ = try await f.orgs.saveProfile(of: unit.orgID, bad, caller: unit) }
        // Until approved, nothing but the info itself.
        await expectCode(.forbidden) { _ = try await f.people.addStaff(to: unit.orgID, login: "li.a", name: "李", phone: "", caller: unit) }
        await expectCode(.forbidden) { _ = try await f.orgs.children(of: unit.orgID, caller: unit) }
        var partial = UnitProfile()
        partial.contact = "张老师"
        _ = try await f.orgs.saveProfile(of: unit.orgID, partial, caller: unit)
        await expectCode(.invalid) { _ = try await f.orgs.submitProfile(of: unit.orgID, caller: unit) }
        _ = try await f.orgs.saveProfile(of: unit.orgID, OrgFixture.validProfile("教育局"), caller: unit)
        await expectCode(.invalid) { _ = try await f.orgs.submitProfile(of: unit.orgID, caller: unit) }  // no certificate
        await expectCode(.unsupportedMediaType) { try await f.orgs.upload(.certificate, of: unit.orgID, bytes: Array("GIF89a not png".utf8), caller: unit) }
        await expectCode(.tooLarge) { try await f.orgs.upload(.certificate, of: unit.orgID, bytes: OrgFixture.png + [UInt8](repeating: 1, count: 5000), caller: unit) }
        try await f.orgs.upload(.certificate, of: unit.orgID, bytes: OrgFixture.png, caller: unit)
        _ = try await f.orgs.submitProfile(of: unit.orgID, caller: unit)
        await expectCode(.conflict) { _ = try await f.orgs.saveProfile(of: unit.orgID, OrgFixture.validProfile("x"), caller: unit) }
        await expectCode(.forbidden) { _ = try await f.orgs.reviewProfile(of: unit.orgID, approve: true, reason: nil, caller: unit) }
        await expectCode(.invalid) { _ = try await f.orgs.reviewProfile(of: unit.orgID, approve: false, reason: " ", caller: city) }
        let rejected = try await f.orgs.reviewProfile(of: unit.orgID, approve: false, reason: "电话有误", caller: city)
        #expect(rejected.profileState == .rejected && rejected.rejectReason == "电话有误")
        _ = try await f.orgs.submitProfile(of: unit.orgID, caller: unit)
        let approved = try await f.orgs.reviewProfile(of: unit.orgID, approve: true, reason: nil, caller: city)
        #expect(approved.profileState == .approved)
        _ = try await f.people.addStaff(to: unit.orgID, login: "li.a", name: "李", phone: "", caller: unit)
    }

    @Test func everyChangeIsAuditedAndVisibleToAncestorsOnly() async throws {
        let f = try OrgFixture()
        let city = try await f.city()
        let (deptID, dept) = try await f.approvedChild(of: city, parentID: city.orgID, name: "教育局", kind: "department")
        _ = try await f.people.addApplicant(to: deptID, idNumber: "11010519491231002X", name: "赵", phone: "", caller: dept)
        let cityView = try await f.orgs.audit(caller: city).map(\.entry.action)
        #expect(cityView.first == "applicant.create")
        #expect(cityView.contains("org.profile.approve") && cityView.contains("org.create"))
        let deptView = try await f.orgs.audit(caller: dept).map(\.entry.action)
        #expect(!deptView.contains("tenant.create"), "a unit does not see its ancestors' entries")
        #expect(try await f.tenants.check("zhengzhou").ok)
    }

    @Test func whatWasDoneToTheTenantIsInTheRootOfficesLogOnly() async throws {
        let f = try OrgFixture()
        let created = try await f.tenants.create(id: "zhengzhou", name: "郑州市", divisionCode: "4101", kind: nil, by: .system)
        _ = try await f.tenants.setState("zhengzhou", .suspended, by: .system)
        _ = try await f.tenants.setState("zhengzhou", .active, by: .system)
        _ = try await f.tenants.backup("zhengzhou", by: .system)
        // A row an earlier version wrote about the tenant, filed under no org.
        try await f.store.withTenant(f.tenant) { db in
            try await db.write { try $0.appendAudit(AuditEntry(actor: "admin:uid=0", action: .tenantSuspend, target: "tenant:zhengzhou", source: "old")) }
        }
        let city = try await f.signIn(created.adminLogin, created.adminPassword)
        let (_, dept) = try await f.approvedChild(of: city, parentID: city.orgID, name: "教育局", kind: "department")
        let tenantRows = try await f.orgs.audit(caller: city).map(\.entry).filter { $0.action.hasPrefix("tenant.") }
        #expect(tenantRows.map(\.action) == ["tenant.suspend", "tenant.backup", "tenant.resume", "tenant.suspend", "tenant.create"])
        #expect(tenantRows.map(\.orgID) == [nil, city.orgID, city.orgID, city.orgID, city.orgID])
        #expect(try await f.orgs.audit(caller: dept).filter { $0.entry.action.hasPrefix("tenant.") }.isEmpty)
    }
}

@Suite("Sign-in, sessions and people")
struct AuthAndPeopleTests {
    @Test func lockOutAfterRepeatedFailures() async throws {
        let f = try OrgFixture()
        let created = try await f.tenants.create(id: "zhengzhou", name: "郑州市", divisionCode: "4101", kind: nil, by: .system)
        for _ in 1...4 {
            await expectCode(.unauthorized) { _ = try await f.auth.signIn(tenant: f.tenant, login: "4101", password: "wrong", source: "t") }
        }
        await expectCode(.tooManyRequests) { _ = try await f.auth.signIn(tenant: f.tenant, login: "4101", password: "wrong", source: "t") }
        await expectCode(.tooManyRequests) { _ = try await f.auth.signIn(tenant: f.tenant, login: "4101", password: created.adminPassword, source: "t") }
        await expectCode(.unauthorized) { _ = try await f.auth.signIn(tenant: f.tenant, login: "nobody", password: "x", source: "t") }
    }

    /// Checks beyond a tenant's share of the hasher are refused (503) before they are counted:
    /// six wrong passwords refused for load, then four counted, do not lock the account.
    @Test func aCheckRefusedForLoadIsNotCounted() async throws {
        let f = try OrgFixture()
        let created = try await f.tenants.create(id: "hashcap", name: "开封市", divisionCode: "4102", kind: nil, by: .system)
        let tenant = try TenantID("hashcap")
        // 6 checks under way at most for one tenant: hold those 6. The process-wide total is
        // large: other tests sign in at the same time, and their checks count toward it.
        #expect(PasswordHasher.Admission(total: 8).perTenant == 6)
        let admission = PasswordHasher.Admission(total: 100_000, perTenant: 6)
        let busy = AuthService(store: f.store, hasher: PasswordHasher(admission: admission))
        let latch = Latch()
        let holders = (0..<6).map { _ in
            Task { try await PasswordHasher(admission: admission).admitted(tenant: "hashcap") { await latch.wait() } }
        }
        var waited = 0
        while PasswordHasher.admittedNow(tenant: "hashcap") < 6 && waited < 400 {
            try await Task.sleep(for: .milliseconds(5))
            waited += 1
        }
        #expect(PasswordHasher.admittedNow(tenant: "hashcap") == 6)
        for _ in 1...6 {
            await expectCode(.unavailable) { _ = try await busy.signIn(tenant: tenant, login: "4102", password: "wrong", source: "t") }
        }
        await latch.release()
        for holder in holders { try await holder.value }
        #expect(PasswordHasher.admittedNow(tenant: "hashcap") == 0)
        for _ in 1...4 {
            await expectCode(.unauthorized) { _ = try await f.auth.signIn(tenant: tenant, login: "4102", password: "wrong", source: "t") }
        }
        _ = try await f.auth.signIn(tenant: tenant, login: "4102", password: created.adminPassword, source: "t")
    }

    @Test func passwordPolicyAndSessions() async throws {
        let f = try OrgFixture()
        let created = try await f.tenants.create(id: "zhengzhou", name: "郑州市", divisionCode: "4101", kind: nil, by: .system)
        let session = try await f.auth.signIn(tenant: f.tenant, login: "4101", password: created.adminPassword, source: "t")
        #expect(session.account.mustChangePassword)
        for weak in ["short1", "onlyletters", "12345678"] {
            await expectCode(.invalid) { try await f.auth.changePassword(caller: session.account, old: created.adminPassword, new: weak, keepToken: session.token) }
        }
        await expectCode(.invalid) { try await f.auth.changePassword(caller: session.account, old: "wrong", new: "Passw0rd2026", keepToken: session.token) }
        let other = try await f.auth.signIn(tenant: f.tenant, login: "4101", password: created.adminPassword, source: "t")
        try await f.auth.changePassword(caller: session.account, old: created.adminPassword, new: "Passw0rd2026", keepToken: session.token)
        #expect(try await f.auth.authenticate(tenant: f.tenant, token: session.token, source: "t").mustChangePassword == false)
        await expectCode(.unauthorized) { _ = try await f.auth.authenticate(tenant: f.tenant, token: other.token, source: "t") }
        try await f.auth.signOut(token: session.token, caller: session.account)
        await expectCode(.unauthorized) { _ = try await f.auth.authenticate(tenant: f.tenant, token: session.token, source: "t") }
        await expectCode(.unauthorized) { _ = try await f.auth.authenticate(tenant: f.tenant, token: "x", source: "t") }
    }

    @Test func staffAreDisabledUntilEnabledAndRolesApplyAtOnce() async throws {
        let f = try OrgFixture()
        let city = try await f.city()
        let staff = try await f.people.addStaff(to: city.orgID, login: "li.handler", name: "李经办", phone: "13800138000", caller: city)
        await expectCode(.forbidden) { _ = try await f.auth.signIn(tenant: f.tenant, login: "li.handler", password: staff.password, source: "t") }
        _ = try await f.people.setEnabled(staff.account.id, true, caller: city)
        let session = try await f.auth.signIn(tenant: f.tenant, login: "li.handler", password: staff.password, source: "t")
        _ = try await f.people.setRoles(staff.account.id, ["handler", "leader"], caller: city)
        #expect(try await f.auth.authenticate(tenant: f.tenant, token: session.token, source: "t").roles == [.handler, .leader])
        await expectCode(.invalid) { _ = try await f.people.setRoles(staff.account.id, ["boss"], caller: city) }
        await expectCode(.invalid) { _ = try await f.people.setPermissions(staff.account.id, series: ["魔法师"], sections: [], caller: city) }
        await expectCode(.invalid) { _ = try await f.people.setPermissions(staff.account.id, series: [], sections: ["秘密"], caller: city) }
        let permitted = try await f.people.setPermissions(staff.account.id, series: ["中小学教师"], sections: ["业绩成果", "基本信息"], caller: city)
        #expect(permitted.permittedSections == ["基本信息", "业绩成果"], "sections keep the application's order")
        await expectCode(.forbidden) { _ = try await f.people.staff(of: city.orgID, caller: session.account) }
        _ = try await f.people.setEnabled(staff.account.id, false, caller: city)
        await expectCode(.unauthorized) { _ = try await f.auth.authenticate(tenant: f.tenant, token: session.token, source: "t") }
        // A request let in before the disabling writes nothing (its reads show what it could read a moment before).
        await expectCode(.unauthorized) { try await f.auth.changePassword(caller: session.account, old: staff.password, new: "Zhicheng2027", keepToken: session.token) }
        await expectCode(.conflict) { _ = try await f.people.addStaff(to: city.orgID, login: "li.handler", name: "重名", phone: "", caller: city) }
        await expectCode(.invalid) { _ = try await f.people.addStaff(to: city.orgID, login: "12345", name: "数字", phone: "", caller: city) }
    }

    @Test func applicantsAreUniqueByIDNumberAndImportReportsRows() async throws {
        let f = try OrgFixture()
        let city = try await f.city()
        _ = try await f.people.addApplicant(to: city.orgID, idNumber: "11010519491231002x", name: "甲", phone: "", caller: city)
        await expectCode(.conflict) { _ = try await f.people.addApplicant(to: city.orgID, idNumber: "11010519491231002X", name: "乙", phone: "", caller: city) }
        await expectCode(.invalid) { _ = try await f.people.addApplicant(to: city.orgID, idNumber: "410104199003071234", name: "丙", phone: "", caller: city) }
        let csv = "身份证号,姓名,手机号\n440524188001010014,丁,13800138000\n410104199003071234,戊,\n11010519491231002X,己,\nbad row\n410104199003071233,庚\n"
        let result = try await f.people.importApplicants(to: city.orgID, csv: csv, caller: city)
        #expect(result.created.map(\.account.name) == ["丁", "庚"])
        #expect(result.problems.map(\.row) == [3, 4, 5])
        // An applicant signs in with the ID-card number, whatever the case of its X.
        let session = try await f.auth.signIn(tenant: f.tenant, login: "440524188001010014", password: result.created[0].password, source: "t")
        #expect(session.account.kind == .applicant)
    }
}

/// Holds tasks until released.
actor Latch {
    private var open = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        if open { return }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        open = true
        for continuation in waiting { continuation.resume() }
        waiting = []
    }
}
