import Foundation
import ZhichengCore
import ZhichengStorage

extension ApplicationService {
    /// The most rows a reviewer's queue (`queue`) or 已审查 (`reviewed`) reads for one call (a
    /// larger `limit` is taken as this).
    public static let pageMaximum = 200

    /// Applications waiting for the caller's step at the caller's org, in its
    /// series: one page (oldest first, `after` an id for the next page), as
    /// summaries read with one query, found by one index (`applications_queue`, schema v8,
    /// which covers every column read here but the kind, which these items have).
    public func queue(caller: SignedIn, stage: ReviewStage? = nil, limit: Int = 50, after: Int? = nil) async throws -> [QueueItem] {
        try await queue(caller: caller, stage: stage, limit: limit, after: after, kinds: true) { rows in try rows.items() }
    }

    /// The same page, handed to `page` row by row as SQLite holds it, inside the read:
    /// for callers that write the rows out at once (the API writes JSON straight from
    /// the row's bytes) instead of making a `QueueItem` of each.
    /// `stage`: only that step (经办人审查 or 负责人审查), which the caller's roles must include;
    /// nil: every step the caller's roles give.
    /// `kinds`: also read each application's kind and 年度 (`QueueRow.kind`, `year`). The covering
    /// index holds neither (adding them would be a schema change): each row then costs a lookup of
    /// the table too, which the screens' pages take and the API's page (the reviewers' most
    /// frequent request) takes only where an expert recommendation may be among its rows
    /// (`queuePage`).
    public func queue<Page: Sendable>(caller: SignedIn, stage: ReviewStage? = nil, limit: Int = 50, after: Int? = nil, kinds: Bool = false,
                                      search: QueueSearch = .all, page: @escaping @Sendable (QueueRows) throws -> Page) async throws -> Page {
        guard let query = try QueueQuery(caller, stage: stage, limit: limit, after: after, search: search) else { return try page(QueueRows(conn: nil, sql: "", arguments: [], kinds: kinds)) }
        return try await store.read(caller) { conn, facts in
            // No expert recommendation in review here: nothing to walk for one (a search for a
            // kind reads the table for each row of the queue: 专家推荐审查 on a queue of titles).
            if search.kind == .expert, try !Self.expertRecommendationsMayWait(conn, facts) { return try page(QueueRows(conn: nil, sql: "", arguments: [], kinds: kinds)) }
            return try page(query.rows(conn, kinds: kinds))
        }
    }

    /// The API's page of the queue. Where no row can be an expert recommendation (the tenant
    /// has none in review: `expertRecommendationsMayWait`), `rows` writes it straight from the
    /// rows, as `queue(…page:)` hands them, reading nothing more: no kind, no 专家信息库.
    /// Otherwise the rows are read as `QueueItem`s with their kinds, and only a page with an
    /// expert recommendation on it asks the province's 专家信息库 whether it holds the person
    /// (`QueueItem.inExpertLibrary`, as `queueWithCount` does), before `items` writes it.
    public func queuePage<Page: Sendable>(caller: SignedIn, stage: ReviewStage? = nil, limit: Int = 50, after: Int? = nil, search: QueueSearch = .all,
                                          rows: @escaping @Sendable (QueueRows) throws -> Page,
                                          items: @escaping @Sendable ([QueueItem]) throws -> Page) async throws -> Page {
        guard let query = try QueueQuery(caller, stage: stage, limit: limit, after: after, search: search) else { return try rows(QueueRows(conn: nil, sql: "", arguments: [], kinds: false)) }
        let read = try await store.read(caller) { conn, facts -> QueuePageRead<Page> in
            // A search for title applications finds no expert recommendation either; one for
            // expert recommendations where none is in review finds nothing, without a walk.
            guard search.kind != .title, try Self.expertRecommendationsMayWait(conn, facts) else {
                return .written(try rows(search.kind == .expert ? QueueRows(conn: nil, sql: "", arguments: [], kinds: false) : query.rows(conn, kinds: false)))
            }
            let page = query.rows(conn, kinds: true)
            let found = try page.items()
            return .read(found, persons: try page.persons(of: found.filter { $0.kind == .expert }.map(\.id)))
        }
        switch read {
        case .written(let page): return page
        case let .read(found, persons): return try items(await Self.markingInLibrary(found, persons: persons, store: store))
        }
    }

    /// What the read of `queuePage` gave: the page written from the rows, or its items and the
    /// ID-card number of each expert recommendation's applicant, by application.
    private enum QueuePageRead<Page: Sendable>: Sendable {
        case written(Page)
        case read([QueueItem], persons: [Int: String])
    }

    /// The `OpenFacts` name of whether the tenant has an expert recommendation in review (or
    /// had one since its database was opened): noted by the `submit` that puts one in review.
    static let expertRecommendationsInReview = "expert-recommendations-in-review"

    /// Whether a queue row of this tenant may be an expert recommendation: it had one in review
    /// when its database was opened (found by one walk of the table, the first time a page asks:
    /// no index holds the kind), or one was submitted since. A tenant of title applications only
    /// answers from memory from then on, and its API queue pages read no kind.
    static func expertRecommendationsMayWait(_ conn: SQLiteConnection, _ facts: OpenFacts) throws -> Bool {
        if let known = facts.value(of: expertRecommendationsInReview) { return known }
        // NOT INDEXED: one pass over the table; through the partial queue index (state), SQLite
        // would look each row of it up in the table again for its kind, three times the work.
        let found = try conn.scalar("SELECT EXISTS (SELECT 1 FROM applications NOT INDEXED WHERE kind = 'expert' AND state = 'in_review')")?.int == 1
        return facts.settle(expertRecommendationsInReview, as: found)
    }

    /// `items` with `inExpertLibrary` set for the expert recommendations among them (`persons`:
    /// their applicants' ID-card numbers, by application), as the province's 专家信息库 says now:
    /// one read of the province, and none for a page without one. Left unset when the province
    /// cannot be read now.
    static func markingInLibrary(_ items: [QueueItem], persons: [Int: String], store: TenantStore) async -> [QueueItem] {
        guard !persons.isEmpty, let held = await ExpertService.inLibrary(Set(persons.values), store: store), !held.isEmpty else { return items }
        return items.map { item in
            var item = item
            item.inExpertLibrary = persons[item.id].map(held.contains) ?? false
            return item
        }
    }

    /// One page of the queue as `QueueItem`s, with their kinds, and how many wait over all
    /// its pages, read in one transaction (the screen's rows and its "共 N 件" agree).
    /// Expert recommendations among them say whether the person is in the province's
    /// 专家信息库 already (`QueueItem.inExpertLibrary`).
    public func queueWithCount(caller: SignedIn, stage: ReviewStage? = nil, limit: Int = 50, after: Int? = nil,
                               search: QueueSearch = .all) async throws -> (items: [QueueItem], waiting: Int) {
        let org = caller.orgID
        let (read, waiting, persons) = try await queue(caller: caller, stage: stage, limit: limit, after: after, kinds: true, search: search) { rows in
            let items = try rows.resubmittedHere(try rows.items(), org: org)
            return (items, try rows.waiting(), try rows.persons(of: items.filter { $0.kind == .expert }.map(\.id)))
        }
        return (await Self.markingInLibrary(read, persons: persons, store: store), waiting)
    }

    /// How many applications wait in that queue, over all its pages (首页's 待办事项;
    /// the API's page does not count). The page's rows are not read.
    public func queueCount(caller: SignedIn, stage: ReviewStage? = nil) async throws -> Int {
        try await queue(caller: caller, stage: stage, limit: 1) { rows in try rows.waiting() }
    }

    /// One page of a reviewer's queue, as asked: the filter, the page's size and start.
    struct QueueQuery: Sendable {
        var filter: QueueFilter
        var org: Int
        var limit: Int
        var after: Int
        var search: QueueSearch

        /// Nil when the caller reviews no series, or not the one searched for (an empty queue).
        init?(_ caller: SignedIn, stage: ReviewStage?, limit: Int, after: Int?, search: QueueSearch = .all) throws(ZhichengError) {
            guard let filter = try QueueFilter(caller, stage: stage, series: search.series) else { return nil }
            self.filter = filter
            self.search = search
            org = caller.orgID
            self.limit = Paging.clamp(limit, maximum: ApplicationService.pageMaximum)
            self.after = after ?? 0
        }

        /// The page's rows on `conn` (`kinds`: with each application's kind), with its count.
        func rows(_ conn: SQLiteConnection, kinds: Bool) -> QueueRows {
            let sql = ApplicationService.queueSQL(stages: filter.stages.count, series: filter.series.count, excludingOwnHandling: filter.fourEyes, kinds: kinds,
                                                  search: search)
            let countSQL = ApplicationService.queueSQL(stages: filter.stages.count, series: filter.series.count, excludingOwnHandling: filter.fourEyes, counting: true,
                                                       search: search)
            return QueueRows(conn: conn, sql: sql, arguments: [org, after] + filter.arguments + search.arguments + [limit], kinds: kinds,
                             countSQL: countSQL, countArguments: [org] + filter.arguments + search.arguments)
        }
    }

    /// Which applications wait for a reviewer: at their org, at the steps they review
    /// (`stage` alone, or every step their roles give), in their series (`series` alone, when
    /// searched for: still an equality on the index's column before `id`, so the walk stays
    /// in order on `applications_queue`). Roles and series come from the session check of
    /// this very request. Nil when they have no series, or not `series`.
    struct QueueFilter {
        var stages: [String]
        var series: [String]
        /// Four eyes: a reviewer with both roles does not find at 负责人审查 what they passed
        /// at 经办人审查 themselves (`ReviewChain` refuses that decision anyway).
        var fourEyes: Bool
        var accountID: Int

        init?(_ caller: SignedIn, stage: ReviewStage?, series searched: String? = nil) throws(ZhichengError) {
            guard caller.kind == .staff, !caller.roles.isEmpty else { throw ZhichengError(.forbidden, "只有设置了经办人或负责人角色的人员有审查队列") }
            stages = caller.roles.map { ReviewStage($0).rawValue }
            if let stage {
                guard stages.contains(stage.rawValue) else { throw ZhichengError(.forbidden, "您没有\(stage.role.label)角色，不能进行\(stage.label)") }
                stages = [stage.rawValue]
            }
            series = caller.permittedSeries
            if let searched { series = series.contains(searched) ? [searched] : [] }
            guard !series.isEmpty else { return nil }
            fourEyes = stages.count == 2 || (stages == [ReviewStage.leader.rawValue] && caller.roles.contains(.handler))
            accountID = caller.accountID
        }

        /// The filter's arguments, in the order of `queueSQL`'s placeholders after the org
        /// (and the page's `id >`).
        var arguments: [any SQLiteBindable] { stages + series + (fourEyes ? [accountID] : []) }
    }

    /// The queue query for `stages` steps and `series` series: a page (arguments: org,
    /// after, the filter's, limit) or, `counting`, the number waiting (org, the filter's).
    /// Its text is also the key of the connection's prepared statement; the usual page
    /// (one step, one series) is built once rather than on every request.
    /// `excludingOwnHandling`: leave out the applications at the leader step whose handler
    /// decision at this org, on this submission, was the caller's (one more argument, the
    /// caller's account id). That check looks up the row's own few decisions
    /// (`decisions_application`); the unary `+` keeps SQLite from walking all of the
    /// caller's decisions by `decisions_actor` instead, once for every row.
    /// `kinds`: the page's rows also with the application's kind and 年度 (columns 9 and 10),
    /// read from the table (the index holds neither): one look-up of the row for both.
    /// `search`: only the rows it matches (`QueueSearch.sql`, its arguments after the filter's;
    /// a search for a series alone changes only the arguments).
    static func queueSQL(stages: Int, series: Int, excludingOwnHandling: Bool = false, counting: Bool = false, kinds: Bool = false,
                         search: QueueSearch = .all) -> String {
        if stages == 1 && series == 1 && !excludingOwnHandling && !counting && !kinds && search.sql.isEmpty { return queueSQLOneByOne }
        return makeQueueSQL(stages: stages, series: series, excludingOwnHandling: excludingOwnHandling, counting: counting, kinds: kinds, search: search)
    }

    private static let queueSQLOneByOne = makeQueueSQL(stages: 1, series: 1, excludingOwnHandling: false, counting: false, kinds: false, search: .all)

    private static func makeQueueSQL(stages: Int, series: Int, excludingOwnHandling: Bool, counting: Bool, kinds: Bool, search: QueueSearch) -> String {
        let filter = """
            current_org_id = ? AND state = 'in_review'\(counting ? "" : " AND id > ?")
            AND stage IN (\(Array(repeating: "?", count: stages).joined(separator: ","))) AND series IN (\(Array(repeating: "?", count: series).joined(separator: ",")))
            \(excludingOwnHandling ? """
                AND NOT (stage = 'leader' AND EXISTS (SELECT 1 FROM decisions d WHERE d.application_id = applications.id
                    AND d.submission = applications.submissions AND d.org_id = applications.current_org_id AND d.stage = 'handler' AND +d.actor_id = ?))
                """ : "")\(search.sql)
            """
        return counting
            ? "SELECT count(*) FROM applications WHERE \(filter)"
            : "SELECT id, series, level, title, stage, submissions, version, applicant_name, unit_name\(kinds ? ", kind, year" : "") FROM applications WHERE \(filter) ORDER BY id LIMIT ?"
    }

    /// The caller's own review decisions (通过, 退回修改, 未通过), newest first, one page
    /// (`before`: the last `decisionID` of the page before), each with where the
    /// application stands now: a reviewer's 已审查. Read from `decisions_actor` (schema v14).
    public func reviewed(caller: SignedIn, limit: Int = 50, before: Int? = nil) async throws -> [ReviewedItem] {
        guard caller.kind == .staff else { throw ZhichengError(.forbidden, "只有审查人员有审查记录") }
        let limit = Paging.clamp(limit, maximum: Self.pageMaximum)
        return try await store.read(caller) { conn in
            try conn.query(Self.reviewedSQL, [caller.accountID, before ?? Int.max, limit]).map { r in
                let chain = try Self.decode(r["chain"].string ?? "")
                let id = r["id"].int ?? 0, series = r["series"].string ?? ""
                return ReviewedItem(decisionID: r["decision_id"].int ?? 0, applicationID: id, kind: ApplicationKind(rawValue: r["kind"].string ?? "") ?? .title,
                                    applicantName: r["applicant_name"].string ?? "",
                                    unitName: r["unit_name"].string ?? "", series: series, level: r["level"].string ?? "", title: r["title"].string ?? "",
                                    stage: ReviewStage(rawValue: r["stage"].string ?? "") ?? .handler,
                                    decision: ReviewDecision(rawValue: r["decision"].string ?? "") ?? .pass, comment: r["comment"].string ?? "",
                                    at: r["at"].double ?? 0, standing: Self.standing(chain, r),
                                    // As `view` lets a reviewer read it now (a resubmission not yet back at the caller's org is not).
                                    readable: !caller.roles.isEmpty && caller.permittedSeries.contains(series)
                                        && Self.reaches(caller.orgID, chain, id: id, submission: r["submissions"].int ?? 0, conn))
            }
        }
    }

    /// 已审查's query (arguments: the account, the decision id to start below, the limit).
    static let reviewedSQL = """
        SELECT d.id AS decision_id, d.stage, d.decision, d.comment, d.at, a.id, a.kind, a.series, a.level, a.title, a.chain, a.submissions,
               a.forwarded_at, a.publicity_result, a.publicity_until, a.applicant_name, a.unit_name, o.name AS current_org
        FROM decisions d JOIN applications a ON a.id = d.application_id LEFT JOIN orgs o ON o.id = a.current_org_id
        WHERE d.actor_id = ? AND d.decision IN ('pass', 'return', 'reject') AND d.id < ? ORDER BY d.id DESC LIMIT ?
        """
}
