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
        // The office is the root of the tree, with the id the screens and rules take for it.
        let root = try await f.service.store.withTenant(TenantID("zhengzhou")) { db in try await db.read { try $0.rootOrg() } }
        #expect(root?.id == OrgRecord.officeID && root?.parentID == nil && root?.code == "4101")
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
        let password = try await f.service.resetPassword(tenant: "luoyang", login: "4103", by: admin).password
        #expect(password.count == 12)
        await #expect(throws: ZhichengError.self) { try await f.service.resetPassword(tenant: "luoyang", login: "nobody", by: admin) }
        await #expect(throws: ZhichengError.self) { try await f.service.archive("luoyang", confirm: "wrong", by: admin) }
        let archived = try await f.service.archive("luoyang", confirm: "luoyang", by: admin)
        #expect(FileManager.default.fileExists(atPath: archived.path + "/tenant.sqlite"))
        #expect(archived.undeliveredMessages == 0)
        await #expect(throws: ZhichengError.self) { try await f.service.info("luoyang") }
    }

    /// The root office's name, its profile's, the tenant file's own record of its name, and the
    /// `tenant.rename` audit rows (name → former, office), of tenant `id`.
    func renameState(_ f: Fixture, _ id: String) async throws -> (office: String, profile: String, meta: String, audit: [String]) {
        try await f.service.store.withTenant(TenantID(id)) { db in
            try await db.read { conn in
                let root = try #require(try conn.rootOrg())
                return (root.name, root.profile.name, try conn.scalar("SELECT value FROM tenant_meta WHERE key = 'name'")?.string ?? "",
                        try conn.query("SELECT detail FROM audit WHERE action = 'tenant.rename' ORDER BY seq").map { $0["detail"].string ?? "" })
            }
        }
    }

    @Test func renameCorrectsTheNameEverywhereItIsReadAndTheOfficeDerivedFromIt() async throws {
        let f = try Fixture()
        _ = try await f.service.create(id: "zhengzhou", name: "郑洲市", divisionCode: "4101", kind: nil, by: admin)
        _ = try await f.service.create(id: "province", name: "河南", divisionCode: "41", kind: "province", by: admin)
        // Resolved once, so that the registry's cache holds the old row.
        #expect(try await f.service.resolveForRequest("zhengzhou").name == "郑洲市")
        let renamed = try await f.service.rename("zhengzhou", name: "  郑州市\u{200B}", by: admin)
        #expect(renamed.info.name == "郑州市" && renamed.formerName == "郑洲市" && renamed.officeName == "郑州市职改办" && renamed.officeRenamed)
        #expect(try await f.service.resolveForRequest("zhengzhou").name == "郑州市")
        #expect(try await f.service.list().map(\.info.name) == ["河南", "郑州市"])
        let state = try await renameState(f, "zhengzhou")
        #expect(state.office == "郑州市职改办" && state.profile == "" && state.meta == "郑州市")
        #expect(state.audit == [#"{"name":"郑州市","former":"郑洲市","office":"郑州市职改办","former_office":"郑洲市职改办"}"#])
        // The province's office is named after it too.
        _ = try await f.service.rename("province", name: "河南省", by: admin)
        #expect(try await renameState(f, "province").office == "河南省职称改革工作领导小组办公室")
        // The name it has already: answered, nothing written.
        let same = try await f.service.rename("zhengzhou", name: "郑州市", by: admin)
        #expect(same.formerName == nil && !same.officeRenamed && same.officeName == "郑州市职改办")
        #expect(try await renameState(f, "zhengzhou").audit.count == 1)
    }

    @Test func anOfficeNamedOtherwiseByItsAdminKeepsItsName() async throws {
        let f = try Fixture()
        _ = try await f.service.create(id: "kaifeng", name: "开封", divisionCode: "4102", kind: nil, by: admin)
        try await f.service.store.withTenant(TenantID("kaifeng")) { db in
            try await db.write { conn in
                try conn.run("UPDATE orgs SET name = '开封市职称改革工作领导小组办公室' WHERE parent_id IS NULL")
                var profile = UnitProfile()
                profile.name = "开封市职称改革工作领导小组办公室"
                try conn.saveProfile(try #require(try conn.rootOrg()).id, profile)
            }
        }
        let renamed = try await f.service.rename("kaifeng", name: "开封市", by: admin)
        #expect(!renamed.officeRenamed && renamed.officeName == "开封市职称改革工作领导小组办公室")
        let state = try await renameState(f, "kaifeng")
        #expect(state.office == "开封市职称改革工作领导小组办公室" && state.profile == state.office && state.meta == "开封市")
        #expect(state.audit == [#"{"name":"开封市","former":"开封"}"#])
    }

    @Test func aRenameOfAnOfficeWhoseProfileWasFilledInRenamesItsProfileToo() async throws {
        let f = try Fixture()
        _ = try await f.service.create(id: "luoyang", name: "洛阳", divisionCode: "4103", kind: nil, by: admin)
        try await f.service.store.withTenant(TenantID("luoyang")) { db in
            try await db.write { conn in
                var profile = UnitProfile()
                profile.name = "洛阳职改办"
                profile.postcode = "471000"
                try conn.saveProfile(try #require(try conn.rootOrg()).id, profile)
            }
        }
        _ = try await f.service.rename("luoyang", name: "洛阳市", by: admin)
        let state = try await renameState(f, "luoyang")
        #expect(state.office == "洛阳市职改办" && state.profile == "洛阳市职改办")
        let postcode = try await f.service.store.withTenant(TenantID("luoyang")) { db in try await db.read { try #require(try $0.rootOrg()).profile.postcode } }
        #expect(postcode == "471000")
    }

    @Test func renameRefusesABadNameAnUnknownAndAnArchivedTenantAndChangesNothing() async throws {
        let f = try Fixture()
        _ = try await f.service.create(id: "anyang", name: "安阳市", divisionCode: "4105", kind: nil, by: admin)
        for bad in ["", "  \u{3000}", "安阳\n市", String(repeating: "安", count: 65)] {
            do {
                _ = try await f.service.rename("anyang", name: bad, by: admin)
                Issue.record("renamed to \(bad.debugDescription)")
            } catch let error as ZhichengError {
                #expect(error.code == .invalid && error.field == "name", "\(error)")
            }
        }
        #expect(try await f.service.info("anyang").name == "安阳市")
        #expect(try await renameState(f, "anyang").audit.isEmpty)
        for (id, says) in [("nanyang", "does not exist"), ("Bad/id", "")] {
            await #expect(throws: ZhichengError.self) { try await f.service.rename(id, name: "南阳市", by: admin) }
            if !says.isEmpty {
                do { _ = try await f.service.rename(id, name: "南阳市", by: admin) } catch let error as ZhichengError {
                    #expect(error.code == .notFound && error.message.contains(says))
                }
            }
        }
        _ = try await f.service.archive("anyang", confirm: "anyang", by: admin)
        do {
            _ = try await f.service.rename("anyang", name: "安阳", by: admin)
            Issue.record("renamed an archived tenant")
        } catch let error as ZhichengError {
            #expect(error.code == .notFound && error.message.contains("archived"))
        }
    }

    @Test func aCommandOnAnArchivedTenantSaysWhenAndWhereItWasArchived() async throws {
        let f = try Fixture()
        _ = try await f.service.create(id: "anyang", name: "安阳市", divisionCode: "4105", kind: nil, by: admin)
        let archived = try await f.service.archive("anyang", confirm: "anyang", by: admin)
        do {
            _ = try await f.service.show("anyang")
            Issue.record("showed an archived tenant")
        } catch let error as ZhichengError {
            #expect(error.code == .notFound, "\(error)")
            #expect(error.message.hasPrefix("tenant anyang does not exist: it was archived on 20") && error.message.hasSuffix(" to \(archived.path)"), "\(error)")
        }
        do {
            _ = try await f.service.info("nanyang")
            Issue.record("found nanyang")
        } catch let error as ZhichengError {
            #expect(error.code == .notFound && error.message == "tenant nanyang does not exist", "\(error)")
        }
        // Created again, the id is a tenant like any other.
        _ = try await f.service.create(id: "anyang", name: "安阳市", divisionCode: "4105", kind: nil, by: admin)
        #expect(try await f.service.show("anyang").row.info.name == "安阳市")
    }

    @Test func aRenameAgainAfterARestoreToABackupFromBeforeItRenamesTheRestoredOffice() async throws {
        let f = try Fixture()
        _ = try await f.service.create(id: "xinxiang", name: "新乡", divisionCode: "4107", kind: nil, by: admin)
        let backup = try await f.service.backup("xinxiang", by: admin).record
        _ = try await f.service.rename("xinxiang", name: "新乡市", by: admin)
        _ = try await f.service.setState("xinxiang", .suspended, by: admin)
        _ = try await f.service.restore("xinxiang", from: backup.path, by: admin)
        // The registry keeps the new name; the restored file has the old one.
        #expect(try await f.service.info("xinxiang").name == "新乡市")
        #expect(try await renameState(f, "xinxiang").office == "新乡职改办")
        let again = try await f.service.rename("xinxiang", name: "新乡市", by: admin)
        #expect(again.formerName == "新乡" && again.officeRenamed)
        let state = try await renameState(f, "xinxiang")
        #expect(state.office == "新乡市职改办" && state.meta == "新乡市" && state.audit.count == 1)
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
