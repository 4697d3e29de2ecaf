import Foundation
import Testing
import ZhichengApp
import ZhichengCore
import ZhichengStorage

/// A staff login is one login whatever the case it is typed in: sign-in and the sysadmin's
/// reset find `Zhang.Wei` by `zhang.wei`, the lock-out counts every form against the one
/// account (and a made-up login's forms together, as a real one's), a new login that differs
/// from a live one only by case is taken, and two that differ only by case, made before,
/// each keep working by their exact login while no other form names either.
@Suite("Logins whatever their case")
struct LoginCaseTests {
    final class Fixture: ServiceFixture, @unchecked Sendable {
        let city = try! TenantID("zhengzhou")
        var admin: SignedIn!
        init() throws { try super.init(prefix: "login-case") }

        /// The city with an enabled staff account `login` of its office, its password
        /// `ServiceFixture.password`; answers its id.
        func staff(_ login: String) async throws -> Int {
            if admin == nil {
                let created = try await tenants.create(id: "zhengzhou", name: "郑州市", divisionCode: "4101", kind: nil, by: .system)
                admin = try await signIn(city, created.adminLogin, created.adminPassword)
            }
            let staff = try await people.addStaff(to: admin.orgID, login: login, name: "审查员", phone: "", caller: admin)
            _ = try await people.setEnabled(staff.account.id, true, caller: admin)
            _ = try await token(city, login, staff.password)
            return staff.account.id
        }

        func signIn(_ login: String, _ password: String = ServiceFixture.password, auth: AuthService? = nil) async throws -> SignedIn {
            try await (auth ?? self.auth).signIn(tenant: city, login: login, password: password, source: "test").account
        }

        /// The count this fixture's attempts (from `test`) count in.
        func failures(_ accountID: Int) async throws -> Int? {
            try await signInCount(city, accountID)?.failures
        }

        func accounts() async throws -> [String] {
            try await store.withTenant(city) { db in
                try await db.read { try $0.query("SELECT login FROM accounts ORDER BY id").compactMap { $0["login"].string } }
            }
        }

        /// Gives account `id` the login `login` behind the services' back: how a tenant made
        /// before logins were one whatever their case may hold `Zhang.Wei` and `zhang.wei` both.
        func relabel(_ id: Int, _ login: String) async throws {
            try await store.withTenant(city) { db in
                try await db.write { conn in _ = try conn.run("UPDATE accounts SET login = ? WHERE id = ?", [login, id]) }
            }
        }
    }

    @Test func aLoginInAnotherCaseSignsInToTheAccount() async throws {
        let f = try Fixture()
        let id = try await f.staff("Zhang.Wei")
        for typed in ["Zhang.Wei", "zhang.wei", "ZHANG.WEI", " zHANG.wEI ", "Ｚｈａｎｇ.Ｗｅｉ"] {
            let signedIn = try await f.signIn(typed)
            #expect(signedIn.accountID == id && signedIn.login == "Zhang.Wei", "\(typed)")
        }
    }

    /// Every form counts against the one account: four wrong passwords in four cases, then a
    /// fifth in a fifth case locks it, and the right password in any case finds it locked.
    /// A made-up login is answered alike, step by step: its forms are counted together too.
    @Test func theLockOutCountsEveryCaseTogetherForRealAndMadeUpLogins() async throws {
        let f = try Fixture()
        let id = try await f.staff("Zhang.Wei")
        var auth = f.auth
        auth.lockSeconds = 3600
        func answers(_ forms: [String]) async -> [String] {
            var out: [String] = []
            for (n, typed) in forms.enumerated() {
                do {
                    _ = try await f.signIn(typed, "Wrong-\(n)", auth: auth)
                    out.append("signed in")
                } catch let error as ZhichengError {
                    out.append("\(error.code) \(error.message)")
                } catch {
                    out.append("\(error)")
                }
            }
            return out
        }
        let real = await answers(["Zhang.Wei", "zhang.wei", "ZHANG.WEI", "zhang.Wei", "ZHANG.wei", "Zhang.Wei"])
        #expect(try await f.failures(id) == 0, "locked: the run is over, the lock stored")
        await expectCode(.tooManyRequests) { _ = try await f.signIn("zhang.wei", auth: auth) }
        let madeUp = await answers(["Li.Si", "li.si", "LI.SI", "li.Si", "LI.si", "Li.Si"])
        #expect(real.map { $0.split(separator: " ")[0] } == ["unauthorized", "unauthorized", "unauthorized", "unauthorized", "tooManyRequests", "tooManyRequests"],
                "\(real)")
        #expect(madeUp == real, "a made-up login's forms lock together, as a real one's: \(madeUp)")
    }

    @Test func aLoginDifferingOnlyByCaseIsTakenAndNothingIsWritten() async throws {
        let f = try Fixture()
        _ = try await f.staff("Zhang.Wei")
        let before = try await f.accounts()
        for typed in ["zhang.wei", "ZHANG.WEI", "Zhang.Wei"] {
            do {
                _ = try await f.people.addStaff(to: f.admin.orgID, login: typed, name: "又一个", phone: "", caller: f.admin)
                Issue.record("\(typed) was taken")
            } catch let error as ZhichengError {
                #expect(error.code == .conflict && error.message.hasPrefix("登录名 \(typed) 已被使用"), "\(error)")
                #expect(error.message.contains("Zhang.Wei"), "the login that has it is named: \(error.message)")
            }
        }
        #expect(try await f.accounts() == before)
        // Another login is free as before.
        _ = try await f.staff("Zhang.Wei2")
    }

    /// `Zhang.Wei` and `zhang.wei` both (made before): each signs in by its exact login, to its
    /// own account; any other form is refused as a wrong password is, with either password,
    /// and counted as a made-up login is (neither account's count moves). The sysadmin's reset
    /// takes each exact login and is told which logins another form could be.
    @Test func twoLoginsDifferingOnlyByCaseEachKeepTheirExactLogin() async throws {
        let f = try Fixture()
        let first = try await f.staff("Zhang.Wei")
        let second = try await f.staff("Zhang.Wei.2")
        try await f.relabel(second, "zhang.wei")
        #expect(try await f.signIn("Zhang.Wei").accountID == first)
        #expect(try await f.signIn("zhang.wei").accountID == second)
        for typed in ["ZHANG.WEI", "zhang.Wei"] {
            do {
                _ = try await f.signIn(typed)
                Issue.record("\(typed) signed in")
            } catch let error as ZhichengError {
                #expect(error.code == .unauthorized && error.message == "登录名或密码错误", "\(error)")
            }
        }
        #expect(try await f.failures(first) == 0)
        #expect(try await f.failures(second) == 0)

        await expectCode(.conflict) { _ = try await f.tenants.resetPassword(tenant: "zhengzhou", login: "ZHANG.WEI", by: .system) }
        let reset = try await f.tenants.resetPassword(tenant: "zhengzhou", login: "zhang.wei", by: .system)
        #expect(reset.login == "zhang.wei")
        #expect(try await f.signIn("zhang.wei", reset.password).mustChangePassword)
        #expect(try await f.signIn("Zhang.Wei").mustChangePassword == false, "the other account keeps its password")
    }

    @Test func theSysadminsResetFindsTheAccountInAnyCase() async throws {
        let f = try Fixture()
        let id = try await f.staff("Zhang.Wei")
        let reset = try await f.tenants.resetPassword(tenant: "zhengzhou", login: "ZHANG.wei", by: .system)
        #expect(reset.login == "Zhang.Wei")
        let signedIn = try await f.signIn("zhang.wei", reset.password)
        #expect(signedIn.accountID == id && signedIn.mustChangePassword)
        await expectCode(.notFound) { _ = try await f.tenants.resetPassword(tenant: "zhengzhou", login: "Zhang.Wu", by: .system) }
    }
}
