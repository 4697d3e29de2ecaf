import Synchronization

/// When each session was last used, kept in memory: the idle rule (`auth.session_idle_seconds`)
/// checks it on every request without a database write. A session is known from its first use
/// after a start, so a restart gives every session a fresh idle period (documented); nothing is
/// forgotten before its session has surely expired, so the rule cannot be slipped by waiting for
/// an entry to be dropped.
final class SessionActivity: Sendable {
    private let seen = Mutex<[String: Double]>([:])
    /// Sessions tracked at most; beyond, new ones go untracked (said once by the caller's log).
    let capacity: Int

    init(capacity: Int = 200_000) { self.capacity = capacity }

    enum Use: Equatable {
        case fresh
        /// Unused for longer than the idle period: forgotten, and to be ended.
        case idle
        /// Not tracked: the table is full of sessions that may still be alive.
        case untracked
    }

    /// Records a use of `key` at `now`. `lifetime` (a session's absolute lifetime) bounds what
    /// can be dropped to make room.
    func use(_ key: String, now: Double, idle: Double, lifetime: Double) -> Use {
        seen.withLock { seen in
            if let last = seen[key] {
                if now - last > idle {
                    seen[key] = nil
                    return .idle
                }
                seen[key] = now
                return .fresh
            }
            if seen.count >= capacity {
                seen = seen.filter { now - $0.value <= lifetime }
                guard seen.count < capacity else { return .untracked }
            }
            seen[key] = now
            return .fresh
        }
    }

    func forget(_ key: String) {
        _ = seen.withLock { $0.removeValue(forKey: key) }
    }
}
