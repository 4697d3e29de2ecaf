import Foundation

/// When a review session (评审会) may take its experts' votes and be closed: a session's
/// result is a committee's result like one entered by hand, and waits as that one does.
///
/// - A session is planned for a day to come: its 评审日期, when the office gives one, may be
///   today or later, never a day already past (`requirePlannedDate`).
/// - No vote is taken, and the session does not close, before its 评审日期 (China time: from
///   midnight of that day on), nor before the interview (面试通知) of an application the vote
///   is about, or of any application the close decides: the experts judge an applicant after
///   the interview, as `InterviewTime.requireInterviewHeld` has a result by hand wait for it
///   (the same rule, `InterviewTime.awaited`). A session without a date waits for the
///   interviews alone; an application without a notice, or with one of free text whose time
///   cannot be read, waits for nothing.
public enum SessionTiming {
    /// An application of the session with its interview as the committee's evaluation keeps it.
    public struct Interview: Sendable, Equatable {
        /// How the message names the application: the applicant and the title (`张三（高级教师）`).
        public var application: String
        /// The notice's time as stored (`2026-12-05 09:30`); nil when no notice was sent.
        public var stored: String?

        public init(application: String, stored: String?) {
            self.application = application
            self.stored = stored
        }
    }

    /// Refuses (400 naming `field`) a session planned at `now` for a day already past.
    public static func requirePlannedDate(_ date: CalendarDate, now: Date = Date(), field: String = "date") throws(ZhichengError) {
        let today = CalendarDay(now)
        guard date.calendarDay >= today else {
            throw .invalid("评审日期 \(date) 已过（今天是 \(today)），请填写今天或以后的日期", field: field)
        }
    }

    /// What a vote or the close waits for, when it must wait: the session's 评审日期, or the
    /// interview of an application it is about.
    public enum Wait: Sendable, Equatable {
        /// The session is dated `date`, a day after `today` (China time).
        case sessionDate(CalendarDate, today: CalendarDay)
        /// `application` is interviewed at `interview`, later than `now`.
        case interview(application: String, at: InterviewTime, now: InterviewTime)
    }

    /// What a vote or the close, at `now`, in a session dated `date` about `interviews` (a vote:
    /// its application's; the close: every application's) waits for, or nil: the session's
    /// date first, then the first application (in the order given) still to be interviewed.
    /// An expert's 首页 counts by it the votes that wait apart from those they can cast now.
    public static func wait(date: CalendarDate?, interviews: [Interview], now: Date = Date()) -> Wait? {
        let today = CalendarDay(now)
        if let date, today < date.calendarDay { return .sessionDate(date, today: today) }
        for item in interviews {
            if let (interview, current) = InterviewTime.awaited(stored: item.stored, now: now) {
                return .interview(application: item.application, at: interview, now: current)
            }
        }
        return nil
    }

    /// Why `action` (a vote, or the close) may not be taken at `now` in a session dated `date`
    /// about `interviews`, or nil: what it waits for (`wait`), in words. Any other action waits
    /// for nothing.
    public static func refusal(_ action: SessionState.Action, date: CalendarDate?, interviews: [Interview], now: Date = Date()) -> ZhichengError? {
        let what: String
        switch action {
        case .vote: what = "投票"
        case .close: what = "结束评审"
        case .draw, .replace, .cancel: return nil
        }
        switch wait(date: date, interviews: interviews, now: now) {
        case nil: return nil
        case let .sessionDate(date, today):
            return .conflict("本场评审会的评审日期为 \(date)（今天是 \(today)），评审日期到后才能\(what)")
        case let .interview(application, interview, current):
            return .conflict("申报人\(application)的面试时间为 \(interview)，尚未面试（现在是 \(current)），面试开始后才能\(what)")
        }
    }

    /// Refuses (409) what `refusal` names.
    public static func require(_ action: SessionState.Action, date: CalendarDate?, interviews: [Interview], now: Date = Date()) throws(ZhichengError) {
        if let refusal = refusal(action, date: date, interviews: interviews, now: now) { throw refusal }
    }
}
