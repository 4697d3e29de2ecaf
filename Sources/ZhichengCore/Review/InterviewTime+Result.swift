import Foundation

extension InterviewTime {
    /// Refuses (409) a committee's result entered at `now` before the time of the 面试通知 it
    /// sent (`stored`, as the evaluation keeps it): the interview has not taken place, and a
    /// result then is one given without it. From the interview's minute on, a result may be
    /// entered. No notice sent, or one of free text whose time cannot be read (written before
    /// times were checked): nothing to wait for.
    public static func requireInterviewHeld(stored: String?, now: Date = Date()) throws(ZhichengError) {
        guard let (interview, current) = awaited(stored: stored, now: now) else { return }
        throw .conflict("面试时间为 \(interview)，尚未面试（现在是 \(current)），面试开始后才能录入评审结果")
    }

    /// The one rule of a result's wait for its interview, for the committee's result by hand
    /// (`requireInterviewHeld`) and a review session's votes and close (`SessionTiming`): the
    /// interview of a notice whose time (`stored`) is still to come at `now`, with the minute it
    /// is now; nil when there is nothing to wait for (its minute has come, no notice was sent,
    /// or one of free text whose time cannot be read).
    public static func awaited(stored: String?, now: Date = Date()) -> (interview: InterviewTime, now: InterviewTime)? {
        guard let stored, let interview = InterviewTime(stored: stored) else { return nil }
        let current = InterviewTime(now)
        return interview <= current ? nil : (interview, current)
    }
}
