import Crypto
import Foundation
import ZhichengCore
import ZhichengStorage

/// A unit's yearly 申报计划 as stored.
public struct PlanRecord: Sendable, Equatable {
    public var id: Int
    public var orgID: Int
    public var year: Int
    public var state: PlanState
    public var items: [PlanLine]
    public var hasDocument: Bool
    public var rejectReason: String?
    /// Whether its 年度 may still be planned for (`DeclarationPlan.validateYear`).
    public var isOfOpenYear: Bool { (try? DeclarationPlan.validateYear(year)) != nil }
    /// Whether its unit may still change and submit it: a draft or one sent back, of a year still open.
    public var isEditable: Bool { (state == .draft || state == .rejected) && isOfOpenYear }
    /// For each line of `items`, the places its unit's applications of the year take
    /// (`DeclarationPlan.usesAPlace`): what is left is the line's count minus this.
    /// Zeros until read (`PlanService.withPlacesTaken`).
    public var used: [Int]

    init(row: SQLiteRow) {
        id = row["id"].int ?? 0
        orgID = row["org_id"].int ?? 0
        year = row["year"].int ?? 0
        state = PlanState(rawValue: row["state"].string ?? "") ?? .draft
        items = (try? JSONDecoder().decode([PlanLine].self, from: Data((row["items"].string ?? "[]").utf8))) ?? []
        hasDocument = row["document_id"].int != nil
        rejectReason = row["reject_reason"].string
        used = Array(repeating: 0, count: items.count)
    }
}

/// One page of the city office's list of every unit's plans (`PlanService.overview`):
/// the plans with their units' names, and where the next page starts when there are more.
public struct PlanOverview: Sendable {
    public var plans: [(plan: PlanRecord, orgName: String)]
    public var next: Position?

    /// Where a page of the list starts: after the plan `id`, and in the waiting list (by when
    /// each was submitted) after its `submittedAt` as it was when that page was read. The plan's
    /// row would not do there: a plan returned and submitted again between two page reads has
    /// moved to the end, and a page started from where it is now skipped every plan between.
    /// The other orders (year, unit code) do not change for a plan: its id says where it is.
    public struct Position: Sendable, Equatable {
        /// When the plan was submitted, as the page before read it (the waiting list only).
        public var submittedAt: Double?
        /// The last plan of the page before.
        public var id: Int

        /// After plan `id`, in the waiting list after `submittedAt` (nil: read from the plan's row).
        public init(submittedAt: Double? = nil, id: Int) { (self.submittedAt, self.id) = (submittedAt, id) }

        /// As `next` carries it: `<submitted_at>_<id>` in the waiting list, else `<id>`; a bare
        /// id is also what earlier versions answered for every order (in the waiting list it is
        /// then read from the plan's row, as they did). Nil for anything else.
        public init?(_ text: String) {
            let parts = text.split(separator: "_", omittingEmptySubsequences: false)
            guard (1...2).contains(parts.count), let id = Int(parts[parts.count - 1]), id > 0 else { return nil }
            if parts.count == 2 {
                guard let submittedAt = Double(parts[0]), submittedAt.isFinite else { return nil }
                self.init(submittedAt: submittedAt, id: id)
            } else {
                self.init(id: id)
            }
        }

        /// The position as `next` carries it, which `init?(_:)` reads back.
        public var text: String { submittedAt.map { "\($0)_\(id)" } ?? String(id) }
    }
}

/// 申报计划上传 (manual §3): a unit enters its yearly numbers per series and level
/// with an attached document and submits them; the city office (the tenant's root)
/// approves or rejects them. Applications are counted against the approved lines.
public struct PlanService: Sendable {
    let store: TenantStore
    public var maxDocumentBytes: Int

    public init(store: TenantStore, maxDocumentBytes: Int = 5 << 20) {
        self.store = store
        self.maxDocumentBytes = maxDocumentBytes
    }

    static let columns = "id, org_id, year, state, items, document_id, reject_reason"

    /// Creates the org's plan for `year`, or replaces the lines of its draft or rejected plan.
    public func save(orgID: Int, year: Int, items: [PlanLine], caller: SignedIn) async throws -> PlanRecord {
        try Access.requireOrgAdmin(caller)
        let lines = try DeclarationPlan.validate(year: year, lines: items)
        let json = String(decoding: try JSONEncoder().encode(lines), as: UTF8.self)
        return try await store.write(caller) { conn in
            try Access.requireApprovedOrg(caller, conn)
            _ = try Access.ownOrg(orgID, caller: caller, conn)
            let now = Date().timeIntervalSince1970
            if let existing = try conn.query("SELECT \(Self.columns) FROM plans WHERE org_id = ? AND year = ?", [orgID, year]).first.map(PlanRecord.init) {
                guard existing.state == .draft || existing.state == .rejected else {
                    throw ZhichengError.conflict("\(year)年度申报计划已\(existing.state.label)，不能修改")
                }
                // Sent back for adjustment after its approval (`review`): its applications keep
                // their places, so no line goes below them, nor away.
                let taken = try Self.withPlacesTaken([existing], conn)[0]
                for (line, used) in zip(taken.items, taken.used) where used > 0 {
                    let kept = lines.first { $0.series == line.series && $0.level == line.level }?.count ?? 0
                    guard kept >= used else {
                        throw ZhichengError.invalid("计划行“\(line.series) \(line.level.rawValue)”已有\(used)份申报占用名额，人数不能少于\(used)", field: "items")
                    }
                }
                try conn.run("UPDATE plans SET items = ?, state = 'draft', updated_at = ? WHERE id = ?", [json, now, existing.id])
            } else {
                try conn.run("INSERT INTO plans (org_id, year, state, items, created_at, updated_at) VALUES (?, ?, 'draft', ?, ?, ?)", [orgID, year, json, now, now])
            }
            let plan = try conn.query("SELECT \(Self.columns) FROM plans WHERE org_id = ? AND year = ?", [orgID, year]).first.map(PlanRecord.init)!
            try conn.appendAudit(caller.audit(.planSave, target: "plan:\(plan.id)", detail: #"{"year":\#(year),"items":\#(json)}"#))
            return plan
        }
    }

    /// Attaches the plan's document (PDF, PNG or JPEG, told from its bytes).
    /// A plan saved before its 年度 was bounded (2062 for 2026) goes no further: not uploaded
    /// to, not submitted; said with its year, which the unit then enters anew.
    static func requireOpenYear(_ plan: PlanRecord) throws {
        guard plan.isOfOpenYear else {
            throw ZhichengError.invalid("该申报计划的年度（\(plan.year)）超出可申报的年度，请按正确年度重新填写申报计划", field: "year")
        }
    }

    public func attachDocument(planID: Int, name: String, bytes: [UInt8], caller: SignedIn) async throws -> PlanRecord {
        guard bytes.count <= maxDocumentBytes else { throw ZhichengError(.tooLarge, "附件不能超过 \(FileSize.text(maxDocumentBytes, roundingDown: true))") }
        let mime = try DocumentType.detect(bytes)
        let name = AttachmentName.fitted(try AttachmentName.validate(name), toType: mime)
        let digest = sha256Hex(bytes)
        return try await store.write(caller) { conn in
            let plan = try Self.ownPlan(planID, caller: caller, conn)
            guard plan.state == .draft || plan.state == .rejected else { throw ZhichengError.conflict("申报计划已\(plan.state.label)，不能更换附件") }
            try Self.requireOpenYear(plan)
            try conn.run("INSERT INTO attachments (owner, owner_id, name, mime, size, sha256, bytes, uploaded_by, created_at) VALUES ('plan', ?, ?, ?, ?, ?, ?, ?, ?)",
                         [planID, name, mime, bytes.count, digest, bytes, caller.accountID, Date().timeIntervalSince1970])
            try conn.run("UPDATE plans SET document_id = ? WHERE id = ?", [Int(conn.lastInsertRowID), planID])
            try conn.appendAudit(caller.audit(.planDocument, target: "plan:\(planID)", detail: #"{"sha256":"\#(digest)"}"#))
            return try Self.plan(planID, conn)!
        }
    }

    public func submit(planID: Int, caller: SignedIn) async throws -> PlanRecord {
        try await store.write(caller) { conn in
            let plan = try Self.ownPlan(planID, caller: caller, conn)
            guard plan.state == .draft || plan.state == .rejected else { throw ZhichengError.conflict("申报计划已\(plan.state.label)，不能再次提交") }
            try Self.requireOpenYear(plan)
            guard plan.hasDocument else { throw ZhichengError.invalid("请先上传申报计划附件", field: "document") }
            let now = Date().timeIntervalSince1970
            try conn.run("UPDATE plans SET state = 'submitted', reject_reason = NULL, updated_at = ?, submitted_at = ? WHERE id = ?", [now, now, planID])
            try conn.appendAudit(caller.audit(.planSubmit, target: "plan:\(planID)"))
            return try Self.plan(planID, conn)!
        }
    }

    /// The city office's 审核: only the admin of the tenant's root office decides. A submitted
    /// plan is approved or sent back; an approved one may be sent back for adjustment (退回调整:
    /// more places mid-year, or an approval made by mistake), with a reason: the unit edits and
    /// submits it again, its applications under way keep their places (`save` keeps every line
    /// at least at them), and no new one is submitted under it until it is approved again.
    public func review(planID: Int, approve: Bool, reason rawReason: String?, caller: SignedIn) async throws -> PlanRecord {
        try Access.requireOrgAdmin(caller)
        let reason = approve ? try FreeText.returnReason.validate(rawReason) : try FreeText.returnReason.require(rawReason, else: "退回时请填写原因")
        return try await store.write(caller) { conn in
            try Access.requireOrgAdmin(caller)
            guard let root = try conn.rootOrg(), root.id == caller.orgID else { throw ZhichengError(.forbidden, "申报计划由市职改办审核") }
            guard let plan = try Self.plan(planID, conn) else { throw ZhichengError.notFound("没有这个申报计划") }
            guard plan.state == .submitted || (plan.state == .approved && !approve) else {
                throw ZhichengError.conflict("申报计划当前状态为“\(plan.state.label)”，无需审核")
            }
            try conn.run("UPDATE plans SET state = ?, reject_reason = ?, updated_at = ? WHERE id = ?",
                         [approve ? "approved" : "rejected", approve ? nil : reason as String?, Date().timeIntervalSince1970, planID])
            try conn.appendAudit(caller.audit(approve ? .planApprove : .planReject, target: "plan:\(planID)",
                                              detail: #"{"reason":\#(jsonString(reason))}"#, orgID: plan.orgID))
            return try Self.plan(planID, conn)!
        }
    }

    /// Plans an org's admin may see of org `orgID`: every one of its own, and of an org below
    /// it those its unit submitted (`PlanState.isSeenAboveItsUnit`: a draft is the unit's own).
    public func plans(of orgID: Int, caller: SignedIn) async throws -> [PlanRecord] {
        try await store.read(caller) { conn in
            try Access.requireOrgAdmin(caller)
            try Access.requireApprovedOrg(caller, conn)
            _ = try Access.visibleOrg(orgID, caller: caller, conn)
            let seen = orgID == caller.orgID ? "" : " AND state IN \(Self.seenAboveSQL)"
            return try Self.withPlacesTaken(conn.query("SELECT \(Self.columns) FROM plans WHERE org_id = ?\(seen) ORDER BY year DESC", [orgID]).map { PlanRecord(row: $0) }, conn)
        }
    }

    /// `PlanState.seenAboveItsUnit` as an SQL list (the states are the enum's own names).
    static let seenAboveSQL = "(" + PlanState.seenAboveItsUnit.map { "'\($0.rawValue)'" }.joined(separator: ", ") + ")"

    /// Whether the caller's org sees `plan`: its unit's, or one its unit submitted below it
    /// (`visibleOrg` says whether it is below). A draft below is answered as no plan at all,
    /// as a plan of an org out of sight is: 404, the same words.
    static func requireSeen(_ plan: PlanRecord, caller: SignedIn, _ conn: SQLiteConnection) throws {
        let missing = ZhichengError.notFound("没有这个申报计划")
        do { _ = try Access.visibleOrg(plan.orgID, caller: caller, conn) } catch let error as ZhichengError where error.code == .notFound { throw missing }
        guard plan.orgID == caller.orgID || plan.state.isSeenAboveItsUnit else { throw missing }
    }

    /// The units' plans that reached the city office (submitted, approved or rejected;
    /// a draft is its unit's own), with the unit's name, for the office's admin (403 for
    /// anyone else): of `year` only and in `state` only, if given. Waiting ones in the order
    /// they were submitted (`submitted_at`, which their review leaves: the office reviews them
    /// in that order, a page at a time), read from `plans_waiting` (schema v38); the others
    /// newest year first, then by unit. Each says the places its lines take (`used`), counted
    /// for the whole page by one grouped query. Every plan, or with `limit` (1–500) one page of
    /// them and in `next` where the next starts, to pass as `after` (keyset, `Position`: in the
    /// waiting list when the last plan shown was submitted, with its id; an `after` of a bare id
    /// that is no plan is 400).
    public func overview(caller: SignedIn, year: Int? = nil, state: PlanState? = nil, limit: Int? = nil,
                         after: PlanOverview.Position? = nil) async throws -> PlanOverview {
        try Access.requireOrgAdmin(caller)
        if let state, !state.isSeenAboveItsUnit { throw ZhichengError.invalid("未提交的计划只有本单位可见", field: "state") }
        let paging = limit.map { Paging($0, maximum: 500) }
        return try await store.read(caller) { conn in
            try Self.requireCityOffice(caller, conn)
            let waiting = state == .submitted
            let columns = "p.\(Self.columns.replacingOccurrences(of: ", ", with: ", p.")), p.submitted_at, o.name AS org_name"
            // Waiting: the state named (not bound), so that SQLite may take the partial index.
            var sql = waiting
                ? "SELECT \(columns) FROM plans p INDEXED BY plans_waiting JOIN orgs o ON o.id = p.org_id WHERE p.state = 'submitted'"
                : "SELECT \(columns) FROM plans p JOIN orgs o ON o.id = p.org_id WHERE p.state IN \(Self.seenAboveSQL)"
            var arguments: [any SQLiteBindable] = []
            if let year { sql += " AND p.year = ?"; arguments.append(year) }
            if let state, !waiting { sql += " AND p.state = ?"; arguments.append(state.rawValue) }
            if let after {
                var submittedAt = after.submittedAt
                if !waiting || submittedAt == nil {
                    guard let last = try conn.query("SELECT p.year, p.submitted_at, o.code FROM plans p JOIN orgs o ON o.id = p.org_id WHERE p.id = ?", [after.id]).first else {
                        throw ZhichengError.invalid("after 应为上一页的 next（上一页最后一个申报计划的位置）", field: "after")
                    }
                    if waiting {
                        submittedAt = last["submitted_at"].double ?? 0
                    } else {
                        sql += " AND (p.year < ? OR (p.year = ? AND (o.code > ? OR (o.code = ? AND p.id > ?))))"
                        let code = last["code"].string ?? ""
                        arguments += [last["year"].int ?? 0, last["year"].int ?? 0, code, code, after.id]
                    }
                }
                if waiting, let submittedAt {
                    // After when the last plan shown was submitted, as that page read it: the office
                    // that reviewed the page before asks for the next from where that page ended.
                    // A row value: SQLite starts the walk of the index there, not at its beginning.
                    sql += " AND (p.submitted_at, p.id) > (?, ?)"
                    arguments += [submittedAt, after.id]
                }
            }
            sql += waiting ? " ORDER BY p.submitted_at, p.id" : " ORDER BY p.year DESC, o.code, p.id"
            if let paging { sql += " LIMIT ?"; arguments.append(paging.rowsToRead) }
            let read = try conn.query(sql, arguments)
            let (rows, next) = paging?.cut(read, cursor: { row in
                PlanOverview.Position(submittedAt: waiting ? row["submitted_at"].double ?? 0 : nil, id: row["id"].int ?? 0)
            }) ?? (read, nil)
            let plans = try Self.withPlacesTaken(rows.map { PlanRecord(row: $0) }, conn)
            return PlanOverview(plans: zip(plans, rows).map { ($0, $1["org_name"].string ?? "") }, next: next)
        }
    }

    /// How many plans wait for the city office's 审核 (首页's 待办, the count above the waiting
    /// list): counted from `plans_waiting`, not read.
    public func waitingCount(caller: SignedIn) async throws -> Int {
        try Access.requireOrgAdmin(caller)
        return try await store.read(caller) { conn in
            try Self.requireCityOffice(caller, conn)
            return try conn.scalar("SELECT count(*) FROM plans INDEXED BY plans_waiting WHERE state = 'submitted'")?.int ?? 0
        }
    }

    /// What the org admin's 首页 says of the org's own plans (`PlanNote`), for the years still
    /// open (`DeclarationPlan.validateYear`), oldest first: one sent back to change, one saved
    /// and not submitted, and a year its applicants have title drafts of with no plan at all
    /// (nothing of that year can be submitted until one is approved). A plan waiting for the
    /// city office, or approved, needs nothing of the unit.
    public func notes(caller: SignedIn) async throws -> [PlanNote] {
        try Access.requireOrgAdmin(caller)
        return try await store.read(caller) { conn in
            try Access.requireApprovedOrg(caller, conn)
            var notes: [PlanNote] = []
            var planned = Set<Int>()
            for plan in try conn.query("SELECT \(Self.columns) FROM plans WHERE org_id = ? ORDER BY year", [caller.orgID]).map({ PlanRecord(row: $0) }) {
                planned.insert(plan.year)
                guard plan.isEditable else { continue }
                notes.append(plan.state == .rejected ? .returned(year: plan.year, reason: plan.rejectReason) : .unsubmitted(year: plan.year))
            }
            for row in try conn.query("""
                SELECT year, count(*) AS n FROM applications WHERE org_id = ? AND kind = 'title' AND state = 'draft' GROUP BY year ORDER BY year
                """, [caller.orgID]) {
                let year = row["year"].int ?? 0
                guard !planned.contains(year), (try? DeclarationPlan.validateYear(year)) != nil else { continue }
                notes.append(.missing(year: year, drafts: row["n"].int ?? 0))
            }
            return notes.sorted { $0.year < $1.year }
        }
    }

    /// Only the city office (the tenant's root) lists every unit's plans.
    static func requireCityOffice(_ caller: SignedIn, _ conn: SQLiteConnection) throws {
        guard let root = try conn.rootOrg(), root.id == caller.orgID else {
            throw ZhichengError(.forbidden, "只有市职改办可以查看各单位的申报计划")
        }
    }

    public func get(planID: Int, caller: SignedIn) async throws -> PlanRecord {
        try await store.read(caller) { conn in
            try Access.requireOrgAdmin(caller)
            guard let plan = try Self.plan(planID, conn) else { throw ZhichengError.notFound("没有这个申报计划") }
            try Self.requireSeen(plan, caller: caller, conn)
            return plan
        }
    }

    public func document(planID: Int, caller: SignedIn) async throws -> (mime: String, bytes: [UInt8]) {
        let plan = try await get(planID: planID, caller: caller)
        return try await store.read(caller) { conn in
            guard let row = try conn.query("SELECT a.mime, a.bytes FROM plans p JOIN attachments a ON a.id = p.document_id WHERE p.id = ?", [plan.id]).first,
                  case .blob(let bytes) = row["bytes"] else { throw ZhichengError.notFound("尚未上传申报计划附件") }
            return (row["mime"].string ?? "application/octet-stream", bytes)
        }
    }

    static func plan(_ id: Int, _ conn: SQLiteConnection) throws -> PlanRecord? {
        try conn.query("SELECT \(columns) FROM plans WHERE id = ?", [id]).first.map { try withPlacesTaken(PlanRecord(row: $0), conn) }
    }

    /// `plan` with the places its unit's applications of the year take on each line.
    static func withPlacesTaken(_ plan: PlanRecord, _ conn: SQLiteConnection) throws -> PlanRecord {
        try withPlacesTaken([plan], conn)[0]
    }

    /// `plans` with the places taken, counted by one grouped query for up to 400 plans
    /// (not one query per plan): over their units and years through `applications_quota`,
    /// each count then given to the plan of its unit and year.
    static func withPlacesTaken(_ plans: [PlanRecord], _ conn: SQLiteConnection) throws -> [PlanRecord] {
        var taken: [String: Int] = [:]
        var start = 0
        while start < plans.count {
            let chunk = plans[start..<min(start + 400, plans.count)]
            start += chunk.count
            let orgs = Array(Set(chunk.map(\.orgID))), years = Array(Set(chunk.map(\.year)))
            let rows = try conn.query("""
                SELECT org_id, year, series, level, count(*) AS n FROM applications
                WHERE org_id IN (\(Array(repeating: "?", count: orgs.count).joined(separator: ","))) AND year IN (\(Array(repeating: "?", count: years.count).joined(separator: ","))) AND kind = 'title'
                AND state IN (\(DeclarationPlan.placeStatesSQL)) GROUP BY org_id, year, series, level
                """, orgs.map { $0 as any SQLiteBindable } + years.map { $0 as any SQLiteBindable })
            for row in rows {
                // Each query counts every (unit, year) pair of its chunk whole: a unit and a year met
                // again in a later chunk are counted again, the same, not added.
                taken["\(row["org_id"].int ?? 0)|\(row["year"].int ?? 0)|\(row["series"].string ?? "")|\(row["level"].string ?? "")"] = row["n"].int ?? 0
            }
        }
        return plans.map { plan in
            var plan = plan
            plan.used = plan.items.map { taken["\(plan.orgID)|\(plan.year)|\($0.series)|\($0.level.rawValue)"] ?? 0 }
            return plan
        }
    }

    static func ownPlan(_ id: Int, caller: SignedIn, _ conn: SQLiteConnection) throws -> PlanRecord {
        try Access.requireOrgAdmin(caller)
        guard let plan = try plan(id, conn), plan.orgID == caller.orgID else { throw ZhichengError.notFound("没有这个申报计划") }
        try Access.requireApprovedOrg(caller, conn)
        return plan
    }

}

/// Something an org's own 申报计划 needs of its admin (`PlanService.notes`): a to-do of its 首页.
public enum PlanNote: Sendable, Equatable {
    /// Sent back by the city office (退回调整), with its reason.
    case returned(year: Int, reason: String?)
    /// Saved, never submitted (or changed since it was sent back).
    case unsubmitted(year: Int)
    /// No plan of that year, while the unit's applicants have `drafts` title drafts of it.
    case missing(year: Int, drafts: Int)

    public var year: Int {
        switch self {
        case .returned(let year, _), .unsubmitted(let year), .missing(let year, _): year
        }
    }

    /// The 首页's words.
    public var text: String {
        switch self {
        case .returned(let year, let reason):
            "\(year)年度申报计划已退回调整\(reason.map { "（\($0)）" } ?? "")，请修改后重新提交"
        case .unsubmitted(let year):
            "\(year)年度申报计划尚未提交审核：审核通过后，本单位申报人方可按计划提交申报"
        case .missing(let year, let drafts):
            "本单位申报人有 \(drafts) 份\(year)年度职称申报草稿，但尚未填报\(year)年度申报计划：计划审核通过后方可提交申报"
        }
    }
}
