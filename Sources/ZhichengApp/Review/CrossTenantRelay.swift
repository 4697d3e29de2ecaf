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
/// province (carrying the objection's evidence files, base64, stored with it as the inbox takes
/// it: `EvaluationService.storeRelayedEvidence`), `objection.resolved` back; names:
/// `org.renamed`, `applicant.renamed`, `applicant.moved` to the province.
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
    /// Tests only (see the internal `init`); nil in the daemon.
    private let beforePayloadRead: (@Sendable (Int) async -> Void)?
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

    public convenience init(store: TenantStore, logger: Logger, schedule: RelaySchedule = RelaySchedule()) {
        self.init(store: store, logger: logger, schedule: schedule, beforePayloadRead: nil)
    }

    /// Tests: `beforePayloadRead` runs with a deferred message's row id just before its payload
    /// is read (`withPayload`), to change the outbox between a page's read and a message's turn.
    init(store: TenantStore, logger: Logger, schedule: RelaySchedule, beforePayloadRead: (@Sendable (Int) async -> Void)?) {
        self.beforePayloadRead = beforePayloadRead
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
                waiting = try await store.outbox(info.id, setAside: false).waiting
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
        /// Its payload may be large and was not read with its page (`deferredKind`): `deliver`
        /// reads it when it comes to it.
        var payloadDeferred = false
    }

    /// A page of the messages waiting in an outbox, oldest first: arguments `deferredKind`, the
    /// id the page starts after, the `skipping` targets left out, the page's size. Read from the
    /// partial index `outbox_waiting` (schema v44), named so that the planner does not take
    /// `outbox_pending` and read every row whole: the table is read only for the payloads it
    /// returns, not for those of `deferredKind`, whose pages on disk are not read.
    static func waitingPageSQL(skipping: Int) -> String {
        "SELECT id, message_id, target, kind, CASE WHEN kind = ? THEN NULL ELSE payload END AS payload, created_at"
            + " FROM outbox INDEXED BY outbox_waiting WHERE delivered_at IS NULL AND set_aside_at IS NULL AND id > ?"
            + (skipping == 0 ? "" : " AND target NOT IN (\(Array(repeating: "?", count: skipping).joined(separator: ",")))")
            + " ORDER BY id LIMIT ?"
    }

    /// How many messages wait for each of `targets` targets (arguments: the targets), from
    /// `outbox_waiting` alone.
    static func waitingCountSQL(targets: Int) -> String {
        "SELECT target, count(*) AS n FROM outbox INDEXED BY outbox_waiting WHERE delivered_at IS NULL AND set_aside_at IS NULL"
            + " AND target IN (\(Array(repeating: "?", count: targets).joined(separator: ","))) GROUP BY target"
    }

    /// The kind of message whose payload is not read with its page of messages: an objection's,
    /// whose evidence files travel in it (`EvaluationService.forwardObjection`, up to about 32 MiB:
    /// `ObjectionEvidence.relayCap`). A page of 200 of them, waiting for a province that could not
    /// be reached, would otherwise be held in memory at once; read one at a time as each is
    /// delivered, only one is. (By kind, not by size: SQLite reads a text value whole to measure
    /// it.) The page reads the other columns from an index (`waitingPageSQL`), so the payload's
    /// pages on disk are not read either until the message's turn comes.
    static let deferredKind = "objection.lodge"

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
            let sql = Self.waitingPageSQL(skipping: skip.count)
            let arguments: [any SQLiteBindable] = [Self.deferredKind, after] + skip + [Self.pageSize]
            let messages = try await store.withTenant(source) { db in
                try await db.read { conn in
                    try conn.query(sql, arguments).map {
                        Message(id: $0["id"].int ?? 0, messageID: $0["message_id"].string ?? "", target: $0["target"].string ?? "",
                                kind: $0["kind"].string ?? "", payload: $0["payload"].string ?? "{}", createdAt: $0["created_at"].double ?? 0,
                                payloadDeferred: $0["payload"] == .null)
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
                    // A message gone since its page was read was not delivered: neither counted nor
                    // taken as the target's success (which would end a failing target's count).
                    guard try await deliver(message, from: source) else { continue }
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
                try conn.query(Self.waitingCountSQL(targets: targets.count), targets).map { ($0["target"].string ?? "", $0["n"].int ?? 0) }
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
    /// delivered at the source; a hand-over's files are copied before it (`copyFiles`). A
    /// repeat after a crash between the two does nothing but wake the target: the reply its
    /// first delivery queued there may never have been sent on (marking at the source
    /// failed, and the target was not woken).
    ///
    /// The target stays leased until the mark is made. A restore of the target waits for
    /// its leases to end, and its re-offer afterwards resets only messages already marked:
    /// were the lease let go between the two, a restore there would take the message out of
    /// the target while the mark that follows kept the sender from offering it again.
    ///
    /// Returns false, having done nothing, when the message is gone from the outbox since its
    /// page was read (the source restored to before it, or it was delivered or set aside
    /// meanwhile): only a message whose payload is read now can tell (`withPayload`).
    private func deliver(_ pending: Message, from source: TenantID) async throws -> Bool {
        guard let message = try await withPayload(pending, from: source) else { return false }
        let target = try await resolve(message.target)
        FaultInjection.point("relay.before-deliver.\(message.kind)")
        let applied = try await store.withTenant(target) { [self] db in
            if message.kind == RelayMessageKind.forward.rawValue {
                // The hand-over's files first, each in its own transaction (`copyFiles`), under the
                // same lease: a restore of the target cannot come between them and the message. A
                // crash from here on repeats copies, which then do nothing, and the message is
                // delivered once as ever, by the inbox.
                try await copyFiles(of: message, from: source, into: db, target: target)
                FaultInjection.point("relay.files-copied.\(message.kind)")
            }
            let applied = try await db.write { conn -> Applied in
                guard try conn.scalar("SELECT count(*) FROM inbox WHERE message_id = ?", [message.messageID])?.int == 0 else { return .answered }
                try conn.run("INSERT INTO inbox (message_id, source_tenant, kind, payload, received_at) VALUES (?, ?, ?, ?, ?)",
                             [message.messageID, source.rawValue, message.kind, Self.inboxCopy(of: message), Date().timeIntervalSince1970])
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
        return true
    }

    /// `message` with its payload, read now from `source`'s outbox if its page left it out
    /// (`deferredKind`); nil when it is no longer waiting there.
    private func withPayload(_ message: Message, from source: TenantID) async throws -> Message? {
        guard message.payloadDeferred else { return message }
        await beforePayloadRead?(message.id)
        let payload = try await store.withTenant(source) { db in
            try await db.read { conn in
                try conn.scalar("SELECT payload FROM outbox WHERE id = ? AND message_id = ? AND delivered_at IS NULL AND set_aside_at IS NULL",
                                [message.id, message.messageID])?.string
            }
        }
        guard let payload else { return nil }
        var whole = message
        whole.payload = payload
        whole.payloadDeferred = false
        return whole
    }

    /// The payload as the receiver's inbox keeps it: as it came, but for the bytes of an
    /// objection's evidence files (kept, checked, in `objection_files` as the message is applied;
    /// their names, types, sizes and digests stay), which would otherwise be stored twice there.
    /// Dropped also where they were not stored (a lodge kept unapplied, a file refused at its
    /// check): the sender's outbox keeps the message whole, and a re-offer brings them again.
    static func inboxCopy(of message: Message) -> String {
        guard message.kind == deferredKind, message.payload.contains("\"base64\""),
              var object = (try? JSONSerialization.jsonObject(with: Data(message.payload.utf8))) as? [String: Any],
              let files = object["files"] as? [[String: Any]] else { return message.payload }
        object["files"] = files.map { $0.filter { $0.key != "base64" } }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return message.payload }
        return String(decoding: data, as: UTF8.self)
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
}
