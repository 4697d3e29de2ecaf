import Testing
import ZhichengCore

@Suite("Relay schedule: merged kicks, pauses per target, retries")
struct RelayScheduleTests {
    let t0 = ContinuousClock.now
    let city = try! TenantID("zhengzhou")
    let other = try! TenantID("kaifeng")
    let province = try! TenantID("province")

    func drain(_ schedule: inout RelaySchedule, at now: ContinuousClock.Instant) -> [TenantID] {
        var out: [TenantID] = []
        while let next = schedule.next(now: now) { out.append(next) }
        return out
    }

    @Test func kicksMergeAndKeepTheirOrder() {
        var s = RelaySchedule()
        for tenant in [city, other, city, city, province, other] { s.kick(tenant) }
        #expect(drain(&s, at: t0) == [city, other, province])
        #expect(s.next(now: t0) == nil)
        s.kick(city)   // kicked again after it was taken: one more delivery
        #expect(drain(&s, at: t0) == [city])
    }

    @Test func pausesDoubleUpToTheLongestAndEndOnSuccess() {
        var s = RelaySchedule(firstPause: .seconds(1), maxPause: .seconds(10))
        let key = RelaySchedule.Key.target("@province")
        #expect(s.paused(key, now: t0) == nil)
        let pauses = (0..<6).map { _ in s.failed(key, error: "no province tenant", now: t0).until - t0 }
        #expect(pauses == [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(10), .seconds(10)])
        #expect(s.pauses[key]?.failures == 6)
        #expect(s.pauses[key]?.error == "no province tenant")
        #expect(s.paused(key, now: t0 + .seconds(9)) == t0 + .seconds(10))
        #expect(s.paused(key, now: t0 + .seconds(10)) == nil)   // the pause is over: try again
        // Other targets are not affected by one target's failures.
        #expect(s.paused(.target("zhengzhou"), now: t0) == nil)
        s.failed(.source(city), error: "disk I/O error", now: t0)
        #expect(s.pausedTargets(now: t0 + .seconds(9)) == ["@province": t0 + .seconds(10)], "targets only, while paused")
        #expect(s.pausedTargets(now: t0 + .seconds(10)).isEmpty)
        s.succeeded(.source(city))
        s.succeeded(key)
        #expect(s.pauses.isEmpty)
        #expect(s.failed(key, error: "again", now: t0).until == t0 + .seconds(1))   // counting starts over
    }

    @Test func manyFailuresInARowStayAtTheLongestPauseAndAreLoggedEverLessOften() {
        var s = RelaySchedule(firstPause: .seconds(1), maxPause: .seconds(60))
        var logged: [Int] = []
        var last: RelaySchedule.Pause?
        for _ in 0..<200 {
            let pause = s.failed(.source(city), error: "disk I/O error", now: t0)
            if pause.worthLogging { logged.append(pause.failures) }
            last = pause
        }
        #expect(last?.until == t0 + .seconds(60))
        #expect(logged == [1, 2, 4, 8, 16, 32, 64, 128], "a warning at the 1st, 2nd, 4th … failure in a row, not at every one")
    }

    @Test func retriesComeDueAtTheirTimeAndTheEarliestWins() {
        var s = RelaySchedule()
        s.retry(city, at: t0 + .seconds(5))
        s.retry(city, at: t0 + .seconds(3))
        s.retry(city, at: t0 + .seconds(8))
        s.retry(other, at: t0 + .seconds(4))
        #expect(s.nextRetry == t0 + .seconds(3))
        #expect(s.next(now: t0 + .seconds(2)) == nil)
        #expect(drain(&s, at: t0 + .seconds(3)) == [city])
        #expect(s.nextRetry == t0 + .seconds(4))
        // A kicked tenant goes first; retries that came due join the end of the line.
        s.kick(province)
        #expect(drain(&s, at: t0 + .seconds(4)) == [province, other])
        #expect(s.nextRetry == nil)
    }

    @Test func aRetryThatComesDueWhileKickedIsDeliveredOnce() {
        var s = RelaySchedule()
        s.kick(city)
        s.retry(city, at: t0)
        #expect(drain(&s, at: t0) == [city])
    }

    @Test func resumeAllEndsEveryPauseAndMakesRetriesDue() {
        var s = RelaySchedule(firstPause: .seconds(30), maxPause: .seconds(60))
        s.failed(.target("@province"), error: "no province tenant", now: t0)
        s.failed(.target("kaifeng"), error: "tenant kaifeng has no database file", now: t0)
        s.retry(city, at: t0 + .seconds(30))
        let later = t0 + .seconds(1)
        s.resumeAll(now: later)
        #expect(s.paused(.target("@province"), now: later) == nil)
        #expect(s.paused(.target("kaifeng"), now: later) == nil)
        #expect(drain(&s, at: later) == [city])
        // The count of failures in a row is kept: failing again pauses longer.
        #expect(s.failed(.target("@province"), error: "still none", now: later).until == later + .seconds(60))
    }

    @Test func anArchivedTenantsPausesAndRetriesEnd() {
        var s = RelaySchedule()
        s.failed(.source(city), error: "database is locked", now: t0)
        s.failed(.target(city.rawValue), error: "database is locked", now: t0)
        s.failed(.target("@province"), error: "no province tenant", now: t0)
        s.holding(other, waitingFor: ["@province"])    // kaifeng's hand-overs wait for it
        s.retry(city, at: t0 + .seconds(1))
        s.kick(city)
        s.kick(other)
        s.forget(city)
        // Nothing of it is shown, retried or delivered; the others' pauses and turns stay.
        #expect(s.pauses.keys.sorted { $0.description < $1.description } == [.target("@province")])
        #expect(s.nextRetry == nil)
        #expect(drain(&s, at: t0 + .seconds(2)) == [other])
    }

    @Test func aTargetsPauseEndsWhenNoSourceHoldsMessagesForItAnyMore() {
        var s = RelaySchedule()
        s.failed(.target("@province"), error: "no province tenant", now: t0)
        s.holding(city, waitingFor: ["@province"])
        s.holding(other, waitingFor: ["@province"])
        s.holding(province, waitingFor: [])           // a source that holds nothing for it
        s.holding(other, waitingFor: [])              // its messages were set aside
        #expect(s.pauses[.target("@province")] != nil, "zhengzhou's still wait")
        // Its last holder archived: nothing waits behind the pause any more.
        s.forget(city)
        #expect(s.pauses.isEmpty)
        // One of two holders archived: the other's messages still wait behind it.
        s.failed(.target("@province"), error: "no province tenant", now: t0)
        s.holding(city, waitingFor: ["@province"])
        s.holding(other, waitingFor: ["@province"])
        s.forget(city)
        #expect(s.pauses[.target("@province")] != nil)
        s.holding(other, waitingFor: [])
        #expect(s.pauses.isEmpty)
        // A pass that failed on a target and then lost its outbox (archived) never said what it
        // held: the archive ends that pause too.
        s.failed(.target("@province"), error: "no province tenant", now: t0)
        s.forget(city)
        #expect(s.pauses.isEmpty)
        // A pause whose messages went another way (set aside) ends with the pass that saw it.
        s.failed(.target("kaifeng"), error: "database is locked", now: t0)
        s.holding(province, waitingFor: ["kaifeng"])
        s.holding(province, waitingFor: [])
        #expect(s.pauses.isEmpty)
    }
}
