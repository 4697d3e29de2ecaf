import Foundation
import ZhichengCore
import ZhichengStorage

extension ApplicationService {
    // MARK: Status query (申报人员状态查询) and review form (评审表)

    /// The orgs, the caller's own and those below it, whose applicants submitted something:
    /// what a department or office admin picks from in 申报人员状态查询, by code. A few orgs
    /// are counted org by org from `applications_quota`; a tree of many (`OrgService.readsByOrg`,
    /// a city office's) by one pass over that index grouped by org, then joined to the tree,
    /// rather than a lookup per org and a sort of every application's org.
    public func statusOrgs(caller: SignedIn) async throws -> [StatusOrg] {
        try Access.requireOrgAdmin(caller)
        return try await store.read(caller) { conn in
            try Access.requireApprovedOrg(caller, conn)
            // The live tree (`conn.subtree`), counted as 申报人员状态查询 reads it: a few orgs by
            // their index, a city office's many by counting every org's applications at once.
            let subtree = try conn.subtree(of: caller.orgID)
            let byOrg = try OrgService.readsByOrg(subtree: subtree.count, total: conn.scalar("SELECT count(*) FROM orgs")?.int ?? 0)
            return try conn.query(byOrg ? """
                SELECT o.id, o.code, o.name, count(*) AS n FROM applications a JOIN orgs o ON o.id = a.org_id
                WHERE a.org_id IN (SELECT value FROM json_each(?)) AND a.state != 'draft' GROUP BY o.id ORDER BY o.code
                """ : """
                WITH counted(org_id, n) AS (SELECT org_id, count(*) FROM applications WHERE state != 'draft' GROUP BY org_id)
                SELECT o.id, o.code, o.name, c.n FROM counted c JOIN orgs o ON o.id = c.org_id
                WHERE c.org_id IN (SELECT value FROM json_each(?)) ORDER BY o.code
                """, [Self.jsonList(subtree)]).map {
                StatusOrg(orgID: $0["id"].int ?? 0, code: $0["code"].string ?? "", name: $0["name"].string ?? "", applications: $0["n"].int ?? 0)
            }
        }
    }

    /// What 申报人员状态查询 lists beyond the org itself: its year, the units below it too, an
    /// applicant, a state (as the rows are labelled), a series and a level, and a page.
    public struct StatusQuery: Sendable {
        public var year: Int?
        /// Every unit below the org as well (a department or office supervising its units).
        public var below: Bool
        /// An applicant's name (part of it) or whole ID-card number.
        public var applicant: String?
        /// Only the rows shown with this state's label (`StatusStateFilter.parse`).
        public var state: StatusStateFilter?
        /// Only this series (`TitleCatalog.chosenSeries`: one of the catalog's) and level.
        public var series: String?
        public var level: TitleLevel?
        /// Rows on a page (nil: every row) and the id of the last row of the page before.
        public var limit: Int?
        public var before: Int?

        public init(year: Int? = nil, below: Bool = false, applicant: String? = nil, state: StatusStateFilter? = nil, series: String? = nil,
                    level: TitleLevel? = nil, limit: Int? = nil, before: Int? = nil) {
            self.year = year
            self.below = below
            self.applicant = applicant
            self.state = state
            self.series = series
            self.level = level
            self.limit = limit
            self.before = before
        }
    }

    /// Org ids as the JSON array a query reads with `json_each(?)`: a tree bound as one value.
    static func jsonList(_ ids: [Int]) -> String { "[" + ids.map(String.init).joined(separator: ",") + "]" }

    /// 申报人员状态查询's rows before its filters: of the org (`?`), or with `below` of the
    /// orgs in a JSON array (`?`): from `applications_quota` when `byOrg`, else by walking
    /// the applications from the newest (`+`: the org is only checked, never the way in).
    static func statusSQL(below: Bool, byOrg: Bool) -> String {
        """
        SELECT a.id, a.kind, a.year, a.series, a.level, a.title, a.chain, a.submissions, a.forwarded_at, a.committee_name, a.interview, a.result,
               a.publicity_result, a.publicity_until, a.unit_name, a.org_id AS applicant_org, p.name AS applicant_name, p.login AS id_number,
               o.name AS current_org
        FROM applications a JOIN accounts p ON p.id = a.applicant_id LEFT JOIN orgs o ON o.id = a.current_org_id
        WHERE \(statusOrgs(below: below, byOrg: byOrg))
        """
    }

    /// How many rows 申报人员状态查询 has over all its pages, before its filters (the same
    /// arguments as `statusSQL`'s). Not in the walk from the newest of a whole city (a count has no
    /// order to keep): by org, from `applications_quota`, which holds the org, year, series, level
    /// and state of each. The applicant's account is joined only where the filter names the
    /// person (`withPerson`): every application has one (a foreign key; accounts are retired,
    /// never deleted), so the count is the page's without it.
    static func statusCountSQL(below: Bool, withPerson: Bool) -> String {
        "SELECT count(*) FROM applications a\(withPerson ? " JOIN accounts p ON p.id = a.applicant_id" : "") WHERE \(statusOrgs(below: below, byOrg: true))"
    }

    /// The orgs' part of 申报人员状态查询's condition, with submitted applications only (a
    /// draft is the applicant's own until submitted).
    private static func statusOrgs(below: Bool, byOrg: Bool) -> String {
        "\(below ? "\(byOrg ? "" : "+")a.org_id IN (SELECT value FROM json_each(?))" : "a.org_id = ?") AND a.state != 'draft'"
    }

    /// 申报人员状态查询's filters after the org's (`statusSQL`, `statusCountSQL`): one text and
    /// its arguments for the page and its count, so that "共 N 份" counts what the pages list.
    static func statusFilter(_ query: StatusQuery, applicant: String) -> (sql: String, arguments: [any SQLiteBindable]) {
        var sql = "", arguments: [any SQLiteBindable] = []
        if let year = query.year { sql += " AND a.year = ?"; arguments.append(year) }
        if let series = query.series { sql += " AND a.series = ?"; arguments.append(series) }
        if let level = query.level { sql += " AND a.level = ?"; arguments.append(level.rawValue) }
        if let state = query.state { sql += " AND " + state.sql }
        if !applicant.isEmpty {
            let who = personFilter(applicant)
            sql += " AND " + who.sql
            arguments += who.arguments
        }
        return (sql, arguments)
    }

    /// Every submitted application of the org's applicants (a draft is the applicant's own
    /// until submitted), for its admin or an ancestor's, newest first; with `query.below`
    /// also those of every unit below it (each row names its unit).
    public func status(of orgID: Int, _ query: StatusQuery = .init(), caller: SignedIn) async throws -> [StatusRow] {
        try await status(of: orgID, query, counting: false, caller: caller).rows
    }

    /// One page of 申报人员状态查询 (`status`) and how many rows match its filters over all its
    /// pages, read in one transaction (the page's "共 N 份" agrees with the rows it shows).
    public func statusWithTotal(of orgID: Int, _ query: StatusQuery = .init(), caller: SignedIn) async throws -> (rows: [StatusRow], total: Int) {
        let read = try await status(of: orgID, query, counting: true, caller: caller)
        return (read.rows, read.total ?? 0)
    }

    private func status(of orgID: Int, _ query: StatusQuery, counting: Bool, caller: SignedIn) async throws -> (rows: [StatusRow], total: Int?) {
        try Access.requireOrgAdmin(caller)
        let applicant = try Self.searchText(query.applicant, field: "applicant")
        var asked = query
        // A series out of the catalog is refused (the page's list is the catalog's), not answered with no rows.
        asked.series = try catalog.chosenSeries(query.series)
        let query = asked
        let filter = Self.statusFilter(query, applicant: applicant)
        return try await store.read(caller) { conn in
            try Access.requireApprovedOrg(caller, conn)
            _ = try Access.visibleOrg(orgID, caller: caller, conn)
            // With the units below, as `OrgService.audit` reads its log: a few orgs from
            // `applications_quota` (their rows, sorted, are few); many (a city office's tree)
            // by walking the applications from the newest, the org only checked (`+`), where
            // sorting every row of the city to show one page is what the index would cost.
            let subtree = query.below ? try conn.subtreeIncludingDeleted(of: orgID) : [orgID]
            let byOrg = try !query.below || OrgService.readsByOrg(subtree: subtree.count, total: conn.scalar("SELECT count(*) FROM orgs")?.int ?? 0)
            let org: any SQLiteBindable = query.below ? Self.jsonList(subtree) : orgID
            var sql = Self.statusSQL(below: query.below, byOrg: byOrg) + filter.sql
            var arguments: [any SQLiteBindable] = [org] + filter.arguments
            if let before = query.before { sql += " AND a.id < ?"; arguments.append(before) }
            sql += " ORDER BY a.id DESC"
            if let limit = query.limit { sql += " LIMIT ?"; arguments.append(Paging.clamp(limit, maximum: 500)) }
            let rows = try conn.query(sql, arguments).map { r in
                let chain = try Self.decode(r["chain"].string ?? "")
                let stage = Self.standing(chain, r)
                let printable = Self.reaches(caller.orgID, chain, id: r["id"].int ?? 0, submission: r["submissions"].int ?? 0, conn)
                // In full to the applicant's own unit (which registered it); masked above it.
                let idNumber = IDCardNumber.personNumber(ofLogin: r["id_number"].string ?? "")
                return StatusRow(applicationID: r["id"].int ?? 0, kind: r["kind"].string ?? ApplicationKind.title.rawValue,
                                 applicantName: r["applicant_name"].string ?? "",
                                 idNumber: r["applicant_org"].int == caller.orgID ? idNumber : IDCardNumber.masked(idNumber),
                                 unitName: r["unit_name"].string ?? "",
                                 year: r["year"].int ?? 0, series: r["series"].string ?? "", level: r["level"].string ?? "", title: r["title"].string ?? "",
                                 state: chain.state.rawValue, stage: stage, committee: r["committee_name"].string, interview: r["interview"].string,
                                 printable: printable, formNote: printable ? nil : try Self.formNote(chain, caller: caller.orgID, conn))
            }
            guard counting else { return (rows, nil) }
            let total = try conn.scalar(Self.statusCountSQL(below: query.below, withPerson: !applicant.isEmpty) + filter.sql, [org] + filter.arguments)?.int ?? 0
            return (rows, total)
        }
    }

    /// Why the caller's org cannot open an application's 评审表 (it has not reached the org):
    /// what 申报人员状态查询 says in its place. An org on the application's route: not sent up
    /// to it yet, or, ended below it (withdrawn, 未通过), never. An org not on it: a route that
    /// never reaches it (an expert recommendation goes from the unit's 主管单位 to the province
    /// office), or a unit moved under the org after the application was submitted, which goes
    /// (or went) up through the parent it had then: "not sent up yet" would have the org wait
    /// for what never comes.
    static func formNote(_ chain: ReviewChain, caller orgID: Int, _ conn: SQLiteConnection) throws -> String {
        guard chain.route.contains(orgID) else {
            let then = chain.route.count > 1 ? chain.route[1] : nil
            guard try conn.scalar("SELECT parent_id FROM orgs WHERE id = ?", [chain.route[0]])?.int != then else { return "不经本级审查" }
            let name = try then.flatMap { try conn.scalar("SELECT name FROM orgs WHERE id = ?", [$0])?.string }
            return name.map { "报送时隶属\($0)，不经本级审查" } ?? "报送时不隶属本级，不经本级审查"
        }
        return [.withdrawn, .rejected].contains(chain.state) ? "未报送本级" : "尚未报送本级"
    }

    /// The data of a printable 评审表: the applicant with the standard fields the reader may
    /// read, each level's opinion of the latest submission with reviewer, date and that org's
    /// seal, and the committee's opinion with its office's seal.
    public func reviewForm(_ applicationID: Int, caller: SignedIn) async throws -> ReviewForm {
        let hideNames = hidesNames(from: caller)
        return try await store.read(caller) { conn in
            // Whoever may see the application (as `get` decides) may print it.
            let view = try Self.view(applicationID, for: caller, conn)
            // The unit as the application keeps its name (kept current while the unit exists, and
            // kept when it is deleted since: merged away, its 评审表 still says where it came from).
            let unitName = view.unitName
            let login = try conn.query("SELECT login FROM accounts WHERE id = ?", [view.applicantID]).first?["login"].string ?? ""
            // In full to the applicant's own unit's admin, who registered it and sees it in full on
            // 申报人员状态查询 (as there); else as the reader's sections allow.
            let idNumber = caller.kind == .orgAdmin && view.orgID == caller.orgID
                ? IDCardNumber.personNumber(ofLogin: login) : Self.idNumber(login, hiddenSections: view.hiddenSections)
            var seals: [Int: FileRecord?] = [:]
            // Stamped for the admins who print it (`OrgService.mayReadSeal`); a reviewer's or the
            // applicant's copy has the opinions without the seals' images.
            let stamps = OrgService.mayReadSeal(caller)
            // Each opinion under the org's name, its seal and the reviewer's name when it was given (DecisionRecord.asDecided):
            // the 评审表 is the record of what was decided then, not restated under today's names and seal.
            let opinions = try conn.query("""
                SELECT d.org_id, \(DecisionRecord.asDecided), d.stage, d.decision, d.comment, d.at
                FROM \(DecisionRecord.fromAsDecided)
                WHERE d.application_id = ? AND d.submission = ? AND d.org_id IS NOT NULL ORDER BY d.id
                """, [applicationID, view.submissions]).map { r -> ReviewForm.Opinion in
                let stage = ReviewStage(rawValue: r["stage"].string ?? "") ?? .handler
                // The seal is stamped on the org's leader opinion only: read for those, each file once.
                var seal: FileRecord?
                if stamps, stage == .leader, let fileID = r["org_seal_file_id"].int {
                    if let known = seals[fileID] { seal = known } else { seal = try conn.file(fileID); seals[fileID] = seal }
                }
                return ReviewForm.Opinion(orgName: r["org_name"].string ?? "", stage: stage,
                                          decision: ReviewDecision(rawValue: r["decision"].string ?? "") ?? .pass, comment: r["comment"].string ?? "",
                                          reviewer: hideNames ? "" : r["actor_name"].string ?? "", at: r["at"].double ?? 0, seal: seal)
            } + (try conn.query("""
                SELECT office, stage, decision, comment, at FROM province_decisions WHERE application_id = ? AND submission = ? ORDER BY id
                """, [applicationID, view.submissions]).map { r in
                // The province office's own review, as the relay brought it: no reviewer's name, no seal.
                ReviewForm.Opinion(orgName: r["office"].string ?? "", stage: ReviewStage(rawValue: r["stage"].string ?? "") ?? .handler,
                                   decision: ReviewDecision(rawValue: r["decision"].string ?? "") ?? .pass, comment: r["comment"].string ?? "",
                                   reviewer: "", at: r["at"].double ?? 0, seal: nil)
            })
            var committee: ReviewForm.CommitteeOpinion?
            // The committee's date is its last step's in the trail: the result entered, or
            // confirmed once final; the province's too, which the relay writes there.
            func step(final: Bool) throws -> (at: Double, office: String, officeID: Int?, seal: Int?)? {
                try conn.query("""
                    SELECT at, office, office_id, office_seal_file_id FROM committee_steps WHERE application_id = ? AND event = ? ORDER BY id DESC LIMIT 1
                    """, [applicationID, (final ? CommitteeEvent.final : .result).rawValue]).first.map {
                    ($0["at"].double ?? 0, $0["office"].string ?? "", $0["office_id"].int, $0["office_seal_file_id"].int)
                }
            }
            if let e = try conn.query("""
                SELECT c.name, o.name AS office, o.seal_file_id AS office_seal, e.result, e.note, e.state
                FROM evaluations e JOIN committees c ON c.id = e.committee_id JOIN orgs o ON o.id = c.org_id
                WHERE e.application_id = ? AND e.result IS NOT NULL
                """, [applicationID]).first {
                let final = e["state"].string == "final"
                let dated = try step(final: final)
                // The committee's own office (the city's, the province's for its own units) stamps
                // its opinion as each level's leader does: on an org admin's copy, with the seal it
                // had at the step the opinion is dated by, as recorded with the step (v45); a step
                // written before is stamped with the office's seal now, as older decisions are.
                var seal: FileRecord?
                if stamps, let fileID = dated?.officeID != nil ? dated?.seal : e["office_seal"].int {
                    if let known = seals[fileID] { seal = known } else { seal = try conn.file(fileID); seals[fileID] = seal }
                }
                committee = .init(name: e["name"].string ?? "", result: e["result"].string ?? "", note: e["note"].string ?? "",
                                  final: final, at: dated?.at, office: dated?.office ?? e["office"].string ?? "", seal: seal)
            } else if let name = view.committeeName, let result = view.result ?? view.publicity?.result {
                // The province's committee, with the 说明 it relayed with its result (schema v33), and
                // no seal: the city holds nothing of the province's (the relay carries none).
                let note = try conn.scalar("SELECT committee_note FROM applications WHERE id = ?", [applicationID])?.string ?? ""
                committee = .init(name: name, result: result, note: note, final: view.result != nil, at: try step(final: view.result != nil)?.at)
            }
            // When it was withdrawn (the applicant's step), returned or turned down (the last such
            // opinion of this submission), its committee's 未通过 confirmed, or (an expert
            // recommendation) admitted: the province office's 负责人 通过, its last 通过.
            let mark = ReviewFormMark(state: view.chain.state, kind: view.applicationKind).map { mark -> (mark: ReviewFormMark, at: Double?) in
                switch view.chain.state {
                case .withdrawn:
                    (mark, try? conn.scalar("SELECT at FROM decisions WHERE application_id = ? AND decision = 'withdraw' ORDER BY id DESC LIMIT 1",
                                            [applicationID])?.double)
                case .returned: (mark, opinions.filter { $0.decision == .return }.map(\.at).max())
                case .rejected: (mark, opinions.filter { $0.decision == .reject }.map(\.at).max())
                case .passed: (mark, opinions.filter { $0.decision == .pass }.map(\.at).max())
                default: (mark, committee?.at ?? opinions.filter { $0.decision == .reject }.map(\.at).max())
                }
            }
            return ReviewForm(application: view, unitName: unitName, idNumber: idNumber,
                              standardFields: ReviewForm.standardFields(kind: view.applicationKind, hidden: view.hiddenSections, sections: view.sections),
                              opinions: opinions, committee: committee, mark: mark)
        }
    }
}
