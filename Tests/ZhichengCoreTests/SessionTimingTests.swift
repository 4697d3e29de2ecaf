import Foundation
import Testing
import ZhichengCore

/// A review session's votes and close wait for its date and for the interviews of what they
/// decide; its date is never one already past (SessionTiming).
@Suite("Review session timing")
struct SessionTimingTests {
    /// 2026-12-05 09:30 China time (01:30 UTC).
    static let morning = Date(timeIntervalSince1970: 1_796_434_200)
    /// 2026-12-05 00:30 China time: still 2026-12-04 in UTC.
    static let afterMidnight = Date(timeIntervalSince1970: 1_796_401_800)

    static func day(_ text: String) throws -> CalendarDate { try CalendarDate(text) }

    @Test func todayIsTheDayInChina() throws {
        #expect(CalendarDay(Self.morning).description == "2026-12-05")
        #expect(CalendarDay(Self.afterMidnight).description == "2026-12-05")
        #expect(try Self.day("2026-12-04").calendarDay < Self.day("2026-12-05").calendarDay && Self.day("2026-11-30").calendarDay < Self.day("2026-12-01").calendarDay)
        #expect(try Self.day("2025-12-31").calendarDay < Self.day("2026-01-01").calendarDay)
        #expect(try Self.day("2026-12-05").calendarDay == CalendarDay(Self.afterMidnight))
    }

    /// Today and later are a session's date; a day already past is refused naming today.
    @Test func aSessionIsPlannedForTodayOrLater() throws {
        try SessionTiming.requirePlannedDate(try Self.day("2026-12-05"), now: Self.afterMidnight)
        try SessionTiming.requirePlannedDate(try Self.day("2027-01-01"), now: Self.morning)
        #expect(throws: ZhichengError.invalid("评审日期 2026-12-04 已过（今天是 2026-12-05），请填写今天或以后的日期", field: "date")) {
            try SessionTiming.requirePlannedDate(try Self.day("2026-12-04"), now: Self.afterMidnight)
        }
        #expect(throws: ZhichengError.invalid("评审日期 2020-01-01 已过（今天是 2026-12-05），请填写今天或以后的日期", field: "date")) {
            try SessionTiming.requirePlannedDate(try Self.day("2020-01-01"), now: Self.morning)
        }
    }

    /// Before the session's date nothing is voted or closed; from its midnight on, it is.
    @Test func votesAndTheCloseWaitForTheSessionsDate() throws {
        let date = try Self.day("2026-12-06")
        #expect(SessionTiming.refusal(.vote, date: date, interviews: [], now: Self.morning)
                == .conflict("本场评审会的评审日期为 2026-12-06（今天是 2026-12-05），评审日期到后才能投票"))
        #expect(SessionTiming.refusal(.close, date: date, interviews: [], now: Self.morning)
                == .conflict("本场评审会的评审日期为 2026-12-06（今天是 2026-12-05），评审日期到后才能结束评审"))
        let midnight = Self.morning.addingTimeInterval(14.5 * 3600)   // 2026-12-06 00:00 China time
        #expect(SessionTiming.refusal(.vote, date: date, interviews: [], now: midnight.addingTimeInterval(-1)) != nil)
        try SessionTiming.require(.vote, date: date, interviews: [], now: midnight)
        try SessionTiming.require(.close, date: date, interviews: [], now: midnight)
        // A session without a date, or dated today or before, waits for nothing of its own.
        try SessionTiming.require(.close, date: nil, interviews: [], now: Self.morning)
        try SessionTiming.require(.close, date: try Self.day("2026-12-05"), interviews: [], now: Self.afterMidnight)
        try SessionTiming.require(.vote, date: try Self.day("2026-12-01"), interviews: [], now: Self.morning)
    }

    /// A vote waits for its application's interview, the close for every application's: the
    /// message names the applicant and the time, as a result by hand's does.
    @Test func votesAndTheCloseWaitForTheInterviews() throws {
        let held = SessionTiming.Interview(application: "李四（一级教师）", stored: "2026-12-05 09:30")
        let tomorrow = SessionTiming.Interview(application: "张三（高级教师）", stored: "2026-12-06 08:00")
        let none = SessionTiming.Interview(application: "王五（高级教师）", stored: nil)
        let freeText = SessionTiming.Interview(application: "赵六（高级教师）", stored: "下周三上午")
        #expect(SessionTiming.refusal(.vote, date: nil, interviews: [tomorrow], now: Self.morning)
                == .conflict("申报人张三（高级教师）的面试时间为 2026-12-06 08:00，尚未面试（现在是 2026-12-05 09:30），面试开始后才能投票"))
        #expect(SessionTiming.refusal(.close, date: nil, interviews: [held, none, freeText, tomorrow], now: Self.morning)
                == .conflict("申报人张三（高级教师）的面试时间为 2026-12-06 08:00，尚未面试（现在是 2026-12-05 09:30），面试开始后才能结束评审"))
        // From the interview's minute on (the same rule as a result by hand: InterviewTime.awaited).
        try SessionTiming.require(.vote, date: nil, interviews: [held], now: Self.morning)
        #expect(SessionTiming.refusal(.vote, date: nil, interviews: [held], now: Self.morning.addingTimeInterval(-1)) != nil)
        try SessionTiming.require(.close, date: nil, interviews: [held, none, freeText], now: Self.morning)
        // The session's date is said first.
        #expect(SessionTiming.refusal(.close, date: try Self.day("2026-12-07"), interviews: [tomorrow], now: Self.morning)?.message.hasPrefix("本场评审会的评审日期为 2026-12-07") == true)
    }

    /// What a vote waits for, apart from its words: an expert's 首页 counts the votes that wait
    /// for the session's date and those that wait for an interview apart from those they can
    /// cast now. The date first, as the refusal says it; each vote by its own application.
    @Test func whatAVoteWaitsForIsTheRefusalsReason() throws {
        let tomorrow = SessionTiming.Interview(application: "张三（高级教师）", stored: "2026-12-06 08:00")
        let held = SessionTiming.Interview(application: "李四（一级教师）", stored: "2026-12-05 09:30")
        let date = try Self.day("2026-12-06")
        #expect(SessionTiming.wait(date: date, interviews: [held], now: Self.morning) == .sessionDate(date, today: CalendarDay(Self.morning)))
        #expect(SessionTiming.wait(date: date, interviews: [tomorrow], now: Self.morning) == .sessionDate(date, today: CalendarDay(Self.morning)))
        guard case let .interview(application, at, now)? = SessionTiming.wait(date: try Self.day("2026-12-05"), interviews: [held, tomorrow], now: Self.morning) else {
            Issue.record("the interview to come")
            return
        }
        #expect(application == "张三（高级教师）" && at.description == "2026-12-06 08:00" && now.description == "2026-12-05 09:30")
        #expect(SessionTiming.wait(date: nil, interviews: [held], now: Self.morning) == nil)
        #expect(SessionTiming.wait(date: try Self.day("2026-12-05"), interviews: [], now: Self.afterMidnight) == nil)
        // Whatever waits is what the refusal names; nothing waiting, nothing is refused.
        for (day, interviews) in [(Optional(date), [held]), (nil, [tomorrow]), (nil, [held]), (Optional(try Self.day("2026-12-01")), [])] {
            #expect((SessionTiming.wait(date: day, interviews: interviews, now: Self.morning) == nil)
                    == (SessionTiming.refusal(.vote, date: day, interviews: interviews, now: Self.morning) == nil))
        }
    }

    /// Planning, drawing, replacing and cancelling wait for nothing.
    @Test func otherActionsWaitForNothing() throws {
        let tomorrow = SessionTiming.Interview(application: "张三（高级教师）", stored: "2026-12-06 08:00")
        for action: SessionState.Action in [.draw, .replace(votesCast: 0), .cancel(votesCast: 0)] {
            #expect(SessionTiming.refusal(action, date: try Self.day("2026-12-30"), interviews: [tomorrow], now: Self.morning) == nil)
        }
    }

    /// The rule a result by hand and a session share.
    @Test func theSharedRuleOfTheInterview() {
        #expect(InterviewTime.awaited(stored: "2026-12-05 09:31", now: Self.morning).map { "\($0.interview) \($0.now)" } == "2026-12-05 09:31 2026-12-05 09:30")
        #expect(InterviewTime.awaited(stored: "2026-12-05 09:30", now: Self.morning) == nil)
        #expect(InterviewTime.awaited(stored: nil, now: Self.morning) == nil)
        #expect(InterviewTime.awaited(stored: "下周三上午", now: Self.morning) == nil)
    }
}
