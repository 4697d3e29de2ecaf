import Testing
import ZhichengAdmin
import ZhichengAdminProtocol
import ZhichengCore

@Suite("An admin error names the value at fault")
struct AdminErrorTests {
    @Test func anInvalidValueIsNamedFirstUnlessTheMessageStartsWithIt() {
        #expect(AdminError(.invalid("名称不能为空", field: "name")).message == "name: 名称不能为空")
        #expect(AdminError(.invalid("keep must be between 0 and 10000", field: "keep")).message == "keep must be between 0 and 10000")
        // Named somewhere inside is not named: "invalid" holds "id".
        #expect(AdminError(.invalid("invalid tenant id 'A B'", field: "id")).message == "id: invalid tenant id 'A B'")
        #expect(AdminError(.invalid("no field")).message == "no field")
    }

    @Test func anotherRefusalKeepsItsMessage() {
        #expect(AdminError(.badRequest("请填写登录名和密码", field: "login")).message == "请填写登录名和密码")
        #expect(AdminError(.badRequest("请填写登录名和密码", field: "login")).code == .badRequest)
    }
}

@Suite("Admin command arguments")
struct AdminCommandArgumentTests {
    @Test func aMemberACommandDoesNotTakeIsFound() {
        #expect(AdminCommand.tenantCreate.unknownArgument(in: ["id": "x", "name": "y", "division_code": "4101", "kind": "city"]) == nil)
        #expect(AdminCommand.tenantCreate.unknownArgument(in: ["id": "x", "knid": "province"]) == "knid")
        #expect(AdminCommand.ping.unknownArgument(in: .object([])) == nil)
        #expect(AdminCommand.ping.unknownArgument(in: ["x": 1]) == "x")
        #expect(AdminCommand.tenantRestore.unknownArgument(in: ["id": "x", "path": "/b", "force": true]) == nil)
    }

    /// Each command's summary names its arguments as `arguments` lists them (help says what it takes).
    @Test(arguments: AdminCommand.allCases)
    func theSummaryNamesEveryArgument(_ command: AdminCommand) {
        for argument in command.arguments {
            #expect(command.summary.contains(argument), "\(command.rawValue): \(argument)")
        }
        if command.arguments.isEmpty { #expect(!command.summary.contains("args ")) }
    }
}
