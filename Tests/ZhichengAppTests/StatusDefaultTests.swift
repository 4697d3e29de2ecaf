import Testing
@testable import ZhichengApp

/// Whether 申报人员状态查询, opened without a choice, lists the units below the caller's org too
/// (`StatusOrg.opensWithUnitsBelow`): an org supervising units, with nobody of its own who
/// submitted, opens on its units' applicants.
@Suite("申报人员状态查询 opens with 含下级单位 for a supervising org")
struct StatusDefaultTests {
    static func org(_ id: Int, _ applications: Int) -> StatusOrg {
        StatusOrg(orgID: id, code: "4101\(id)", name: "机构\(id)", applications: applications)
    }

    @Test func anOfficeWhoseUnitsHaveApplicantsOpensOnThem() {
        // The city office (1): none of its own, two units below with submitted applications.
        #expect(StatusOrg.opensWithUnitsBelow([Self.org(3, 2), Self.org(4, 1)], own: 1))
    }

    @Test func anOrgWithApplicantsOfItsOwnOpensOnThem() {
        #expect(!StatusOrg.opensWithUnitsBelow([Self.org(1, 1), Self.org(3, 2)], own: 1))
    }

    @Test func nobodyBelowNothingToWiden() {
        #expect(!StatusOrg.opensWithUnitsBelow([], own: 1))
        #expect(!StatusOrg.opensWithUnitsBelow([Self.org(1, 3)], own: 1))
        // A count of none (not what statusOrgs lists, but not a reason to widen either).
        #expect(!StatusOrg.opensWithUnitsBelow([Self.org(3, 0)], own: 1))
    }
}
