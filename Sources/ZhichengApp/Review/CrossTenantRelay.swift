import Foundation
import Logging
import Synchronization
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
/// `application.received` (acknowledgement), `application.province-review` (a step of
/// the province office's own review), `application.returned` (its 退回修改),
/// `application.province-rejected` (its 未通过: the review ends at that step, as a city
/// reviewer's 未通过 ends one), `application.province-admitted` (its 负责人's 通过 of an expert
/// recommendation: the review ends at that step with the person admitted, 已入库（专家信息库）),
/// `application.interview` (the committee's notice),
/// `application.publicity` (its result in 公示, with its 说明), `application.publicity-withdrawn`
/// and `application.result` (the committee's final result after 公示, with its 说明; an
/// earlier version sent an expert's admission so too). Objections: `objection.lodge` to the
/// province, `objection.resolved` back; names: `org.renamed`, `applicant.renamed`,
/// `applicant.moved` to the province.
///
/// One delivery runs at a time (`run`). A target that cannot be reached pauses alone
/// (`RelaySchedule`) and holds back only its own messages, in order. After a tenant is
/// restored, the others' messages to it are offered again (`reoffer`), the province's
/// answers apply only to an application waiting for it (`awaitingProvince`), and a
/// hand-over the province has already acted on is answered with what it has (`receive`).
/// A message to a city that was archived is set aside, not retried (`Addressee`,
/// `setAsideIfArchived`): a city of the same id created later never receives it.
public final class CrossTenantRelay: Sendable {
    let store: TenantStore
    let logger: Logger
    /// Which outboxes to deliver next and which targets are paused after a failure.
    private let schedule: Mutex<RelaySchedule>
    /// Rings when something is due; rings merge, so a burst of kicks wakes the relay once.
    private let doorbell: AsyncStream<Void>.Continuation
    private let rings: AsyncStream<Void>
    /// Sentinel target meaning "the province tenant, whichever id it has".
    public static let provinceTarget = "@province"

    /// A new message's id: readable parts, then a random one. The receiver's inbox drops
    /// an id it has seen, so an id must never be made twice, not even by a tenant restored
    /// to an older backup that then sends "the same" message again (a city's leader passes
    /// again, the province sets an interview again): that one is new and must arrive.
    /// Repeats of one message after a crash keep its id, which is stored in the outbox.
    public static func messageID(_ parts: any CustomStringConvertible...) -> String {
        (parts.map(\.description) + [UUID().uuidString.lowercased()]).joined(separator: ":")
    }
    static let pageSize = 200

    /// Whose applications `handedOver` reads: a unit's (at submission) or an applicant's; an
    /// applicant's expert recommendations, or those of people now in a unit that another unit
    /// made (people who moved there since: 人员调动).
    enum Applications {
        case ofUnit(Int)
        case ofApplicant(Int)
        case expertsOf(applicant: Int)
        case expertsMovedInto(Int)

        var filter: (sql: String, arguments: [any SQLiteBindable]) {
            switch self {
            case .ofUnit(let id): ("a.org_id = ?", [id])
            case .ofApplicant(let id): ("a.applicant_id = ?", [id])
            case .expertsOf(let id): ("a.kind = 'expert' AND a.applicant_id = ?", [id])
            case .expertsMovedInto(let id):
                ("a.kind = 'expert' AND a.org_id != ? AND a.applicant_id IN (SELECT p.id FROM accounts p WHERE p.org_id = ? AND p.deleted_at IS NULL)", [id, id])
            }
        }
    }

    /// The ids of `applications` the city handed over to the province, as the applications
    /// themselves say: waiting for the province (`awaiting_province`, its hand-over sent or
    /// still in the outbox), acknowledged by it (`forwarded_at`), or with a step of the
    /// province office on record (one it returned, resubmitted since). What a name correction
    /// (a unit's, an applicant's) names to the province: ids are never given twice under a
    /// city's id, where a unit's code may be. Read by indexes, in the rename's transaction (no
    /// scan of the outbox). An application a city restored to an older backup no longer knows
    /// as handed over is not named: its next hand-over carries the names the city uses then.
    static func handedOver(_ applications: Applications, _ conn: SQLiteConnection) throws -> [Int] {
        let (filter, arguments) = applications.filter
        return try conn.query("""
            SELECT a.id FROM applications a WHERE \(filter) AND (a.state = ? OR a.forwarded_at IS NOT NULL
                OR EXISTS (SELECT 1 FROM province_decisions p WHERE p.application_id = a.id))
            ORDER BY a.id
            """, arguments + [ApplicationState.awaitingProvince.rawValue]).compactMap { $0["id"].int }
    }

    /// Writes a message to `target` (a tenant id, or `provinceTarget`) into the outbox of
    /// the tenant `conn` belongs to, in the caller's transaction: it leaves only once that
    /// commits, and the relay delivers it exactly once. `payload` is stored as JSON.
    static func enqueue(_ kind: String, id messageID: String, to target: String, payload: [String: Any], _ conn: SQLiteConnection) throws {
        try conn.run("INSERT INTO outbox (message_id, target, kind, payload, created_at) VALUES (?, ?, ?, ?, ?)",
                     [messageID, target, kind, try json(payload), Date().timeIntervalSince1970])
    }

    /// JSON with sorted keys, as message payloads (and the JSON inside them) are stored.
    static func json(_ object: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
    }

    public init(store: TenantStore, logger: Logger, schedule: RelaySchedule = RelaySchedule()) {
        self.store = store
        self.logger = logger
        self.schedule = Mutex(schedule)
        (rings, doorbell) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Asks for `tenant`'s outbox to be delivered soon. Cheap and non-blocking: many
    /// kicks for one tenant before the relay gets to it are one delivery.
    public func kick(_ tenant: TenantID) {
        schedule.withLock { $0.kick(tenant) }
        doorbell.yield()
    }

    /// Something changed that may unblock paused deliveries (a tenant was created,
    /// restored or resumed): every paused target is tried again now.
    public func resumeAll() {
        schedule.withLock { $0.resumeAll(now: .now) }
        doorbell.yield()
    }

    /// `tenant` was archived: nothing of its outbox is delivered any more, and what the
    /// others send it is set aside on their next pass; its pauses end (`RelaySchedule.forget`).
    public func forget(_ tenant: TenantID) {
        schedule.withLock { $0.forget(tenant) }
    }

    /// After `tenant` was restored to a backup, offers it again every message the other
    /// tenants sent it (the province's answers to a city; the cities' hand-overs to the
    /// province). Its inbox skips those it has and takes those that arrived after the backup
    /// was taken, which it would otherwise never see again: their senders had marked them
    /// delivered. Returns how many messages were offered again; throws, after trying every
    /// sender, if one could not be asked (its database would not open): the restore's
    /// follow-up then stays owed and is run again (offering twice is harmless).
    @discardableResult
    public func reoffer(to tenant: TenantInfo) async throws -> Int {
        let all = try await store.registry.all()
        let (sources, target) = tenant.kind == .province
            ? (all.filter { $0.kind == .city }, Self.provinceTarget)
            : (all.filter { $0.kind == .province }, tenant.id.rawValue)
        var offered = 0
        var failed: [String] = []
        for source in sources {
            do {
                let n = try await store.withTenant(source.id) { db in
                    try await db.write { conn in
                        try conn.run("UPDATE outbox SET delivered_at = NULL WHERE target = ? AND delivered_at IS NOT NULL", [target])
                    }
                }
                if n > 0 { kick(source.id) }
                offered += n
            } catch {
                failed.append(source.id.rawValue)
                logger.warning("restore: cannot offer a tenant's messages again to the restored tenant",
                               metadata: ["tenant.id": "\(source.id)", "restored": "\(tenant.id)", "error": "\(error)"])
            }
        }
        logger.notice("restore: messages offered again to the restored tenant", metadata: ["tenant.id": "\(tenant.id)", "messages": "\(offered)"])
        guard failed.isEmpty else {
            throw ZhichengError.unavailable("the messages of \(failed.joined(separator: ", ")) could not be offered again to \(tenant.id)")
        }
        return offered
    }

    /// The targets and sources the relay is pausing after failures, for `status`.
    public func pauses() -> [(key: RelaySchedule.Key, pause: RelaySchedule.Pause)] {
        schedule.withLock { $0.pauses.map { (key: $0.key, pause: $0.value) } }.sorted { $0.key.description < $1.key.description }
    }

    /// Delivers whatever start-up finds pending, then serves kicks and retries until
    /// `stop()`. One delivery at a time; a failing target never holds up the others.
    public func run() async {
        for info in (try? await store.registry.all()) ?? [] {
            // An outbox that cannot be read now (busy, an I/O error) is tried all the same: its
            // failure is then paused, retried and shown (`status`), where skipped it stranded its
            // messages until the tenant wrote a new one. A file that is no database (damaged)
            // waits for its restore, which sends them: retried, it would only be opened again
            // and again (and SQLite deletes the -wal beside it, which the restore keeps aside).
            let waiting: Int
            do {
                waiting = try await store.outbox(info.id).waiting
            } catch let error as SQLiteError where error.isCorrupt {
                logger.warning("relay: a tenant's database is damaged; its messages wait for its restore", metadata: ["tenant.id": "\(info.id)", "error": "\(error)"])
                waiting = 0
            } catch {
                waiting = 1
            }
            if waiting > 0 { schedule.withLock { $0.kick(info.id) } }
        }
        var timer: (at: RelaySchedule.Instant, task: Task<Void, Never>)?
        defer { timer?.task.cancel() }
        var iterator = rings.makeAsyncIterator()
        repeat {
            while let source = schedule.withLock({ $0.next(now: .now) }) {
                await deliver(source)
            }
            let wake = schedule.withLock { $0.nextRetry }
            if wake != timer?.at {
                timer?.task.cancel()
                timer = wake.map { at in (at, Task { [doorbell] in
                    guard (try? await Task.sleep(until: at, clock: .continuous)) != nil else { return }
                    doorbell.yield()
                }) }
            }
        } while await iterator.next() != nil
    }

    /// Ends `run()` after the delivery in progress.
    public func stop() { doorbell.finish() }

    /// One delivery of `source`'s outbox, with its failure turned into a pause.
    private func deliver(_ source: TenantID) async {
        do {
            let pass = try await deliverAll(from: source)
            schedule.withLock {
                $0.succeeded(.source(source))
                if let at = pass.retryAt { $0.retry(source, at: at) }
            }
        } catch let error as ZhichengError where error.code == .notFound {
            // Archived since it was kicked: its outbox left service with it, and so does any pause.
            forget(source)
            logger.info("relay: the source tenant is gone; nothing to deliver", metadata: ["tenant.id": "\(source)", "error": "\(error)"])
        } catch {
            let pause = schedule.withLock { s in
                let pause = s.failed(.source(source), error: "\(error)", now: .now)
                s.retry(source, at: pause.until)
                return pause
            }
            logger.log(level: pause.worthLogging ? .warning : .debug, "relay could not read an outbox; will retry", metadata: [
                "tenant.id": "\(source)", "error": "\(error)", "failures": "\(pause.failures)", "retry.in": "\(pause.until - .now)"])
        }
    }

    struct Message: Sendable {
        var id: Int
        var messageID: String
        var target: String
        var kind: String
        var payload: String
        var createdAt: Double
    }

    /// What one delivery of an outbox did.
    public struct Pass: Sendable {
        /// Messages delivered now.
        public var delivered = 0
        /// Messages left for a paused target, in their order.
        public var waiting = 0
        /// When the earliest paused target that held messages back may be tried again.
        public var retryAt: RelaySchedule.Instant?
        /// Messages set aside now: the city they were written to has been archived.
        public var setAside = 0
    }

    /// Delivers every pending message of `source`, oldest first. Messages to one target
    /// keep their order: after a failure, or while that target is paused, the rest to
    /// it wait for the next pass, and messages to other targets go on. Messages to a
    /// target paused before the pass are not even read: a target unreachable for months with years of
    /// notices waiting costs one count per pass, not a page of rows per 200. Messages to a
    /// city that was archived are set aside, all of them at once. Throws only when the
    /// source's outbox cannot be read.
    @discardableResult
    public func deliverAll(from source: TenantID) async throws -> Pass {
        var pass = Pass()
        let pausedBefore = schedule.withLock { $0.pausedTargets(now: .now) }
        var held = Set(pausedBefore.keys)   // targets whose remaining messages wait for a later pass
        var setAside: [String: Double?] = [:]   // target → set aside the messages written before this (nil: all)
        var lastArchived: [String: Double?] = [:]   // target → when a tenant of that id was last archived (one read per pass)
        var after = 0
        while true {
            let skip = held.sorted()
            let sql = "SELECT id, message_id, target, kind, payload, created_at FROM outbox WHERE delivered_at IS NULL AND set_aside_at IS NULL AND id > ?"
                + (skip.isEmpty ? "" : " AND target NOT IN (\(Array(repeating: "?", count: skip.count).joined(separator: ",")))")
                + " ORDER BY id LIMIT ?"
            let arguments: [any SQLiteBindable] = [after] + skip + [Self.pageSize]
            let messages = try await store.withTenant(source) { db in
                try await db.read { conn in
                    try conn.query(sql, arguments).map {
                        Message(id: $0["id"].int ?? 0, messageID: $0["message_id"].string ?? "", target: $0["target"].string ?? "",
                                kind: $0["kind"].string ?? "", payload: $0["payload"].string ?? "{}", createdAt: $0["created_at"].double ?? 0)
                    }
                }
            }
            for message in messages where !held.contains(message.target) {
                if let cutoff = setAside[message.target], message.createdAt < cutoff ?? .infinity { continue }   // set aside in this pass
                let key = RelaySchedule.Key.target(message.target)
                if FaultInjection.relayHolds(message.kind) {   // a test holds this kind back: look again shortly
                    held.insert(message.target)
                    let again = RelaySchedule.Instant.now + .milliseconds(100)
                    pass.retryAt = min(pass.retryAt ?? again, again)
                    continue
                }
                if let until = schedule.withLock({ $0.paused(key, now: .now) }) {   // paused since the pass began
                    held.insert(message.target)
                    pass.retryAt = min(pass.retryAt ?? until, until)
                    continue
                }
                do {
                    if let aside = try await setAsideIfArchived(message, from: source, lastArchived: &lastArchived) {
                        setAside[message.target] = aside.writtenBefore
                        pass.setAside += aside.count
                        schedule.withLock { $0.succeeded(key) }
                        continue
                    }
                    try await deliver(message, from: source)
                    schedule.withLock { $0.succeeded(key) }
                    pass.delivered += 1
                } catch {
                    held.insert(message.target)
                    let pause = schedule.withLock { $0.failed(key, error: "\(error)", now: .now) }
                    pass.retryAt = min(pass.retryAt ?? pause.until, pause.until)
                    logger.log(level: pause.worthLogging ? .warning : .debug, "relay could not deliver; messages to this target wait, others go on", metadata: [
                        "tenant.id": "\(source)", "target": "\(message.target)", "relay.message": "\(message.messageID)",
                        "error": "\(error)", "failures": "\(pause.failures)", "retry.in": "\(pause.until - .now)"])
                }
            }
            guard messages.count == Self.pageSize, let last = messages.last else { break }
            after = last.id
        }
        guard !held.isEmpty else {
            schedule.withLock { $0.holding(source, waitingFor: []) }
            return pass
        }
        // What waits, per held target; those paused before the pass and holding messages
        // back make the source due again when their pause ends.
        let targets = held.sorted()
        let waiting = try await store.withTenant(source) { db in
            try await db.read { conn in
                try conn.query("SELECT target, count(*) AS n FROM outbox WHERE delivered_at IS NULL AND set_aside_at IS NULL AND target IN (\(Array(repeating: "?", count: targets.count).joined(separator: ","))) GROUP BY target",
                               targets).map { ($0["target"].string ?? "", $0["n"].int ?? 0) }
            }
        }
        for (target, count) in waiting {
            pass.waiting += count
            if let until = pausedBefore[target] { pass.retryAt = min(pass.retryAt ?? until, until) }
        }
        schedule.withLock { $0.holding(source, waitingFor: Set(waiting.filter { $0.1 > 0 }.map(\.0))) }
        return pass
    }

    /// When `message` was written to a city that has since been archived, sets aside every
    /// message of `source` to that city's id written before the city now in service under
    /// it was created (all of them if there is none): kept in the outbox with the reason,
    /// one `relay.set-aside` audit row each, never delivered. Returns that bound and how
    /// many were set aside, or nil when the message is to be delivered. `lastArchived`
    /// keeps the registry's answers for the pass.
    private func setAsideIfArchived(_ message: Message, from source: TenantID,
                                    lastArchived: inout [String: Double?]) async throws -> (writtenBefore: Double?, count: Int)? {
        guard message.target != Self.provinceTarget, let id = try? TenantID(message.target) else { return nil }
        let since = try await store.registry.get(id)?.createdAt   // cached by the registry
        if lastArchived[message.target] == nil { lastArchived[message.target] = .some(try await store.registry.lastArchived(id)) }
        guard case .archived(let at) = Addressee.of(writtenAt: message.createdAt, inServiceSince: since,
                                                     lastArchivedAt: lastArchived[message.target] ?? nil) else { return nil }
        let now = Date().timeIntervalSince1970
        // The sysadmin's reason (tenant.show, the outbox) and the 操作日志's, in China time.
        let reason = "tenant \(id) was archived at \(Date(timeIntervalSince1970: at).formatted(.iso8601))"
        let shown = "接收方 \(id) 已于 \(ChinaTime.minute(at)) 归档"
        let count = try await store.withTenant(source) { db in
            try await db.write { conn -> Int in
                let rows = try conn.query("UPDATE outbox SET set_aside_at = ?, set_aside_reason = ? WHERE target = ? AND delivered_at IS NULL AND set_aside_at IS NULL"
                                          + (since == nil ? "" : " AND created_at < ?") + " RETURNING message_id, kind",
                                          [now, reason, id.rawValue] + (since.map { [$0] } ?? []))
                let org = try conn.rootOrg()?.id
                for row in rows {
                    try conn.appendAudit(AuditEntry(actor: "relay", orgID: org, action: .relaySetAside, target: "message:\(row["message_id"].string ?? "")",
                                                    detail: #"{"to":\#(jsonString(id.rawValue)),"kind":\#(jsonString(row["kind"].string ?? "")),"reason":\#(jsonString(shown))}"#,
                                                    source: "relay"))
                }
                return rows.count
            }
        }
        logger.notice("relay: messages set aside, the city they were written to was archived", metadata: [
            "tenant.id": "\(source)", "target": "\(id)", "messages": "\(count)", "archived_at": "\(at)"])
        return (since, count)
    }

    /// Delivers one message: into the target's inbox with its effect, then marked
    /// delivered at the source. A repeat after a crash between the two does nothing but
    /// wake the target: the reply its first delivery queued there may never have been
    /// sent on (marking at the source failed, and the target was not woken).
    ///
    /// The target stays leased until the mark is made. A restore of the target waits for
    /// its leases to end, and its re-offer afterwards resets only messages already marked:
    /// were the lease let go between the two, a restore there would take the message out of
    /// the target while the mark that follows kept the sender from offering it again.
    private func deliver(_ message: Message, from source: TenantID) async throws {
        let target = try await resolve(message.target)
        FaultInjection.point("relay.before-deliver.\(message.kind)")
        let applied = try await store.withTenant(target) { [self] db in
            let applied = try await db.write { conn -> Applied in
                guard try conn.scalar("SELECT count(*) FROM inbox WHERE message_id = ?", [message.messageID])?.int == 0 else { return .answered }
                try conn.run("INSERT INTO inbox (message_id, source_tenant, kind, payload, received_at) VALUES (?, ?, ?, ?, ?)",
                             [message.messageID, source.rawValue, message.kind, message.payload, Date().timeIntervalSince1970])
                let applied = try Self.apply(message, from: source, in: target, conn)
                if let fault = applied.unapplied {
                    try conn.appendTenantAudit(AuditEntry(actor: "relay", action: .relayUnapplied, target: "message:\(message.messageID)",
                                                    detail: #"{"kind":\#(jsonString(message.kind)),"reason":\#(jsonString(fault))}"#, source: "tenant:\(source)"))
                }
                return applied
            }
            // What the effect queued at the target goes on whether or not the mark below succeeds.
            if applied == .answered { kick(target) }
            FaultInjection.point("relay.after-deliver.\(message.kind)")
            await FaultInjection.pause("relay.after-deliver.\(message.kind)")
            _ = try await store.withTenant(source) { db in
                // By the message's id, not its row's: the source restored from an older backup
                // while this pass ran may have numbered a new, undelivered message with that row id.
                try await db.write { conn in try conn.run("UPDATE outbox SET delivered_at = ? WHERE message_id = ?", [Date().timeIntervalSince1970, message.messageID]) }
            }
            return applied
        }
        FaultInjection.point("relay.after-mark.\(message.kind)")
        if let fault = applied.unapplied {
            // Retrying cannot mend a payload, nor make copies the province does not have: the
            // message stays in the target's inbox as it came, for whoever looks into it, and the
            // messages behind it go on.
            var metadata: Logger.Metadata = ["relay.message": "\(message.messageID)", "relay.kind": "\(message.kind)", "tenant.id": "\(source)",
                                             "target": "\(target)", "error": "\(fault)"]
            if let number = Self.idNumber(inPayload: message.payload) { metadata["applicant"] = "\(IDCardNumber.maskedIfOne(number))" }
            if case .unmatched = applied {
                logger.warning("relay: a rename or a move found none of the copies it names and was kept in the inbox without its effect", metadata: metadata)
            } else if case .refused = applied {
                logger.warning("relay: a message whose text the receiver's rules refuse was kept in the inbox without its effect", metadata: metadata)
            } else {
                logger.warning("relay: a message with a malformed payload was kept in the inbox without its effect", metadata: metadata)
            }
        }
        logger.info("relayed", metadata: ["relay.message": "\(message.messageID)", "from": "\(source)", "to": "\(target)"])
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

    /// What a message's effect at its receiver came to.
    enum Applied: Equatable {
        /// Applied (or, an answer about an application not waiting for it, kept unapplied: `awaitingProvince`).
        case done
        /// Applied, and it queued an answer at the receiver: its relay is woken.
        case answered
        /// Not applied: its payload does not say what the message must (`RelayedRename.Malformed`,
        /// or no JSON object at all). Kept in the inbox as it came; audited and logged.
        case malformed(String)
        /// Not applied: a correction of a name (`org.renamed`, `applicant.renamed`) or a move (`applicant.moved`) that finds
        /// none of the province's copies it names (the city's applications, and for a person
        /// their ID-card number with them). Kept in the inbox as it came; audited
        /// (`relay.unapplied`) and logged as such, never as a rename.
        case unmatched(String)
        /// Not applied: text it carries for people breaks the receiver's rules (`RelayedText`:
        /// a NUL, a bidi override…), said as the receiver's screens say it, with the payload's
        /// key. Kept in the inbox as it came, never rewritten; audited and logged.
        case refused(String)

        /// Why it was not applied, for the audit row and the log; nil when it was.
        var unapplied: String? {
            switch self {
            case .malformed(let why), .unmatched(let why), .refused(let why): why
            case .done, .answered: nil
            }
        }
    }

    /// The receiving side's effect of a message.
    static func apply(_ message: Message, from source: TenantID, in target: TenantID, _ conn: SQLiteConnection) throws -> Applied {
        // A payload that is no JSON object never becomes one: retried, it would hold back every
        // message behind it to this target for good.
        guard let sent = (try? JSONSerialization.jsonObject(with: Data(message.payload.utf8))) as? [String: Any] else {
            return .malformed("the payload is not a JSON object")
        }
        // An optional text the receiver's rules refuse (a note with a result, a comment with the
        // end of a review, sent by an earlier version) is read as missing: the message is taken in.
        let payload = RelayedText.withoutRefusedOptionalText(kind: message.kind, payload: sent)
        // Any other text the receiver would never take from its own screens is not taken from
        // another tenant's either; retried, it would be refused again and hold back what follows.
        if let refusal = RelayedText.refusal(kind: message.kind, payload: payload) {
            return .refused("\(refusal.field ?? "")：\(refusal.message)")
        }
        let now = Date().timeIntervalSince1970
        if RelayMessageKind(rawValue: message.kind)?.isAnswer == true, try !awaitingProvince(payload["source_application_id"] as? Int ?? 0, message, from: source, conn) {
            return .done
        }
        switch RelayMessageKind(rawValue: message.kind) {
        case .forward:
            return try receive(message, payload, from: source, in: target, now: now, conn) ? .answered : .done
        case .received:
            let id = payload["source_application_id"] as? Int ?? 0
            try conn.run("UPDATE applications SET forwarded_at = ?, version = version + 1, updated_at = ? WHERE id = ?", [now, now, id])
            try conn.appendTenantAudit(AuditEntry(actor: "relay", action: .applicationForwarded,
                                            target: "application:\(id)", detail: #"{"province":"\#(source)"}"#, source: "tenant:\(source)"))
            return .done
        case .provinceReview:
            // A step of the province office's own review (经办人 or 负责人): in the trail.
            let id = payload["source_application_id"] as? Int ?? 0
            try provinceStep(id, payload, decision: payload["decision"] as? String ?? "pass", conn)
            try conn.run("UPDATE applications SET version = version + 1, updated_at = ? WHERE id = ?", [now, id])
            try conn.appendTenantAudit(AuditEntry(actor: "relay", action: .applicationProvinceReview, target: "application:\(id)",
                                            detail: #"{"province":"\#(source)","stage":\#(jsonString(payload["stage"] as? String ?? "")),"decision":\#(jsonString(payload["decision"] as? String ?? ""))}"#,
                                            source: "tenant:\(source)"))
            return .done
        case .provinceRejected, .provinceAdmitted:
            // The province office's own review ended it at a step (`ProvinceOfficeEnd`): its
            // 经办人's or 负责人's 未通过, as a city reviewer's 未通过 ends one (未通过, 审查结束); or,
            // for an expert recommendation, its 负责人's 通过 that admitted the person (已入库
            // （专家信息库）). The 评审表 is marked so. No committee judged it: no 公示, no result, no
            // 结果确认 in the trail, whose row is the office's step (kept once, whether or not its
            // `application.province-review` came first). A province of an earlier version sent
            // either as `application.result` (未通过, 通过), still applied as it was then.
            guard let end = ProvinceOfficeEnd(messageKind: message.kind) else { return .malformed("unknown end of the province office's review") }
            let id = payload["source_application_id"] as? Int ?? 0
            guard let row = try conn.query("SELECT kind, chain FROM applications WHERE id = ?", [id]).first else {
                return .malformed("no application \(id)")
            }
            let kind = ApplicationKind(rawValue: row["kind"].string ?? "") ?? .title
            var chain = try ApplicationService.decode(row["chain"].string ?? "")
            do throws(ZhichengError) {
                try end.apply(to: &chain, kind: kind)
            } catch {
                // An admission of a title application (which goes on to a committee) says what
                // cannot be: kept in the inbox as it came, audited, and nothing held up behind it.
                return .malformed(error.message)
            }
            try provinceStep(id, payload, decision: end.decision.rawValue, conn)
            try ApplicationService.store(chain, id: id, conn)
            try conn.appendTenantAudit(AuditEntry(actor: "relay", action: end == .rejected ? .applicationProvinceRejected : .applicationProvinceAdmitted,
                                            target: "application:\(id)",
                                            detail: #"{"province":"\#(source)","stage":\#(jsonString(payload["stage"] as? String ?? ""))}"#,
                                            source: "tenant:\(source)"))
            return .done
        case .returned:
            // The province office sends it back for changes: the applicant edits and submits
            // again, and it climbs the city's route from the unit as after any return.
            let id = payload["source_application_id"] as? Int ?? 0
            var chain = try ApplicationService.decode(try conn.scalar("SELECT chain FROM applications WHERE id = ?", [id])?.string ?? "")
            try chain.returnFromProvince()
            try ApplicationService.store(chain, id: id, conn, extra: "return_sections = ?, return_reason = ?, return_comment = ?, forwarded_at = NULL",
                                         extraArgs: [jsonArray(payload["sections"] as? [String] ?? []), payload["reason"] as? String, payload["comment"] as? String ?? ""])
            try conn.appendTenantAudit(AuditEntry(actor: "relay", action: .applicationReturned, target: "application:\(id)",
                                            detail: #"{"province":"\#(source)","reason":\#(jsonString(payload["reason"] as? String ?? ""))}"#, source: "tenant:\(source)"))
            return .done
        case .interview:
            // Taken as the province wrote it: its time was checked when the province set it
            // (`InterviewTime.requireAllowed`; not again here, where a notice held up in the outbox may
            // arrive after its day), and a province of a version before that sends free text,
            // which the city shows as it came rather than lose the notice.
            let id = payload["source_application_id"] as? Int ?? 0
            try conn.run("UPDATE applications SET committee_name = ?, interview = ?, version = version + 1, updated_at = ? WHERE id = ?",
                         [payload["committee"] as? String ?? "", payload["interview"] as? String ?? "", now, id])
            try step(id, .interview, payload, detail: payload["interview"] as? String ?? "", conn)
            try conn.appendTenantAudit(AuditEntry(actor: "relay", action: .applicationInterview,
                                            target: "application:\(id)", detail: #"{"province":"\#(source)"}"#, source: "tenant:\(source)"))
            return .done
        case .publicity:
            // The province's result stands in public notice: the city shows it, with the committee's
            // 说明 as its own committee's (trail and 评审表), and its people may object.
            let id = payload["source_application_id"] as? Int ?? 0
            let note = Self.note(payload) ?? ""
            try conn.run("""
                UPDATE applications SET committee_name = COALESCE(?, committee_name), publicity_result = ?, publicity_until = ?, publicity_notice = ?,
                    committee_note = ?, version = version + 1, updated_at = ? WHERE id = ?
                """, [(payload["committee"] as? String).flatMap { $0.isEmpty ? nil : $0 }, payload["result"] as? String ?? "",
                      (payload["publicity_until"] as? NSNumber)?.doubleValue ?? 0, message.messageID, note.isEmpty ? nil : note, now, id])
            try step(id, .result, payload, detail: EvaluationService.resultDetail(payload["result"] as? String ?? "",
                                                                              until: (payload["publicity_until"] as? NSNumber)?.doubleValue ?? 0, note: note), conn)
            try conn.appendTenantAudit(AuditEntry(actor: "relay", action: .applicationPublicity, target: "application:\(id)",
                                            detail: #"{"province":"\#(source)","result":\#(jsonString(payload["result"] as? String ?? ""))}"#, source: "tenant:\(source)"))
            return .done
        case .publicityWithdrawn:
            // An objection was upheld at the province: its committee decides again.
            let id = payload["source_application_id"] as? Int ?? 0
            try conn.run("""
                UPDATE applications SET publicity_result = NULL, publicity_until = NULL, publicity_notice = NULL, committee_note = NULL,
                    version = version + 1, updated_at = ? WHERE id = ?
                """, [now, id])
            try step(id, .objectionUpheld, payload, detail: payload["reason"] as? String ?? "", conn)
            try conn.appendTenantAudit(AuditEntry(actor: "relay", action: .applicationPublicityWithdrawn,
                                            target: "application:\(id)", detail: #"{"province":"\#(source)"}"#, source: "tenant:\(source)"))
            return .done
        case .orgRenamed:
            // A city's unit has a new name (a rename by its parent, a correction in 单位信息维护):
            // the province names it so in its lists, as the city does. Only the copies of the
            // unit's name change (each application keeping the name it had among its former
            // ones): the city's opinions in the hand-over's trail stay as they were given, and a
            // recorded draw keeps its recorded inputs. Found by the ids of the
            // unit's applications the city handed over (`OrgService.rename`), never given twice
            // under a city's id, where its code may be; the experts by the application that
            // admitted them.
            let rename: RelayedRename
            do { rename = try RelayedRename.parse(message.kind, payload).get() } catch { return .malformed(error.description) }
            let copies = "source_tenant = ? AND source_application_id IN (SELECT value FROM json_each(?))"
            let arguments: [any SQLiteBindable] = [source.rawValue, try json(rename.applications)]
            guard try holds(copies, [source.rawValue, try json(rename.applications + rename.experts)], conn) else {
                return .unmatched("the province holds none of the applications it names")
            }
            // The experts: admitted from those applications, or from the recommendations of
            // people who moved to the unit since (`experts`), whose copies keep their own unit.
            let expertCopies = "source_tenant = ? AND source_application_id IN (SELECT value FROM json_each(?))"
            let renamed = try renameCopies(unit: rename.name, code: rename.unitCode, of: copies, arguments,
                                           experts: (expertCopies, [source.rawValue, try json(rename.applications + rename.experts)]), now: now, conn)
            try conn.appendTenantAudit(AuditEntry(actor: "relay", action: .orgRenamedInCity, target: "unit:\(source):\(rename.unitCode)",
                                            detail: #"{"city":"\#(source)","unit_code":\#(jsonString(rename.unitCode)),"name":\#(jsonString(rename.name)),"applications":\#(renamed.applications),"experts":\#(renamed.experts)}"#,
                                            source: "tenant:\(source)"))
            return .done
        case .applicantRenamed:
            // A city's applicant has a corrected name (their unit's admin, 编辑): the province
            // names them so, as the city does, in its lists, the committee's desk, the sessions
            // and 公示 (all read `received_applications.applicant_name`), and in the 专家信息库 if
            // one of those applications made them an expert. Found by the city's applications
            // the message names, each also by the ID-card number (the login, which never changes),
            // which the ids alone already find (never given twice under a city's id): a check.
            // What was decided is not rewritten: a recorded draw keeps its recorded inputs.
            let rename: RelayedRename
            do { rename = try RelayedRename.parse(message.kind, payload).get() } catch { return .malformed(error.description) }
            guard let (copies, arguments) = try personCopies(rename, from: source, conn) else {
                return .unmatched("the province holds none of the applications it names with its id_number")
            }
            let renamed = try renameCopies(applicant: rename.name, of: copies, arguments, now: now, conn)
            try conn.appendTenantAudit(AuditEntry(actor: "relay", action: .applicantRenamedInCity,
                                            target: "applicant:\(source):\(IDCardNumber.maskedIfOne(rename.idNumber))",
                                            detail: #"{"city":"\#(source)","name":\#(jsonString(rename.name)),"applications":\#(renamed.applications),"experts":\#(renamed.experts)}"#,
                                            source: "tenant:\(source)"))
            return .done
        case .applicantMoved:
            // A city's applicant moved to another of its units (人员调动, accepted by that unit)
            // after an expert application of theirs was handed over: the 专家信息库's entry of an
            // expert admitted from one of them names the unit they work at now, by name and
            // code, so that a draw keeps them off that unit's applicants (同一单位回避) and no
            // longer off their former unit's (a relation may name it: 回避关系). The province's
            // copies of their applications keep the unit that declared them. Found as a
            // correction of their name finds them: the ids, each with the ID-card number.
            let move: RelayedRename
            do { move = try RelayedRename.parse(message.kind, payload).get() } catch { return .malformed(error.description) }
            guard let (copies, arguments) = try personCopies(move, from: source, conn) else {
                return .unmatched("the province holds none of the applications it names with its id_number")
            }
            let experts = try conn.run("""
                UPDATE experts SET unit_name = ?, unit_code = ?, updated_at = ?
                WHERE received_id IN (SELECT id FROM received_applications WHERE \(copies)) AND (unit_name != ? OR unit_code IS NOT ?)
                """, [move.name, move.unitCode, now] + arguments + [move.name, move.unitCode])
            try conn.appendTenantAudit(AuditEntry(actor: "relay", action: .applicantMovedInCity,
                                            target: "applicant:\(source):\(IDCardNumber.maskedIfOne(move.idNumber))",
                                            detail: #"{"city":"\#(source)","unit_code":\#(jsonString(move.unitCode)),"name":\#(jsonString(move.name)),"experts":\#(experts)}"#,
                                            source: "tenant:\(source)"))
            return .done
        case .objectionLodge:
            return try lodge(message, payload, from: source, now: now, conn) ? .answered : .done
        case .objectionResolved:
            try objectionResolved(message, payload, from: source, now: now, conn)
            return .done
        case .result:
            // A committee's final result. A province of an earlier version also sent its office's
            // 未通过 and an expert's admission so: applied as they were then (with a 结果确认 row).
            let id = payload["source_application_id"] as? Int ?? 0
            let result = payload["result"] as? String ?? ""
            var chain = try ApplicationService.decode(try conn.scalar("SELECT chain FROM applications WHERE id = ?", [id])?.string ?? "")
            try chain.finalize(passed: result == "通过")
            // The 说明 it carries ("" for none) is the one of its 公示; a message without one (an
            // earlier version's) keeps the one its notice brought.
            let note = Self.note(payload)
            try ApplicationService.store(chain, id: id, conn, extra: "result = ?, committee_name = COALESCE(?, committee_name), committee_note = CASE WHEN ? THEN ? ELSE committee_note END",
                                         extraArgs: [result, (payload["committee"] as? String).flatMap { $0.isEmpty ? nil : $0 }, note != nil,
                                                     note.flatMap { $0.isEmpty ? nil : $0 }])
            try step(id, .final, payload, detail: result, conn)
            try conn.appendTenantAudit(AuditEntry(actor: "relay", action: .applicationResult,
                                            target: "application:\(id)", detail: #"{"province":"\#(source)","result":"\#(result)"}"#, source: "tenant:\(source)"))
            return .done
        case nil:
            throw ZhichengError.internal("unknown cross-tenant message kind \(message.kind)")
        }
    }

    /// The province's copies of a person's applications a message names (`applicant.renamed`,
    /// `applicant.moved`): by city, the city's ids and the ID-card number together (the number
    /// read as the hand-over stored it, both by `givenNumber`); nil when it holds none.
    static func personCopies(_ message: RelayedRename, from source: TenantID, _ conn: SQLiteConnection) throws
        -> (condition: String, arguments: [any SQLiteBindable])? {
        let copies = "source_tenant = ? AND source_application_id IN (SELECT value FROM json_each(?)) AND id_number = ?"
        let arguments: [any SQLiteBindable] = [source.rawValue, try json(message.applications), message.idNumber]
        return try holds(copies, arguments, conn) ? (copies, arguments) : nil
    }

    /// The name a message gives (a unit's, a person's), trimmed as names are (`TenantInfo.validateName`);
    /// nil when there is none: missing, not text, or blank. A hand-over's copy takes it as ""
    /// (`renaming` keeps the name a row has), and a rename message without one is malformed.
    static func givenName(_ value: Any?) -> String? {
        guard let name = (value as? String)?.trimmingInvisibles(), !name.isEmpty else { return nil }
        return name
    }

    /// The ID-card number a message gives (a hand-over's applicant, the person an
    /// `applicant.renamed` names), read as every door reads one (`IDCardNumber.normalized`:
    /// blanks and invisible characters dropped, full width as ASCII, the check character in
    /// upper case): the number a hand-over stores and the one a correction finds its copies by
    /// are read by this one rule. A city sends the person's login, which is so already. nil
    /// when there is none (missing, not text, or blank).
    static func givenNumber(_ value: Any?) -> String? {
        guard let number = (value as? String).map(IDCardNumber.normalized), !number.isEmpty else { return nil }
        return number
    }

    /// The ID-card number a payload names (`applicant.renamed`), for the log to name it masked.
    static func idNumber(inPayload payload: String) -> String? {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(payload.utf8))) as? [String: Any] else { return nil }
        return givenNumber(object["id_number"])
    }

    /// Whether the province holds any received application `condition` (with `arguments`) picks.
    static func holds(_ condition: String, _ arguments: [any SQLiteBindable], _ conn: SQLiteConnection) throws -> Bool {
        try conn.scalar("SELECT EXISTS (SELECT 1 FROM received_applications WHERE \(condition))", arguments)?.int == 1
    }

    /// The SET clause of an UPDATE of `received_applications` that gives `column` (the unit's
    /// or the applicant's name) the value `newName` (an SQL expression; "" for none): the name
    /// it has until then joins `former` (`former_unit_names`, `former_applicant_names`) when it
    /// changes, unless empty or there already (SET reads the row as it was), and the new name
    /// leaves it: a name that comes back (a correction undone, a city restored to before it
    /// handing the application over again) is the current one, not a former one, as an
    /// application received later is given them (`inheritFormerNames`). An empty new name (a
    /// hand-over without one) changes neither: it never replaces a name, nor is filed as former.
    static func renaming(_ column: String, keptIn former: String, to newName: String) -> String {
        let (old, kept) = ("received_applications.\(column)", "received_applications.\(former)")
        return """
            \(former) = CASE WHEN \(newName) = '' THEN \(kept) ELSE (SELECT json_group_array(value) FROM (SELECT value FROM json_each(
                CASE WHEN \(old) = \(newName) OR \(old) = '' OR EXISTS (SELECT 1 FROM json_each(\(kept)) WHERE value = \(old))
                    THEN \(kept) ELSE json_insert(\(kept), '$[#]', \(old)) END) WHERE value != \(newName) ORDER BY key)) END,
            \(column) = CASE WHEN \(newName) = '' THEN \(old) ELSE \(newName) END
            """
    }

    /// A received application new to the province takes the names its unit and its applicant
    /// had in the applications received before from the same city (the unit by its code, the
    /// person by ID-card number), their current and former ones but its own: a relation an
    /// expert declared under a name corrected before this application came still names them
    /// (回避 rules 4). A code given again by a city created again or restored may bring another
    /// unit's names: the draw then excludes more, never less.
    static func inheritFormerNames(of sourceID: Int, from source: TenantID, _ conn: SQLiteConnection) throws {
        guard let id = try conn.scalar("SELECT id FROM received_applications WHERE source_tenant = ? AND source_application_id = ?",
                                       [source.rawValue, sourceID])?.int else { return }
        for (column, former, key) in [("unit_name", "former_unit_names", "unit_code"), ("applicant_name", "former_applicant_names", "id_number")] {
            let earlier = "FROM received_applications o, received_applications r WHERE r.id = ?1 AND o.source_tenant = r.source_tenant AND o.\(key) = r.\(key) AND o.id != r.id"
            try conn.run("""
                UPDATE received_applications SET \(former) = (
                    SELECT json_group_array(value) FROM (
                        SELECT DISTINCT value FROM (SELECT o.\(column) AS value \(earlier) UNION ALL SELECT j.value \(earlier.replacingOccurrences(of: "FROM received_applications o, received_applications r",
                            with: "FROM received_applications o, received_applications r, json_each(o.\(former)) j")))
                        WHERE value != '' AND value != (SELECT \(column) FROM received_applications WHERE id = ?1)
                        ORDER BY value))
                WHERE id = ?1 AND \(key) IS NOT NULL AND \(key) != ''
                """, [id])
        }
    }

    /// The province's copies of the names a city gives (`unit`: the applicant's unit,
    /// `applicant`: the person), for the received applications `received` picks (a condition
    /// with `arguments`): the applications, and the 专家信息库 entries of experts admitted from
    /// them, with the expert's account of the office for a person's name (its login the same
    /// ID-card number). Copies, not decisions: nothing decided is rewritten. Returns how many
    /// applications and experts changed. One place for a correction (`org.renamed`,
    /// `applicant.renamed`) and for a hand-over again that carries the city's names now.
    /// `code`: the unit's 单位编号, when the message gives one: an expert entry whose unit has
    /// another code (a 人员调动 since: `applicant.moved`) is not the unit's to rename. `experts`:
    /// the received applications whose experts may take the name, when they are other than
    /// `received` (the expert recommendations of people who moved to the unit since).
    static func renameCopies(unit: String? = nil, code: String = "", applicant: String? = nil, of received: String,
                             _ arguments: [any SQLiteBindable], experts expertRows: (condition: String, arguments: [any SQLiteBindable])? = nil,
                             now: Double, _ conn: SQLiteConnection) throws -> (applications: Int, experts: Int) {
        let picked = "SELECT id FROM received_applications WHERE \(received)"
        var applications = 0, experts = 0
        if let unit = givenName(unit) {
            // An expert admitted from one of these applications, unless their unit has another
            // code now; without a code (a city of an older version), by the applications alone.
            // ?1 the code, ?2 the name, ?3 the time; the condition's own arguments follow.
            let (condition, conditionArguments) = expertRows ?? (received, arguments)
            experts += try conn.run("""
                UPDATE experts SET unit_name = ?2, updated_at = ?3
                WHERE received_id IN (SELECT id FROM received_applications WHERE \(condition)) AND unit_name != ?2
                AND (unit_code IS NULL OR ?1 = '' OR unit_code = ?1)
                """, [code, unit, now] + conditionArguments)
            // The name it had is kept (`former_unit_names`): a relation an expert declared naming
            // it still names the unit (回避, ExpertDraw rules 4). The name is ?1, the condition's
            // arguments follow (?2…).
            applications += try conn.run("""
                UPDATE received_applications SET \(renaming("unit_name", keptIn: "former_unit_names", to: "?1"))
                WHERE id IN (\(picked)) AND unit_name != ?1
                """, [unit] + arguments)
        }
        if let applicant = givenName(applicant) {
            try conn.run("""
                UPDATE accounts SET name = ? WHERE id IN (SELECT e.account_id FROM experts e
                    WHERE e.received_id IN (\(picked)) AND e.id_number = accounts.login AND e.name != ?)
                """, [applicant] + arguments + [applicant])
            experts += try conn.run("UPDATE experts SET name = ?, updated_at = ? WHERE received_id IN (\(picked)) AND name != ?", [applicant, now] + arguments + [applicant])
            // Kept too (`former_applicant_names`): a relation naming the person by it still names them.
            applications += try conn.run("""
                UPDATE received_applications SET \(renaming("applicant_name", keptIn: "former_applicant_names", to: "?1"))
                WHERE id IN (\(picked)) AND applicant_name != ?1
                """, [applicant] + arguments)
        }
        return (applications, experts)
    }

    /// The province receives a hand-over and acknowledges it. An application it already has
    /// and has acted on (a committee evaluates it; the office decided on an expert
    /// application) keeps the province's state, and the hand-over is answered with what the
    /// province has: the acknowledgement, then the interview notice and the final result if
    /// there are any. That is what a city restored to a backup older than those answers
    /// needs when it hands the application over again. One not acted on yet takes the new data.
    static func receive(_ message: Message, _ payload: [String: Any], from source: TenantID, in target: TenantID, now: Double,
                        _ conn: SQLiteConnection) throws -> Bool {
        let sourceID = payload["source_application_id"] as? Int ?? 0
        let existing = try conn.query("""
            SELECT r.id, r.kind, r.series, r.level, r.state, r.result, e.interview_time, e.interview_place, e.result AS notice_result, e.note, e.publicity_until, c.name AS committee,
                   -- A resubmission after the office sent it back is a new hand-over.
                   CASE WHEN r.state = 'returned' AND ? > coalesce(r.source_submission, 0) THEN 0
                        ELSE e.id IS NOT NULL OR r.state NOT IN ('received', 'in_review')
                             OR EXISTS (SELECT 1 FROM received_decisions d WHERE d.received_id = r.id) END AS acted
            FROM received_applications r LEFT JOIN evaluations e ON e.received_id = r.id LEFT JOIN committees c ON c.id = e.committee_id
            WHERE r.source_tenant = ? AND r.source_application_id = ?
            """, [payload["submission"] as? Int ?? 0, source.rawValue, sourceID]).first
        if existing?["acted"].int != 1 {
            let kind = ApplicationKind(rawValue: payload["kind"] as? String ?? "title") ?? .title
            // The province office reviews it itself (经办人 then 负责人, `ProvinceReviewService`
            // and `ExpertService`) before its committee takes up a title application and
            // before an expert enters the database. A title application under that review
            // is `in_review`; an expert application keeps `received` until it is decided.
            guard let root = try conn.rootOrg() else { throw ZhichengError.internal("the province tenant has no office") }
            var review = try ReviewChain(route: [root.id], endsInProvince: false)
            _ = try review.submit()
            let state = kind == .title ? "in_review" : "received"
            try conn.run("""
                INSERT INTO received_applications (source_tenant, source_application_id, message_id, applicant_name, id_number, unit_name,
                    year, series, level, title, sections, trail, received_at, kind, specialty, chain, state, source_submission, unit_code)
                    VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                ON CONFLICT (source_tenant, source_application_id) DO UPDATE SET
                    -- What the office reviewed and returned, for its reviewers to compare with.
                    previous_sections = CASE WHEN received_applications.state = 'returned' THEN received_applications.sections
                                             ELSE received_applications.previous_sections END,
                    message_id = excluded.message_id, sections = excluded.sections, trail = excluded.trail, state = excluded.state,
                    -- A hand-over without a name (blank) keeps the one known (`renaming`).
                    \(Self.renaming("unit_name", keptIn: "former_unit_names", to: "excluded.unit_name")),
                    \(Self.renaming("applicant_name", keptIn: "former_applicant_names", to: "excluded.applicant_name")),
                    received_at = excluded.received_at, chain = excluded.chain, source_submission = excluded.source_submission, version = version + 1,
                    -- A hand-over without the unit's code (a city of an older version) keeps one known.
                    unit_code = coalesce(excluded.unit_code, received_applications.unit_code)
                """, [source.rawValue, sourceID, message.messageID, givenName(payload["applicant_name"]) ?? "", givenNumber(payload["id_number"]) ?? "",
                      givenName(payload["unit_name"]) ?? "", payload["year"] as? Int ?? 0, payload["series"] as? String ?? "",
                      payload["level"] as? String ?? "", payload["title"] as? String ?? "", payload["sections"] as? String ?? "{}",
                      payload["trail"] as? String ?? "[]", now, kind.rawValue, payload["specialty"] as? String, try ApplicationService.encode(review),
                      state, payload["submission"] as? Int, (payload["unit_code"] as? String).flatMap { $0.isEmpty ? nil : $0 }])
            if existing == nil { try inheritFormerNames(of: sourceID, from: source, conn) }
        }
        let receivedID = try conn.scalar("SELECT id FROM received_applications WHERE source_tenant = ? AND source_application_id = ?", [source.rawValue, sourceID])?.int ?? 0
        try enqueue("application.received", id: "\(target):application.received:\(message.messageID)", to: source.rawValue,
                    payload: ["source_application_id": sourceID, "province_application_id": receivedID], conn)
        if let existing, existing["acted"].int == 1 {
            // Its names are copies: a hand-over again (by a city restored to before the first
            // one) carries the ones the city uses now, which a correction made since did not send.
            _ = try renameCopies(unit: givenName(payload["unit_name"]), code: (payload["unit_code"] as? String) ?? "",
                                 applicant: givenName(payload["applicant_name"]), of: "id = ?", [existing["id"].int ?? 0], now: now, conn)
            let facts = EvaluationService.Facts(series: existing["series"].string ?? "", level: TitleLevel(rawValue: existing["level"].string ?? "") ?? .senior,
                                                source: (source.rawValue, sourceID))
            // The office's own review steps first, as they went the first time (the city
            // keeps each step once: `province_decisions` is matched on its time).
            let steps = try conn.query("SELECT stage, decision, comment, sections, reason, submission, at FROM received_decisions WHERE received_id = ? ORDER BY id",
                                       [existing["id"].int ?? 0])
            let bodies = steps.map { step in
                ProvinceReview.stepBody(
                    stage: ReviewStage(rawValue: step["stage"].string ?? "") ?? .handler, decision: ReviewDecision(rawValue: step["decision"].string ?? "") ?? .pass,
                    comment: step["comment"].string ?? "", sections: AccountRecord.strings(step["sections"]) ?? [],
                    reason: step["reason"].string.flatMap(ReturnReason.init(rawValue:)), at: step["at"].double ?? 0,
                    // Each on the submission it was on (a step of an earlier round stays with it).
                    submission: step["submission"].int ?? payload["submission"] as? Int ?? 0)
            }
            for body in bodies {
                try EvaluationService.enqueueBack(facts, kind: "application.province-review", body: body, conn)
            }
            // Sent back for changes (and handed over again with the same submission, by a city
            // restored to before the return): the return again.
            if existing["state"].string == "returned", let last = steps.last, last["decision"].string == ReviewDecision.return.rawValue {
                try EvaluationService.enqueueBack(facts, kind: "application.returned", body: ProvinceReview.returnBody(
                    sections: AccountRecord.strings(last["sections"]) ?? [], reason: last["reason"].string.flatMap(ReturnReason.init(rawValue:)) ?? .other,
                    comment: last["comment"].string ?? "", submission: payload["submission"] as? Int ?? 0), conn)
            }
            if let time = existing["interview_time"].string, let place = existing["interview_place"].string {
                try EvaluationService.enqueueBack(facts, kind: "application.interview",
                                                  body: ["committee": existing["committee"].string ?? "",
                                                         "interview": EvaluationService.interviewNotice(time: time, place: place)], conn)
            }
            if let result = existing["notice_result"].string, existing["state"].string == "publicity", let until = existing["publicity_until"].double {
                let notice = try EvaluationService.enqueueBack(facts, kind: "application.publicity",
                                                               body: ["result": result, "committee": existing["committee"].string ?? "", "note": existing["note"].string ?? "",
                                                                      "publicity_until": until], conn)
                try conn.run("UPDATE evaluations SET notice = ? WHERE received_id = ?", [notice, existing["id"].int ?? 0])
            }
            if ["rejected", "passed"].contains(existing["state"].string ?? ""), let last = steps.last, let body = bodies.last,
               let end = ProvinceOfficeEnd(kind: ApplicationKind(rawValue: existing["kind"].string ?? "") ?? .title,
                                           stage: ReviewStage(rawValue: last["stage"].string ?? "") ?? .handler,
                                           decision: ReviewDecision(rawValue: last["decision"].string ?? "") ?? .pass) {
                // Ended by the office's review (turned down; an expert admitted): that step ends it
                // in the city (not a committee's result).
                try EvaluationService.enqueueBack(facts, kind: end.messageKind, body: body, conn)
            } else if let result = existing["result"].string, ["final", "passed", "rejected"].contains(existing["state"].string ?? "") {
                try EvaluationService.enqueueBack(facts, kind: "application.result", body: ["result": result, "committee": existing["committee"].string ?? "",
                                                                                           "note": existing["note"].string ?? ""], conn)
            }
        }
        try conn.appendTenantAudit(AuditEntry(actor: "relay", action: existing?["acted"].int == 1 ? .applicationReceiveAgain : .applicationReceive,
                                        target: "received_application:\(receivedID)", detail: #"{"from":"\#(source)","source_application_id":\#(sourceID)}"#,
                                        source: "tenant:\(source)"))
        return true
    }

    /// A committee's 说明 as an answer of the province carries it (`application.publicity`,
    /// `application.result`; held to `FreeText.resultNote` on arrival by `RelayedText`), as
    /// written; nil when the message has none (a province of an earlier version sent none), ""
    /// when the committee gave none.
    static func note(_ payload: [String: Any]) -> String? {
        (payload["note"] as? String).map { FreeText.isBlank($0) ? "" : $0 }
    }

    /// A step of the province office's own review on the city's application `id`, as `payload`
    /// (`ProvinceReview.stepBody`) gives it, with `decision`, into its trail and 评审表
    /// (`province_decisions`). A step the province sends again (to a city restored to a backup,
    /// with the hand-over repeated; a rejection after its step) is kept once: the same step at
    /// the same time.
    static func provinceStep(_ id: Int, _ payload: [String: Any], decision: String, _ conn: SQLiteConnection) throws {
        let submission = payload["submission"] as? Int ?? 0
        let stage = payload["stage"] as? String ?? "handler"
        let at = (payload["at"] as? NSNumber)?.doubleValue ?? Date().timeIntervalSince1970
        try conn.run("""
            INSERT INTO province_decisions (application_id, submission, office, stage, decision, comment, sections, reason, at)
            SELECT ?, CASE WHEN ? > 0 THEN ? ELSE (SELECT submissions FROM applications WHERE id = ?) END, ?, ?, ?, ?, ?, ?, ?
            WHERE NOT EXISTS (SELECT 1 FROM province_decisions WHERE application_id = ? AND stage = ? AND decision = ? AND at = ?)
            """, [id, submission, submission, id, payload["office"] as? String ?? "省职改办", stage, decision, payload["comment"] as? String ?? "",
                  jsonArray(payload["sections"] as? [String] ?? []), payload["reason"] as? String, at,
                  id, stage, decision, at])
    }

    /// The province receives an objection a person of the city lodged against its result
    /// while it stood in public notice; its state on arrival is `RelayedObjection.arrival`.
    /// The person who lodged it learns its state on arrival (`objection.resolved`): open
    /// for the office, or already closed. Returns whether that answer was queued.
    static func lodge(_ message: Message, _ payload: [String: Any], from source: TenantID, now at: Double, _ conn: SQLiteConnection) throws -> Bool {
        let sourceID = payload["source_application_id"] as? Int ?? 0
        guard let evaluation = try conn.query("""
            SELECT e.id, e.state, e.notice FROM received_applications r JOIN evaluations e ON e.received_id = r.id
            WHERE r.source_tenant = ? AND r.source_application_id = ?
            """, [source.rawValue, sourceID]).first, let evaluationID = evaluation["id"].int else {
            try conn.appendTenantAudit(AuditEntry(actor: "relay", action: .relayUnapplied, target: "message:\(message.messageID)",
                                            detail: #"{"kind":"objection.lodge","reason":"no result of the province on this application"}"#, source: "tenant:\(source)"))
            return false
        }
        let now: RelayedObjection.Evaluation = switch evaluation["state"].string {
        case "publicity": .publicity
        case "final": .final
        default: .pending
        }
        let (state, reason) = RelayedObjection.arrival(now, sameNotice: evaluation["notice"].string == (payload["notice"] as? String ?? ""))
        // The person and their org in the city (the city itself is `source_tenant`), as an objection
        // lodged here names its person (`Objector.displayName`).
        let lodgedBy = Objector.displayName(payload["lodged_by"] as? String ?? "", org: givenName(payload["org_name"]) ?? source.rawValue)
        try conn.run("""
            INSERT INTO objections (evaluation_id, lodged_by, source_tenant, message_id, text, evidence, state, reason, created_at, resolved_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, [evaluationID, lodgedBy, source.rawValue, message.messageID, payload["text"] as? String ?? "", payload["evidence"] as? String ?? "",
                  state, reason, (payload["lodged_at"] as? NSNumber)?.doubleValue ?? at, state == "open" ? nil : at])
        let objection = Int(conn.lastInsertRowID)
        try conn.appendTenantAudit(AuditEntry(actor: "relay", action: .objectionLodge, target: "objection:\(objection)",
                                        detail: #"{"evaluation":\#(evaluationID),"state":"\#(state)"}"#, source: "tenant:\(source)"))
        let committee = try conn.scalar("SELECT c.name FROM evaluations e JOIN committees c ON c.id = e.committee_id WHERE e.id = ?", [evaluationID])?.string ?? ""
        try EvaluationService.answerObjection(objection, facts: EvaluationService.Facts(series: "", level: .senior, source: (source.rawValue, sourceID)),
                                              committee: committee, conn)
        return true
    }

    /// The city learns how the province resolved an objection to its result: the objection
    /// a person of the city sent moves on (only forward: `ObjectionState.advances`), and a
    /// dismissal enters the application's trail.
    static func objectionResolved(_ message: Message, _ payload: [String: Any], from source: TenantID, now: Double, _ conn: SQLiteConnection) throws {
        let id = payload["source_application_id"] as? Int ?? 0
        guard let state = ObjectionState(rawValue: payload["state"] as? String ?? "") else {
            throw ZhichengError.internal("objection.resolved with an unknown state")
        }
        let reason = payload["reason"] as? String ?? ""
        if let sent = payload["objection_message_id"] as? String,
           let current = try conn.scalar("SELECT state FROM sent_objections WHERE message_id = ?", [sent])?.string.flatMap(ObjectionState.init(rawValue:)),
           current.advances(to: state) {
            try conn.run("UPDATE sent_objections SET state = ?, reason = ?, resolved_at = ? WHERE message_id = ?",
                         [state.rawValue, (reason.isEmpty ? nil : reason) as String?, (state == .open ? nil : now) as Double?, sent])
        }
        if state == .dismissed, try awaitingProvince(id, message, from: source, conn) {
            try step(id, .objectionDismissed, payload, detail: reason, conn)
        }
        try conn.appendTenantAudit(AuditEntry(actor: "relay", action: .objectionResolved, target: "application:\(id)",
                                        detail: #"{"province":"\#(source)","state":"\#(state.rawValue)"}"#, source: "tenant:\(source)"))
    }

    /// A step of the province's committee on the city's application `id`, in its trail.
    static func step(_ id: Int, _ event: CommitteeEvent, _ payload: [String: Any], detail: String, _ conn: SQLiteConnection) throws {
        var committee = payload["committee"] as? String ?? ""
        if committee.isEmpty { committee = try conn.scalar("SELECT committee_name FROM applications WHERE id = ?", [id])?.string ?? "" }
        try EvaluationService.appendStep(id, event, office: payload["office"] as? String ?? "省职改办", committee: committee, actor: nil, detail: detail, conn)
    }

    /// Whether the city's application `id` waits for the province, the only state in which
    /// the province's answers about it apply. It may not: the city was restored to a backup
    /// taken before it handed the application over. The message is then kept in the inbox
    /// and written to the audit log (`relay.unapplied`), but not applied, and never blocks
    /// the messages behind it: the city hands the application over again, and the province
    /// answers again.
    static func awaitingProvince(_ id: Int, _ message: Message, from source: TenantID, _ conn: SQLiteConnection) throws -> Bool {
        let state = try conn.scalar("SELECT state FROM applications WHERE id = ?", [id])?.string
        guard state != ApplicationState.awaitingProvince.rawValue else { return true }
        try conn.appendTenantAudit(AuditEntry(actor: "relay", action: .relayUnapplied, target: "application:\(id)",
                                        detail: #"{"kind":"\#(message.kind)","message_id":\#(jsonString(message.messageID)),"state":\#(state.map(jsonString) ?? "null")}"#,
                                        source: "tenant:\(source)"))
        return false
    }
}
