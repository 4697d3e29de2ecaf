/// Which sign-in count an attempt counts in (as "smart lockout" does): an account's familiar
/// sources — addresses it has signed in from with its right password within `window`, the
/// `limit` most recent of them — each have a count and lock-out of their own for that account;
/// every other address shares the account's one count. `SignInLockOut` is the rule of each count.
///
/// So whoever guesses a password from addresses the account has not signed in from gets
/// `maxFailures` checks per lock-out between all of them, as when the count was the account's
/// alone, and cannot lock the account's holder out at an address they have signed in from
/// before; wrong passwords from such an address lock that address, for that account, alone.
/// Someone who guesses from a familiar address once signed in there with the password.
public enum FamiliarSources {
    /// A familiar source of an account: the address and its latest sign-in.
    public struct Entry: Equatable, Sendable {
        public var source: String
        public var signedInAt: Double
        public init(source: String, signedInAt: Double) {
            self.source = source
            self.signedInAt = signedInAt
        }
    }

    /// Whose count an attempt counts in.
    public enum Count: Hashable, Sendable {
        /// The account's own, shared by every address that is not familiar.
        case shared
        /// That of this familiar address.
        case familiar(String)
    }

    /// How long after its latest sign-in an address stays familiar.
    public static let window: Double = 90 * 24 * 3600
    /// How many addresses an account keeps familiar: the ones signed in from most recently.
    public static let limit = 20

    /// Whether `source` names one client's address. A request without one is recorded as
    /// `unknown` (a connection over a Unix socket: every client of a proxy there looks alike), and
    /// such a source is never familiar: its attempts count in the account's shared count.
    public static func isAddress(_ source: String) -> Bool {
        !source.isEmpty && source != "unknown"
    }

    /// The familiar sources among `entries` at `now`: those signed in from within `window`, the
    /// most recent first, at most `limit`.
    public static func current(_ entries: [Entry], now: Double, window: Double = window, limit: Int = limit) -> [Entry] {
        Array(entries.filter { isAddress($0.source) && $0.signedInAt > now - window }
            .sorted { $0.signedInAt != $1.signedInAt ? $0.signedInAt > $1.signedInAt : $0.source < $1.source }
            .prefix(max(limit, 0)))
    }

    /// The count an attempt from `source` at `now` counts in, the account's familiar sources
    /// being `entries` (as stored: some may have passed).
    public static func count(for source: String, familiar entries: [Entry], now: Double, window: Double = window, limit: Int = limit) -> Count {
        current(entries, now: now, window: window, limit: limit).contains { $0.source == source } ? .familiar(source) : .shared
    }

    /// The account's familiar sources once it has signed in from `source` at `now` (a session
    /// opened): `source` first (unless it names no address), then the others still familiar;
    /// `forgotten` lists the stored ones no longer kept (passed, or past `limit`).
    public static func afterSignIn(from source: String, familiar entries: [Entry], now: Double,
                                   window: Double = window, limit: Int = limit) -> (kept: [Entry], forgotten: [String]) {
        var all = entries.filter { $0.source != source }
        if isAddress(source) { all.append(Entry(source: source, signedInAt: now)) }
        let kept = current(all, now: now, window: window, limit: limit)
        let keptSources = Set(kept.map(\.source))
        return (kept, entries.map(\.source).filter { !keptSources.contains($0) })
    }
}
