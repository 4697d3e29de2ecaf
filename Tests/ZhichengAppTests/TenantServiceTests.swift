import Foundation
import Logging
import Testing
import ZhichengApp
import ZhichengCore
import ZhichengStorage

@Suite("Tenant service")
struct TenantServiceTests {
    final class Fixture: Sendable {
        let path = NSTemporaryDirectory() + "zhicheng-app-" + UUID().uuidString
        let service: TenantService
        init() throws {
            let store = try TenantStore(paths: TenantPaths(dataDir: path), maxOpen: 8, idleSeconds: 60, logger: Logger(label: "test"))
            service = TenantService(store: store, logger: Logger(label: "test"))
        }
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    let admin = Principal(name: "admin:uid=0", source: "test")

    @Test func createMakesTheRootOfficeAndItsAdmin() async throws {
        let f = try Fixture()
        let created = try await f.service.create(id: "zhengzhou", name: "郑州市", divisionCode: "410100", kind: nil, by: admin)
        #expect(created.adminLogin == "4101")
        #expect(created.adminPassword.count == 12)
        let (row, outbox, backup, restore) = try await f.service.show("zhengzhou")
        #expect(restore == nil)
        #expect(row.stats?.orgs == 1)
        #expect(row.stats?.accounts == 1)
        #expect(outbox?.waiting == 0 && outbox?.setAside == 0 && row.unreadable == nil)
        #expect(backup == nil)
        #expect(try await f.service.check("zhengzhou").ok)
    }

    @Test(arguments: [
        ("../x", "郑州市", "4101", "city"), ("zz", "", "4101", "city"), ("zz", "郑州市", "9999", "city"),
        ("zz", "郑州市", "4101", "province"), ("zz", "管城", "410104", "city"), ("zz", "郑州市", "4101", "village"),
    ])
    func createRefusesInvalidInputAndChangesNothing(id: String, name: String, code: String, kind: String) async throws {
        let f = try Fixture()
        await #expect(throws: ZhichengError.self) { try await f.service.create(id: id, name: name, divisionCode: code, kind: kind, by: admin) }
        #expect(try await f.service.list().isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: f.path + "/tenants").isEmpty)
    }

    @Test func restoreNeedsASuspendedTenant() async throws {
        let f = try Fixture()
        _ = try await f.service.create(id: "kaifeng", name: "开封市", divisionCode: "4102", kind: nil, by: admin)
        let backup = try await f.service.backup("kaifeng", by: admin).record
        do {
            _ = try await f.service.restore("kaifeng", from: backup.path, by: admin)
            Issue.record("restored an active tenant")
        } catch let error as ZhichengError {
            #expect(error.code == .conflict)
        }
        #expect(try await f.service.setState("kaifeng", .suspended, by: admin) == .suspended)
        do {
            _ = try await f.service.resolveForRequest("kaifeng")
            Issue.record("a suspended tenant resolved for HTTP")
        } catch let error as ZhichengError {
            #expect(error.code == .unavailable)
        }
        _ = try await f.service.restore("kaifeng", from: backup.path, by: admin)
        _ = try await f.service.setState("kaifeng", .active, by: admin)
        #expect(try await f.service.resolveForRequest("kaifeng").name == "开封市")
        #expect(try await f.service.check("kaifeng").ok)
    }

    @Test func resetPasswordAndArchive() async throws {
        let f = try Fixture()
        _ = try await f.service.create(id: "luoyang", name: "洛阳市", divisionCode: "4103", kind: nil, by: admin)
        let password = try await f.service.resetPassword(tenant: "luoyang", login: "4103", by: admin)
        #expect(password.count == 12)
        await #expect(throws: ZhichengError.self) { try await f.service.resetPassword(tenant: "luoyang", login: "nobody", by: admin) }
        await #expect(throws: ZhichengError.self) { try await f.service.archive("luoyang", confirm: "wrong", by: admin) }
        let archived = try await f.service.archive("luoyang", confirm: "luoyang", by: admin)
        #expect(FileManager.default.fileExists(atPath: archived.path + "/tenant.sqlite"))
        #expect(archived.undeliveredMessages == 0)
        await #expect(throws: ZhichengError.self) { try await f.service.info("luoyang") }
    }

    @Test func passwordsHashWithYescryptAndVerify() async throws {
        let hasher = PasswordHasher()
        let hash = try await hasher.hash("s3cret-密码")
        #expect(hash.hasPrefix("$y$"))
        #expect(try await hasher.verify("s3cret-密码", against: hash))
        #expect(!(try await hasher.verify("wrong", against: hash)))
        #expect(!(try await hasher.verify("s3cret-密码\0", against: hash)))   // cannot match; not an error
        #expect(try await hasher.hash("s3cret-密码") != hash)
    }

    /// A stored hash that cannot be read (written by hand, from another system) is an error
    /// of the system, not the user's wrong password.
    @Test func aStoredHashThatCannotBeReadIsAnErrorNotAWrongPassword() async throws {
        let hasher = PasswordHasher()
        for broken in ["$y$broken", "*0", "", "$7$"] {
            await #expect(throws: ZhichengError.self) { _ = try await hasher.verify("s3cret-密码", against: broken) }
        }
    }
}
