import Foundation
import ZhichengCore
import ZhichengStorage

// MARK: - Worklist (the committee desk; objections and public notices have files of their own)

extension EvaluationService {
    /// The ids of a city's applications that reached its committee: those at it or in public
    /// notice (read from their partial index, schema v21, not from every application of the
    /// city's years) and those it evaluated.
    static let reachedCommitteeSQL = """
        SELECT id FROM applications INDEXED BY applications_at_committee WHERE state IN ('at_committee', 'publicity')
        UNION ALL SELECT application_id FROM evaluations WHERE application_id IS NOT NULL
        """

    /// The province's received title applications that reached its committee (as `r`): past
    /// the office's own review, not sent back or turned down by it.
    /// (Named by `state IN`, not by the states before it: SQLite then reads them from
    /// `received_kind_state` instead of every received row's `state`, stored after its
    /// sections and trail, over their overflow pages.)
    static let receivedAtCommitteeSQL = "r.kind = 'title' AND r.state IN ('received', 'publicity', 'final')"

    /// Of those, the ones without a final result (the desk's `open`, the 首页's counts).
    static let receivedOpenAtCommitteeSQL = "r.kind = 'title' AND r.state IN ('received', 'publicity')"

    /// The applications that reached the caller's office as their final authority: a
    /// city's own at 评委会 (or decided), or those the province received, each marked
    /// whether a committee of the office covers it (one no committee covers waits until
    /// the office sets one up). For the office admin. `year`: only the applications of
    /// that 年度; `only`: just that one (an item's own page reads no other); `open`: only
    /// those without a final result (首页's 待办事项 reads no history).
    public func worklist(caller: SignedIn, year: Int? = nil, only: EvaluationTarget? = nil, open: Bool = false) async throws -> [CommitteeWorkItem] {
        try await worklist(caller: caller, year: year, only: only, open: open, after: nil, paging: nil).items
    }

    /// One page of the office's committee desk: the office's own applications first, then
    /// those the province received, each oldest first; `after`: the `next` of the page
    /// before. `limit`: 1–500 (nil: every item, as the API has always answered). Over the
    /// years a province's desk holds tens of thousands: its screen must not carry them all.
    /// `applicant`: only those of applicants whose name holds it (taken literally, at most 40
    /// characters), as 评审结果公示 and 申报人员状态查询 find them.
    /// `need`: only the items waiting for that (`CommitteeDeskNeed`: a result, the 处理 of an
    /// objection, 确认结果), as the 首页 counts them at `now`.
    /// `committee`: only the items that committee of the office evaluates (`CommitteeWorkItem.committee`);
    /// another office's or an unknown id is refused, naming `committee`.
    public func worklistPage(caller: SignedIn, year: Int? = nil, open: Bool = false, need: CommitteeDeskNeed? = nil, applicant rawApplicant: String? = nil,
                             committee: Int? = nil, limit: Int?, after: EvaluationTarget? = nil, now: Double = Date().timeIntervalSince1970) async throws -> CommitteeWorklistPage {
        let applicant = try ApplicationService.searchText(rawApplicant, field: "applicant")
        return try await worklist(caller: caller, year: year, only: nil, open: open, after: after, paging: limit.map { Paging($0, maximum: 500) },
                                  applicant: applicant.isEmpty ? nil : ApplicationService.containing(applicant), need: need.map { ($0, now) }, committee: committee)
    }

    /// The 首页's counts of the office's open committee desk (`worklist(open: true)`), without
    /// reading it whole: the city's own items are few (from their partial index) and read;
    /// the received ones (tens of thousands in a province) are counted in SQL through
    /// `received_kind_state`, by series and level for those without an evaluation, and only
    /// those with a result (in notice) read as records, for their objections and whether
    /// they may be confirmed (`EvaluationRecord.confirmationRefused`).
    public func deskCounts(caller: SignedIn, now: Double = Date().timeIntervalSince1970) async throws -> CommitteeDeskCounts {
        var counts = CommitteeDeskCounts()
        for item in try await worklist(caller: caller, year: nil, only: nil, open: true, after: nil, paging: nil, receivedToo: false).items {
            counts.add(item, now: now)
        }
        return try await store.read(caller) { [counts] conn in
            var counts = counts
            guard try conn.rootOrg()?.id == caller.orgID else { return counts }
            let covered = try Self.coverage(of: caller.orgID, conn)
            for group in try conn.query("""
                SELECT r.series, r.level, count(*) AS n FROM received_applications r
                WHERE \(Self.receivedOpenAtCommitteeSQL) AND NOT EXISTS (SELECT 1 FROM evaluations e WHERE e.received_id = r.id) GROUP BY r.series, r.level
                """) {
                // As `add` counts an item without an evaluation: awaiting its result where a committee covers it.
                if covered(group["series"].string ?? "", group["level"].string ?? "") != nil { counts.awaitingResult += group["n"].int ?? 0 } else { counts.uncovered = true }
            }
            counts.awaitingResult += try conn.scalar("""
                SELECT count(*) FROM received_applications r JOIN evaluations e ON e.received_id = r.id
                WHERE \(Self.receivedOpenAtCommitteeSQL) AND e.state = 'pending'
                """)?.int ?? 0
            for row in try conn.query("""
                SELECT r.series, r.level, \(Self.recordColumns) FROM received_applications r JOIN evaluations e ON e.received_id = r.id
                JOIN committees c ON c.id = e.committee_id WHERE \(Self.receivedOpenAtCommitteeSQL) AND e.state != 'pending'
                """) {
                counts.add(CommitteeWorkItem(target: .received(0), applicantName: "", unitName: "", sourceTenant: nil, sourceTenantName: nil, year: 0,
                                             series: row["series"].string ?? "", level: row["level"].string ?? "", title: "", evaluation: Self.record(row)), now: now)
            }
            return counts
        }
    }

    /// The committee of office `orgID` that takes up an application of a series and level: the
    /// first set up of those covering both; nil when none does (it waits at 评委会 until the
    /// office sets one up). The one rule for where an evaluation starts (`evaluation`) and
    /// for what the desk says of an item not yet taken up.
    static func coverage(of orgID: Int, _ conn: SQLiteConnection) throws -> (_ series: String, _ level: String) -> CommitteeRecord? {
        let committees = try conn.query("SELECT id FROM committees WHERE org_id = ? ORDER BY id", [orgID]).compactMap { $0["id"].int }.compactMap { try committee($0, conn) }
        return { series, level in committees.first { $0.series.contains(series) && $0.levels.contains { $0.rawValue == level } } }
    }

    /// What no committee of the office covers among the applications waiting at 评委会
    /// without one (series and level, such as "中小学教师 副高级"), in order: the office must
    /// set up a committee before they can be evaluated. Read from what waits, of every year.
    /// Read by series and level, not item by item: a desk of thousands waiting is not read
    /// whole for one line on each of its pages and on the 首页.
    public func uncoveredScopes(caller: SignedIn) async throws -> [String] {
        try Access.requireOrgAdmin(caller)
        return try await store.read(caller) { conn in
            try Access.requireApprovedOrg(caller, conn)
            let covered = try Self.coverage(of: caller.orgID, conn)
            var missing = Set<String>()
            // The city's own at 评委会 without an evaluation (from their partial index: SQLite
            // uses it only for a WHERE that repeats its own term, hence the two on `state`),
            // each scope no committee covers kept if one of them is this office's to evaluate.
            let waiting = """
                FROM applications WHERE state IN ('at_committee', 'publicity') AND state = 'at_committee' AND kind = 'title'
                AND id NOT IN (SELECT application_id FROM evaluations WHERE application_id IS NOT NULL)
                """
            for scope in try conn.query("SELECT DISTINCT series, level " + waiting) {
                let series = scope["series"].string ?? "", level = scope["level"].string ?? ""
                guard covered(series, level) == nil else { continue }
                try conn.forEachRow("SELECT chain " + waiting + " AND series = ? AND level = ?", [series, level]) { row in
                    guard !missing.contains("\(series) \(level)"), let chain = try? ApplicationService.decode(row.string(0)),
                          chain.isFinalAuthority(caller.orgID) else { return }
                    missing.insert("\(series) \(level)")
                }
            }
            if try conn.rootOrg()?.id == caller.orgID {
                for scope in try conn.query("""
                    SELECT DISTINCT r.series, r.level FROM received_applications r LEFT JOIN evaluations e ON e.received_id = r.id
                    WHERE \(Self.receivedOpenAtCommitteeSQL) AND e.id IS NULL
                    """) where covered(scope["series"].string ?? "", scope["level"].string ?? "") == nil {
                    missing.insert("\(scope["series"].string ?? "") \(scope["level"].string ?? "")")
                }
            }
            return missing.sorted()
        }
    }

    /// The committee that will take up a desk's row not yet evaluated (nil once it is: its
    /// evaluation names its committee): the committee of the 评审会 that holds it (a received
    /// one, `session_committee`: the session's result binds it, `evaluation(...)`), else the
    /// first covering it.
    private static func assigned(_ evaluation: EvaluationRecord?, _ row: SQLiteRow, _ coverage: (String, String) -> CommitteeRecord?,
                                 _ conn: SQLiteConnection? = nil) throws -> CommitteeRef? {
        guard evaluation == nil else { return nil }
        if let id = row["session_committee"].int, let conn, let committee = try Self.committee(id, conn) {
            return CommitteeRef(id: committee.id, name: committee.name)
        }
        guard let committee = coverage(row["series"].string ?? "", row["level"].string ?? "") else { return nil }
        return CommitteeRef(id: committee.id, name: committee.name)
    }

    /// The committee of the 评审会 not yet over that holds the received application `r`
    /// (`SessionService.holdingSession`'s rule), as a subquery.
    static let holdingSessionCommitteeSQL = """
        SELECT s.committee_id FROM session_applications sa JOIN review_sessions s ON s.id = sa.session_id
        WHERE sa.received_id = r.id AND s.state IN \(SessionState.holdingSQL) ORDER BY s.id LIMIT 1
        """

    /// `applicant`: a LIKE pattern (`ApplicationService.containing`) the applicant's name matches.
    /// `need`: only the items it `matches` at that time (which are all open).
    private func worklist(caller: SignedIn, year: Int?, only: EvaluationTarget?, open: Bool, after: EvaluationTarget?, paging: Paging?,
                          receivedToo: Bool = true, applicant: String? = nil, need: (need: CommitteeDeskNeed, now: Double)? = nil,
                          committee: Int? = nil) async throws -> CommitteeWorklistPage {
        let open = open || need != nil
        // One filter for both kinds of row: the year, the applicant's name, the one item asked
        // for, open ones, those that may be what `need` asks for, those after the page before's last one.
        @Sendable func filter(received: Bool, alias: String) -> (sql: String, arguments: [any SQLiteBindable]) {
            var sql = "", arguments: [any SQLiteBindable] = []
            if let year { sql += " AND \(alias)year = ?"; arguments.append(year) }
            if let applicant { sql += received ? " AND r.applicant_name LIKE ? ESCAPE '\\'" : " AND p.name LIKE ? ESCAPE '\\'"; arguments.append(applicant) }
            if open && !received { sql += " AND a.state IN ('at_committee', 'publicity')" }
            if let need {
                let narrowing = need.need.sql(now: need.now)
                sql += narrowing.sql
                arguments += narrowing.arguments
            }
            switch (only, received) {
            case (nil, _): break
            case (.application(let id)?, false), (.received(let id)?, true): sql += " AND \(alias)id = ?"; arguments.append(id)
            default: sql += " AND 0"   // the item asked for is of the other kind
            }
            switch (after, received) {
            case (nil, _): break
            case (.application(let id)?, false), (.received(let id)?, true): sql += " AND \(alias)id > ?"; arguments.append(id)
            case (.application?, true): break   // the received ones follow the office's own
            case (.received?, false): sql += " AND 0"   // past the office's own
            }
            return (sql, arguments)
        }
        try Access.requireOrgAdmin(caller)
        let wanted = paging?.rowsToRead ?? Int.max
        var items = try await store.read(caller) { conn -> [CommitteeWorkItem] in
            try Access.requireApprovedOrg(caller, conn)
            // The desk is an office's (the one rule `committees` and its screen follow): a
            // unit's or a department's admin is refused, not answered an empty desk.
            _ = try Access.requireCommitteeOffice(caller, conn)
            let covered = try Self.coverage(of: caller.orgID, conn)
            // One committee's: those bound to it, and those not yet taken up of its series and
            // levels (a superset: an earlier committee may cover them; `keeps` decides).
            let chosen = try committee.map { id -> CommitteeRecord in
                guard let record = try Self.committee(id, conn), record.orgID == caller.orgID else {
                    throw ZhichengError.invalid("没有这个评委会", field: "committee")
                }
                return record
            }
            func narrowed(_ filter: (sql: String, arguments: [any SQLiteBindable]), alias: String) -> (sql: String, arguments: [any SQLiteBindable]) {
                guard let chosen else { return filter }
                let places = { (n: Int) in Array(repeating: "?", count: n).joined(separator: ",") }
                return (filter.sql + " AND (e.committee_id = ? OR (e.id IS NULL AND \(alias)series IN (\(places(chosen.series.count))) AND \(alias)level IN (\(places(chosen.levels.count)))))",
                        filter.arguments + [chosen.id] + chosen.series + chosen.levels.map(\.rawValue))
            }
            func keeps(_ item: CommitteeWorkItem) -> Bool {
                (need.map { $0.need.matches(item, now: $0.now) } ?? true) && (chosen.map { item.committee?.id == $0.id } ?? true)
            }
            var items: [CommitteeWorkItem] = []
            let own = narrowed(filter(received: false, alias: "a."), alias: "a.")
            // Read a batch at a time: some rows are another office's (a city department's
            // own committee), left out after the read, so a page may take more than one.
            // (Never a handful at a time: each batch runs the reached-committee subquery again.)
            let batch = min(max(min(wanted, 500) * 2, 100), 500)
            var last = 0
            while items.count < wanted {
                let rows = try conn.query("""
                    SELECT a.id, a.year, a.series, a.level, a.title, a.chain, p.name AS applicant, o.name AS unit, \(Self.recordColumns) FROM applications a
                    JOIN accounts p ON p.id = a.applicant_id JOIN orgs o ON o.id = a.org_id
                    LEFT JOIN evaluations e ON e.application_id = a.id LEFT JOIN committees c ON c.id = e.committee_id
                    WHERE a.kind = 'title' AND a.id IN (\(Self.reachedCommitteeSQL))\(own.sql) AND a.id > ?
                    ORDER BY a.id\(paging == nil ? "" : " LIMIT \(batch)")
                    """, own.arguments + [last])
                for r in rows where items.count < wanted {
                    // Only those the caller's office evaluates (as `evaluation(for:)` requires).
                    guard try ApplicationService.decode(r["chain"].string ?? "").isFinalAuthority(caller.orgID) else { continue }
                    let id = r["id"].int ?? 0
                    let evaluation = Self.record(r)
                    let item = CommitteeWorkItem(target: .application(id), applicantName: r["applicant"].string ?? "", unitName: r["unit"].string ?? "",
                                                 sourceTenant: nil, sourceTenantName: nil, year: r["year"].int ?? 0,
                                                 series: r["series"].string ?? "", level: r["level"].string ?? "", title: r["title"].string ?? "",
                                                 evaluation: evaluation, assigned: try Self.assigned(evaluation, r, covered))
                    if keeps(item) { items.append(item) }
                }
                guard paging != nil, rows.count == batch, let next = rows.last?["id"].int else { break }
                last = next
            }
            if receivedToo, items.count < wanted, try conn.rootOrg()?.id == caller.orgID {
                let received = narrowed(filter(received: true, alias: "r."), alias: "r.")
                // A batch at a time too: `need` may leave some out after the read (待评审: one no
                // committee of the office covers).
                var last = 0
                while items.count < wanted {
                    let rows = try conn.query("""
                        SELECT r.id, r.applicant_name, r.unit_name, r.source_tenant, r.year, r.series, r.level, r.title, \(Self.recordColumns),
                               CASE WHEN e.id IS NULL THEN (\(Self.holdingSessionCommitteeSQL)) END AS session_committee FROM received_applications r
                        LEFT JOIN evaluations e ON e.received_id = r.id LEFT JOIN committees c ON c.id = e.committee_id
                        WHERE \(open ? Self.receivedOpenAtCommitteeSQL : Self.receivedAtCommitteeSQL)\(received.sql) AND r.id > ? ORDER BY r.id\(paging == nil ? "" : " LIMIT \(batch)")
                        """, received.arguments + [last])
                    for r in rows where items.count < wanted {
                        let id = r["id"].int ?? 0
                        let evaluation = Self.record(r)
                        let item = CommitteeWorkItem(target: .received(id), applicantName: r["applicant_name"].string ?? "", unitName: r["unit_name"].string ?? "",
                                                     sourceTenant: r["source_tenant"].string, sourceTenantName: r["source_tenant"].string, year: r["year"].int ?? 0,
                                                     series: r["series"].string ?? "", level: r["level"].string ?? "",
                                                     title: r["title"].string ?? "", evaluation: evaluation,
                                                     assigned: try Self.assigned(evaluation, r, covered, conn))
                        if keeps(item) { items.append(item) }
                    }
                    guard paging != nil, rows.count == batch, let next = rows.last?["id"].int else { break }
                    last = next
                }
            }
            return items
        }
        // The cities by name, from the registry (cached there).
        for (n, item) in items.enumerated() {
            if let id = item.sourceTenant.flatMap({ try? TenantID($0) }), let city = try await store.registry.get(id) { items[n].sourceTenantName = city.name }
        }
        let (shown, next) = paging?.cut(items, cursor: \.target) ?? (items, nil)
        return CommitteeWorklistPage(items: shown, next: next)
    }
}
