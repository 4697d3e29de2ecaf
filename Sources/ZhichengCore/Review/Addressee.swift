/// Whether a cross-tenant message written to a city can still reach the city it was
/// written to: plain rules, the caller passes the times (seconds since 1970, as the
/// outbox's `created_at` and the registry store them).
///
/// A tenant id can outlive its tenant: a city is archived, and later a new city may be
/// created with the same id. A message belongs to the tenant that had the id when the
/// message was written. Once that tenant is archived, the message has nowhere to go:
/// the relay sets it aside (kept in the outbox with the reason, written to the audit
/// log) instead of retrying it forever, and a new city of the same id never receives
/// the old one's notices.
public enum Addressee: Equatable, Sendable {
    /// The tenant the message was written to is in service: deliver.
    case inService
    /// The tenant the message was written to was archived at this time: set it aside.
    case archived(at: Double)
    /// No tenant has the id and none was ever archived under it: wait and retry.
    case unknown

    /// - Parameters:
    ///   - writtenAt: when the message was written (the outbox's `created_at`).
    ///   - inServiceSince: when the tenant now registered under the id was created, nil if none is.
    ///   - lastArchivedAt: when a tenant of that id was last archived, nil if never.
    public static func of(writtenAt: Double, inServiceSince: Double?, lastArchivedAt: Double?) -> Addressee {
        switch (inServiceSince, lastArchivedAt) {
        case (nil, nil):
            return .unknown
        case (nil, let archived?):
            return .archived(at: archived)
        case (let since?, let archived?) where writtenAt < since:
            // Written before the tenant now in service existed: to the one archived before it.
            return .archived(at: archived)
        case (_?, _):
            return .inService
        }
    }
}
