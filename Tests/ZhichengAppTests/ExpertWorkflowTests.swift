import Foundation
import Logging
import Testing
import ZhichengApp
import ZhichengCore
import ZhichengStorage

/// The eligibility rule the real ExpertRecommendation plugin applies (its own tests cover it);
/// here it stands in for the plugin host so the services can be driven without processes.
struct EligibilityStep: AutomatedSteps {
    func provides(_ point: String) async -> Bool { point == ApplicationService.expertSubmitPoint }
    func run(at point: String, tenant: String, application: String) async -> [AutomatedOutcome] {
        guard point == ApplicationService.expertSubmitPoint else { return [] }
        let years = application.contains("\"从业年限\":\"12\"")
        return [AutomatedOutcome(plugin: "expert-recommendation", step: "expert-eligibility", title: "专家资格自动审查",
                                 result: years ? .pass : .return(try! ReturnRequest(sections: ["工作经历"], reason: "not_qualified", comment: "从业年限不足"), comment: "从业年限不足"))]
    }
}

/// A city and the province on one store, with the relay driven by hand.
final class ExpertFixture: ServiceFixture, @unchecked Sendable {
    /// One relay for the fixture's life (the services below share it).
    lazy var relay = CrossTenantRelay(store: store, logger: Logger(label: "test"))
    var applications: ApplicationService { ApplicationService(store: store, relay: relay, automatedSteps: EligibilityStep()) }
    var experts: ExpertService { ExpertService(store: store, relay: relay) }

    init() throws { try super.init(prefix: "experts") }

    func signIn(_ tenant: String, _ login: String, _ password: String) async throws -> SignedIn {
        try await signIn(try TenantID(tenant), login, password)
    }

    /// A reviewer of the tenant's root office with one role in 中小学教师.
    func reviewer(_ tenant: String, admin: SignedIn, login: String, role: String) async throws -> SignedIn {
        let created = try await people.addStaff(to: admin.orgID, login: login, name: login, phone: "", caller: admin)
        _ = try await people.setEnabled(created.account.id, true, caller: admin)
        _ = try await people.setRoles(created.account.id, [role], caller: admin)
        _ = try await people.setPermissions(created.account.id, series: ["中小学教师"], sections: ApplicationSection.allCases.map(\.rawValue), caller: admin)
        return try await signIn(tenant, login, created.password)
    }
}

@Suite("Expert workflow through the services")
struct ExpertWorkflowTests {
    @Test func anExpertApplicationCrossesToTheProvinceAndTheAnswerComesBack() async throws {
        let f = try ExpertFixture()
        let p = try await f.tenants.create(id: "province", name: "河南省", divisionCode: "41", kind: "province", by: .system)
        let c = try await f.tenants.create(id: "zhengzhou", name: "郑州市", divisionCode: "4101", kind: nil, by: .system)
        let city = try await f.signIn("zhengzhou", c.adminLogin, c.adminPassword)
        let office = try await f.signIn("province", p.adminLogin, p.adminPassword)
        let (ch, cl) = (try await f.reviewer("zhengzhou", admin: city, login: "c.h", role: "handler"), try await f.reviewer("zhengzhou", admin: city, login: "c.l", role: "leader"))
        let (ph, pl) = (try await f.reviewer("province", admin: office, login: "p.h", role: "handler"), try await f.reviewer("province", admin: office, login: "p.l", role: "leader"))
        let person = try await f.people.addApplicant(to: city.orgID, idNumber: "410102199001011234", name: "卫专家", phone: "", caller: city)
        let applicant = try await f.signIn("zhengzhou", person.account.login, person.password)

        // SPEC §5.1's body names no specialty: the draft is made, and submitting it needs one
        // (given at creation, or as 基本信息's 专业).
        let bare = try await f.applications.create(kind: "expert", year: 2026, series: "中小学教师", level: "副高级", title: "高级教师", caller: applicant)
        #expect(bare.specialty == nil)
        _ = try await f.applications.saveSection(bare.id, section: "基本信息", fields: ["姓名": "卫专家"], caller: applicant)
        _ = try await f.applications.saveSection(bare.id, section: "工作经历", fields: ["从业年限": "12"], caller: applicant)
        await expectCode(.invalid) { _ = try await f.applications.submit(bare.id, caller: applicant) }
        await expectCode(.invalid) { _ = try await f.applications.create(kind: "expert", year: 2026, series: "中小学教师", level: "副高级", title: "高级教师",
                                                                          specialty: " ", caller: applicant) }
        let app = try await f.applications.create(kind: "expert", year: 2026, series: "中小学教师", level: "副高级", title: "高级教师", specialty: "小学数学", caller: applicant)
        #expect(app.chain.route == [city.orgID] && app.chain.endsInProvince)
        _ = try await f.applications.saveSection(app.id, section: "基本信息", fields: ["姓名": "卫专家"], caller: applicant)
        _ = try await f.applications.saveSection(app.id, section: "工作经历", fields: ["从业年限": "8"], caller: applicant)
        #expect(try await f.applications.submit(app.id, caller: applicant).chain.state == .returned, "the eligibility step returns it")
        _ = try await f.applications.saveSection(app.id, section: "工作经历", fields: ["从业年限": "12"], caller: applicant)
        var version = try await f.applications.submit(app.id, caller: applicant).version
        version = try await f.applications.decide(app.id, decision: "pass", comment: nil, sections: nil, reason: nil, version: version, caller: ch).version
        #expect(try await f.applications.decide(app.id, decision: "pass", comment: nil, sections: nil, reason: nil, version: version, caller: cl).chain.state == .awaitingProvince)

        try await f.relay.deliverAll(from: TenantID("zhengzhou"))
        try await f.relay.deliverAll(from: TenantID("zhengzhou"))   // a repeat delivers nothing twice
        let received = try await f.experts.applications(caller: ph, waitingOnly: true).items
        #expect(received.map(\.applicantName) == ["卫专家"] && received[0].specialty == "小学数学")
        #expect(try await f.experts.waiting(caller: ph) == 1)
        #expect(try await f.experts.waiting(caller: pl) == 0)
        await expectCode(.invalid) { _ = try await f.experts.decide(received[0].id, decision: "return", comment: "", version: nil, caller: ph) }
        _ = try await f.experts.decide(received[0].id, decision: "pass", comment: "符合", version: nil, caller: ph)
        // Sent again (a double click): answered with where it is, recorded once.
        let repeated = try await f.experts.decide(received[0].id, decision: "pass", comment: "", version: nil, caller: ph)
        #expect(repeated.expert == nil && repeated.password == nil && repeated.application.decisions.count == 1)
        await expectCode(.forbidden) { _ = try await f.experts.decide(received[0].id, decision: "reject", comment: "改主意", version: nil, caller: ph) }
        let admitted = try await f.experts.decide(received[0].id, decision: "pass", comment: "同意入库", version: nil, caller: pl)
        #expect(admitted.expert?.name == "卫专家" && admitted.password != nil)
        try await f.relay.deliverAll(from: TenantID("province"))
        #expect(try await f.applications.get(app.id, caller: applicant).chain.state == .passed)

        // The new expert signs in to the province and finds themself; the office searches.
        let expert = try await f.signIn("province", "410102199001011234", admitted.password!)
        #expect(try await f.experts.me(caller: expert)?.specialty == "小学数学")
        #expect(try await f.experts.experts(series: "中小学教师", specialty: "数学", state: "active", caller: office).experts.count == 1)
        await expectCode(.forbidden) { _ = try await f.experts.experts(series: nil, specialty: nil, state: nil, caller: expert) }
    }
}
