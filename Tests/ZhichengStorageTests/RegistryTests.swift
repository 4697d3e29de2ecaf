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
