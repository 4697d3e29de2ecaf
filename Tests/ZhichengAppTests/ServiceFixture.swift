import Foundation
import Logging
import ZhichengApp
import ZhichengCore
import ZhichengStorage

/// A temporary data dir with a tenant store and the account services every service test
/// needs; removed when the fixture goes. Subclasses add the services they exercise.
class ServiceFixture: @unchecked Sendable {
    /// The password `signIn` leaves every account with.
    static let password = "Passw0rd2026"
    let path: String
    let store: TenantStore
    let tenants: TenantService
    let auth: AuthService
    let people: PeopleService

    init(prefix: String) throws {
        path = NSTemporaryDirectory() + "zhicheng-\(prefix)-" + UUID().uuidString
        store = try TenantStore(paths: TenantPaths(dataDir: path), maxOpen: 8, idleSeconds: 60, logger: Logger(label: "test"))
        tenants = TenantService(store: store, logger: Logger(label: "test"))
        auth = AuthService(store: store)
        people = PeopleService(store: store)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Signs in with a one-time password and replaces it (keeping the session); returns the token.
    func token(_ tenant: TenantID, _ login: String, _ password: String) async throws -> String {
        let session = try await auth.signIn(tenant: tenant, login: login, password: password, source: "test")
        try await auth.changePassword(caller: session.account, old: password, new: Self.password, keepToken: session.token)
        return session.token
    }

    /// The sign-in count an attempt on `accountID` from `source` counts in now (the source's own
    /// if the account has signed in from there, else the account's shared one: `FamiliarSources`).
    func signInCount(_ tenant: TenantID, _ accountID: Int, source: String = "test") async throws -> (failures: Int, lockedUntil: Double?)? {
        try await store.withTenant(tenant) { db in
            try await db.read { conn in try conn.signInFailures(accountID, Self.whose(conn, accountID, source)) }
        }
    }

    /// Stores that count (e.g. a lock-out's end moved into the past, as time would).
    func setSignInCount(_ tenant: TenantID, _ accountID: Int, source: String = "test", failures: Int, lockedUntil: Double?) async throws {
        try await store.withTenant(tenant) { db in
            try await db.write { conn in try conn.setSignInFailures(accountID, Self.whose(conn, accountID, source), failures: failures, lockedUntil: lockedUntil) }
        }
    }

    static func whose(_ conn: SQLiteConnection, _ accountID: Int, _ source: String) throws -> FamiliarSources.Count {
        FamiliarSources.count(for: source, familiar: try conn.familiarSources(accountID), now: Date().timeIntervalSince1970)
    }

    /// The same, as the signed-in account a service receives.
    func signIn(_ tenant: TenantID, _ login: String, _ password: String) async throws -> SignedIn {
        try await auth.authenticate(tenant: tenant, token: try await token(tenant, login, password), source: "test")
    }
}
