import Synchronization
import ZhichengCore

/// Failed sign-ins with logins that have no account, counted in memory as a real account's
/// are in `sign_in_failures`, so that the answers do not tell which logins exist: the same
/// 401s, the same 429 at the same attempt, the same lock-out after it, also for attempts sent
/// at once (each is counted before its password check, as for an account). An applicant's
/// login is an ID-card number; that a person has an account in a city says they applied.
///
/// The count itself is kept here, not written (nothing in the database names a made-up login);
/// `AuthService` writes one counter row per attempt instead, the durable write an account's
/// count costs, so that timing does not tell either (at the rate the password checks admit,
/// as for accounts). Bounded: entries are keyed by a fixed-size digest of the login; past `capacity`
/// the ones not locked are dropped, and if all are locked, new ones go uncounted until some
/// lock ends.
final class UnknownLoginFailures: Sendable {
    /// A counted attempt, as `AuthService.Attempt` for an account.
    enum Attempt: Equatable {
        case locked(until: Double)
        /// `locks`: this attempt is the one that locks the login (its failure answers 429).
        case counted(locks: Bool)
    }

    private let entries = Mutex<[String: SignInLockOut.Count]>([:])
    let capacity: Int

    init(capacity: Int = 50_000) { self.capacity = capacity }

    /// Refuses an attempt while the login is locked, else counts it before the password check
    /// is made (a made-up login's check always fails).
    func attempt(_ key: String, now: Double, maxFailures: Int, lockSeconds: Double) -> Attempt {
        entries.withLock { entries in
            switch SignInLockOut.attempt(entries[key], now: now, maxFailures: maxFailures, lockSeconds: lockSeconds) {
            case .locked(let until):
                return .locked(until: until)
            case let .counted(_, locks, keep):
                if entries[key] == nil, entries.count >= capacity {
                    entries = entries.filter { ($0.value.lockedUntil ?? 0) > now }
                    guard entries.count < capacity else { return .counted(locks: false) }
                }
                entries[key] = keep
                return .counted(locks: locks)
            }
        }
    }

    var count: Int { entries.withLock { $0.count } }
}
