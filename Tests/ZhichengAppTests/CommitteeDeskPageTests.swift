import Foundation
import Testing
import ZhichengApp
import ZhichengCore
import ZhichengStorage

/// The committee desk (评委会评审) a page at a time: in the province, the office's own
/// applications first, then those the cities handed over, each oldest first; `next` picks
/// up after the last one shown, across the two.
@Suite("The committee desk, a page at a time")
struct CommitteeDeskPageTests {
    /// A 副高级 application of an applicant of the province office itself, passed by its
    /// reviewers up to its committee; its id.
    static func ownApplication(_ w: ProvinceReviewTests.World, idNumber: String) async throws -> Int {
        let person = try await w.f.people.addApplicant(to: w.office.orgID, idNumber: idNumber, name: "省直\(idNumber.suffix(3))", phone: "", caller: w.office)
        let applicant = try await w.f.signIn("province", person.account.login, person.password)
        let app = try await w.f.applications.create(kind: "title", year: 2026, series: "中小学教师", level: "副高级", title: "高级教师", caller: applicant)
        for section in ApplicationSection.allCases where section != .attachments {
            _ = try await w.f.applications.saveSection(app.id, section: section.rawValue, fields: ["内容": section.rawValue], caller: applicant)
        }
        var version = try await w.f.applications.submit(app.id, caller: applicant).version
        for reviewer in [w.handler, w.leader] {
            version = try await w.f.applications.decide(app.id, decision: "pass", comment: "同意", sections: nil, reason: nil, version: version, caller: reviewer).version
        }
        // Its final authority is the province office itself: at its committee, not handed
        // over to the province (itself) for the same office to review again.
        try await w.f.relay.deliverAll(from: TenantID("province"))
        #expect(try await w.f.applications.get(app.id, caller: applicant).chain.state == .atCommittee)
        #expect(try await w.f.applications.received(caller: w.office).items.allSatisfy { $0.sourceTenant == "zhengzhou" })
        return app.id
    }

    /// The province's world, its office with an approved plan of 9 副高级 places of its own.
    static func officeWithPlan() async throws -> ProvinceReviewTests.World {
        let w = try await ProvinceReviewTests.world()
        let plans = PlanService(store: w.f.store)
        let plan = try await plans.save(orgID: w.office.orgID, year: 2026, items: [PlanLine(series: "中小学教师", level: .associateSenior, count: 9)], caller: w.office)
        _ = try await plans.attachDocument(planID: plan.id, name: "计划.pdf", bytes: Array("%PDF-1.4\n%%EOF\n".utf8), caller: w.office)
        _ = try await plans.submit(planID: plan.id, caller: w.office)
        _ = try await plans.review(planID: plan.id, approve: true, reason: nil, caller: w.office)
        return w
    }

    /// A handed-over application passed by the province office: at its committee.
    static func received(_ w: ProvinceReviewTests.World, idNumber: String) async throws -> Int {
        let person = try await w.f.people.addApplicant(to: w.city.orgID, idNumber: idNumber, name: "市\(idNumber.suffix(3))", phone: "", caller: w.city)
        let id = try await w.handedOver(try await w.f.signIn("zhengzhou", person.account.login, person.password)).province
        let first = try await w.reviews.decide(id, decision: "pass", comment: "", version: nil, caller: w.handler)
        _ = try await w.reviews.decide(id, decision: "pass", comment: "", version: first.application.version, caller: w.leader)
        return id
    }

    @Test func theProvinceDeskWalksItsOwnThenTheCitiesApplications() async throws {
        let w = try await Self.officeWithPlan()
        let own = [try await Self.ownApplication(w, idNumber: "410102199001011111"), try await Self.ownApplication(w, idNumber: "410102199001012229")]
        let cities = [try await Self.received(w, idNumber: "410102199001013336"), try await Self.received(w, idNumber: "410102199001014443")]
        let everything: [EvaluationTarget] = own.map { .application($0) } + cities.map { .received($0) }
        #expect(try await w.evaluations.worklist(caller: w.office).map(\.target) == everything)

        // Without a limit, every item and no next page: what the API has always answered.
        let whole = try await w.evaluations.worklistPage(caller: w.office, limit: nil)
        #expect(whole.items.map(\.target) == everything && whole.next == nil)

        // Pages of one, then of three: the same items in the same order, each once.
        for size in [1, 3] {
            var seen: [EvaluationTarget] = [], after: EvaluationTarget? = nil, pages = 0
            repeat {
                let page = try await w.evaluations.worklistPage(caller: w.office, limit: size, after: after)
                #expect(page.items.count <= size)
                seen += page.items.map(\.target)
                after = page.next
                pages += 1
            } while after != nil && pages < 10
            #expect(seen == everything, "pages of \(size)")
            #expect(pages == (everything.count + size - 1) / size)
        }
        // After the last own application come the cities'; after the last of those, nothing.
        #expect(try await w.evaluations.worklistPage(caller: w.office, limit: 1, after: .application(own[1])).items.map(\.target) == [.received(cities[0])])
        #expect(try await w.evaluations.worklistPage(caller: w.office, limit: 5, after: .received(cities[1])).items.isEmpty)
        // A limit out of bounds is brought within 1–500.
        #expect(try await w.evaluations.worklistPage(caller: w.office, limit: 0).items.count == 1)

        // No committee covers them yet: said of every page, once per series and level.
        #expect(try await w.evaluations.uncoveredScopes(caller: w.office) == ["中小学教师 副高级"])
        _ = try await w.evaluations.createCommittee(name: "河南省中小学教师高级评委会", series: ["中小学教师"], levels: ["副高级"], caller: w.office)
        #expect(try await w.evaluations.uncoveredScopes(caller: w.office).isEmpty)
        await expectCode(.forbidden) { _ = try await w.evaluations.worklistPage(caller: w.handler, limit: 1) }
    }

    /// 待办 (`need`): the desk narrowed to what the 首页 counts, by the same rule, on the office's
    /// own applications and the cities' alike, a page at a time: waiting for a result, with an
    /// objection open, or over its 公示 with none open and so to be confirmed.
    @Test func theDeskNarrowsToWhatTheHomePageCounts() async throws {
        let w = try await Self.officeWithPlan()
        let own = [try await Self.ownApplication(w, idNumber: "410102199001011111"), try await Self.ownApplication(w, idNumber: "410102199001012229")]
        let cities = [try await Self.received(w, idNumber: "410102199001013336"), try await Self.received(w, idNumber: "410102199001014443"),
                      try await Self.received(w, idNumber: "410102199001015550")]
        // No committee covers them: none waits for a result the office can give yet.
        #expect(try await w.evaluations.worklistPage(caller: w.office, need: .result, limit: 10).items.isEmpty)
        _ = try await w.evaluations.createCommittee(name: "河南省中小学教师高级评委会", series: ["中小学教师"], levels: ["副高级"], caller: w.office)

        // Results for the first own and the first two cities', in one batch; an objection to the
        // second city's. A batch naming one that cannot take a result (already has one) takes none.
        _ = try await w.evaluations.recordResult(.received(cities[1]), result: "通过", note: nil, caller: w.office)
        await expectCode(.conflict) {
            _ = try await w.evaluations.recordResults([.application(own[0]), .received(cities[0]), .received(cities[1])], result: "通过", note: nil, caller: w.office)
        }
        #expect(try await w.evaluations.evaluation(.application(own[0]), caller: w.office) == nil)
        #expect(try await w.evaluations.evaluation(.received(cities[0]), caller: w.office)?.state ?? "pending" == "pending")
        let batch = try await w.evaluations.recordResults([.application(own[0]), .received(cities[0])], result: "通过", note: "表决", caller: w.office)
        #expect(batch.map(\.state) == ["publicity", "publicity"] && batch.map(\.note) == ["表决", "表决"])
        _ = try await w.evaluations.lodgeObjection(.received(cities[1]), text: "论文不实", evidence: "见附件说明", caller: w.office)
        let after = try #require(try await w.evaluations.evaluation(.received(cities[0]), caller: w.office)?.publicityUntil) + 1

        func narrowed(_ need: CommitteeDeskNeed, now: Double, size: Int = 10) async throws -> [EvaluationTarget] {
            var seen: [EvaluationTarget] = [], next: EvaluationTarget? = nil, pages = 0
            repeat {
                let page = try await w.evaluations.worklistPage(caller: w.office, need: need, limit: size, after: next, now: now)
                seen += page.items.map(\.target)
                next = page.next
                pages += 1
            } while next != nil && pages < 10
            return seen
        }
        let now = Date().timeIntervalSince1970
        for size in [1, 10] {
            #expect(try await narrowed(.result, now: now, size: size) == [.application(own[1]), .received(cities[2])], "pages of \(size)")
            #expect(try await narrowed(.objections, now: now, size: size) == [.received(cities[1])])
            // In 公示 still: nothing to confirm; once it is over, those with no objection open.
            #expect(try await narrowed(.confirm, now: now, size: size).isEmpty)
            #expect(try await narrowed(.confirm, now: after, size: size) == [.application(own[0]), .received(cities[0])])
        }
        // What the 首页 counts, by the same rule.
        let counts = try await w.evaluations.deskCounts(caller: w.office, now: after)
        #expect(counts.awaitingResult == 2 && counts.openObjections == 1 && counts.toConfirm == 2)
        // The objection resolved: that result joins those to confirm; confirmed, it leaves every list.
        let objection = try #require(try await w.evaluations.objections(.received(cities[1]), caller: w.office).first)
        _ = try await w.evaluations.resolveObjection(objection.id, upheld: false, reason: "经核实无误", caller: w.office)
        #expect(try await narrowed(.objections, now: after).isEmpty)
        #expect(try await narrowed(.confirm, now: after) == [.application(own[0]), .received(cities[0]), .received(cities[1])])
        // Confirmed in one batch only once their 公示 is over (here it runs): none of them is.
        await expectCode(.conflict) { _ = try await w.evaluations.confirm([.application(own[0]), .received(cities[0])], caller: w.office) }
        #expect(try await w.evaluations.evaluation(.application(own[0]), caller: w.office)?.state == "publicity")
        // A need the desk does not know is refused, naming it.
        #expect(throws: ZhichengError.self) { _ = try CommitteeDeskNeed(parsing: "everything") }
        #expect(try CommitteeDeskNeed(parsing: "") == nil && CommitteeDeskNeed(parsing: nil) == nil)
    }
}

@Suite("What waits at the province office for nobody")
struct ProvinceStrandedStepsTests {
    @Test func aHandedOverApplicationWaitingForADisabledHandlerIsNamedToTheOffice() async throws {
        let w = try await ProvinceReviewTests.world()
        _ = try await w.handedOver()
        #expect(try await w.f.applications.strandedSteps(caller: w.office).isEmpty)
        _ = try await w.f.people.setEnabled(w.handler.accountID, false, caller: w.office)
        #expect(try await w.f.applications.strandedSteps(caller: w.office)
                == [StrandedStep(stage: .handler, series: "中小学教师", count: 1, kind: .title, handedOver: true)])
        await expectCode(.forbidden) { _ = try await w.f.applications.strandedSteps(caller: w.leader) }
    }

    /// How 首页 names a step that waits for nobody: the org's own, or the province office's
    /// review of hand-overs, where title applications and expert recommendations are each
    /// reviewed on a screen of their own (各市报送 / 专家推荐审查); what waits, 职称申报 or
    /// 专家推荐, told apart in the org's own chain too.
    @Test func eachStepIsNamedAsTheScreenThatTakesIt() {
        let own = StrandedStep(stage: .handler, series: "中小学教师", count: 1)
        #expect(!own.handedOver && own.receivedKind == nil && own.stepLabel == "经办人审查" && own.subject == "职称申报")
        let ownExpert = StrandedStep(stage: .handler, series: "中小学教师", count: 1, kind: .expert)
        #expect(!ownExpert.handedOver && ownExpert.receivedKind == nil && ownExpert.stepLabel == "经办人审查" && ownExpert.subject == "专家推荐")
        let title = StrandedStep(stage: .leader, series: "中小学教师", count: 2, kind: .title, handedOver: true)
        #expect(title.receivedKind == .title && title.stepLabel == "负责人审查（各市报送）" && title.subject == "职称申报")
        let expert = StrandedStep(stage: .handler, series: "中小学教师", count: 1, kind: .expert, handedOver: true)
        #expect(expert.receivedKind == .expert && expert.stepLabel == "专家推荐审查（经办人审查）" && expert.subject == "专家推荐")
    }

    /// Title applications' steps first, then the expert recommendations'; each by step, then series.
    @Test func titleStepsAreListedBeforeExpertSteps() {
        let steps = [StrandedStep(stage: .handler, series: "中小学教师", count: 1, kind: .expert),
                     StrandedStep(stage: .leader, series: "中小学教师", count: 1),
                     StrandedStep(stage: .handler, series: "卫生", count: 1)]
        #expect(steps.sorted(by: StrandedStep.listed).map { "\($0.kind.rawValue) \($0.stage.rawValue) \($0.series)" }
                == ["title handler 卫生", "title leader 中小学教师", "expert handler 中小学教师"])
    }
}
