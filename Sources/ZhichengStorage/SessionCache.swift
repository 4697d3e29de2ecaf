import Synchronization

/// Sessions recently checked, with the account behind each, by token hash: lets a
/// request be authenticated without a database read.
///
/// Correctness rests on one rule: a `Database` empties the cache after every commit
/// of its writer that changed a row of `accounts`, `sessions` or `orgs` (see
/// `ChangeWatch`), before it answers the writes of that commit. So once a sign-out,
/// password change, role, permission or enabled-flag change, deletion or approval is
/// acknowledged, the next request reads the database again. A read fills the cache
/// only if no such commit happened since before it started (the generation check),
/// so a slow read can never store what a newer commit has already changed.
/// Only sessions that were found are cached: unknown tokens cannot grow it.
public final class SessionCache: Sendable {
    /// What the session check needs: the session's CSRF token and expiry, and the
    /// (not deleted) account it belongs to, without its password hash.
    public struct Entry: Sendable {
        public var account: AccountRecord
        public var csrfToken: String
        public var expiresAt: Double

        public init(account: AccountRecord, csrfToken: String, expiresAt: Double) {
            var account = account
            account.passwordHash = ""
            self.account = account
            self.csrfToken = csrfToken
            self.expiresAt = expiresAt
        }
    }

    private struct State: ~Copyable {
        var entries: [String: Entry] = [:]
        var generation: UInt64 = 0
    }

    private let state = Mutex(State())
    /// False for a database opened without session tables: nothing would empty the
    /// cache, so nothing is stored.
    private let enabled: Bool
    /// More sessions than this at once and the cache starts over (a bound, not an LRU:
    /// a tenant rarely has this many sessions in use).
    static let capacity = 4096

    init(enabled: Bool) {
        self.enabled = enabled
    }

    /// Changes whenever the cache is emptied; take it before reading the database.
    public var generation: UInt64 { state.withLock { $0.generation } }

    public func entry(forTokenHash hash: String) -> Entry? {
        state.withLock { $0.entries[hash] }
    }

    /// Stores what a read that started at `generation` found, unless the cache was
    /// emptied since.
    public func store(_ entry: Entry, forTokenHash hash: String, ifGeneration generation: UInt64) {
        guard enabled else { return }
        state.withLock { state in
            guard state.generation == generation else { return }
            if state.entries.count >= Self.capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[hash] = entry
        }
    }

    /// Forgets every entry (after a commit that changed sessions or accounts).
    func invalidateAll() {
        state.withLock { state in
            state.generation &+= 1
            state.entries.removeAll(keepingCapacity: true)
        }
    }

    var count: Int { state.withLock { $0.entries.count } }
}
