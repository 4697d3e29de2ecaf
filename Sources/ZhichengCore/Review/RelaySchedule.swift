/// When the cross-tenant relay delivers which tenant's outbox: plain rules, no clock
/// and no I/O of its own (the caller passes `now`).
///
/// - **Kicks merge.** A tenant kicked again while it already waits is delivered once.
/// - **A failing target pauses, alone.** When delivery to a target fails (the province
///   does not exist yet, a database is busy with a restore), that
///   target is left alone for a pause that doubles with each failure in a row, from
///   `firstPause` up to `maxPause`. Messages to other targets keep flowing, and the
///   relay neither spins nor sleeps on the failing one.
/// - **Nothing waits forever unseen.** A source whose messages waited on a paused
///   target is tried again when the pause ends (`retry`, `nextRetry`), and `resumeAll`
///   ends every pause at once (a tenant was created or restored); `forget` ends those of
///   a tenant archived.
public struct RelaySchedule: Sendable {
    public typealias Instant = ContinuousClock.Instant

    /// What a pause is about: a message target as the outbox names it (a tenant id
    /// or `@province`), or a source whose outbox could not be read.
    public enum Key: Hashable, Sendable, CustomStringConvertible {
        case target(String)
        case source(TenantID)

        public var description: String {
            switch self {
            case .target(let name): "to \(name)"
            case .source(let id): "from \(id)"
            }
        }
    }

    /// A pause in force: how many failures in a row, until when, and the last error.
    public struct Pause: Sendable, Equatable {
        public var failures: Int
        public var until: Instant
        public var error: String

        /// Whether this failure is worth a warning in the log: the 1st, 2nd, 4th, 8th …
        /// in a row. A target that stays unreachable (no province tenant for months) would otherwise
        /// log once a minute forever; `status` and `/metrics` always show it.
        public var worthLogging: Bool { failures & (failures - 1) == 0 }
    }

    public let firstPause: Duration
    public let maxPause: Duration
    private var due: [TenantID] = []
    private var dueSet: Set<TenantID> = []
    private var retries: [TenantID: Instant] = [:]
    public private(set) var pauses: [Key: Pause] = [:]
    /// Per message target, the sources whose last pass left messages to it waiting: a
    /// target's pause is shown while one of them still holds some (`holding`, `forget`).
    private var holders: [String: Set<TenantID>] = [:]

    public init(firstPause: Duration = .seconds(1), maxPause: Duration = .seconds(60)) {
        precondition(firstPause > .zero && maxPause >= firstPause, "pauses must be positive and the longest at least the first")
        self.firstPause = firstPause
        self.maxPause = maxPause
    }

    /// `source` has something to deliver: deliver it once soon, however often it is kicked.
    public mutating func kick(_ source: TenantID) {
        if dueSet.insert(source).inserted { due.append(source) }
    }

    /// The next source to deliver, oldest kick first; retries whose time has come join
    /// the end of the line. Nil when nothing is due now.
    public mutating func next(now: Instant) -> TenantID? {
        for (source, at) in retries.sorted(by: { $0.value < $1.value }) where at <= now {
            retries[source] = nil
            kick(source)
        }
        guard !due.isEmpty else { return nil }
        let source = due.removeFirst()
        dueSet.remove(source)
        return source
    }

    /// Whether delivery to `key` should wait: the end of its pause, or nil to go ahead.
    public func paused(_ key: Key, now: Instant) -> Instant? {
        guard let pause = pauses[key], pause.until > now else { return nil }
        return pause.until
    }

    /// The message targets paused now, with the end of each pause.
    public func pausedTargets(now: Instant) -> [String: Instant] {
        var out: [String: Instant] = [:]
        for (key, pause) in pauses where pause.until > now {
            if case .target(let name) = key { out[name] = pause.until }
        }
        return out
    }

    /// Delivery to `key` failed: pauses it (1×, 2×, 4× … `firstPause`, at most
    /// `maxPause`) and returns the pause.
    @discardableResult
    public mutating func failed(_ key: Key, error: String, now: Instant) -> Pause {
        let failures = (pauses[key]?.failures ?? 0) + 1
        var pause = firstPause
        for _ in 1..<min(failures, 32) where pause < maxPause { pause = pause * 2 }
        let next = Pause(failures: failures, until: now + min(pause, maxPause), error: error)
        pauses[key] = next
        return next
    }

    /// Delivery to `key` worked: it is not paused any more.
    public mutating func succeeded(_ key: Key) { pauses[key] = nil }

    /// Try `source` again at `at` (the earliest time wins when asked twice).
    public mutating func retry(_ source: TenantID, at: Instant) {
        retries[source] = min(retries[source] ?? at, at)
    }

    /// When the relay must wake up for a retry if nobody kicks it before.
    public var nextRetry: Instant? { retries.values.min() }

    /// A pass of `source`'s outbox ended with messages to `targets` still waiting (a target
    /// paused, or failing now). A target's pause that no source holds messages for any more
    /// ends: the last of them were set aside, or left service with their source.
    public mutating func holding(_ source: TenantID, waitingFor targets: Set<String>) {
        for target in targets { holders[target, default: []].insert(source) }
        for (target, sources) in holders where sources.contains(source) && !targets.contains(target) {
            release(target, from: source)
        }
    }

    /// `tenant` left service (archived): its outbox is not delivered any more, so its own
    /// pause and retries end, a target's pause ends if only its messages were held by it,
    /// and so does a pause of messages to it, which the next pass sets aside instead
    /// (`status` and `zhicheng_relay_paused` would otherwise show, until a restart, a pause
    /// nothing can end). A pass of its outbox still running may hold a target again after
    /// this; its retry then finds the tenant gone and forgets it again (within `maxPause`).
    /// A target's pause that nobody holds ends too.
    public mutating func forget(_ tenant: TenantID) {
        pauses[.source(tenant)] = nil
        pauses[.target(tenant.rawValue)] = nil
        retries[tenant] = nil
        if dueSet.remove(tenant) != nil { due.removeAll { $0 == tenant } }
        for (target, sources) in holders where sources.contains(tenant) { release(target, from: tenant) }
        // A target paused by a pass that failed before it could say what it held (its outbox
        // gone with the archive): held by nobody now. (Another source's pass that paused it
        // and holds messages for it says so at its end, and is paused again if it fails again.)
        for case .target(let target) in pauses.keys where holders[target]?.isEmpty ?? true { pauses[.target(target)] = nil }
    }

    private mutating func release(_ target: String, from source: TenantID) {
        holders[target]?.remove(source)
        guard holders[target]?.isEmpty == true else { return }
        holders[target] = nil
        pauses[.target(target)] = nil
    }

    /// Ends every pause and makes every waiting retry due now: a tenant appeared or
    /// came back, so what failed before may work.
    public mutating func resumeAll(now: Instant) {
        for key in pauses.keys { pauses[key]?.until = now }
        for source in retries.keys { retries[source] = now }
    }
}
