import Foundation
import Testing
import ZhichengCore

/// A committee's result waits for the interview it announced (InterviewTime.requireInterviewHeld).
@Suite("Results after the interview")
struct InterviewHeldTests {
    /// 2026-12-05 09:30 China time.
    static let interview = Date(timeIntervalSince1970: 1_796_434_200)

    @Test func aResultBeforeTheInterviewIsRefusedNamingItsTime() {
        #expect(InterviewTime(Self.interview).description == "2026-12-05 09:30")
        #expect(throws: ZhichengError.conflict("面试时间为 2026-12-05 09:30，尚未面试（现在是 2026-12-05 09:29），面试开始后才能录入评审结果")) {
            try InterviewTime.requireInterviewHeld(stored: "2026-12-05 09:30", now: Self.interview.addingTimeInterval(-1))
        }
        #expect(throws: ZhichengError.self) { try InterviewTime.requireInterviewHeld(stored: "2026-12-06 08:00", now: Self.interview) }
    }

    /// From the interview's minute on; and with no notice, or one of free text, at any time.
    @Test(arguments: [
        ("2026-12-05 09:30", 0.0), ("2026-12-05 09:30", 59.0), ("2026-12-05 09:29", 0.0), ("2025-01-01 00:00", 0.0),
        ("下周三上午", -86_400.0 * 30), ("", -86_400.0),
    ])
    func aResultAtOrAfterTheInterviewOrWithoutATimeIsAllowed(stored: String, offset: Double) throws {
        try InterviewTime.requireInterviewHeld(stored: stored, now: Self.interview.addingTimeInterval(offset))
    }

    @Test func noNoticeNothingToWaitFor() throws {
        try InterviewTime.requireInterviewHeld(stored: nil, now: Self.interview.addingTimeInterval(-86_400 * 365))
    }
}
