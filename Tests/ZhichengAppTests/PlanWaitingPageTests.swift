import Foundation
import Testing
@testable import ZhichengApp
import ZhichengCore

/// The city office's waiting plans, a page at a time in the order they were submitted
/// (`PlanService.overview` with `state: .submitted`): where the next page starts is carried
/// by the page before (`PlanOverview.Position`), not read again from its last plan's row.
@Suite("Waiting plans page")
struct PlanWaitingPageTests {
    @Test func aPositionIsReadBackFromTheTextItIsCarriedAs() throws {
        let waiting = PlanOverview.Position(submittedAt: 1_700_000_001.25, id: 42)
        #expect(waiting.text == "1700000001.25_42")
        #expect(PlanOverview.Position(waiting.text) == waiting)
        // A bare id: an earlier version's cursor, and the other orders' own.
        #expect(PlanOverview.Position("42") == PlanOverview.Position(id: 42))
        #expect(PlanOverview.Position(id: 42).text == "42")
        // Every submitted_at a plan can have comes back exactly as it was.
        for t in [0.1, 1_781_234_567.123456, 1e16, -3.5] {
            #expect(PlanOverview.Position(PlanOverview.Position(submittedAt: t, id: 7).text)?.submittedAt == t)
        }
        for junk in ["", "abc", "0", "-4", "1.5", "1.5_x", "x_3", "nan_3", "inf_3", "_3", "3_", "1_2_3", "1.5_0", " 3", "3 "] {
            #expect(PlanOverview.Position(junk) == nil, "\(junk)")
        }
    }

    @Test func aPlanSentBackAndSubmittedAgainBetweenTwoPagesSkipsNoneStillWaiting() async throws {
        let f = try ExpertFixture()
        let created = try await f.tenants.create(id: "zhengzhou", name: "郑州市", divisionCode: "4101", kind: nil, by: .system)
        let admin = try await f.signIn("zhengzhou", created.adminLogin, created.adminPassword)
        let plans = PlanService(store: f.store)
        var ids: [Int] = []
        for year in 2024...2026 {
            let plan = try await plans.save(orgID: admin.orgID, year: year, items: [PlanLine(series: "中小学教师", level: .intermediate, count: 5)], caller: admin)
            _ = try await plans.attachDocument(planID: plan.id, name: "计划.pdf", bytes: Array("%PDF-1.4\n%%EOF\n".utf8), caller: admin)
            _ = try await plans.submit(planID: plan.id, caller: admin)
            ids.append(plan.id)
        }
        #expect(try await plans.waitingCount(caller: admin) == 3)
        let first = try await plans.overview(caller: admin, state: .submitted, limit: 1)
        #expect(first.plans.map(\.plan.id) == [ids[0]])
        let next = try #require(first.next)
        #expect(next.id == ids[0] && next.submittedAt != nil)

        // The first sent back and submitted again: now the last one waiting.
        _ = try await plans.review(planID: ids[0], approve: false, reason: "附件不清晰", caller: admin)
        _ = try await plans.submit(planID: ids[0], caller: admin)
        #expect(try await plans.overview(caller: admin, state: .submitted).plans.map(\.plan.id) == [ids[1], ids[2], ids[0]])

        // The page after the first starts where the first ended, as it was read.
        let second = try await plans.overview(caller: admin, state: .submitted, limit: 1, after: next)
        #expect(second.plans.map(\.plan.id) == [ids[1]] && second.next != nil)
        let third = try await plans.overview(caller: admin, state: .submitted, limit: 1, after: second.next)
        #expect(third.plans.map(\.plan.id) == [ids[2]] && third.next != nil)
        let last = try await plans.overview(caller: admin, state: .submitted, limit: 1, after: third.next)
        #expect(last.plans.map(\.plan.id) == [ids[0]] && last.next == nil)
        // A bare id (an earlier version's cursor) is read from the plan's row as it is now.
        #expect(try await plans.overview(caller: admin, state: .submitted, limit: 5, after: PlanOverview.Position(id: ids[1])).plans.map(\.plan.id) == [ids[2], ids[0]])
        await #expect(throws: ZhichengError.self) { try await plans.overview(caller: admin, state: .submitted, limit: 1, after: PlanOverview.Position(id: 999_999)) }
    }
}
