import Foundation
import Testing
import ZhichengApp
import ZhichengCore
import ZhichengStorage

/// The province office's own review (经办人, then 负责人) of the 副高级/正高级 title applications
/// the cities hand over, before its committee may take them up (manual §8: every level up to
/// the final authority), driven through the services with the relay by hand.
@Suite("The province office's review of senior title applications")
struct ProvinceReviewTests {
    struct World {
        let f: ExpertFixture
        let applicant: SignedIn
        let city: SignedIn
        let office: SignedIn
        let handler: SignedIn
        let leader: SignedIn
        let cityReviewers: [SignedIn]
        var reviews: ProvinceReviewService { ProvinceReviewService(store: f.store, relay: f.relay) }
        var evaluations: EvaluationService { EvaluationService(store: f.store, relay: f.relay) }

        /// A new 副高级 application of `applicant`, passed by the city and delivered to the province;
        /// the province's id of it.
        func handedOver(_ person: SignedIn? = nil) async throws -> (city: Int, province: Int) {
            let who = person ?? applicant
            let app = try await f.applications.create(kind: "title", year: 2026, series: "中小学教师", level: "副高级", title: "高级教师", caller: who)
            for section in ApplicationSection.allCases where section != .attachments {
                _ = try await f.applications.saveSection(app.id, section: section.rawValue, fields: ["内容": section.rawValue], caller: who)
            }
            var version = try await f.applications.submit(app.id, caller: who).version
            for reviewer in cityReviewers {
                version = try await f.applications.decide(app.id, decision: "pass", comment: "同意", sections: nil, reason: nil, version: version, caller: reviewer).version
            }
            try await f.relay.deliverAll(from: TenantID("zhengzhou"))
            let received = try await f.applications.received(caller: office).items
            let id = try #require(received.first { $0.sourceApplicationID == app.id }?.id)
            return (app.id, id)
        }
    }

    /// A time a new 面试通知 may name whenever the tests run: March of next year.
    static var interviewTime: String { "\(CalendarDate.currentYear() + 1)-03-01 09:00" }

    static func world() async throws -> World {
        let f = try ExpertFixture()
        let p = try await f.tenants.create(id: "province", name: "河南省", divisionCode: "41", kind: "province", by: .system)
        let c = try await f.tenants.create(id: "zhengzhou", name: "郑州市", divisionCode: "4101", kind: nil, by: .system)
        let city = try await f.signIn("zhengzhou", c.adminLogin, c.adminPassword)
        let office = try await f.signIn("province", p.adminLogin, p.adminPassword)
        let plans = PlanService(store: f.store)
        let plan = try await plans.save(orgID: city.orgID, year: 2026, items: [PlanLine(series: "中小学教师", level: .associateSenior, count: 9)], caller: city)
        _ = try await plans.attachDocument(planID: plan.id, name: "计划.pdf", bytes: Array("%PDF-1.4\n%%EOF\n".utf8), caller: city)
        _ = try await plans.submit(planID: plan.id, caller: city)
        _ = try await plans.review(planID: plan.id, approve: true, reason: nil, caller: city)
        let person = try await f.people.addApplicant(to: city.orgID, idNumber: "410102199001011234", name: "秦高级", phone: "", caller: city)
        return World(f: f, applicant: try await f.signIn("zhengzhou", person.account.login, person.password), city: city, office: office,
                     handler: try await f.reviewer("province", admin: office, login: "p.h", role: "handler"),
                     leader: try await f.reviewer("province", admin: office, login: "p.l", role: "leader"),
                     cityReviewers: [try await f.reviewer("zhengzhou", admin: city, login: "c.h", role: "handler"),
                                     try await f.reviewer("zhengzhou", admin: city, login: "c.l", role: "leader")])
    }

    @Test func theOfficePassesItBeforeItsCommitteeAndTheCityReadsEachStep() async throws {
        let w = try await Self.world()
        let (appID, id) = try await w.handedOver()
        _ = try await w.evaluations.createCommittee(name: "河南省中小学教师高级评委会", series: ["中小学教师"], levels: ["副高级"], caller: w.office)

        // Waiting for the office's 经办人, not yet for its committee.
        #expect(try await w.reviews.applications(caller: w.handler, waitingOnly: true).items.map(\.id) == [id])
        #expect(try await w.reviews.applications(caller: w.leader, waitingOnly: true).items.isEmpty)
        #expect(try await w.reviews.waiting(caller: w.handler) == 1)
        #expect(try await w.reviews.waiting(caller: w.leader) == 0)
        #expect(try await w.evaluations.worklist(caller: w.office).isEmpty)
        await expectCode(.conflict) { _ = try await w.evaluations.setInterview(.received(id), time: Self.interviewTime, place: "省人社厅", caller: w.office) }

        // What the office may answer, and who.
        await expectCode(.invalid) { _ = try await w.reviews.decide(id, decision: "return", comment: "请修改", version: nil, caller: w.handler) }
        await expectCode(.invalid) { _ = try await w.reviews.decide(id, decision: "reject", comment: " ", version: nil, caller: w.handler) }
        await expectCode(.forbidden) { _ = try await w.reviews.decide(id, decision: "pass", comment: "", version: nil, caller: w.office) }
        await expectCode(.forbidden) { _ = try await w.reviews.decide(id, decision: "pass", comment: "", version: nil, caller: w.leader) }
        let first = try await w.reviews.decide(id, decision: "pass", comment: "材料齐全", version: nil, caller: w.handler)
        #expect(first.application.chain.stage == .leader && first.application.state == "in_review")
        #expect(try await w.reviews.waiting(caller: w.handler) == 0)
        #expect(try await w.reviews.waiting(caller: w.leader) == 1)
        await expectCode(.conflict) { _ = try await w.reviews.decide(id, decision: "pass", comment: "", version: first.application.version - 1, caller: w.leader) }
        let done = try await w.reviews.decide(id, decision: "pass", comment: "同意上会", version: first.application.version, caller: w.leader)
        #expect(done.application.state == "received" && done.application.stageLabel == "省职改办审查通过，待评委会评审")
        // The leader's 通过 sent again: answered with where it is, recorded once; another step is too late.
        let again = try await w.reviews.decide(id, decision: "pass", comment: "", version: nil, caller: w.leader)
        #expect(again.application.state == "received" && again.application.version == done.application.version)
        await expectCode(.conflict) { _ = try await w.reviews.decide(id, decision: "reject", comment: "改主意", version: nil, caller: w.leader) }

        // Now its committee takes it up; the desk shows the office's steps with the city's.
        #expect(try await w.evaluations.worklist(caller: w.office).map(\.target) == [.received(id)])
        let whole = try await w.f.applications.receivedApplication(id, caller: w.office)
        #expect(whole.provinceDecisions.map(\.comment) == ["材料齐全", "同意上会"])
        _ = try await w.evaluations.setInterview(.received(id), time: Self.interviewTime, place: "省人社厅", caller: w.office)

        // The city's trail has both steps once, under the office's name and without the reviewers'.
        try await w.f.relay.deliverAll(from: TenantID("province"))
        try await w.f.relay.deliverAll(from: TenantID("province"))
        let steps = try await w.f.applications.trail(appID, caller: w.applicant).filter { $0.orgName?.hasPrefix("河南省") == true && $0.stage != nil }
        #expect(steps.map { "\($0.stage!.rawValue) \($0.decision) \($0.comment) \($0.actorName ?? "-")" } == ["handler pass 材料齐全 -", "leader pass 同意上会 -"])
        let form = try await w.f.applications.reviewForm(appID, caller: w.city)
        #expect(form.opinions.suffix(2).map(\.comment) == ["材料齐全", "同意上会"])
    }

    @Test func theOfficeSendsItBackAndTheResubmissionComesBackToIt() async throws {
        let w = try await Self.world()
        let (appID, id) = try await w.handedOver()
        await expectCode(.invalid) { _ = try await w.reviews.decide(id, decision: "return", comment: "", sections: [], reason: "incomplete", version: nil, caller: w.handler) }
        await expectCode(.invalid) { _ = try await w.reviews.decide(id, decision: "return", comment: "", sections: ["业绩成果"], reason: "other", version: nil, caller: w.handler) }
        let back = try await w.reviews.decide(id, decision: "return", comment: "请补充", sections: ["业绩成果", "基本信息"], reason: "incomplete", version: nil, caller: w.handler)
        #expect(back.application.state == "returned" && back.application.decisions.last?.sections == ["基本信息", "业绩成果"])
        try await w.f.relay.deliverAll(from: TenantID("province"))
        let returned = try await w.f.applications.get(appID, caller: w.applicant)
        #expect(returned.chain.state == .returned && returned.returnSections == ["基本信息", "业绩成果"] && returned.returnReason == .incomplete)

        // Resubmitted and passed by the city, it crosses again to the office's 经办人.
        var version = try await w.f.applications.submit(appID, caller: w.applicant).version
        for reviewer in w.cityReviewers {
            version = try await w.f.applications.decide(appID, decision: "pass", comment: "同意", sections: nil, reason: nil, version: version, caller: reviewer).version
        }
        try await w.f.relay.deliverAll(from: TenantID("zhengzhou"))
        let again = try await w.reviews.application(id, caller: w.handler)
        #expect(again.state == "in_review" && again.callerMayDecide && again.decisions.map(\.decision) == [.return])
        #expect(try await w.f.applications.received(caller: w.office).items.count == 1)
    }

    @Test func theOfficesRejectionEndsTheApplicationInTheCity() async throws {
        let w = try await Self.world()
        let (appID, id) = try await w.handedOver()
        _ = try await w.reviews.decide(id, decision: "pass", comment: "材料齐全", version: nil, caller: w.handler)
        let rejected = try await w.reviews.decide(id, decision: "reject", comment: "业绩条件不足", version: nil, caller: w.leader)
        #expect(rejected.application.state == "rejected" && rejected.application.stageLabel == "未通过")
        _ = try await w.evaluations.createCommittee(name: "河南省中小学教师高级评委会", series: ["中小学教师"], levels: ["副高级"], caller: w.office)
        #expect(try await w.evaluations.worklist(caller: w.office).isEmpty)
        await expectCode(.conflict) { _ = try await w.evaluations.recordResult(.received(id), result: "通过", note: nil, caller: w.office) }

        try await w.f.relay.deliverAll(from: TenantID("province"))
        // Ended at the office's step, as a city reviewer's 未通过 ends one: no committee's result.
        let shown = try await w.f.applications.get(appID, caller: w.applicant)
        #expect(shown.chain.state == .rejected && shown.result == nil && shown.stateLabel == "未通过")
        let trail = try await w.f.applications.trail(appID, caller: w.applicant)
        let last = try #require(trail.last { $0.stage != nil })
        #expect(last.decision == "reject" && last.comment == "业绩条件不足" && last.stage == .leader && last.orgName?.isEmpty == false)
        #expect(!trail.contains { CommitteeEvent(decision: $0.decision) != nil }, "no 结果确认 nor any committee step")
    }
}
