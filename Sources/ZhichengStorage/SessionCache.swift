import Synchronization

/// Sessions recently checked, with the account behind each, by token hash: lets a
/// request be authenticated without a database read.
///
/// An entry is dropped (the whole cache is, in fact) before it can disagree with the
/// database:
/// - A commit of the daemon's own writer that changed a row of `accounts`, `sessions`
///   or `orgs` (seen by `ChangeWatch`) empties the cache before any write of that
///   commit is answered: once a sign-out, a password change, a role, permission or
///   enabled-flag change, a deletion or an approval is acknowledged, the next request
///   reads the database again.
/// - A commit by anyone else (another process writing the file) is noticed through
///   the wal-index transaction counter (`WALChangeCounter`), which every lookup
///   compares with the count of the writer's own commits.
/// A read fills the cache only if it was not emptied since before the read started
/// (the generation check), so a slow read never stores what a newer commit changed.
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
        /// The wal-index counter as the writer's own commits left it.
        var expectedChange: UInt32 = 0
        /// Set while the writer holds a write transaction: its commit may already have
        /// moved the counter by one before `endWrite` accounts for it.
        var writeStartedAt: UInt32?
        /// The database was closed: its wal-index may be truncated by the next opener.
        var closed = false

        mutating func invalidateAll() {
            generation &+= 1
            entries.removeAll(keepingCapacity: true)
        }
    }

    private let state = Mutex(State())
    /// Nil for a database opened without session tables, or whose wal-index could not
    /// be mapped: then nothing is ever stored.
    private let counter: WALChangeCounter?
    /// More sessions than this at once and the cache starts over (a bound, not an LRU:
    /// a tenant rarely has this many sessions in use).
    static let capacity = 4096

    init(counter: WALChangeCounter?) {
        self.counter = counter
        if let counter { state.withLock { $0.expectedChange = counter.value } }
    }

    /// Changes whenever the cache is emptied; take it before reading the database.
    public var generation: UInt64 {
        state.withLock { state in
            noticeOtherCommits(&state)
            return state.generation
        }
    }

    /// The cached session of a token (by its SHA-256 hex), if the database has not
    /// changed in a way that could affect it since it was read.
    public func entry(forTokenHash hash: String) -> Entry? {
        state.withLock { state in
            noticeOtherCommits(&state)
            return state.entries[hash]
        }
    }

    /// Stores what a read that started at `generation` found, unless the cache was
    /// emptied since.
    public func store(_ entry: Entry, forTokenHash hash: String, ifGeneration generation: UInt64) {
        guard counter != nil else { return }
        state.withLock { state in
            noticeOtherCommits(&state)
            guard state.generation == generation, !state.closed else { return }
            if state.entries.count >= Self.capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[hash] = entry
        }
    }

    /// Empties the cache if the counter moved in a way the writer's commits do not explain.
    private func noticeOtherCommits(_ state: inout State) {
        guard let counter, !state.closed else { return }
        let now = counter.value
        if now == state.expectedChange { return }
        if let start = state.writeStartedAt, now == start &+ 1 { return }  // the writer's commit, not yet accounted for
        state.invalidateAll()
        state.expectedChange = now
    }

    // MARK: The writer's side (on its queue)

    /// After `BEGIN IMMEDIATE`: nobody else can commit until this transaction ends.
    func beginWrite() {
        guard let counter else { return }
        state.withLock { state in
            guard !state.closed else { return }
            noticeOtherCommits(&state)
            state.writeStartedAt = counter.value
            state.expectedChange = counter.value
        }
    }

    /// After `COMMIT` or `ROLLBACK`, before anyone is answered. `wrote` says whether
    /// the commit wrote anything (then it moved the counter by exactly one);
    /// `sessionTablesChanged` whether it changed a row the cache depends on.
    func endWrite(wrote: Bool, sessionTablesChanged: Bool) {
        state.withLock { state in
            guard let counter, let start = state.writeStartedAt, !state.closed else {
                if sessionTablesChanged { state.invalidateAll() }
                return
            }
            state.writeStartedAt = nil
            let now = counter.value
            // Anything but our own step (another process committed right after us) or
            // a change of the session tables empties the cache.
            if sessionTablesChanged || now != start &+ (wrote ? 1 : 0) { state.invalidateAll() }
            state.expectedChange = now
        }
    }

    /// Forgets every entry (after a write outside `beginWrite`/`endWrite` that changed
    /// a session table).
    func invalidateAll() {
        state.withLock { $0.invalidateAll() }
    }

    /// Before the database closes: nothing is looked up, stored or counted afterwards.
    func close() {
        state.withLock { state in
            state.invalidateAll()
            state.closed = true
        }
    }

    var count: Int { state.withLock { $0.entries.count } }
}
