import Testing
import ZhichengCore

/// Which count a sign-in attempt counts in (`FamiliarSources`): an address the account signed in
/// from within the window, one of its `limit` most recent, has its own; any other shares the
/// account's.
@Suite("Familiar sign-in sources")
struct FamiliarSourcesTests {
    typealias F = FamiliarSources
    static let day = 24 * 3600.0
    static let now = 1_000 * day

    @Test func onlyAnAddressSignedInFromWithinTheWindowHasACountOfItsOwn() {
        let familiar = [F.Entry(source: "192.0.2.10", signedInAt: Self.now - 89 * Self.day),
                        F.Entry(source: "2001:db8::1", signedInAt: Self.now - Self.day),
                        F.Entry(source: "198.51.100.7", signedInAt: Self.now - F.window - 1)]
        #expect(F.count(for: "192.0.2.10", familiar: familiar, now: Self.now) == .familiar("192.0.2.10"))
        #expect(F.count(for: "2001:db8::1", familiar: familiar, now: Self.now) == .familiar("2001:db8::1"))
        #expect(F.count(for: "198.51.100.7", familiar: familiar, now: Self.now) == .shared, "signed in from longer ago than the window")
        #expect(F.count(for: "203.0.113.5", familiar: familiar, now: Self.now) == .shared, "never signed in from")
        #expect(F.count(for: "203.0.113.5", familiar: [], now: Self.now) == .shared)
        // Exactly as recorded: another address of the same network is another source.
        #expect(F.count(for: "192.0.2.11", familiar: familiar, now: Self.now) == .shared)
        // The window ends exactly `window` after the sign-in.
        let edge = [F.Entry(source: "192.0.2.10", signedInAt: Self.now - F.window)]
        #expect(F.count(for: "192.0.2.10", familiar: edge, now: Self.now) == .shared)
        #expect(F.count(for: "192.0.2.10", familiar: edge, now: Self.now - 1) == .familiar("192.0.2.10"))
    }

    @Test func aSourceThatNamesNoAddressIsNeverFamiliar() {
        // Every client of a proxy over a Unix socket is `unknown`: one of them signing in must not
        // give all the others a count apart from the account's.
        #expect(!F.isAddress("unknown") && !F.isAddress("") && F.isAddress("127.0.0.1") && F.isAddress("::1"))
        let stored = [F.Entry(source: "unknown", signedInAt: Self.now - 1)]
        #expect(F.count(for: "unknown", familiar: stored, now: Self.now) == .shared)
        let after = F.afterSignIn(from: "unknown", familiar: [], now: Self.now)
        #expect(after.kept.isEmpty && after.forgotten.isEmpty)
    }

    @Test func onlyTheMostRecentLimitAreFamiliar() {
        // limit + 2 addresses, the first signed in from longest ago.
        let entries = (0..<(F.limit + 2)).map { F.Entry(source: "192.0.2.\($0)", signedInAt: Self.now - Self.day + Double($0)) }
        #expect(F.current(entries, now: Self.now).count == F.limit)
        #expect(F.count(for: "192.0.2.0", familiar: entries, now: Self.now) == .shared, "the oldest two are past the limit")
        #expect(F.count(for: "192.0.2.1", familiar: entries, now: Self.now) == .shared)
        #expect(F.count(for: "192.0.2.2", familiar: entries, now: Self.now) == .familiar("192.0.2.2"))
        #expect(F.count(for: "192.0.2.\(F.limit + 1)", familiar: entries, now: Self.now) == .familiar("192.0.2.\(F.limit + 1)"))
        #expect(F.current(entries, now: Self.now).first?.source == "192.0.2.\(F.limit + 1)", "most recent first")
    }

    @Test func aSignInMakesItsSourceFamiliarAndForgetsWhatPassedOrFellOff() {
        let old = F.Entry(source: "198.51.100.7", signedInAt: Self.now - F.window - 1)
        let recent = F.Entry(source: "192.0.2.10", signedInAt: Self.now - Self.day)
        // A new address: kept first; the one that passed the window is forgotten.
        var after = F.afterSignIn(from: "203.0.113.5", familiar: [old, recent], now: Self.now)
        #expect(after.kept == [F.Entry(source: "203.0.113.5", signedInAt: Self.now), recent])
        #expect(after.forgotten == ["198.51.100.7"])
        // An address familiar already: its time is now, nothing else moves.
        after = F.afterSignIn(from: "192.0.2.10", familiar: [recent], now: Self.now)
        #expect(after.kept == [F.Entry(source: "192.0.2.10", signedInAt: Self.now)] && after.forgotten.isEmpty)
        // An address that had passed the window is familiar again once signed in from.
        after = F.afterSignIn(from: "198.51.100.7", familiar: [old], now: Self.now)
        #expect(after.kept == [F.Entry(source: "198.51.100.7", signedInAt: Self.now)] && after.forgotten.isEmpty)
        // At the limit, the least recent falls off.
        let full = (0..<F.limit).map { F.Entry(source: "192.0.2.\($0)", signedInAt: Self.now - Self.day + Double($0)) }
        after = F.afterSignIn(from: "203.0.113.5", familiar: full, now: Self.now)
        #expect(after.kept.count == F.limit && after.kept.first?.source == "203.0.113.5")
        #expect(after.forgotten == ["192.0.2.0"])
        #expect(F.count(for: "192.0.2.0", familiar: after.kept, now: Self.now) == .shared)
    }

    /// What the two counts give together: wrong passwords from addresses the account never signed
    /// in from lock them all after `maxFailures` between them, and leave a familiar address free.
    @Test func guessesFromElsewhereLockTheSharedCountAlone() {
        let familiar = [F.Entry(source: "127.0.0.1", signedInAt: Self.now - Self.day)]
        var counts: [F.Count: SignInLockOut.Count] = [:]
        func attempt(_ source: String, at now: Double) -> SignInLockOut.Attempt {
            let whose = F.count(for: source, familiar: familiar, now: now)
            let result = SignInLockOut.attempt(counts[whose], now: now, maxFailures: 5, lockSeconds: 900)
            if case let .counted(_, _, keep) = result { counts[whose] = keep }
            return result
        }
        // Five attackers' addresses, one guess each: the fifth locks them all, and any new one.
        for n in 1...5 {
            guard case let .counted(failures, locks, _) = attempt("203.0.113.\(n)", at: Self.now + Double(n)) else {
                Issue.record("guess \(n) refused"); return
            }
            #expect(failures == n && locks == (n == 5))
        }
        #expect(attempt("203.0.113.1", at: Self.now + 6) == .locked(until: Self.now + 5 + 900))
        #expect(attempt("198.51.100.99", at: Self.now + 6) == .locked(until: Self.now + 5 + 900), "a never-used address shares the lock")
        // The familiar address is counted apart: not locked, and five wrong there lock it alone.
        #expect(attempt("127.0.0.1", at: Self.now + 7) == .counted(failures: 1, locks: false, keep: .init(failures: 1, lockedUntil: nil)))
        for n in 2...5 { _ = attempt("127.0.0.1", at: Self.now + 6 + Double(n)) }
        #expect(attempt("127.0.0.1", at: Self.now + 12) == .locked(until: Self.now + 11 + 900))
    }
}
