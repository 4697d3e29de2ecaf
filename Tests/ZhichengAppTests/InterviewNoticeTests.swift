import Foundation
import Testing
import ZhichengApp
import ZhichengCore
import ZhichengStorage

/// A committee's 面试通知 through the services: its time read and checked once for every path
/// (the office's own application, one the province received, a batch), stored and relayed as
/// `YYYY-MM-DD HH:MM`; a notice of free text written before that (or relayed by a province of
/// an older version) kept and shown as it is.
@Suite("面试通知: one rule for its time")
struct InterviewNoticeTests {
    /// Next year, so that the tests name a time to come whenever they run.
    static let year = CalendarDate.currentYear() + 1

    /// A handed-over application passed by the province office, at its committee: (the city's id, the province's id).
    static func atProvinceCommittee(_ w: ProvinceReviewTests.World) async throws -> (city: Int, province: Int) {
        let ids = try await w.handedOver()
        let first = try await w.reviews.decide(ids.province, decision: "pass", comment: "", version: nil, caller: w.handler)
        _ = try await w.reviews.decide(ids.province, decision: "pass", comment: "", version: first.application.version, caller: w.leader)
        _ = try await w.evaluations.createCommittee(name: "河南省中小学教师高级评委会", series: ["中小学教师"], levels: ["副高级"], caller: w.office)
        return ids
    }

    func interviewMessages(_ w: ProvinceReviewTests.World) async throws -> [String] {
        try await w.f.store.withTenant(TenantID("province")) { db in
            try await db.read { conn in
                try conn.query("SELECT payload FROM outbox WHERE kind = 'application.interview' ORDER BY id").map { $0["payload"].string ?? "" }
            }
        }
    }

    @Test func theProvincesNoticeIsStoredAndRelayedAsOneMinute() async throws {
        let w = try await ProvinceReviewTests.world()
        let (appID, id) = try await Self.atProvinceCommittee(w)

        // Refused, naming time, and nothing is sent: not a time, not a day, past, too far ahead.
        for bad in ["下周三上午", "\(Self.year)-02-30 09:00", "\(Self.year)-03-01 24:00", "2020-03-01 09:00", "\(Self.year + 5)-03-01 09:00", " "] {
            do {
                _ = try await w.evaluations.setInterview(.received(id), time: bad, place: "省人社厅", caller: w.office)
                Issue.record("\(bad) was taken")
            } catch let error as ZhichengError {
                #expect(error.code == .invalid && error.field == "time", "\(bad): \(error)")
            }
        }
        #expect(try await w.evaluations.evaluation(.received(id), caller: w.office)?.interviewTime == nil)
        #expect(try await interviewMessages(w).isEmpty)

        // Typed the way an office does, stored and sent as one minute.
        let record = try await w.evaluations.setInterview(.received(id), time: "\(Self.year)年3月1日 9:00", place: "省人社厅", caller: w.office)
        #expect(record.interviewTime == "\(Self.year)-03-01 09:00" && record.interviewPlace == "省人社厅")
        // The same notice as the form's datetime-local sends it: the same notice, nothing sent again.
        _ = try await w.evaluations.setInterview(.received(id), time: "\(Self.year)-03-01T09:00", place: "省人社厅", caller: w.office)
        #expect(try await interviewMessages(w).count == 1)

        try await w.f.relay.deliverAll(from: TenantID("province"))
        let shown = "\(Self.year)-03-01 09:00，省人社厅"
        #expect(try await w.f.applications.get(appID, caller: w.applicant).interview == shown)
        #expect(try await w.f.applications.status(of: w.city.orgID, caller: w.city).first { $0.applicationID == appID }?.interview == shown)
        #expect(try await w.f.applications.reviewForm(appID, caller: w.city).application.interview == shown)
        #expect(try await w.f.applications.trail(appID, caller: w.applicant).filter { $0.decision == "committee-interview" }.map(\.comment) == [shown])
    }

    @Test func theSameNoticeSentAgainAfterItsMinuteIsTheNoticeGivenNotARefusal() async throws {
        let w = try await ProvinceReviewTests.world()
        let (_, id) = try await Self.atProvinceCommittee(w)
        _ = try await w.evaluations.setInterview(.received(id), time: "\(Self.year)-03-01 09:00", place: "省人社厅", caller: w.office)
        // Its minute passes (the notice as given, moved back in time).
        _ = try await w.f.store.withTenant(TenantID("province")) { db in
            try await db.write { conn in try conn.run("UPDATE evaluations SET interview_time = '2020-03-01 09:00'") }
        }
        // A retry of that notice changes nothing and sends nothing more.
        let again = try await w.evaluations.setInterview(.received(id), time: "2020-03-01T09:00", place: "省人社厅", caller: w.office)
        #expect(again.interviewTime == "2020-03-01 09:00")
        #expect(try await interviewMessages(w).count == 1)
        // Another past time, or the same time elsewhere, is a new notice: refused as past.
        for (time, place) in [("2020-03-02 09:00", "省人社厅"), ("2020-03-01 09:00", "省会议中心")] {
            do {
                _ = try await w.evaluations.setInterview(.received(id), time: time, place: place, caller: w.office)
                Issue.record("\(time) \(place) was taken")
            } catch let error as ZhichengError {
                #expect(error.code == .invalid && error.field == "time" && error.message.contains("已过"), "\(error)")
            }
        }
        #expect(try await interviewMessages(w).count == 1)
    }

    @Test func aProvinceOfAnOlderVersionsFreeTextIsShownAsItCame() async throws {
        let w = try await ProvinceReviewTests.world()
        let (appID, _) = try await Self.atProvinceCommittee(w)
        // What a province before times were checked sends; and one whose time has passed
        // by the time it arrives (held up in the outbox): both taken, as they are.
        for (n, interview) in ["下周三上午，省人社厅", "2020-01-02 08:00，省人社厅"].enumerated() {
            _ = try await w.f.store.withTenant(TenantID("province")) { db in
                try await db.write { conn in
                    try conn.run("INSERT INTO outbox (message_id, target, kind, payload, created_at) VALUES (?, 'zhengzhou', 'application.interview', ?, ?)",
                                 ["province:older:\(n)", #"{"source_application_id":\#(appID),"committee":"河南省中小学教师高级评委会","interview":"\#(interview)"}"#,
                                  Date().timeIntervalSince1970])
                }
            }
            try await w.f.relay.deliverAll(from: TenantID("province"))
            #expect(try await w.f.applications.get(appID, caller: w.applicant).interview == interview)
            #expect(try await w.f.applications.status(of: w.city.orgID, caller: w.city).first { $0.applicationID == appID }?.interview == interview)
        }
        let unapplied = try await w.f.store.withTenant(TenantID("zhengzhou")) { db in
            try await db.read { conn in try conn.scalar("SELECT count(*) FROM audit WHERE action = 'relay.unapplied'")?.int }
        }
        #expect(unapplied == 0)
    }

    @Test func aStoredNoticeOfFreeTextIsShownAsItIsAndReplacedByAReadableOne() async throws {
        let w = try await ProvinceReviewTests.world()
        let (appID, id) = try await Self.atProvinceCommittee(w)
        _ = try await w.evaluations.setInterview(.received(id), time: "\(Self.year)-03-01 09:00", place: "省人社厅", caller: w.office)
        try await w.f.relay.deliverAll(from: TenantID("province"))
        // As a version before times were checked wrote them, in the province and in the city.
        _ = try await w.f.store.withTenant(TenantID("province")) { db in
            try await db.write { conn in try conn.run("UPDATE evaluations SET interview_time = '下周三上午' WHERE received_id = ?", [id]) }
        }
        _ = try await w.f.store.withTenant(TenantID("zhengzhou")) { db in
            try await db.write { conn in try conn.run("UPDATE applications SET interview = '下周三上午，省人社厅' WHERE id = ?", [appID]) }
        }
        // Read, never refused: on the desk, the applicant's application, the status query, the 评审表.
        #expect(try await w.evaluations.evaluation(.received(id), caller: w.office)?.interviewTime == "下周三上午")
        #expect(try await w.evaluations.worklist(caller: w.office, only: .received(id)).first?.evaluation?.interviewTime == "下周三上午")
        #expect(try await w.f.applications.get(appID, caller: w.applicant).interview == "下周三上午，省人社厅")
        #expect(try await w.f.applications.status(of: w.city.orgID, caller: w.city).first { $0.applicationID == appID }?.interview == "下周三上午，省人社厅")
        #expect(try await w.f.applications.reviewForm(appID, caller: w.applicant).application.interview == "下周三上午，省人社厅")

        // A readable time is a new notice: stored as one minute, and sent.
        let before = try await interviewMessages(w).count
        let record = try await w.evaluations.setInterview(.received(id), time: "\(Self.year)-03-01 09:00", place: "省人社厅", caller: w.office)
        #expect(record.interviewTime == "\(Self.year)-03-01 09:00")
        #expect(try await interviewMessages(w).count == before + 1)

        // One stored as typed that reads as the same minute is the same notice: unchanged, not sent again.
        _ = try await w.f.store.withTenant(TenantID("province")) { db in
            try await db.write { conn in try conn.run("UPDATE evaluations SET interview_time = ? WHERE received_id = ?", ["\(Self.year)年3月1日 9:00", id]) }
        }
        let again = try await w.evaluations.setInterview(.received(id), time: "\(Self.year)-03-01T09:00", place: "省人社厅", caller: w.office)
        #expect(again.interviewTime == "\(Self.year)年3月1日 9:00")
        #expect(try await interviewMessages(w).count == before + 1)
    }

    @Test func aBatchWithABadTimeSendsNothing() async throws {
        let w = try await ProvinceReviewTests.world()
        let (_, first) = try await Self.atProvinceCommittee(w)
        let other = try await w.f.people.addApplicant(to: w.city.orgID, idNumber: "410102199001013336", name: "韩第二", phone: "", caller: w.city)
        let second = try await w.handedOver(try await w.f.signIn("zhengzhou", other.account.login, other.password)).province
        let step = try await w.reviews.decide(second, decision: "pass", comment: "", version: nil, caller: w.handler)
        _ = try await w.reviews.decide(second, decision: "pass", comment: "", version: step.application.version, caller: w.leader)

        await expectCode(.invalid) {
            _ = try await w.evaluations.setInterviews([.received(first), .received(second)], time: "\(Self.year)-02-30 09:00", place: "省人社厅", caller: w.office)
        }
        for id in [first, second] { #expect(try await w.evaluations.evaluation(.received(id), caller: w.office)?.interviewTime == nil) }
        #expect(try await interviewMessages(w).isEmpty)
        let sent = try await w.evaluations.setInterviews([.received(first), .received(second)], time: "\(Self.year)/3/2 14:30", place: "省人社厅", caller: w.office)
        #expect(sent.map(\.interviewTime) == ["\(Self.year)-03-02 14:30", "\(Self.year)-03-02 14:30"])
    }
}
