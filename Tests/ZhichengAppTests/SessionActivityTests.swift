import Testing
@testable import ZhichengApp

@Suite("Session idle time")
struct SessionActivityTests {
    @Test func aUseWithinTheIdlePeriodKeepsTheSessionAndALaterOneEndsIt() {
        let activity = SessionActivity()
        #expect(activity.use("t a", now: 0, idle: 60, lifetime: 3600) == .fresh)
        #expect(activity.use("t a", now: 59, idle: 60, lifetime: 3600) == .fresh)
        #expect(activity.use("t a", now: 119, idle: 60, lifetime: 3600) == .fresh, "counted from the last use")
        #expect(activity.use("t a", now: 180, idle: 60, lifetime: 3600) == .idle)
        #expect(activity.use("t a", now: 181, idle: 60, lifetime: 3600) == .fresh, "forgotten once ended (its session is deleted)")
        activity.forget("t a")
        #expect(activity.use("t b", now: 0, idle: 60, lifetime: 3600) == .fresh)
    }

    @Test func entriesAreDroppedOnlyOnceTheirSessionsHaveSurelyExpired() {
        let activity = SessionActivity(capacity: 2)
        #expect(activity.use("a", now: 0, idle: 60, lifetime: 100) == .fresh)
        #expect(activity.use("b", now: 50, idle: 60, lifetime: 100) == .fresh)
        #expect(activity.use("c", now: 90, idle: 60, lifetime: 100) == .untracked, "a and b may still be alive")
        #expect(activity.use("d", now: 130, idle: 60, lifetime: 100) == .fresh, "a (last used at 0) has surely expired: dropped to make room")
        #expect(activity.use("e", now: 140, idle: 60, lifetime: 100) == .untracked, "b and d may still be alive")
        #expect(activity.use("e", now: 151, idle: 60, lifetime: 100) == .fresh, "b has surely expired now")
    }
}
