import Foundation
import Testing
import ZhichengApp
import ZhichengCore
import ZhichengStorage

/// The sign-in lock-out (`AuthService.maxFailures` wrong passwords in a row lock the login for
/// `lockSeconds`) ends by itself: afterwards the right password works again, and the failures
/// that lead to the next lock-out are counted from zero. The lock's end is moved into the
/// past rather than waited for (a short lock raced a slow machine's password checks).
@Suite("Sign-in lock-out expiry")
struct SignInLockoutTests {
    final class Fixture: ServiceFixture, @unchecked Sendable {
        let city = try! TenantID("zhengzhou")
        init() throws { try super.init(prefix: "lockout") }

        /// The city, with a staff account `login` of its root office whose password is `ServiceFixture.password`.
        func cityWithStaff(_ login: String) async throws -> Int {
            let created = try await tenants.create(id: "zhengzhou", name: "郑州市", divisionCode: "4101", kind: nil, by: .system)
            let admin = try await signIn(city, created.adminLogin, created.adminPassword)
            let staff = try await people.addStaff(to: admin.orgID, login: login, name: "审查员", phone: "", caller: admin)
            _ = try await people.setEnabled(staff.account.id, true, caller: admin)
            _ = try await token(city, login, staff.password)
            return staff.account.id
        }

        /// The count an attempt from `source` counts in now.
        func failures(_ accountID: Int, from source: String) async throws -> (failures: Int, lockedUntil: Double?)? {
            try await signInCount(city, accountID, source: source)
        }
    }

    /// Long enough never to pass by itself during the test, however slow the machine: the
    /// end of a lock-out is made by moving its stored end into the past (as time would).
    static let lock = 3600.0

    /// From the address the account signed in from (`test`: its own count) and from one it never
    /// did (the account's shared count, until the right password from there makes it familiar).
    @Test(arguments: ["test", "192.0.2.50"])
    func theLockOutEndsByItselfAndTheNextRunCountsFromZero(source: String) async throws {
        let f = try Fixture()
        let id = try await f.cityWithStaff("reviewer")
        let auth = { var auth = f.auth; auth.lockSeconds = Self.lock; return auth }()
        let max = auth.maxFailures
        #expect(max >= 2)
        func attempt(_ password: String) async throws { _ = try await auth.signIn(tenant: f.city, login: "reviewer", password: password, source: source) }
        /// `max` wrong passwords: all refused as wrong but the last, which locks the login.
        func lockOut(_ run: String) async {
            for n in 1...max {
                await expectCode(n < max ? .unauthorized : .tooManyRequests) { try await attempt("Wrong-\(run)-\(n)") }
            }
        }
        /// The lock-out's end, moved to just before now: what the clock does after `lockSeconds`.
        func lockPasses() async throws {
            let until = try #require(try await f.failures(id, from: source)?.lockedUntil)
            #expect(until > Date().timeIntervalSince1970, "the lock-out lasts until its end")
            try await f.setSignInCount(f.city, id, source: source, failures: 0, lockedUntil: Date().timeIntervalSince1970 - 1)
        }

        await lockOut("a")
        await expectCode(.tooManyRequests) { try await attempt(ServiceFixture.password) }
        let locked = try #require(try await f.failures(id, from: source))
        #expect(locked.failures == 0 && locked.lockedUntil != nil, "the lock-out is stored, its run of failures reset")

        // Once the lock has passed, the right password works again, and clears the lock.
        try await lockPasses()
        try await attempt(ServiceFixture.password)
        #expect(try await f.failures(id, from: source)?.lockedUntil == nil, "a sign-in after the lock-out still finds the login locked")

        // A new run: max - 1 wrong passwords are only wrong; the max-th locks the login again.
        await lockOut("b")
        await expectCode(.tooManyRequests) { try await attempt(ServiceFixture.password) }

        // That lock passes too, without any sign-in: the run after it starts from zero, not
        // from the failures that locked the login.
        try await lockPasses()
        for n in 1..<max {
            await expectCode(.unauthorized) { try await attempt("Wrong-c-\(n)") }
        }
        #expect(try await f.failures(id, from: source)?.failures == max - 1)
        try await attempt(ServiceFixture.password)
        #expect(try await f.failures(id, from: source).map { $0.failures == 0 && $0.lockedUntil == nil } == true, "a right password clears the count")
    }

    /// Wrong passwords from addresses the account never signed in from lock them all (its shared
    /// count), not the address it signed in from (`test`, a count of its own), where the right
    /// password still works; wrong ones there lock that address alone. The sysadmin's reset lifts
    /// both locks and keeps the address familiar; the audit says which lock it was.
    @Test func guessesFromElsewhereDoNotLockTheHolderOutWhereTheySignIn() async throws {
        let f = try Fixture()
        let id = try await f.cityWithStaff("reviewer")
        let auth = { var auth = f.auth; auth.lockSeconds = Self.lock; return auth }()
        func attempt(_ password: String, from source: String) async throws {
            _ = try await auth.signIn(tenant: f.city, login: "reviewer", password: password, source: source)
        }
        for n in 1...auth.maxFailures {
            await expectCode(n < auth.maxFailures ? .unauthorized : .tooManyRequests) { try await attempt("Wrong-\(n)", from: "203.0.113.\(n)") }
        }
        await expectCode(.tooManyRequests) { try await attempt(ServiceFixture.password, from: "198.51.100.9") }
        try await attempt(ServiceFixture.password, from: "test")
        #expect(try await f.failures(id, from: "198.51.100.9")?.lockedUntil != nil, "a sign-in at a familiar address lifts no other lock")

        for n in 1...auth.maxFailures {
            await expectCode(n < auth.maxFailures ? .unauthorized : .tooManyRequests) { try await attempt("Wrong-\(n)", from: "test") }
        }
        await expectCode(.tooManyRequests) { try await attempt(ServiceFixture.password, from: "test") }
        let audited = try await f.store.withTenant(f.city) { db in
            try await db.read { try $0.query("SELECT detail FROM audit WHERE action = 'account.locked' ORDER BY seq").compactMap { $0["detail"].string } }
        }
        #expect(audited == [#"{"failures":5}"#, #"{"failures":5,"familiar_source":true}"#])

        _ = try await f.tenants.resetPassword(tenant: "zhengzhou", login: "reviewer", by: .system)
        for source in ["test", "198.51.100.9"] {
            #expect(try await f.failures(id, from: source).map { $0.failures == 0 && $0.lockedUntil == nil } == true, "\(source): still locked after the reset")
        }
        let familiar = try await f.store.withTenant(f.city) { db in try await db.read { try $0.familiarSources(id).map(\.source) } }
        #expect(familiar == ["test"], "the reset keeps the familiar address")
    }
}
