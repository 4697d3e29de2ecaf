import Foundation
import Testing
import ZhichengCore
@testable import ZhichengStorage

@Suite("Registry: restores under way")
struct RegistryRestoreTests {
    @Test func oneRestoreOfATenantAtATimeAndEachEndsOnlyItself() async throws {
        let dir = try TemporaryDirectory()
        let registry = try Registry(path: dir.path + "/registry.sqlite")
        let id = try TenantID("zhengzhou"), other = try TenantID("kaifeng")
        let first = RestoreIntent(id: id, path: "/b/1.sqlite", actor: "admin:uid=0", source: "admin-socket")
        try await registry.beginRestore(first)
        try await registry.beginRestore(RestoreIntent(id: other, path: "/b/k.sqlite", actor: "admin:uid=0", source: "admin-socket"))
        let second = RestoreIntent(id: id, path: "/b/2.sqlite", actor: "admin:uid=0", source: "admin-socket")
        await #expect(throws: ZhichengError.self) { try await registry.beginRestore(second) }
        // The refused one ends without touching the restore under way.
        try await registry.endRestore(second)
        #expect(try await registry.restoresUnderWay().map(\.id) == [id, other])
        #expect(try await registry.restoresUnderWay().first == first, "token, file, actor and time as recorded")
        try await registry.endRestore(first)
        #expect(try await registry.restoresUnderWay().map(\.id) == [other])
        await registry.close()
        // What is under way survives a restart of the daemon.
        let reopened = try Registry(path: dir.path + "/registry.sqlite")
        #expect(try await reopened.restoresUnderWay().map(\.id) == [other])
        await reopened.close()
    }
}

@Suite("Registry: which tenants are active, from memory")
struct RegistryActiveTests {
    /// `isActive` is what a signed-in account's write asks inside its transaction (no read,
    /// no wait): it must say what the registry's file says from the return of each write
    /// that changes a state or a row, and again after a restart.
    @Test func isActiveFollowsEveryStateChangeAndSurvivesAReopen() async throws {
        let dir = try TemporaryDirectory()
        let path = dir.path + "/registry.sqlite"
        let registry = try Registry(path: path)
        let zz = try TenantID("zhengzhou"), kf = try TenantID("kaifeng")
        #expect(!registry.isActive(zz), "not registered")
        try await registry.insert(TenantInfo(id: zz, name: "郑州市", divisionCode: try DivisionCode("4101"), kind: .city, state: .active, createdAt: 1))
        try await registry.insert(TenantInfo(id: kf, name: "开封市", divisionCode: try DivisionCode("4102"), kind: .city, state: .active, createdAt: 1))
        #expect(registry.isActive(zz) && registry.isActive(kf))
        #expect(try await registry.setState(zz, .suspended))
        #expect(!registry.isActive(zz) && registry.isActive(kf), "one tenant's state only")
        // A refused insert (the id is taken) leaves the state as it was.
        await #expect(throws: ZhichengError.self) {
            try await registry.insert(TenantInfo(id: zz, name: "郑州市", divisionCode: try DivisionCode("4101"), kind: .city, state: .active, createdAt: 2))
        }
        #expect(!registry.isActive(zz))
        await registry.close()

        let reopened = try Registry(path: path)
        #expect(!reopened.isActive(zz) && reopened.isActive(kf), "loaded from the file")
        #expect(try await reopened.setState(zz, .active))
        #expect(reopened.isActive(zz))
        let undo = try await reopened.archive(kf, path: dir.path + "/archive/kaifeng", applicationIDsUsed: 0)
        #expect(!reopened.isActive(kf), "archived: unregistered")
        try await reopened.unarchive(undo)
        #expect(reopened.isActive(kf), "registered again as it was")
        #expect(try await reopened.setState(kf, .suspended))
        let again = try await reopened.archive(kf, path: dir.path + "/archive/kaifeng-2", applicationIDsUsed: 0)
        try await reopened.unarchive(again)
        #expect(!reopened.isActive(kf), "put back suspended, as it was")
        #expect(try await reopened.setState(try TenantID("luoyang"), .active) == false)
        #expect(!reopened.isActive(try TenantID("luoyang")), "no row: no state")
        await reopened.close()
    }
}
