import Foundation
import ZhichengCore
import ZhichengStorage

extension ApplicationService {
    // MARK: Storage helpers

    /// Finds a person, accounts `p`, by what was typed in a search box: a name or part of one,
    /// taken literally (no LIKE wildcards of its own), or a whole login (an ID-card number, a
    /// staff login) as sign-in reads it, whatever its ASCII case (schema v28: `Zhang.Wei` is
    /// found as `zhang.wei`, and two logins differing only by case, made before, both are), the
    /// retired logins of it included. Whole only: a prefix search would spell out, digit by
    /// digit, the numbers shown masked to the orgs above a unit. The one filter of the staff and
    /// applicant lists (`PeopleService`) and of 申报人员状态查询 (`status`).
    static func personFilter(_ typed: String) -> (sql: String, arguments: [any SQLiteBindable]) {
        let login = Login.normalized(typed)
        return ("(p.name LIKE ? ESCAPE '\\' OR p.id IN (\(accountIDsByLoginSQL)))", [containing(typed), login, login, login])
    }

    /// What was typed into a list's search of people (申报人, 单位): trimmed, "" for nothing, at
    /// most 40 characters (else invalid, naming `field`, saying `what`). One rule for every such
    /// search: 申报人员状态查询, 评审结果公示, the committee desk, the reviewer's queue, the
    /// province's lists; `containing` makes its pattern.
    static func searchText(_ typed: String?, field: String, what: String = "申报人查询") throws(ZhichengError) -> String {
        let text = typed?.trimmingWhitespaceAndNewlines() ?? ""
        guard text.count <= 40 else { throw ZhichengError.invalid("\(what)不超过40个字", field: field) }
        return text
    }

    /// A LIKE pattern (`ESCAPE '\\'`) for text containing `typed` taken literally.
    static func containing(_ typed: String) -> String {
        // Scalar by scalar: a `%` followed by a combining mark is one `Character`,
        // which `String`'s own search would not find (and leave a wildcard).
        var escaped = String.UnicodeScalarView()
        for scalar in typed.unicodeScalars {
            if scalar == "\\" || scalar == "%" || scalar == "_" { escaped.append("\\") }
            escaped.append(scalar)
        }
        return "%\(String(escaped))%"
    }

    /// The ids of the accounts whose login is `?` (bound three times) ignoring ASCII case, as
    /// sign-in compares logins (`SQLiteConnection.loginIgnoringCaseSQL`, `Login.folded`), and the
    /// retired ones it was given when an account was deleted (`<login>#deleted-<id>`): searches
    /// of `accounts_login_nocase` (schema v28), an equal login and a range, where a comparison
    /// on each account the list reads could use no index.
    static let accountIDsByLoginSQL = """
        SELECT id FROM accounts WHERE login = ? COLLATE NOCASE
            OR (login >= (? || '#deleted-') COLLATE NOCASE AND login < (? || '#deleted.') COLLATE NOCASE)
        """

    /// The accounts of one person: the login `number` (an SQL parameter: `?1`, or `?`, bound
    /// three times) and the
    /// retired ones it was given when an account was deleted (`<number>#deleted-<id>`), as a
    /// range of the login's index, which a prefix by `substr` would scan past.
    static func samePerson(_ number: String) -> String {
        "(p.login = \(number) OR (p.login >= \(number) || '#deleted-' AND p.login < \(number) || '#deleted.'))"
    }

    /// A person's other title applications of a year (?1 login, ?2 year, ?3 the application
    /// itself): one title per person and year.
    static let samePersonSameYearSQL = """
        SELECT a.title, a.state FROM applications a JOIN accounts p ON p.id = a.applicant_id
        WHERE \(samePerson("?1")) AND a.year = ?2 AND a.kind = 'title' AND a.id != ?3
        """

    static func ownApplication(_ id: Int, caller: SignedIn, _ conn: SQLiteConnection) throws -> (Int, ReviewChain) {
        guard caller.kind == .applicant,
              let row = try conn.query("SELECT id, chain FROM applications WHERE id = ? AND applicant_id = ?", [id, caller.accountID]).first else {
            throw ZhichengError.notFound("没有这个申报")
        }
        return (id, try decode(row["chain"].string ?? ""))
    }

    /// Visibility: the applicant sees their own; org admins and reviewers see an
    /// application once it has reached their org on its route (reviewers only in
    /// their series, and only the sections of their content permissions).
    static func view(_ id: Int, for caller: SignedIn, _ conn: SQLiteConnection) throws -> ApplicationView {
        guard let row = try conn.query("""
            SELECT a.*, p.name AS applicant_name, o.name AS current_org_name
            FROM applications a JOIN accounts p ON p.id = a.applicant_id LEFT JOIN orgs o ON o.id = a.current_org_id WHERE a.id = ?
            """, [id]).first else { throw ZhichengError.notFound("没有这个申报") }
        let chain = try decode(row["chain"].string ?? "")
        let series = row["series"].string ?? ""
        var permitted = Set(ApplicationSection.allCases.map(\.rawValue))
        var mayDecide = false
        switch caller.kind {
        case .applicant:
            guard row["applicant_id"].int == caller.accountID else { throw ZhichengError.notFound("没有这个申报") }
            mayDecide = chain.state.editableByApplicant
        case .orgAdmin, .staff:
            guard reaches(caller.orgID, chain, id: id, submission: row["submissions"].int ?? 0, conn) else { throw ZhichengError.notFound("没有这个申报") }
            if caller.kind == .orgAdmin {
                // An admin reads no section, but the office whose committee judges it (the top of
                // a route ending in the tenant, `EvaluationService`'s desk) reads it whole once it
                // has come to the committee, as the province's desk reads what it received.
                if !(chain.isFinalAuthority(caller.orgID) && chain.state.atOrPastCommittee) { permitted = [] }
            } else {
                // Staff read applications only as reviewers: a role, and the series.
                guard let me = try conn.account(caller.accountID), !me.roles.isEmpty, me.permittedSeries.contains(series) else {
                    throw ZhichengError.notFound("没有这个申报")
                }
                permitted = Set(me.permittedSections)
                let reviewer = ReviewChain.Reviewer(accountID: me.id, orgID: me.orgID, roles: me.roles, series: me.permittedSeries)
                mayDecide = (try? chain.checkReviewer(reviewer, series: series)) != nil
            }
        }
        let sections = try storedSections(id, conn).filter { permitted.contains($0.key) }
        let submissions = row["submissions"].int ?? 0
        var changed: [String] = []
        var previous: [String: [String: String]] = [:]
        // What changed since the last submission a person reviewed: one an automated step sent
        // straight back was seen by nobody, and comparing with it would hide the edits made
        // for the reviewer who asked for them. A reviewer's org compares with the last one it
        // reviewed itself (`ReviewChain.comparedSubmission`): none if it never saw one before.
        var reviewed: Int?
        if submissions >= 2 {
            if caller.kind == .applicant {
                reviewed = try conn.scalar("""
                    SELECT max(submission) FROM decisions WHERE application_id = ? AND submission < ? AND org_id IS NOT NULL
                    """, [id, submissions])?.int
            } else {
                let here = try conn.query("SELECT DISTINCT submission FROM decisions WHERE application_id = ? AND org_id = ? AND submission < ?",
                                          [id, caller.orgID, submissions]).compactMap { $0["submission"].int }
                reviewed = ReviewChain.comparedSubmission(submissions, reviewedHere: here)
            }
        }
        if let reviewed {
            let snaps = try conn.query("SELECT sections FROM application_snapshots WHERE application_id = ? AND submission IN (?, ?) ORDER BY submission", [id, reviewed, submissions])
            if snaps.count == 2 {
                let before = (try? JSONDecoder().decode([String: String].self, from: Data((snaps[0]["sections"].string ?? "{}").utf8))) ?? [:]
                let after = (try? JSONDecoder().decode([String: String].self, from: Data((snaps[1]["sections"].string ?? "{}").utf8))) ?? [:]
                changed = ApplicationSection.allCases.map(\.rawValue).filter { before[$0] != after[$0] && permitted.contains($0) }
                let earlier = Self.sections(fromSnapshot: snaps[0]["sections"].string ?? "{}")
                for name in changed { previous[name] = earlier[name] ?? [:] }  // empty: the section was not filled in then
            }
        }
        return ApplicationView(
            id: id, applicantID: row["applicant_id"].int ?? 0, applicantName: row["applicant_name"].string ?? "", orgID: row["org_id"].int ?? 0,
            unitName: row["unit_name"].string ?? "", kind: row["kind"].string ?? "title", specialty: row["specialty"].string, year: row["year"].int ?? 0, series: series, level: TitleLevel(rawValue: row["level"].string ?? "") ?? .junior,
            title: row["title"].string ?? "", chain: chain, version: row["version"].int ?? 0, submissions: submissions,
            sections: sections, hiddenSections: ApplicationSection.allCases.map(\.rawValue).filter { !permitted.contains($0) },
            changedSections: changed, previousSections: previous, returnSections: AccountRecord.strings(row["return_sections"]) ?? [],
            returnReason: row["return_reason"].string.flatMap(ReturnReason.init(rawValue:)), returnComment: row["return_comment"].string,
            forwardedAt: row["forwarded_at"].double, committeeName: row["committee_name"].string, interview: row["interview"].string,
            result: row["result"].string,
            publicity: [.publicity, .awaitingProvince].contains(chain.state)
                ? row["publicity_result"].string.flatMap { r in row["publicity_until"].double.map { (r, $0) } } : nil,
            callerMayDecide: mayDecide, currentOrgName: chain.currentOrg == nil ? nil : row["current_org_name"].string)
    }

    /// Whether the latest submission has reached `orgID` on its route: what an org's admin
    /// and reviewers may read of an application (`view`) and print (the 评审表).
    static func reaches(_ orgID: Int, _ chain: ReviewChain, id: Int, submission: Int, _ conn: SQLiteConnection) -> Bool {
        guard let index = chain.route.firstIndex(of: orgID), chain.state != .draft else { return false }
        return reached(chain, index: index, id: id, submission: submission, conn)
    }

    /// Whether the latest submission (`submission`) has reached the org at `index` of
    /// its route: it is there or above it now, or that org decided on it (a return or
    /// 未通过 there). A resubmission starts again at the unit, and the orgs above see
    /// it only once the level below has passed it, whatever they saw of earlier ones.
    static func reached(_ chain: ReviewChain, index: Int, id: Int, submission: Int, _ conn: SQLiteConnection) -> Bool {
        if chain.state == .inReview && chain.position >= index { return true }
        if [.awaitingProvince, .atCommittee, .publicity, .passed, .failed].contains(chain.state) { return true }
        let orgID = chain.route[index]
        return ((try? conn.scalar("SELECT count(*) FROM decisions WHERE application_id = ? AND submission = ? AND org_id = ?", [id, submission, orgID])?.int) ?? 0) > 0
            || (index == 0 && ((try? conn.scalar("SELECT count(*) FROM decisions WHERE application_id = ? AND submission = ? AND decision = 'submit'",
                                                 [id, submission])?.int) ?? 0) > 0)
    }

    static func sectionsJSON(_ id: Int, _ conn: SQLiteConnection) throws -> String {
        var all: [String: String] = [:]
        for row in try conn.query("SELECT section, content FROM application_sections WHERE application_id = ?", [id]) {
            if let name = row["section"].string { all[name] = row["content"].string ?? "{}" }
        }
        let files = try attachmentList(id, conn).map { "\($0.name):\($0.sha256)" }
        if !files.isEmpty { all[ApplicationSection.attachments.rawValue, default: ""] += "|files:" + files.joined(separator: ",") }
        return String(decoding: try JSONEncoder.sorted.encode(all), as: UTF8.self)
    }

    /// Reads what `sectionsJSON` wrote (a snapshot, or what the province received):
    /// section → fields; 附件's files appear as one field 文件 with their names.
    static func sections(fromSnapshot text: String) -> [String: [String: String]] { SectionSnapshot.sections(text) }

    static func store(_ chain: ReviewChain, id: Int, _ conn: SQLiteConnection, extra: String = "", extraArgs: [any SQLiteBindable] = []) throws {
        let set = "state = ?, chain = ?, current_org_id = ?, stage = ?, version = version + 1, updated_at = ?" + (extra.isEmpty ? "" : ", " + extra)
        try conn.run("UPDATE applications SET \(set) WHERE id = ?",
                     [chain.state.rawValue, try encode(chain), chain.currentOrg, chain.state == .inReview ? chain.stage.rawValue : nil as String?, Date().timeIntervalSince1970]
                        + extraArgs + [id])
    }

    /// The stored form of a chain: the same JSON as its `Codable` form (keys sorted,
    /// `handlerDecider` omitted when nil), written and read by hand because it is
    /// read and written on every decision.
    static func encode(_ chain: ReviewChain) throws -> String {
        var out = "{"
        out += "\"endsInProvince\":\(chain.endsInProvince),"
        if let decider = chain.handlerDecider { out += "\"handlerDecider\":\(decider)," }
        out += "\"position\":\(chain.position),"
        out += "\"reviewedSinceSubmission\":\(chain.reviewedSinceSubmission),"
        out += "\"route\":[" + chain.route.map(String.init).joined(separator: ",") + "],"
        out += "\"stage\":\"\(chain.stage.rawValue)\","
        out += "\"state\":\"\(chain.state.rawValue)\"}"
        return out
    }

    static func decode(_ text: String) throws -> ReviewChain {
        if let c = StoredChainReader.read(text) {
            return try ReviewChain(restoring: c.route, endsInProvince: c.endsInProvince, state: c.state, position: c.position, stage: c.stage,
                                   handlerDecider: c.handlerDecider, reviewedSinceSubmission: c.reviewed)
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              let route = object["route"] as? [Int], let ends = object["endsInProvince"] as? Bool,
              let state = (object["state"] as? String).flatMap(ApplicationState.init(rawValue:)), let position = object["position"] as? Int,
              let stage = (object["stage"] as? String).flatMap(ReviewStage.init(rawValue:)), let reviewed = object["reviewedSinceSubmission"] as? Bool else {
            throw ZhichengError.internal("stored review chain is unreadable")
        }
        return try ReviewChain(restoring: route, endsInProvince: ends, state: state, position: position, stage: stage,
                               handlerDecider: object["handlerDecider"] as? Int, reviewedSinceSubmission: reviewed)
    }
}
