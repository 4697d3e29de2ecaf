import Testing
@testable import ZhichengApp
import ZhichengCore
import ZhichengStorage

/// Who reads the list of committees (评委会): the admin of the office (职改办) that set them
/// up, its own and no other office's, not even its parent's; a department, a unit and
/// anyone's staff are refused (they read a committee by name with the application).
@Suite("Committee list")
struct CommitteeListTests {
    @Test func anOfficeAdminListsItsOwnCommitteesAndNobodyElseListsAny() async throws {
        let f = try OrgFixture()
        let evaluations = EvaluationService(store: f.store)
        let city = try await f.city()
        let (_, district) = try await f.approvedChild(of: city, parentID: city.orgID, name: "金水区职改办", kind: "office")
        let (deptID, dept) = try await f.approvedChild(of: city, parentID: city.orgID, name: "教育局", kind: "department")
        let (unitID, unit) = try await f.approvedChild(of: dept, parentID: deptID, name: "逸夫小学", kind: "unit")
        let cityCommittee = try await evaluations.createCommittee(name: "郑州市中小学教师评委会", series: ["中小学教师"], levels: ["中级"], caller: city)
        let districtCommittee = try await evaluations.createCommittee(name: "金水区中小学教师评委会", series: ["中小学教师"], levels: ["初级"], caller: district)

        #expect(try await evaluations.committees(caller: city).map(\.id) == [cityCommittee.id])
        #expect(try await evaluations.committees(caller: district).map(\.id) == [districtCommittee.id], "not its parent's")

        let staff = try await f.people.addStaff(to: unitID, login: "li.a", name: "李", phone: "", caller: unit)
        _ = try await f.people.setEnabled(staff.account.id, true, caller: unit)
        let unitStaff = try await f.signIn(staff.account.login, staff.password)
        for caller in [dept, unit, unitStaff] {
            await expectCode(.forbidden) { _ = try await evaluations.committees(caller: caller) }
            await expectCode(.forbidden) { _ = try await evaluations.createCommittee(name: "某评委会", series: ["中小学教师"], levels: ["中级"], caller: caller) }
        }
    }
}
