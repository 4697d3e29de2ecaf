/// The lock-out of a login after failed password checks (SPEC §5), one rule for the places
/// that keep a count: an account's shared row (`sign_in_failures`), the row of each of its
/// familiar sources (`sign_in_sources`; which count an attempt counts in: `FamiliarSources`),
/// and a made-up login's entry in memory (`UnknownLoginFailures`), so that the answers cannot
/// tell a made-up login from a real one.
///
/// An attempt is refused while the login is locked; otherwise it is counted before its check
/// is made (attempts sent at once each take a place), and the one that reaches `maxFailures`
/// locks the login for `lockSeconds`, the count starting from zero once the lock has passed.
public enum SignInLockOut {
    /// What is kept of a login between attempts.
    public struct Count: Equatable, Sendable {
        public var failures: Int
        public var lockedUntil: Double?
        public init(failures: Int, lockedUntil: Double?) {
            self.failures = failures
            self.lockedUntil = lockedUntil
        }
    }

    public enum Attempt: Equatable, Sendable {
        case locked(until: Double)
        /// `failures`: this attempt's place in the run (said when it locks); `locks`: it is the
        /// attempt that locks the login; `keep`: the count to store in its place.
        case counted(failures: Int, locks: Bool, keep: Count)
    }

    /// The answer (429) to an attempt refused while its count is locked for `secondsLeft` more,
    /// and to the attempt that locks it (`secondsLeft`: the whole lock). One wording for every
    /// count, as true of each: the attempt, and those counted with it, wait; the account is not
    /// said to be locked, for it may not be (the shared count's lock leaves the holder's
    /// familiar addresses open, a familiar address's own lock every other address), and which
    /// count it was must not tell whether the login exists or where its holder signs in.
    public static func refusal(secondsLeft: Double) -> ZhichengError {
        ZhichengError(.tooManyRequests, "登录失败次数过多，请在\(minutes(secondsLeft))分钟后再试")
    }

    /// `seconds` in whole minutes, rounded up (a lock never ends sooner than said), at least 1.
    static func minutes(_ seconds: Double) -> Int {
        let minutes = (seconds / 60).rounded(.up)
        guard minutes.isFinite else { return 1 }
        return Int(min(max(minutes, 1), 1_000_000))
    }

    public static func attempt(_ count: Count?, now: Double, maxFailures: Int, lockSeconds: Double) -> Attempt {
        if let until = count?.lockedUntil, until > now { return .locked(until: until) }
        // A lock that has passed left the count at zero (set when it locked).
        let failures = (count?.lockedUntil == nil ? count?.failures ?? 0 : 0) + 1
        let locks = failures >= maxFailures
        return .counted(failures: failures, locks: locks,
                        keep: locks ? Count(failures: 0, lockedUntil: now + lockSeconds) : Count(failures: failures, lockedUntil: nil))
    }
}
