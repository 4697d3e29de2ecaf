import Synchronization

/// Failed sign-ins with logins that have no account, counted in memory as a real account's
/// are in `sign_in_failures`, so that the answers do not tell which logins exist: the same
/// 401s, the same 429 at the same attempt, the same lock-out after it. An applicant's login
/// is an ID-card number; that a person has an account in a city says they applied for a title.
///
/// Nothing is written for an unknown login (a flood of made-up logins must not become a flood
/// of writes). Bounded: past `capacity` logins the ones no longer locked are dropped, and if
/// all are locked, new ones go uncounted until some lock ends.
final class UnknownLoginFailures: Sendable {
    private struct Entry {
        var failures: Int
        var lockedUntil: Double?
    }

    private let entries = Mutex<[String: Entry]>([:])
    let capacity: Int

    init(capacity: Int = 50_000) { self.capacity = capacity }

    /// When the login is locked now, the end of its lock.
    func lockedUntil(_ key: String, now: Double) -> Double? {
        entries.withLock { entries in
            guard let until = entries[key]?.lockedUntil else { return nil }
            if until > now { return until }
            entries[key] = nil   // the lock has passed: the next run counts from zero
            return nil
        }
    }

    /// Counts one failed check; true when it is the one that locks the login (as for an account).
    func fail(_ key: String, now: Double, maxFailures: Int, lockSeconds: Double) -> Bool {
        entries.withLock { entries in
            if entries[key] == nil, entries.count >= capacity {
                entries = entries.filter { ($0.value.lockedUntil ?? 0) > now }
                guard entries.count < capacity else { return false }
            }
            var entry = entries[key] ?? Entry(failures: 0, lockedUntil: nil)
            entry.failures += 1
            let lock = entry.failures >= maxFailures
            entry = lock ? Entry(failures: 0, lockedUntil: now + lockSeconds) : entry
            entries[key] = entry
            return lock
        }
    }
}
