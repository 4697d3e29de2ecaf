import Foundation
import Logging
import Synchronization
import ZhichengCore
import ZhichengStorage

/// A tenant as `tenant.list` shows it.
public struct TenantRow: Sendable, Equatable {
    public var info: TenantInfo
    public var stats: TenantStats?
    /// Why its database could not be read (damaged, restored under way, of a newer
    /// schema): the registry's facts are shown all the same, its counts are not.
    public var unreadable: String? = nil
}

/// What `tenant.create` hands back: the tenant and its root office's first credentials.
public struct CreatedTenant: Sendable, Equatable {
    public var info: TenantInfo
    public var adminLogin: String
    /// Shown once; the account must change it at first sign-in.
    public var adminPassword: String
    /// What the create points out without refusing (`TenantInfo.creationWarnings`): another
    /// tenant with the same division code, a name not the code's. Empty when neither.
    public var warnings: [String] = []
}

/// What `tenant.rename` did.
public struct RenamedTenant: Sendable, Equatable {
    /// The tenant with its new name.
    public var info: TenantInfo
    /// The name it had; nil when it had this one already and nothing changed.
    public var formerName: String?
    /// Its root office's name now, and whether the rename gave it (see `TenantService.rename`).
    public var officeName: String
    public var officeRenamed: Bool
}

/// The tenant life cycle — the use cases behind the admin protocol's `tenant.*`
/// and `account.*` commands and the HTTP layer's tenant resolution. Every rule
/// about tenants lives here, so no transport implements one twice.
public struct TenantService: Sendable {
    public let store: TenantStore
    let hasher: PasswordHasher
    let logger: Logger
    /// Told when a tenant appears or is restored, so messages waiting for it (or in a
    /// restored outbox) go at once instead of at the end of a retry pause.
    public let relay: CrossTenantRelay?
    /// The tenants a restore runs for now, in this process.
    let restoring = Restoring()

    final class Restoring: Sendable {
        private let ids = Mutex<Set<TenantID>>([])
        /// False when a restore of `id` runs already.
        /// Also held by a resume while it runs: a restore and a resume of one tenant never overlap.
        func claim(_ id: TenantID) -> Bool { ids.withLock { $0.insert(id).inserted } }
        func release(_ id: TenantID) { _ = ids.withLock { $0.remove(id) } }
    }

    public init(store: TenantStore, hasher: PasswordHasher = .init(), relay: CrossTenantRelay? = nil, logger: Logger) {
        self.store = store
        self.hasher = hasher
        self.relay = relay
        self.logger = logger
    }

    // MARK: Create

    /// Creates a tenant with its root office (职改办) and the office's admin account.
    public func create(id rawID: String, name rawName: String, divisionCode rawCode: String, kind rawKind: String?, by principal: Principal) async throws -> CreatedTenant {
        let id = try TenantID(rawID)
        let name = try TenantInfo.validateName(rawName)
        let code = try DivisionCode(rawCode)
        let kind = try rawKind.map { (raw: String) throws(ZhichengError) in try TenantKind(parsing: raw) } ?? .city
        try kind.validate(code)
        let info = TenantInfo(id: id, name: name, divisionCode: code, kind: kind, state: .active, createdAt: Date().timeIntervalSince1970)
        let password = OneTimePassword.generate()
        let hash = try await hasher.hash(password)
        let login = code.short
        let officeName = kind.officeName(of: name)
        let known = kind == .city ? try await applicationIDsKnownToProvince(id) : 0
        let warnings = TenantInfo.creationWarnings(id: id, name: name, code: code, others: (try? await store.registry.all()) ?? [])
        try await store.create(info, knownApplicationIDs: known) { conn in
            for (key, value) in [("tenant_id", id.rawValue), ("name", name), ("division_code", code.short), ("kind", kind.rawValue)] {
                try conn.run("INSERT INTO tenant_meta (key, value) VALUES (?, ?)", [key, value])
            }
            let orgID = OrgRecord.officeID
            try conn.run(
                "INSERT INTO orgs (id, parent_id, code, name, kind, profile_state, created_at) VALUES (?, NULL, ?, ?, 'office', 'approved', ?)",
                [orgID, login, officeName, info.createdAt])
            try conn.run(
                "INSERT INTO accounts (org_id, login, name, kind, password_hash, must_change_password, enabled, created_at) VALUES (?, ?, '系统管理员', 'org_admin', ?, 1, 1, ?)",
                [orgID, login, hash, info.createdAt])
            try conn.appendAudit(AuditEntry(
                at: info.createdAt, actor: principal.name, orgID: orgID, action: .tenantCreate, target: "tenant:\(id)",
                detail: #"{"name":\#(jsonString(name)),"division_code":"\#(code.short)","kind":"\#(kind.rawValue)"}"#,
                source: principal.source))
        }
        var metadata: Logger.Metadata = ["tenant.id": "\(id)", "tenant.kind": "\(kind.rawValue)"]
        if !warnings.isEmpty { metadata["warnings"] = "\(warnings.joined(separator: "; "))" }
        logger.notice("tenant created", metadata: metadata)
        relay?.resumeAll()
        return CreatedTenant(info: info, adminLogin: login, adminPassword: password, warnings: warnings)
    }

    /// The highest application id of a city `id` the province has received (0 if none, or
    /// no province): a city created again under an id archived before must not number a new
    /// application as one the province already holds, which it would take for a repeat. The
    /// archive records what the old city used; this covers an archive of a database that could
    /// not be read, and a tenant directory removed by hand. A province that cannot be read now
    /// (suspended, being restored) refuses the create of an id archived before (try again
    /// later); for an id never used, what it holds is only looked for, and a warning logged.
    func applicationIDsKnownToProvince(_ id: TenantID) async throws -> Int {
        if let held = await provinceHolds(id) { return held }
        if try await store.registry.wasArchived(id) {
            throw ZhichengError.unavailable("tenant \(id) was archived before, and the province, which holds its applications by their ids, cannot be read now; create it again once the province is served")
        }
        logger.warning("tenant.create: cannot read which applications of this id the province holds", metadata: ["tenant.id": "\(id)"])
        return 0
    }

    /// The highest application id of city `id` the province holds (0 without a province),
    /// nil when the province cannot be read now.
    func provinceHolds(_ id: TenantID) async -> Int? {
        let raw: String?
        do { raw = try await store.registry.provinceID() } catch { return nil }
        guard let raw, let province = try? TenantID(raw) else { return 0 }
        return try? await store.withTenant(province) { db in
            try await db.read { conn in
                try conn.scalar("SELECT coalesce(max(source_application_id), 0) FROM received_applications WHERE source_tenant = ?", [id.rawValue])?.int ?? 0
            }
        }
    }

    /// Creates the demo tenants (`province`, `zhengzhou`) that do not exist yet; a
    /// new `zhengzhou` gets the manual's small tree (管城回族区职改办 → 管城区教育局 →
    /// 逸夫小学), approved, each with its admin's one-time password.
    public func ensureDemo() async throws -> (tenants: [CreatedTenant], orgs: [(name: String, login: String, password: String)]) {
        var created: [CreatedTenant] = []
        var orgs: [(name: String, login: String, password: String)] = []
        for (id, name, code, kind) in [("province", "河南省", "41", "province"), ("zhengzhou", "郑州市", "4101", "city")] {
            guard try await store.registry.get(try TenantID(id)) == nil else { continue }
            if kind == "province", try await store.registry.provinceID() != nil { continue }   // one province per installation
            created.append(try await create(id: id, name: name, divisionCode: code, kind: kind, by: .system))
            if id == "zhengzhou" { orgs = try await seedDemoTree(try TenantID(id)) }
        }
        return (created, orgs)
    }

    private func seedDemoTree(_ id: TenantID) async throws -> [(name: String, login: String, password: String)] {
        let tree: [(name: String, kind: OrgKind, credit: String)] = [
            ("管城回族区职改办", .office, "11410104MB1234567A"), ("管城区教育局", .department, "11410104MB1234568B"), ("逸夫小学", .unit, "12100000400000624D"),
        ]
        var generated: [(String, String)] = []
        for _ in tree {
            let password = OneTimePassword.generate()
            generated.append((password, try await hasher.hash(password)))
        }
        let passwords = generated
        return try await store.withTenant(id) { db in
            try await db.write { conn in
                var out: [(name: String, login: String, password: String)] = []
                guard var parent = try conn.rootOrg() else { throw ZhichengError.internal("tenant has no root office") }
                let now = Date().timeIntervalSince1970
                for (index, node) in tree.enumerated() {
                    let code = try OrgService.allocateCode(parent: parent, kind: node.kind, name: node.name, conn)
                    var profile = UnitProfile()
                    profile.name = node.name
                    profile.category = node.kind.label
                    profile.city = "郑州市 管城回族区"
                    profile.affiliationLevel = "县区"
                    profile.industry = "教育"
                    profile.nature = "全额拨款事业单位"
                    profile.economicType = "国有全资"
                    profile.contact = "张老师"
                    profile.phone = "0371-66668888"
                    profile.address = "郑州市管城回族区"
                    profile.postcode = "450000"
                    if (try? CreditCode(node.credit)) != nil { profile.creditCode = node.credit }
                    try conn.run("INSERT INTO orgs (parent_id, code, name, kind, profile_state, created_at) VALUES (?, ?, ?, ?, 'approved', ?)",
                                 [parent.id, code, node.name, node.kind.rawValue, now])
                    let orgID = Int(conn.lastInsertRowID)
                    try conn.saveProfile(orgID, profile)
                    try conn.run("INSERT INTO accounts (org_id, login, name, kind, password_hash, must_change_password, enabled, created_at) VALUES (?, ?, '系统管理员', 'org_admin', ?, 1, 1, ?)",
                                 [orgID, code, passwords[index].1, now])
                    try conn.appendAudit(AuditEntry(actor: Principal.system.name, orgID: parent.id, action: .orgCreate, target: "org:\(orgID)",
                                                    detail: #"{"code":"\#(code)","demo":true}"#, source: Principal.system.source))
                    out.append((node.name, code, passwords[index].0))
                    guard let next = try conn.org(orgID) else { throw ZhichengError.internal("demo org vanished") }
                    parent = next
                }
                return out
            }
        }
    }

    // MARK: Read

    /// Every tenant with its counts; a tenant whose file cannot be opened is listed without
    /// counts, with why.
    public func list() async throws -> [TenantRow] {
        var rows: [TenantRow] = []
        for info in try await store.registry.all() {
            rows.append(await row(info, logged: false))
        }
        return rows
    }

    /// `info` with its counts, or with why they cannot be read (`logged`: also in the journal,
    /// once for the tenant asked about, not for every row of every list).
    private func row(_ info: TenantInfo, logged: Bool) async -> TenantRow {
        do {
            return TenantRow(info: info, stats: try await store.stats(info.id))
        } catch {
            let why = (error as? ZhichengError)?.message ?? "\(error)"
            if logged { logger.warning("tenant database cannot be read", metadata: ["tenant.id": "\(info.id)", "error": "\(why)"]) }
            return TenantRow(info: info, stats: nil, unreadable: why)
        }
    }

    /// Every registered tenant, from the registry alone: no tenant file is opened or read
    /// (the 地市 picker, which anyone may load).
    public func registered() async throws -> [TenantInfo] {
        try await store.registry.all()
    }

    /// The registry's row of a tenant in service: `notFound` otherwise, saying when and where
    /// to an id was archived (every admin command on a tenant comes here first).
    public func info(_ rawID: String) async throws -> TenantInfo {
        let id = try TenantID(rawID)
        guard let info = try await store.registry.get(id) else {
            // An id archived and not created again: said, with where its files went.
            if let archive = try? await store.registry.lastArchive(id) {
                throw ZhichengError.notFound("tenant \(id) does not exist: it was archived on "
                                             + "\(WireTime.iso8601(archive.at)) to \(archive.path)")
            }
            throw ZhichengError.notFound("tenant \(id) does not exist")
        }
        return info
    }

    /// One tenant with counts, schema version and last backup. A tenant whose database cannot
    /// be read is shown all the same, with why, and its last backup: what a restore needs.
    /// `restore`: a restore of the tenant the registry records, under way now or one whose
    /// follow-up failed (owed until it is settled: the tenant cannot be resumed before).
    public func show(_ rawID: String) async throws -> (row: TenantRow, outbox: OutboxCounts?, lastBackup: BackupRecord?, restore: RestoreIntent?) {
        let info = try await info(rawID)
        let row = await row(info, logged: true)
        let outbox = row.unreadable == nil ? try await store.outbox(info.id) : nil
        let restore = try await store.registry.restoresUnderWay().first { $0.id == info.id }
        return (row, outbox, try await store.registry.lastBackup(info.id), restore)
    }

    /// When each tenant was last backed up (its creation if never), as the registry records
    /// each backup that succeeded.
    public func lastBackupTimes() async throws -> [(id: String, at: Double)] {
        try await store.registry.lastBackupTimes()
    }

    /// Tenant counts for `status`.
    public func counts() async throws -> (total: Int, open: Int, suspended: Int) {
        let all = try await store.registry.all()
        return (all.count, await store.openCount, all.filter { $0.state == .suspended }.count)
    }

    /// The tenant an HTTP request under `/t/<id>/` addresses: `notFound` for a
    /// malformed or unknown id, `unavailable` while suspended.
    public func resolveForRequest(_ rawID: String) async throws -> TenantInfo {
        guard TenantID.isValid(rawID), let info = try await store.registry.get(try TenantID(rawID)) else {
            throw ZhichengError.notFound("没有这个地市（\(rawID.prefix(32))）的职称管理系统")
        }
        guard info.state == .active else { throw ZhichengError.unavailable("\(info.name)的职称管理系统暂停服务，请稍后再试") }
        return info
    }

    // MARK: State changes

    /// Suspends or resumes a tenant; audited in the tenant. A resume is refused while a
    /// restore of the tenant runs, and a restore refuses to start while a resume runs: a
    /// tenant is never resumed under a restore.
    public func setState(_ rawID: String, _ state: TenantState, by principal: Principal) async throws -> TenantState {
        let info = try await info(rawID)
        guard info.state != state else { return state }
        let entry = AuditEntry(actor: principal.name, action: state == .suspended ? .tenantSuspend : .tenantResume, target: "tenant:\(info.id)", source: principal.source)
        if state == .suspended {
            try await auditLeavingService(info.id, entry)
        } else {
            guard restoring.claim(info.id) else { throw ZhichengError.conflict("tenant \(info.id) is being restored; resume it when the restore has ended") }
            defer { restoring.release(info.id) }
            // A restore whose follow-up failed owes the tenant the other tenants' messages sent
            // since its backup (the province's answers): tried first. If it still cannot be made
            // (a restored province re-offers every city's messages, and one city may be damaged),
            // the resume goes on, said in the log; `tenant show` keeps the restore until the next
            // restore or start finishes it.
            for left in try await store.registry.restoresUnderWay() where left.id == info.id {
                await settle(left, finished: "finished_before_resume", forgetOnFailure: false)
            }
            if try await store.registry.restoresUnderWay().contains(where: { $0.id == info.id }) {
                logger.error("tenant resumed while its last restore still owes its follow-up (the other tenants' messages since its backup); the next restore or start finishes it",
                             metadata: ["tenant.id": "\(info.id)"])
            }
            try await audit(info.id, entry)
        }
        _ = try await store.registry.setState(info.id, state)
        logger.notice("tenant \(state.rawValue)", metadata: ["tenant.id": "\(info.id)"])
        return state
    }

    /// An online, consistent copy under the backup dir, audited (`tenant.backup`); then the
    /// tenant's regular backups beyond `[backup] keep` are removed (`TenantStore.pruneBackups`).
    /// The backup's audit row goes first: once it is written the backup is done, and nothing
    /// retention does or fails to do makes it an error. What retention removed is audited in a
    /// row of its own (`tenant.backup.prune`, only when something was removed); when that row
    /// cannot be written (the tenant archived or restored meanwhile) it is logged and reported
    /// with what retention could not remove, and the backup stands.
    public func backup(_ rawID: String, by principal: Principal) async throws -> (record: BackupRecord, pruning: BackupPruning) {
        let info = try await info(rawID)
        let record = try await store.backup(info.id)
        try await audit(info.id, AuditEntry(actor: principal.name, action: .tenantBackup, target: "tenant:\(info.id)",
                                           detail: #"{"path":\#(jsonString(record.path)),"sha256":"\#(record.sha256)"}"#, source: principal.source))
        var pruning = await store.pruneBackups(info.id, after: record)
        guard !pruning.removed.isEmpty else { return (record, pruning) }
        await FaultInjection.pause("backup.pruned")
        do {
            let pruned = pruning.removed.map(jsonString).joined(separator: ",")
            try await audit(info.id, AuditEntry(actor: principal.name, action: .tenantBackupPrune, target: "tenant:\(info.id)",
                                               detail: #"{"backup":\#(jsonString(record.path)),"pruned":[\#(pruned)]}"#, source: principal.source))
        } catch {
            logger.error("backup retention: old backups removed, but their audit row could not be written", metadata: [
                "tenant.id": "\(info.id)", "pruned": "\(pruning.removed.joined(separator: ", "))", "error": "\(error)"])
            pruning.failures.append(.init(path: store.paths.backupDirectory(for: info.id),
                                          reason: "the old backups in pruned were removed, but their audit row (tenant.backup.prune) could not be written: \(error)"))
        }
        return (record, pruning)
    }

    /// Replaces a suspended tenant's data with a verified backup of that tenant. The
    /// registry records the restore before the files change and forgets it only after the
    /// follow-up (audit, messages offered again), so a stop anywhere is finished or
    /// undone at the next start (`finishInterruptedRestores`), and a follow-up that failed
    /// is finished by the next restore of the tenant before it begins.
    /// `force`: restore a backup of an earlier tenant of this id (`TenantStore.restore`).
    public func restore(_ rawID: String, from path: String, force: Bool = false, by principal: Principal) async throws -> BackupRecord {
        let info = try await info(rawID)
        guard info.state == .suspended else {
            throw ZhichengError.conflict("tenant \(info.id) is active; suspend it before restoring")
        }
        guard path.hasPrefix("/") else { throw ZhichengError.invalid("path must be absolute", field: "path") }
        guard restoring.claim(info.id) else { throw ZhichengError.conflict("tenant \(info.id) is busy with another restore or a resume") }
        defer { restoring.release(info.id) }
        // Read again under the claim: a resume that ended just before it made the tenant active.
        guard try await self.info(rawID).state == .suspended else {
            throw ZhichengError.conflict("tenant \(info.id) is active; suspend it before restoring")
        }
        // No restore of this tenant runs now: one the registry still records is one whose
        // follow-up failed. It is settled first, as the next start would.
        for left in try await store.registry.restoresUnderWay() where left.id == info.id {
            // Forgotten even if it cannot be settled: this restore's own follow-up offers the
            // other tenants' messages again anyway.
            await settle(left, finished: "finished_before_next_restore", forgetOnFailure: true)
        }
        let intent = RestoreIntent(id: info.id, path: path, actor: principal.name, source: principal.source)
        try await store.registry.beginRestore(intent)
        let record: BackupRecord
        do {
            // A city's ids the province holds: the restored city must not number a new application
            // as one of them, even when the database it replaces cannot be read.
            let known = info.kind == .city ? await provinceHolds(info.id) : 0
            record = try await store.restore(info.id, from: path, token: intent.token, identity: (info.divisionCode.short, info.kind.rawValue),
                                             knownElsewhere: known, earlierTenant: force)
        } catch {
            if (try? await store.restoreToken(info.id)) == intent.token {
                // A failure after the swap (the directory's fsync): the backup is in place, and
                // its follow-up is owed all the same; if that fails too, the next start runs it.
                do {
                    try await followUpRestore(intent, of: info, detail: #"{"from":\#(jsonString(path)),"finished_after_error":true}"#)
                } catch {
                    logger.error("restore: the backup is in place but its follow-up failed; the next start runs it",
                                 metadata: ["tenant.id": "\(info.id)", "error": "\(error)"])
                }
            } else {
                try? await store.registry.endRestore(intent)
            }
            throw error
        }
        do {
            try await followUpRestore(intent, of: info, detail: #"{"from":\#(jsonString(path)),"sha256":"\#(record.sha256)"}"#)
        } catch {
            // The registry keeps the restore: the next restore of the tenant, or the next
            // start, runs the follow-up again.
            throw ZhichengError.internal("the backup is in place, but its audit row or follow-up failed (\(error)); the next restore of this tenant or the next start finishes it")
        }
        return record
    }

    /// What follows a restore once the backup is in place: the audit row, and the other
    /// tenants' messages offered to it again. The backup's outbox may hold messages sent
    /// after it was taken, and its inbox lacks those received since: both go (again), and
    /// the inboxes drop repeats. Deliveries to this tenant may be paused.
    private func followUpRestore(_ intent: RestoreIntent, of info: TenantInfo, detail: String) async throws {
        try FaultInjection.failure("tenant.restore.follow-up")
        // The audit row first and once: it names the restore (its token), and a retry of the
        // follow-up (the offer below failed: a tenant could not be opened) finds it written.
        let mark = #""restore":"\#(intent.token)""#
        let audited = try await store.withTenant(info.id) { db in
            try await db.read { try $0.scalar("SELECT count(*) FROM audit WHERE action = 'tenant.restore' AND instr(detail, ?) > 0", [mark])?.int ?? 0 }
        }
        if audited == 0 {
            try await audit(info.id, AuditEntry(actor: intent.actor, action: .tenantRestore, target: "tenant:\(info.id)",
                                                detail: "{" + mark + "," + detail.dropFirst(), source: intent.source))
            logger.notice("tenant restored", metadata: ["tenant.id": "\(info.id)", "from": "\(intent.path)"])
        }
        relay?.kick(info.id)
        try FaultInjection.failure("tenant.restore.reoffer")
        try await relay?.reoffer(to: info)
        relay?.resumeAll()
        try await store.registry.endRestore(intent)
    }

    /// At start, before serving: settles the restores a stop cut off (`settle`).
    public func finishInterruptedRestores() async {
        for intent in (try? await store.registry.restoresUnderWay()) ?? [] {
            await settle(intent, finished: "finished_after_stop", forgetOnFailure: false)
        }
    }

    /// Settles a restore the registry records but nobody runs (cut off by a stop, or its
    /// follow-up failed). One whose backup had taken the tenant's place (its file carries
    /// the restore's token) gets its follow-up, audited with `finished` true; one that had
    /// not changed nothing, and its staged copy is removed. Both are audited and logged,
    /// and the restore is forgotten. If settling fails, the restore stays recorded for the
    /// next start to settle (its follow-up is owed: the other tenants' messages), unless
    /// `forgetOnFailure` (a new restore of the tenant follows, which offers them itself).
    private func settle(_ intent: RestoreIntent, finished: String, forgetOnFailure: Bool) async {
        let meta: Logger.Metadata = ["tenant.id": "\(intent.id)", "from": "\(intent.path)"]
        do {
            guard let info = try await store.registry.get(intent.id) else {
                try await store.registry.endRestore(intent)   // archived since
                return
            }
            if try await store.restoreToken(intent.id) == intent.token {
                logger.warning("an unfinished restore had put the backup in place; finishing it", metadata: meta)
                try await followUpRestore(intent, of: info, detail: #"{"from":\#(jsonString(intent.path)),"\#(finished)":true}"#)
            } else {
                try await store.discardStagedRestore(intent.id)
                try await audit(intent.id, AuditEntry(actor: intent.actor, action: .tenantRestoreCutOff, target: "tenant:\(intent.id)",
                                                      detail: #"{"from":\#(jsonString(intent.path))}"#, source: intent.source))
                logger.warning("an unfinished restore had not put the backup in place; the data is as before; run it again", metadata: meta)
                try await store.registry.endRestore(intent)
            }
        } catch {
            logger.error(forgetOnFailure ? "cannot settle an unfinished restore; the restore that follows replaces it"
                                         : "cannot settle an unfinished restore; the next start tries again (or restore the tenant again)",
                         metadata: meta.merging(["error": "\(error)"]) { $1 })
            // Kept, it would refuse the next restore of the tenant (one row per tenant), the
            // very command that mends it: that restore forgets it before beginning its own.
            if forgetOnFailure { try? await store.registry.endRestore(intent) }
        }
    }

    public func check(_ rawID: String) async throws -> CheckReport {
        let info = try await info(rawID)
        let report = try await store.check(info.id)
        if !report.ok {
            // Damage, or a tampered audit log: for the journal as well as for the one who asked.
            logger.error("tenant check found problems", metadata: [
                "tenant.id": "\(info.id)", "integrity": "\(report.integrity.prefix(5).joined(separator: "; "))",
                "foreign_keys": "\(report.foreignKeys.count)", "audit_chain": "\(report.auditProblem ?? "ok")"])
        }
        return report
    }

    /// Takes a tenant out of service into the archive dir. `confirm` must repeat the id.
    /// Its undelivered outbox messages (hand-overs not yet at the province) go with it.
    public func archive(_ rawID: String, confirm: String, by principal: Principal) async throws -> ArchivedTenant {
        let info = try await info(rawID)
        guard confirm == info.id.rawValue else {
            throw ZhichengError.invalid("confirm must repeat the tenant id \(info.id) to archive it", field: "confirm")
        }
        try store.requireArchiveOnSameFileSystem()
        let archived = try await store.archive(info.id, audit: AuditEntry(actor: principal.name, action: .tenantArchive, target: "tenant:\(info.id)", source: principal.source))
        logger.notice("tenant archived", metadata: ["tenant.id": "\(info.id)", "archive": "\(archived.path)"])
        if archived.undeliveredMessages > 0 {
            logger.warning("archive: messages not yet delivered left service with the tenant; they are in the archived database", metadata: [
                "tenant.id": "\(info.id)", "messages": "\(archived.undeliveredMessages)", "archive": "\(archived.path)"])
        }
        if archived.undecidedApplications > 0 {
            logger.warning("archive: undecided applications left service with the tenant; they are in the archived database", metadata: [
                "tenant.id": "\(info.id)", "applications": "\(archived.undecidedApplications)", "archive": "\(archived.path)"])
        }
        // The province's messages to an archived city are set aside on its next pass: make it now.
        relay?.forget(info.id)
        if info.kind == .city, let province = try? await store.registry.provinceID(), let id = try? TenantID(province) {
            relay?.kick(id)
        }
        return archived
    }

    // MARK: Name

    /// Corrects a tenant's own name (郑州市), given at `tenant.create`: validated as there, and
    /// refused for an unknown or archived tenant. The registry's row takes it, and with it
    /// whatever reads the name live: `tenant.list`/`show`, the tenant's page headings and
    /// `GET …/api/v1/tenant`, the province's screens naming the city an application came from
    /// (the registry's cached row goes with the write). In the tenant's own file: its
    /// `tenant_meta` name, an audit row `tenant.rename`, and its root office, when that still
    /// has the name `tenant.create` derived from the old one (郑州市职改办 → the new name's);
    /// an office its admin has named otherwise keeps its name. The office's rename is an org
    /// rename (`OrgService.rename`): applications of it the province holds follow. What was
    /// decided keeps the names it was decided under (the 评审表's opinions, the trail, the
    /// hand-overs already made). The name it has already is no change: answered, nothing written.
    ///
    /// The tenant file's step goes first and compares with the name that file records: a
    /// rename again after the registry's write failed, or after a restore to a backup from
    /// before the rename, finishes what the file lacks.
    public func rename(_ rawID: String, name rawName: String, by principal: Principal) async throws -> RenamedTenant {
        _ = try TenantID(rawID)
        let name = try TenantInfo.validateName(rawName)
        // An unknown or archived id is said as every admin command says it (an archived
        // tenant keeps the name it had).
        let info = try await info(rawID)
        // Not under a restore, which replaces the file this writes to, nor beside another rename.
        guard restoring.claim(info.id) else {
            throw ZhichengError.conflict("tenant \(info.id) is busy with a restore or a resume; rename it when that has ended")
        }
        defer { restoring.release(info.id) }
        let kind = info.kind
        let inFile = try await store.withTenant(info.id) { db in
            try await db.write { conn -> (former: String?, office: String, officeRenamed: Bool, told: Bool) in
                guard let root = try conn.rootOrg() else { throw ZhichengError.internal("tenant has no root office") }
                let recorded = try conn.scalar("SELECT value FROM tenant_meta WHERE key = 'name'")?.string ?? info.name
                guard recorded != name else { return (nil, root.name, false, false) }
                let derived = [recorded, info.name].map(kind.officeName(of:))
                let office = derived.contains(root.name) ? kind.officeName(of: name) : root.name
                var told = false
                if office != root.name {
                    told = try OrgService.rename(root, to: office, tenant: info.id, conn)
                    // The 单位信息 form shows the profile's name: it follows the office, unless never filled in.
                    if root.profile.name == root.name {
                        var profile = root.profile
                        profile.name = office
                        try conn.saveProfile(root.id, profile)
                    }
                }
                try conn.run("INSERT INTO tenant_meta (key, value) VALUES ('name', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [name])
                // The office's names only when it was renamed with the tenant.
                let officeDetail = office != root.name ? #","office":\#(jsonString(office)),"former_office":\#(jsonString(root.name))"# : ""
                try conn.appendTenantAudit(AuditEntry(actor: principal.name, action: .tenantRename, target: "tenant:\(info.id)",
                                                      detail: #"{"name":\#(jsonString(name)),"former":\#(jsonString(recorded))\#(officeDetail)}"#,
                                                      source: principal.source))
                return (recorded, office, office != root.name, told)
            }
        }
        if info.name != name {
            guard try await store.registry.rename(info.id, to: name) else {
                throw ZhichengError.notFound("tenant \(info.id) does not exist")   // archived meanwhile
            }
        }
        if inFile.told { relay?.kick(info.id) }
        let former = inFile.former ?? (info.name != name ? info.name : nil)
        if former != nil {
            logger.notice("tenant renamed", metadata: ["tenant.id": "\(info.id)", "office.renamed": "\(inFile.officeRenamed)"])
        }
        var renamed = info
        renamed.name = name
        return RenamedTenant(info: renamed, formerName: former, officeName: inFile.office, officeRenamed: inFile.officeRenamed)
    }

    // MARK: Settings

    /// The levels whose final authority is the province (default 副高级 and 正高级; `configure`
    /// sets them per city, any levels, each once). One configured by an earlier version,
    /// which took an empty list too, is read as stored.
    /// None in the province itself: the applications of its own units (省直单位) end at
    /// its office and committee, as a city's do at the city's, not handed over to itself
    /// for the same office to review a second time.
    static func provinceLevels(_ conn: SQLiteConnection) throws -> [TitleLevel] {
        if try conn.scalar("SELECT value FROM tenant_meta WHERE key = 'kind'")?.string == TenantKind.province.rawValue { return [] }
        guard let raw = try conn.scalar("SELECT value FROM tenant_meta WHERE key = 'province_levels'")?.string else {
            return ProvinceLevels.standard
        }
        return raw.split(separator: ",").compactMap { TitleLevel(rawValue: String($0)) }
    }

    /// Sets which levels go on to the province (applications already created keep their route):
    /// any levels, each once, not none (`ProvinceLevels.parse`).
    public func configure(_ rawID: String, provinceLevels raw: [String], by principal: Principal) async throws -> [String] {
        let info = try await info(rawID)
        guard info.kind == .city else { throw ZhichengError.invalid("only a city tenant hands applications to the province", field: "id") }
        let ordered = try ProvinceLevels.parse(raw).map(\.rawValue)
        try await store.withTenant(info.id) { db in
            try await db.write { conn in
                try conn.run("INSERT INTO tenant_meta (key, value) VALUES ('province_levels', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                             [ordered.joined(separator: ",")])
                try conn.appendTenantAudit(AuditEntry(actor: principal.name, action: .tenantConfigure, target: "tenant:\(info.id)",
                                                detail: #"{"province_levels":\#(jsonArray(ordered))}"#, source: principal.source))
            }
        }
        return ordered
    }

    /// The levels that go on to the province, as configured.
    public func provinceLevels(_ rawID: String) async throws -> [String] {
        let info = try await info(rawID)
        return try await store.withTenant(info.id) { db in try await db.read { try Self.provinceLevels($0).map(\.rawValue) } }
    }

    // MARK: Accounts

    /// Gives an account a new one-time password (it must change it at next sign-in); answers
    /// the account's login as it is (`Zhang.Wei` when `zhang.wei` was typed) and the password.
    public func resetPassword(tenant rawID: String, login typed: String, by principal: Principal) async throws -> (login: String, password: String) {
        let info = try await info(rawID)
        // Read as sign-in reads it: a number copied with a lower-case x or a blank is the account's.
        let login = Login.normalized(typed)
        guard !login.isEmpty, login.count <= 64 else { throw ZhichengError.invalid("login must be 1 to 64 characters", field: "login") }
        let password = OneTimePassword.generate()
        let hash = try await hasher.hash(password)
        let found = try await store.withTenant(info.id) { db in
            try await db.write { conn -> String in
                // Found as sign-in finds it: exactly, else the one login that differs only by case.
                let account: AccountRecord
                switch try conn.account(typedLogin: login) {
                case .one(let found): account = found
                case .none: throw ZhichengError.notFound("no account with login \(login) in tenant \(info.id)")
                case .ambiguous(let alike):
                    throw ZhichengError.conflict("login \(login) is none of the accounts \(alike.map(\.login).sorted().joined(separator: ", ")), which differ from it only by case; give one exactly")
                }
                try conn.resetPassword(accountID: account.id, oneTimeHash: hash)
                try conn.appendAudit(AuditEntry(actor: principal.name, orgID: account.orgID, action: .accountResetPassword,
                                                target: "account:\(account.id)",
                                                detail: #"{"login":\#(jsonString(IDCardNumber.maskedIfOne(account.login)))}"#,
                                                source: principal.source))
                return account.login
            }
        }
        return (found, password)
    }

    /// The audit row of a suspend or an archive. A tenant whose database cannot be opened or
    /// written (a damaged file, a schema newer than this build) must still be taken out of
    /// service, to be restored or archived: the row is then not written there, and the log
    /// says so with the error.
    private func auditLeavingService(_ id: TenantID, _ entry: AuditEntry) async throws {
        do {
            try await audit(id, entry)
        } catch {
            logger.error("\(entry.action) without its audit row: the tenant database cannot be written", metadata: [
                "tenant.id": "\(id)", "actor": "\(entry.actor)", "error": "\(error)"])
        }
    }

    /// Writes an audit row of a command on the tenant as a whole, under its root office
    /// (`appendTenantAudit`), so the office's 操作日志 shows that its data was backed up,
    /// restored or taken out of service.
    private func audit(_ id: TenantID, _ entry: AuditEntry) async throws {
        try await store.withTenant(id) { db in try await db.write { conn in try conn.appendTenantAudit(entry) } }
    }
}

/// A JSON string literal for `text` (for audit details built by hand).
func jsonString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
