import Foundation
import Logging
import ZhichengCore
import ZhichengStorage

/// Moves messages between tenants exactly once in effect: a message is written
/// to the sender's `outbox` in the same transaction as the change that causes it;
/// the relay inserts it into the receiver's `inbox` (keyed by message id, so a
/// repeat does nothing) together with its effect, in one receiver transaction,
/// and only then marks it delivered at the sender. A crash anywhere repeats at
/// most the delivery, which the inbox makes harmless.
///
/// Kinds: `application.forward` (a city's top level passed a 副高级/正高级
/// application: the province receives it), and back to the city
/// `application.received` (acknowledgement), `application.interview` (the
/// committee's notice) and `application.result` (the final result after 公示).
public actor CrossTenantRelay {
    let store: TenantStore
    let logger: Logger
    private nonisolated let continuation: AsyncStream<TenantID>.Continuation
    private let stream: AsyncStream<TenantID>
    /// Sentinel target meaning "the province tenant, whichever id it has".
    public static let provinceTarget = "@province"

    public init(store: TenantStore, logger: Logger) {
        self.store = store
        self.logger = logger
        (stream, continuation) = AsyncStream.makeStream(of: TenantID.self, bufferingPolicy: .unbounded)
    }

    /// Asks for `tenant`'s outbox to be delivered soon.
    public nonisolated func kick(_ tenant: TenantID) { continuation.yield(tenant) }

    private func yield(_ tenant: TenantID) { continuation.yield(tenant) }

    /// Delivers whatever start-up finds pending, then serves kicks until cancelled.
    public func run() async {
        for info in (try? await store.registry.all()) ?? [] where ((try? await store.pendingOutbox(info.id)) ?? 0) > 0 {
            yield(info.id)
        }
        for await tenant in stream {
            do {
                try await deliverAll(from: tenant)
            } catch {
                logger.warning("relay could not deliver; will retry", metadata: ["tenant.id": "\(tenant)", "error": "\(error)"])
                try? await Task.sleep(for: .seconds(2))
                if Task.isCancelled { return }
                yield(tenant)
            }
        }
    }

    /// Ends `run()` after the delivery in progress.
    public nonisolated func stop() { continuation.finish() }

    struct Message: Sendable {
        var id: Int
        var messageID: String
        var target: String
        var kind: String
        var payload: String
    }

    /// Delivers every pending message of `source`, oldest first.
    public func deliverAll(from source: TenantID) async throws {
        let messages = try await store.withTenant(source) { db in
            try await db.read { conn in
                try conn.query("SELECT id, message_id, target, kind, payload FROM outbox WHERE delivered_at IS NULL ORDER BY id LIMIT 200").map {
                    Message(id: $0["id"].int ?? 0, messageID: $0["message_id"].string ?? "", target: $0["target"].string ?? "",
                            kind: $0["kind"].string ?? "", payload: $0["payload"].string ?? "{}")
                }
            }
        }
        for message in messages {
            let target = try await resolve(message.target)
            FaultInjection.point("relay.before-deliver.\(message.kind)")
            let enqueued = try await store.withTenant(target) { db in
                try await db.write { conn -> Bool in
                    guard try conn.scalar("SELECT count(*) FROM inbox WHERE message_id = ?", [message.messageID])?.int == 0 else { return false }
                    try conn.run("INSERT INTO inbox (message_id, source_tenant, kind, payload, received_at) VALUES (?, ?, ?, ?, ?)",
                                 [message.messageID, source.rawValue, message.kind, message.payload, Date().timeIntervalSince1970])
                    return try Self.apply(message, from: source, in: target, conn)
                }
            }
            FaultInjection.point("relay.after-deliver.\(message.kind)")
            _ = try await store.withTenant(source) { db in
                try await db.write { conn in try conn.run("UPDATE outbox SET delivered_at = ? WHERE id = ?", [Date().timeIntervalSince1970, message.id]) }
            }
            FaultInjection.point("relay.after-mark.\(message.kind)")
            logger.info("relayed", metadata: ["message.id": "\(message.messageID)", "from": "\(source)", "to": "\(target)"])
            if enqueued { yield(target) }
        }
        if messages.count == 200 { yield(source) }
    }

    private func resolve(_ target: String) async throws -> TenantID {
        if target == Self.provinceTarget {
            guard let province = try await store.registry.all().first(where: { $0.kind == .province }) else {
                throw ZhichengError.unavailable("no province tenant exists yet; the message waits in the outbox")
            }
            return province.id
        }
        return try TenantID(target)
    }

    /// The receiving side's effect of a message; returns whether it queued a reply.
    static func apply(_ message: Message, from source: TenantID, in target: TenantID, _ conn: SQLiteConnection) throws -> Bool {
        let payload = try JSONSerialization.jsonObject(with: Data(message.payload.utf8)) as? [String: Any] ?? [:]
        let now = Date().timeIntervalSince1970
        switch message.kind {
        case "application.forward":
            let sourceID = payload["source_application_id"] as? Int ?? 0
            let kind = ApplicationKind(rawValue: payload["kind"] as? String ?? "title") ?? .title
            // An expert application is reviewed by the province office itself
            // (经办人 then 负责人) before it enters the expert database.
            var chain: String?
            if kind == .expert {
                guard let root = try conn.rootOrg() else { throw ZhichengError.internal("the province tenant has no office") }
                var review = try ReviewChain(route: [root.id], endsInProvince: false)
                _ = try review.submit()
                chain = try ApplicationService.encode(review)
            }
            try conn.run("""
                INSERT INTO received_applications (source_tenant, source_application_id, message_id, applicant_name, id_number, unit_name,
                    year, series, level, title, sections, trail, received_at, kind, specialty, chain) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                ON CONFLICT (source_tenant, source_application_id) DO UPDATE SET
                    message_id = excluded.message_id, sections = excluded.sections, trail = excluded.trail, state = 'received', received_at = excluded.received_at,
                    chain = excluded.chain, version = version + 1
                """, [source.rawValue, sourceID, message.messageID, payload["applicant_name"] as? String ?? "", payload["id_number"] as? String ?? "",
                      payload["unit_name"] as? String ?? "", payload["year"] as? Int ?? 0, payload["series"] as? String ?? "",
                      payload["level"] as? String ?? "", payload["title"] as? String ?? "", payload["sections"] as? String ?? "{}",
                      payload["trail"] as? String ?? "[]", now, kind.rawValue, payload["specialty"] as? String, chain])
            let receivedID = try conn.scalar("SELECT id FROM received_applications WHERE source_tenant = ? AND source_application_id = ?", [source.rawValue, sourceID])?.int ?? 0
            let ack = #"{"source_application_id":\#(sourceID),"province_application_id":\#(receivedID)}"#
            try conn.run("INSERT INTO outbox (message_id, target, kind, payload, created_at) VALUES (?, ?, 'application.received', ?, ?)",
                         ["\(target):application.received:\(message.messageID)", source.rawValue, ack, now])
            try conn.appendAudit(AuditEntry(actor: "relay", orgID: try conn.rootOrg()?.id, action: "application.receive",
                                            target: "received_application:\(receivedID)", detail: #"{"from":"\#(source)","source_application_id":\#(sourceID)}"#,
                                            source: "tenant:\(source)"))
            return true
        case "application.received":
            let id = payload["source_application_id"] as? Int ?? 0
            try conn.run("UPDATE applications SET forwarded_at = ?, version = version + 1, updated_at = ? WHERE id = ?", [now, now, id])
            try conn.appendAudit(AuditEntry(actor: "relay", orgID: try conn.rootOrg()?.id, action: "application.forwarded",
                                            target: "application:\(id)", detail: #"{"province":"\#(source)"}"#, source: "tenant:\(source)"))
            return false
        case "application.interview":
            let id = payload["source_application_id"] as? Int ?? 0
            try conn.run("UPDATE applications SET committee_name = ?, interview = ?, version = version + 1, updated_at = ? WHERE id = ?",
                         [payload["committee"] as? String ?? "", payload["interview"] as? String ?? "", now, id])
            try conn.appendAudit(AuditEntry(actor: "relay", orgID: try conn.rootOrg()?.id, action: "application.interview",
                                            target: "application:\(id)", detail: #"{"province":"\#(source)"}"#, source: "tenant:\(source)"))
            return false
        case "application.result":
            let id = payload["source_application_id"] as? Int ?? 0
            let result = payload["result"] as? String ?? ""
            guard let text = try conn.scalar("SELECT chain FROM applications WHERE id = ?", [id])?.string else { return false }
            var chain = try ApplicationService.decode(text)
            try chain.finalize(passed: result == "通过")
            try ApplicationService.store(chain, id: id, conn, extra: "result = ?", extraArgs: [result])
            try conn.appendAudit(AuditEntry(actor: "relay", orgID: try conn.rootOrg()?.id, action: "application.result",
                                            target: "application:\(id)", detail: #"{"province":"\#(source)","result":"\#(result)"}"#, source: "tenant:\(source)"))
            return false
        default:
            throw ZhichengError.internal("unknown cross-tenant message kind \(message.kind)")
        }
    }
}
