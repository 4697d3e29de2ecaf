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

@Suite("Failures of logins without an account")
struct UnknownLoginFailuresTests {
    @Test func theFifthAttemptLocksUntilTheLockEndsThenCountingStartsAgain() {
        let failures = UnknownLoginFailures()
        for n in 1...4 { #expect(failures.attempt("x", now: Double(n), maxFailures: 5, lockSeconds: 900) == .counted(locks: false)) }
        #expect(failures.attempt("x", now: 5, maxFailures: 5, lockSeconds: 900) == .counted(locks: true), "the fifth locks")
        #expect(failures.attempt("x", now: 6, maxFailures: 5, lockSeconds: 900) == .locked(until: 905), "refused while locked, not counted")
        #expect(failures.attempt("y", now: 6, maxFailures: 5, lockSeconds: 900) == .counted(locks: false), "per login")
        #expect(failures.attempt("x", now: 906, maxFailures: 5, lockSeconds: 900) == .counted(locks: false), "the lock ended: a new run from zero")
    }

    @Test func aFullTableDropsWhatIsNotLockedAndCountsNoMoreWhileAllAre() {
        let failures = UnknownLoginFailures(capacity: 2)
        #expect(failures.attempt("a", now: 0, maxFailures: 5, lockSeconds: 900) == .counted(locks: false))
        #expect(failures.attempt("b", now: 0, maxFailures: 1, lockSeconds: 900) == .counted(locks: true))
        // Full: "a" (not locked) makes room for "c".
        #expect(failures.attempt("c", now: 1, maxFailures: 1, lockSeconds: 900) == .counted(locks: true))
        #expect(failures.count == 2)
        // Full of locked logins: "d" is not counted (no lock), nor does it push one out.
        #expect(failures.attempt("d", now: 2, maxFailures: 1, lockSeconds: 900) == .counted(locks: false))
        #expect(failures.attempt("b", now: 3, maxFailures: 1, lockSeconds: 900) == .locked(until: 900))
        // Once their locks end there is room again.
        #expect(failures.attempt("d", now: 1000, maxFailures: 1, lockSeconds: 900) == .counted(locks: true))
    }
}
