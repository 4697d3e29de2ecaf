import Synchronization

/// Yes-or-no facts the services learned about one open database, by name, kept while it stays
/// open: what a read would otherwise find out again on every request (e.g. whether any row of
/// some kind exists, where no index tells it cheaply). A database opened again (a restore, an
/// archive and a create, an idle close) starts with none, and each is found out again.
///
/// A fact is found by a read and `settle`d; a write that makes it true `note`s it inside its
/// transaction, before its commit. A read whose snapshot predates that commit may have found
/// it false: `settle` keeps what a write noted, so the fact never goes back to false while the
/// database is open (a write that noted it and then rolled back leaves it true: a fact may say
/// "maybe", never "no" when the answer is yes). Changes made by another process are not seen.
public final class OpenFacts: Sendable {
    private let known = Mutex<[String: Bool]>([:])

    public init() {}

    /// What is known of `fact`; nil until a read settled it or a write noted it.
    public func value(of fact: String) -> Bool? {
        known.withLock { $0[fact] }
    }

    /// Records what a read found of `fact`, unless something is known of it already (a write
    /// noted it meanwhile): what is known now.
    @discardableResult
    public func settle(_ fact: String, as found: Bool) -> Bool {
        known.withLock { facts in
            if let held = facts[fact] { return held }
            facts[fact] = found
            return found
        }
    }

    /// Records that a write (not yet committed) made `fact` true.
    public func note(_ fact: String) {
        known.withLock { $0[fact] = true }
    }
}
