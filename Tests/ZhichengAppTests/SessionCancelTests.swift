import Foundation
import Testing
import ZhichengApp
import ZhichengCore
import ZhichengStorage

/// 取消评审会: a review session holds its applications only while it is planned or drawn; one
/// that cannot be drawn (too few experts) is cancelled by the office with a reason, stays
/// readable, and frees its applications for a result by hand or a new session. Driven through
/// the services (the province office's world of ProvinceReviewTests).
@Suite("Cancelling a review session")
struct SessionCancelTests {
    struct Desk {
        let w: ProvinceReviewTests.World
        let committee: CommitteeRecord
        var sessions: SessionService { SessionService(store: w.f.store, evaluations: w.evaluations) }

        func plan(_ name: String, specialty: String?, applications: [Int]) async throws -> SessionView {
            try await sessions.create(committee: committee.id, name: name, series: "中小学教师", specialty: specialty, panelSize: 3, reserves: 0,
                                      applications: applications, caller: w.office)
        }

        func audit(_ action: String) async throws -> [String] {
            try await w.f.store.withTenant(TenantID("province")) { db in
                try await db.read { conn in try conn.query("SELECT detail FROM audit WHERE action = ? ORDER BY seq", [action]).compactMap { $0["detail"].string } }
            }
        }
    }

    static func desk() async throws -> Desk {
        let w = try await ProvinceReviewTests.world()
        let committee = try await w.evaluations.createCommittee(name: "河南省中小学教师高级评委会", series: ["中小学教师"], levels: ["副高级"], caller: w.office)
        return Desk(w: w, committee: committee)
    }

    /// Three active experts of 中小学教师/小学数学 from a unit no applicant is of, each with an
    /// account of the office to sign in with (admission itself: ExpertWorkflowTests).
    static func experts(_ d: Desk) async throws -> [SignedIn] {
        var signedIn: [SignedIn] = []
        for n in 1...3 {
            let staff = try await d.w.f.people.addStaff(to: d.w.office.orgID, login: "expert\(n)", name: "专家\(n)", phone: "", caller: d.w.office)
            _ = try await d.w.f.people.setEnabled(staff.account.id, true, caller: d.w.office)
            _ = try await d.w.f.store.withTenant(TenantID("province")) { db in
                try await db.write { conn in
                    try conn.run("""
                        INSERT INTO experts (account_id, name, id_number, series, specialty, title, level, unit_name, source_tenant, created_at, updated_at)
                        VALUES (?, ?, ?, '中小学教师', '小学数学', '高级教师', '副高级', '实验中学', 'zhengzhou', 0, 0)
                        """, [staff.account.id, "专家\(n)", "41010219800101\(1000 + n)"])
                }
            }
            signedIn.append(try await d.w.f.signIn("province", "expert\(n)", staff.password))
        }
        return signedIn
    }

    /// The desk names the committee of the 评审会 holding an application not yet evaluated (its
    /// result will bind that committee), not the first one covering it, and narrows to it so;
    /// once the session is cancelled the first covering committee is named again.
    @Test func theDeskNamesTheCommitteeOfTheSessionHoldingAnApplication() async throws {
        let d = try await Self.desk()
        let later = try await d.w.evaluations.createCommittee(name: "河南省中小学教师高级评委会（二）", series: ["中小学教师"], levels: ["副高级"], caller: d.w.office)
        let held = try await CommitteeDeskPageTests.received(d.w, idNumber: "410102199001013336")
        let free = try await CommitteeDeskPageTests.received(d.w, idNumber: "410102199001014443")
        func desk(committee: Int? = nil) async throws -> [String] {
            try await d.w.evaluations.worklistPage(caller: d.w.office, committee: committee, limit: 100).items.map { "\($0.target) \($0.committee?.name ?? "-")" }
        }
        let session = try await Sessions(d: d, committee: later).plan("二评委会评审会", applications: [held])
        #expect(try await desk() == ["received(\(held)) 河南省中小学教师高级评委会（二）", "received(\(free)) 河南省中小学教师高级评委会"])
        #expect(try await desk(committee: later.id) == ["received(\(held)) 河南省中小学教师高级评委会（二）"])
        #expect(try await desk(committee: d.committee.id) == ["received(\(free)) 河南省中小学教师高级评委会"])
        _ = try await d.sessions.cancel(session.id, reason: "改期", caller: d.w.office)
        #expect(try await desk(committee: d.committee.id).count == 2)
    }

    /// Sessions of another committee of the office than the desk's first.
    struct Sessions {
        let d: Desk
        let committee: CommitteeRecord
        func plan(_ name: String, applications: [Int]) async throws -> SessionView {
            try await d.sessions.create(committee: committee.id, name: name, series: "中小学教师", specialty: nil, panelSize: 3, reserves: 0,
                                        applications: applications, caller: d.w.office)
        }
    }

    /// The defect: a session planned for a specialty no expert has can never be drawn, and held
    /// its applications for ever. Cancelled with a reason, it frees them, and refuses everything else.
    @Test func aSessionThatCannotBeDrawnIsCancelledAndFreesItsApplications() async throws {
        let d = try await Self.desk()
        let first = try await CommitteeDeskPageTests.received(d.w, idNumber: "410102199001013336")
        let second = try await CommitteeDeskPageTests.received(d.w, idNumber: "410102199001014443")
        let session = try await d.plan("无法抽取的评审会", specialty: "无此专业", applications: [first, second])
        #expect(session.state == .planned && session.mayCancel)
        await expectCode(.conflict) { _ = try await d.sessions.draw(session.id, seed: "s", caller: d.w.office) }

        // Held: no result by hand, no other session.
        await expectCode(.conflict) { _ = try await d.w.evaluations.recordResult(.received(first), result: "通过", note: nil, caller: d.w.office) }
        await expectCode(.conflict) { _ = try await d.plan("另一场", specialty: nil, applications: [first]) }

        // Only the office's admin, with a reason of at most 500 characters.
        await expectCode(.forbidden) { _ = try await d.sessions.cancel(session.id, reason: "专家不足", caller: d.w.handler) }
        for reason in [nil, "", " \n ", String(repeating: "缺", count: 501)] as [String?] {
            await expectCode(.invalid) { _ = try await d.sessions.cancel(session.id, reason: reason, caller: d.w.office) }
        }
        #expect(try await d.sessions.get(session.id, caller: d.w.office).state == .planned)
        #expect(try await d.audit("session.cancel").isEmpty)

        let before = Date().timeIntervalSince1970
        let cancelled = try await d.sessions.cancel(session.id, reason: " 符合条件的专家不足，无法抽取 ", caller: d.w.office)
        #expect(cancelled.state == .cancelled && cancelled.stateLabel == "已取消" && !cancelled.mayCancel)
        let why = try #require(cancelled.cancellation)
        #expect(why.reason == "符合条件的专家不足，无法抽取" && why.by == d.w.office.name && why.at >= before - 1)
        // Still readable, with its applications, in the office's list.
        let read = try await d.sessions.get(session.id, caller: d.w.office)
        #expect(read.applications.map(\.id).sorted() == [first, second].sorted() && read.cancellation?.reason == why.reason)
        #expect(try await d.sessions.list(caller: d.w.office).first { $0.id == session.id }?.state == .cancelled)
        let audit = try await d.audit("session.cancel")
        #expect(audit.count == 1 && audit[0].contains("符合条件的专家不足") && audit[0].contains(#""was":"planned""#), "\(audit)")

        // Nothing more happens to it.
        await expectCode(.conflict) { _ = try await d.sessions.draw(session.id, count: 1, seed: "s", caller: d.w.office) }
        await expectCode(.conflict) { _ = try await d.sessions.close(session.id, caller: d.w.office) }
        await expectCode(.conflict) { _ = try await d.sessions.replace(session.id, expert: 1, caller: d.w.office) }
        await expectCode(.conflict) { _ = try await d.sessions.cancel(session.id, reason: "再取消一次", caller: d.w.office) }
        #expect(try await d.audit("session.cancel").count == 1)

        // Free: a new session takes the first, the office enters the second's result by hand.
        let again = try await d.plan("重新安排的评审会", specialty: nil, applications: [first])
        #expect(again.state == .planned)
        let result = try await d.w.evaluations.recordResult(.received(second), result: "未通过", note: "评审会取消后录入", caller: d.w.office)
        #expect(result.result == "未通过")
        // The new session holds the first as the old one did.
        await expectCode(.conflict) { _ = try await d.w.evaluations.recordResult(.received(first), result: "通过", note: nil, caller: d.w.office) }
    }

    /// A drawn session may be cancelled until the first vote; after it, only closed. Its panel
    /// can no longer vote and is no longer asked to.
    @Test func aDrawnSessionIsCancelledOnlyBeforeAnyVote() async throws {
        let d = try await Self.desk()
        let experts = try await Self.experts(d)
        let voted = try await CommitteeDeskPageTests.received(d.w, idNumber: "410102199001013336")
        let quiet = try await CommitteeDeskPageTests.received(d.w, idNumber: "410102199001014443")

        let first = try await d.plan("已投票的评审会", specialty: "小学数学", applications: [voted])
        #expect(try await d.sessions.draw(first.id, seed: "one", caller: d.w.office).mayCancel)
        _ = try await d.sessions.vote(first.id, application: voted, vote: "agree", score: 90, comment: "", caller: experts[0])
        #expect(try await d.sessions.get(first.id, caller: d.w.office).mayCancel == false)
        await expectCode(.conflict) { _ = try await d.sessions.cancel(first.id, reason: "改期", caller: d.w.office) }
        #expect(try await d.sessions.get(first.id, caller: d.w.office).state == .drawn)

        let second = try await d.plan("未投票的评审会", specialty: "小学数学", applications: [quiet])
        _ = try await d.sessions.draw(second.id, seed: "two", caller: d.w.office)
        #expect(try await d.sessions.awaitingVotes(caller: experts[1]).map(\.id).contains(second.id))
        let cancelled = try await d.sessions.cancel(second.id, reason: "评审地点临时无法使用", caller: d.w.office)
        #expect(cancelled.state == .cancelled && cancelled.members.filter { $0.role == "panel" }.count == 3, "the drawn panel stays on record")
        #expect(try await d.audit("session.cancel").first?.contains(#""was":"drawn""#) == true)
        // Its panel reads it, is not asked to vote on it, and cannot.
        let seen = try await d.sessions.get(second.id, caller: experts[1])
        #expect(seen.state == .cancelled && !seen.mayCancel)
        #expect(try await d.sessions.awaitingVotes(caller: experts[1]).map(\.id).contains(second.id) == false)
        await expectCode(.conflict) { _ = try await d.sessions.vote(second.id, application: quiet, vote: "agree", score: nil, comment: "", caller: experts[1]) }
        // An expert cannot cancel a session, even one they sit on.
        await expectCode(.forbidden) { _ = try await d.sessions.cancel(first.id, reason: "我不来了", caller: experts[1]) }
        // Its application is free; the one whose session took a vote is still held.
        _ = try await d.plan("补充评审会", specialty: nil, applications: [quiet])
        await expectCode(.conflict) { _ = try await d.plan("抢先的评审会", specialty: nil, applications: [voted]) }
    }
}
