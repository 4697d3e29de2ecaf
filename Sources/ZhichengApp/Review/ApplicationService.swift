import Crypto
import Foundation
import ZhichengCore
import ZhichengStorage

/// Applications and the review chain (manual §8–§9, SPEC §7): the applicant fills
/// in and submits; reviewers at each org on the route decide, handler then leader.
public struct ApplicationService: Sendable {
    let store: TenantStore
    let catalog: TitleCatalog
    /// Whether applicants see who reviewed (names) or only which org and role.
    public var showReviewerNamesToApplicants = false

    /// Whether `caller` reads an application without the names of the people who acted
    /// on it (reviewers, office staff): an applicant, unless configured otherwise. The
    /// trail and the 评审表 both follow it.
    func hidesNames(from caller: SignedIn) -> Bool { caller.kind == .applicant && !showReviewerNamesToApplicants }
    /// Carries applications bound for the province across tenants.
    let relay: CrossTenantRelay?
    /// Review steps added by plugins (e.g. an automatic qualification check at submission).
    let automatedSteps: (any AutomatedSteps)?

    public init(store: TenantStore, catalog: TitleCatalog = .henan, relay: CrossTenantRelay? = nil, automatedSteps: (any AutomatedSteps)? = nil) {
        self.store = store
        self.catalog = catalog
        self.relay = relay
        self.automatedSteps = automatedSteps
    }

    /// Applications one applicant may create for one 年度, in any state (nothing is ever
    /// deleted): a person applies for one title a year, and may start again after a
    /// withdrawal. Without a bound, create / submit / withdraw by script filled the tenant
    /// and made the applicant's own list (every application in full) ever heavier.
    public static let maxApplicationsPerYear = 20
    /// Where plugins place the steps that check a title application at submission.
    public static let submitPoint = "submit"
    /// Where plugins place the steps that check an expert application at submission.
    public static let expertSubmitPoint = "expert-submit"
    /// Every point a plugin's step may be placed at (a manifest naming another is refused).
    public static let stepPoints: Set<String> = [submitPoint, expertSubmitPoint]

    // MARK: Applicant

    /// An application's 年度, 系列, 级别 and 职称 held to the catalog: the level they name.
    func heading(year: Int, series: String, level rawLevel: String, title: String) throws(ZhichengError) -> TitleLevel {
        try DeclarationPlan.validateYear(year)
        guard let level = TitleLevel(rawValue: rawLevel) else { throw ZhichengError.invalid("级别应为 初级、中级、副高级 或 正高级", field: "level") }
        guard let entry = catalog.series(named: series) else { throw ZhichengError.invalid("未知的系列“\(series.prefix(30))”", field: "series") }
        guard !entry.titles(at: level).isEmpty else { throw ZhichengError.invalid("\(series)没有\(level.rawValue)职称", field: "level") }
        guard entry.titles(at: level).contains(title) else {
            throw ZhichengError.invalid("\(series)\(level.rawValue)的职称应为：\(entry.titles(at: level).joined(separator: "、"))", field: "title")
        }
        return level
    }

    /// Corrects a draft's 年度, 系列, 级别 and 职称 (chosen wrong at creation), held to the rules
    /// of `create` and to its count of applications a year (a draft moved to another year counts
    /// there); its route is drawn again for the level (to the province, or not). Only a draft:
    /// what was submitted stays as the reviewers saw it (a returned one may be withdrawn).
    public func changeHeading(_ applicationID: Int, year: Int, series: String, level rawLevel: String, title rawTitle: String,
                              caller: SignedIn) async throws -> ApplicationView {
        let title = rawTitle.trimmingInvisibles()
        let level = try heading(year: year, series: series, level: rawLevel, title: title)
        return try await store.write(caller) { conn in
            let (id, chain) = try Self.ownApplication(applicationID, caller: caller, conn)
            guard chain.state == .draft else {
                throw ZhichengError.conflict("申报已提交过，不能修改年度、系列、级别和职称；如需更改，请撤回后重新创建")
            }
            let made = try conn.scalar("SELECT count(*) FROM applications WHERE applicant_id = ? AND year = ? AND id != ?", [caller.accountID, year, id])?.int ?? 0
            guard made < Self.maxApplicationsPerYear else {
                throw ZhichengError.conflict("每人每个年度最多创建\(Self.maxApplicationsPerYear)份申报（含草稿和已撤回的），\(year)年度已满")
            }
            guard let row = try conn.query("SELECT kind, org_id FROM applications WHERE id = ?", [id]).first,
                  let kind = ApplicationKind(rawValue: row["kind"].string ?? "") else { throw ZhichengError.notFound("没有这个申报") }
            let rerouted = try Self.newChain(kind: kind, level: level, unit: row["org_id"].int ?? caller.orgID, conn)
            try conn.run("UPDATE applications SET year = ?, series = ?, level = ?, title = ?, chain = ?, version = version + 1, updated_at = ? WHERE id = ?",
                         [year, series, level.rawValue, title, try Self.encode(rerouted), Date().timeIntervalSince1970, id])
            try conn.appendAudit(caller.audit(.applicationHeading, target: "application:\(id)",
                                              detail: #"{"year":\#(year),"series":\#(jsonString(series)),"level":"\#(level.rawValue)","title":\#(jsonString(title))}"#))
            return try Self.view(id, for: caller, conn)
        }
    }

    /// Starts an application (draft) for the signed-in applicant.
    /// `kind` is `title` (职称申报) or `expert` (专家推荐: the applicant's own title,
    /// with a specialty; reviewed by the unit and its 主管单位, then the province).
    public func create(kind: String, year: Int, series: String, level rawLevel: String, title rawTitle: String, specialty rawSpecialty: String? = nil,
                       caller: SignedIn) async throws -> ApplicationView {
        // As typed on any form: blanks around the title (chosen from a list, or typed) are not part of it.
        let title = rawTitle.trimmingInvisibles()
        guard caller.kind == .applicant else { throw ZhichengError(.forbidden, "只有申报人可以创建申报") }
        guard let kind = ApplicationKind(rawValue: kind) else {
            throw ZhichengError.invalid("kind 应为 title（职称申报）或 expert（专家推荐）", field: "kind", screen: "请选择申报类别：职称申报或专家推荐")
        }
        // SPEC §5.1 creates with {kind, year, series, level, title}: an expert application's
        // specialty may come later, in 基本信息's 专业 (see `expertSpecialty`); one given is checked.
        let specialty: String? = kind == .expert && rawSpecialty != nil ? try ApplicationKind.validateSpecialty(rawSpecialty) : nil
        if kind == .expert {
            guard await automatedSteps?.provides(Self.expertSubmitPoint) == true else {
                throw ZhichengError.unavailable("专家推荐插件未加载（需要提供 expert-submit 步骤的插件），暂不能申报专家")
            }
            // Someone the province's 专家信息库 holds is not recommended again (409), here rather
            // than at the province 负责人's last step, after every level had passed it.
            try await ExpertService.requireNotInLibrary(caller.login, store: store)
        }
        let level = try heading(year: year, series: series, level: rawLevel, title: title)
        return try await store.write(caller) { conn in
            try Access.requireApprovedOrg(caller, conn)
            let made = try conn.scalar("SELECT count(*) FROM applications WHERE applicant_id = ? AND year = ?", [caller.accountID, year])?.int ?? 0
            guard made < Self.maxApplicationsPerYear else {
                throw ZhichengError.conflict("每人每个年度最多创建\(Self.maxApplicationsPerYear)份申报（含草稿和已撤回的），请继续填写已有的草稿")
            }
            // The unit the account is in as this transaction sees it, not as the session was read:
            // a move (人员调动) accepted meanwhile takes the person's drafts to the new unit.
            let unit = try conn.account(caller.accountID)?.orgID ?? caller.orgID
            let chain = try Self.newChain(kind: kind, level: level, unit: unit, conn)
            let now = Date().timeIntervalSince1970
            try conn.run("""
                INSERT INTO applications (id, applicant_id, org_id, kind, year, series, level, title, specialty, state, chain, created_at, updated_at)
                VALUES (\(ApplicationIDs.next), ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?)
                """, [caller.accountID, unit, kind.rawValue, year, series, level.rawValue, title, specialty, try Self.encode(chain), now, now])
            let id = Int(conn.lastInsertRowID)
            try conn.appendAudit(caller.audit(.applicationCreate, target: "application:\(id)",
                                              detail: #"{"kind":"\#(kind.rawValue)","year":\#(year),"series":\#(jsonString(series)),"level":"\#(level.rawValue)"}"#))
            return try Self.view(id, for: caller, conn)
        }
    }

    /// An applicant's ID-card number as a reader sees it: it is part of 基本信息, masked for a
    /// reviewer who may not read that section (the 评审表, the province's review).
    static func idNumber(_ login: String, hiddenSections: [String]) -> String {
        let number = IDCardNumber.personNumber(ofLogin: login)
        return hiddenSections.contains(ApplicationSection.basic.rawValue) ? IDCardNumber.masked(number) : number
    }

    /// An expert application's specialty (专业): the one given when it was created, else
    /// the 专业 (or `specialty`) field of its 基本信息; refused at submission without one.
    static func expertSpecialty(_ id: Int, _ conn: SQLiteConnection) throws -> String {
        if let stored = try conn.scalar("SELECT specialty FROM applications WHERE id = ?", [id])?.string, !stored.isEmpty { return stored }
        let content = try conn.scalar("SELECT content FROM application_sections WHERE application_id = ? AND section = ?",
                                      [id, ApplicationSection.basic.rawValue])?.string
        let fields = content.flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:]
        guard let raw = fields["专业"] ?? fields["specialty"] else {
            throw ZhichengError.invalid("专家推荐须填写专业：创建时的 specialty，或“基本信息”中的“专业”", field: "specialty")
        }
        return try ApplicationKind.validateSpecialty(raw)
    }

    /// A draft's review chain, routed through the org tree as it is now.
    static func newChain(kind: ApplicationKind, level: TitleLevel, unit: Int, _ conn: SQLiteConnection) throws -> ReviewChain {
        let ancestors = try conn.ancestors(of: unit)
        switch kind {
        case .title:
            return try ReviewChain(route: [unit] + ancestors, endsInProvince: try TenantService.provinceLevels(conn).contains(level))
        case .expert:
            // The unit, its 主管单位, then the province office (省职改办).
            return try ReviewChain(route: [unit] + ancestors.prefix(1), endsInProvince: true)
        }
    }

    /// Saves one section (a JSON object of text fields) while the application is a draft or returned.
    public func saveSection(_ applicationID: Int, section rawSection: String, fields: [String: String], caller: SignedIn) async throws -> ApplicationView {
        let (section, _, json) = try Self.checkedSection(rawSection, fields)
        return try await store.write(caller) { conn in
            let (app, chain) = try Self.ownApplication(applicationID, caller: caller, conn)
            guard chain.state.editableByApplicant else { throw ZhichengError.conflict("申报当前状态为“\(chain.state.label)”，不能修改") }
            try Self.storeSection(app, section, json, caller: caller, conn)
            return try Self.view(app, for: caller, conn)
        }
    }

    /// A section as an editing page (the application form) sends it back: its fields, and
    /// the `fingerprint` of the section as the page showed it (nil: the page did not say).
    public struct SectionEdit: Sendable {
        public var section: String
        public var fields: [String: String]
        public var shown: String?
        public init(section: String, fields: [String: String], shown: String?) {
            self.section = section
            self.fields = fields
            self.shown = shown
        }
    }

    /// Saves, in one transaction, the sections of an editing page that it changed, and returns
    /// their names. A section the page left as it showed it is not saved (it may have been
    /// changed elsewhere since, which stands); one changed both on the page and elsewhere since
    /// it was shown is refused, and then nothing is saved. Compared in the transaction that
    /// saves, so a change made elsewhere meanwhile is never overwritten unseen.
    public func saveSections(_ applicationID: Int, _ edits: [SectionEdit], caller: SignedIn) async throws -> [String] {
        // A section the page posts as it showed it is neither saved (below) nor checked: text
        // stored before the free-text rule (an invisible character pasted in) must not keep the
        // applicant from saving the sections they did change.
        let touched = edits.filter { edit in edit.shown.map { Self.fingerprint(Self.lineBreaksUnified(edit.fields), section: edit.section) != $0 } ?? true }
        let checked = try touched.map { edit in
            let (section, fields, json) = try Self.checkedSection(edit.section, edit.fields)
            return (SectionEdit(section: edit.section, fields: fields, shown: edit.shown), (section, json))
        }
        return try await store.write(caller) { conn in
            let (app, chain) = try Self.ownApplication(applicationID, caller: caller, conn)
            let stored = try Self.storedSections(app, conn)
            var changes: [(ApplicationSection, String)] = [], conflicts: [String] = []
            for (edit, (section, json)) in checked {
                // Compared as stored by now (LF): a section an API client saved with CR LF before is
                // the same text, not an edit of this page.
                let now = stored[section.rawValue].map(Self.lineBreaksUnified)
                guard edit.fields != (now ?? [:]), !(edit.fields.values.allSatisfy(\.isEmpty) && now == nil) else { continue }
                if let shown = edit.shown {
                    if Self.fingerprint(edit.fields, section: section.rawValue) == shown { continue }   // untouched on the page
                    // Changed since the page showed it, whether the page's digest is of the text as
                    // stored (CR LF from an API client, before) or with its line breaks made one.
                    if Self.fingerprint(now, section: section.rawValue) != shown && Self.fingerprint(stored[section.rawValue], section: section.rawValue) != shown {
                        conflicts.append(section.rawValue)
                        continue
                    }
                }
                changes.append((section, json))
            }
            guard !changes.isEmpty || !conflicts.isEmpty else { return [] }
            // Not editable any more (submitted from another tab) says so first: a conflict's
            // "以本页为准" would only invite a second save that cannot be made either.
            guard chain.state.editableByApplicant else { throw ZhichengError.conflict("申报当前状态为“\(chain.state.label)”，不能修改") }
            guard conflicts.isEmpty else {
                throw ZhichengError(.conflict, "“\(conflicts.joined(separator: "、"))”在本页打开之后已在别处修改，本次未保存；请核对后再保存，将以本页为准", field: "sections")
            }
            for (section, json) in changes { try Self.storeSection(app, section, json, caller: caller, conn) }
            return changes.map(\.0.rawValue)
        }
    }

    /// A section's fields in one short text (the empty ones left out): what an editing page
    /// shows a section as, so that `saveSections` can tell what changed since. Its standard
    /// fields are read as the page shows them (`SectionFields.shown`): a month stored as
    /// `1985年6月` (before the rule) and posted back as `1985-06` is the same section.
    public static func fingerprint(_ fields: [String: String]?, section: String) -> String {
        let text = SectionFields.shown(fields ?? [:], section: section).filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }.map { $0.key + "\u{1}" + $0.value }.joined(separator: "\u{2}")
        return String(sha256Hex(utf8: text).prefix(32))
    }

    /// An application's sections as stored: section → fields.
    static func storedSections(_ app: Int, _ conn: SQLiteConnection) throws -> [String: [String: String]] {
        var sections: [String: [String: String]] = [:]
        for row in try conn.query("SELECT section, content FROM application_sections WHERE application_id = ?", [app]) {
            guard let name = row["section"].string else { continue }
            sections[name] = (try? JSONDecoder().decode([String: String].self, from: Data((row["content"].string ?? "{}").utf8))) ?? [:]
        }
        return sections
    }

    /// A section name and its fields as kept (`SectionFields.validated`: names checked, line
    /// breaks as LF, at most 64 KiB, the standard fields held to their kind and an empty one
    /// left out) and as stored (sorted JSON), refused when unknown.
    static func checkedSection(_ rawSection: String, _ rawFields: [String: String]) throws -> (ApplicationSection, [String: String], String) {
        guard let section = ApplicationSection(rawValue: rawSection) else {
            throw ZhichengError.notFound("没有“\(rawSection.prefix(20))”这一部分（可用：\(ApplicationSection.allCases.map(\.rawValue).joined(separator: "、"))）")
        }
        let fields = try SectionFields.validated(rawFields, section: section)
        let json = String(decoding: try JSONEncoder.sorted.encode(fields), as: UTF8.self)
        return (section, fields, json)
    }

    /// A section's fields with every line break one LF: a browser posts a textarea's lines
    /// with CR LF, an API client may send either, and the same text must be stored, and
    /// compared (`saveSections`), the same whichever door it came through.
    static func lineBreaksUnified(_ fields: [String: String]) -> [String: String] {
        fields.mapValues { FreeText.unifyingLineBreaks($0) }
    }

    /// Writes one section of an editable application, with its version and audit row.
    static func storeSection(_ app: Int, _ section: ApplicationSection, _ json: String, caller: SignedIn, _ conn: SQLiteConnection) throws {
        // Only a section its form has (an expert application: 基本信息, 工作经历, 附件), as a
        // return may name only those: nobody would see or mend another.
        let kind = ApplicationKind(rawValue: try conn.scalar("SELECT kind FROM applications WHERE id = ?", [app])?.string ?? "") ?? .title
        guard kind.sections.contains(section) else {
            throw ZhichengError.invalid("\(kind.label)没有“\(section.rawValue)”这一部分（只有\(kind.sections.map(\.rawValue).joined(separator: "、"))）", field: "section")
        }
        let now = Date().timeIntervalSince1970
        try conn.run("""
            INSERT INTO application_sections (application_id, section, content, updated_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (application_id, section) DO UPDATE SET content = excluded.content, updated_at = excluded.updated_at
            """, [app, section.rawValue, json, now])
        try conn.run("UPDATE applications SET updated_at = ?, version = version + 1 WHERE id = ?", [now, app])
        try conn.appendAudit(caller.audit(.applicationSection, target: "application:\(app)", detail: #"{"section":"\#(section.rawValue)"}"#))
    }

    /// Submits (or resubmits after a return). A first submission counts against the
    /// unit's approved declaration plan line. Automated steps placed at `submit`
    /// (plugins) run first, outside any transaction; a step that returns the
    /// application sends it back at once, a step that fails is recorded and the
    /// application goes on to people.
    public func submit(_ applicationID: Int, caller: SignedIn) async throws -> ApplicationView {
        var outcomes: [AutomatedOutcome] = []
        var checkedVersion: Int?
        if let automatedSteps {
            let (input, version, kind) = try await store.read(caller) { conn -> (String, Int, ApplicationKind) in
                let (id, _) = try Self.ownApplication(applicationID, caller: caller, conn)
                guard let row = try conn.query("SELECT kind, year, series, level, title, specialty, version FROM applications WHERE id = ?", [id]).first else {
                    throw ZhichengError.notFound("没有这个申报")
                }
                var sections: [String: Any] = [:]
                for s in try conn.query("SELECT section, content FROM application_sections WHERE application_id = ?", [id]) {
                    sections[s["section"].string ?? ""] = (try? JSONSerialization.jsonObject(with: Data((s["content"].string ?? "{}").utf8))) ?? [:]
                }
                let kind = ApplicationKind(rawValue: row["kind"].string ?? "") ?? .title
                var application: [String: Any] = ["id": id, "kind": kind.rawValue, "year": row["year"].int ?? 0, "series": row["series"].string ?? "",
                                                  "level": row["level"].string ?? "", "title": row["title"].string ?? "", "sections": sections]
                if kind == .expert { application["specialty"] = try Self.expertSpecialty(id, conn) }
                let json = String(decoding: try JSONSerialization.data(withJSONObject: application, options: [.sortedKeys]), as: UTF8.self)
                return (json, row["version"].int ?? 0, kind)
            }
            let point = kind == .expert ? Self.expertSubmitPoint : Self.submitPoint
            if kind == .expert, await automatedSteps.provides(point) == false {
                throw ZhichengError.unavailable("专家推荐插件未加载（需要提供 expert-submit 步骤的插件），暂不能提交专家申报")
            }
            // Nor submitted (a resubmission too) once the person is in the database (see `create`).
            if kind == .expert { try await ExpertService.requireNotInLibrary(caller.login, store: store) }
            // A step's return is held to the application's form as a reviewer's is; one naming a
            // section this kind has not is a failed step, not a return the applicant cannot mend.
            outcomes = await automatedSteps.run(at: point, tenant: caller.tenant.rawValue, application: input).map { outcome in
                guard case .return(let request, _) = outcome.result else { return outcome }
                do throws(ZhichengError) { try request.requireOf(kind) } catch {
                    var failed = outcome
                    failed.result = .failed("invalid return decision: sections \(request.sections): \(error.message)")
                    return failed
                }
                return outcome
            }
            checkedVersion = version
        }
        let results = outcomes
        let seenVersion = checkedVersion
        await FaultInjection.pause("submit.before-write")
        return try await store.write(caller) { conn, facts in
            let (id, chainBefore) = try Self.ownApplication(applicationID, caller: caller, conn)
            if let seenVersion, try conn.scalar("SELECT version FROM applications WHERE id = ?", [id])?.int != seenVersion {
                throw ZhichengError.conflict("申报在自动审查期间被修改，请重新提交")
            }
            guard let row = try conn.query("SELECT kind, org_id, year, series, level, submissions FROM applications WHERE id = ?", [id]).first else {
                throw ZhichengError.notFound("没有这个申报")
            }
            let kind = ApplicationKind(rawValue: row["kind"].string ?? "") ?? .title
            if kind == .expert, seenVersion == nil {
                throw ZhichengError.unavailable("专家推荐插件未加载（需要提供 expert-submit 步骤的插件），暂不能提交专家申报")
            }
            // Filled in: something typed in it, not a section saved with every field blank (an API
            // client's `{}`), which the application page never stores for a section never typed in.
            let filled = Set(try conn.query("SELECT section, content FROM application_sections WHERE application_id = ?", [id]).compactMap { r -> String? in
                let fields = (try? JSONDecoder().decode([String: String].self, from: Data((r["content"].string ?? "").utf8))) ?? [:]
                return fields.values.contains { !FreeText.isBlank($0) } ? r["section"].string : nil
            })
            let missing = kind.requiredSections.filter { !filled.contains($0.rawValue) }
            guard missing.isEmpty else { throw ZhichengError.invalid("请先填写：\(missing.map(\.rawValue).joined(separator: "、"))", field: "sections") }
            if kind == .expert {
                try conn.run("UPDATE applications SET specialty = ? WHERE id = ?", [try Self.expertSpecialty(id, conn), id])
            }
            let year = row["year"].int ?? 0, series = row["series"].string ?? "", level = TitleLevel(rawValue: row["level"].string ?? "") ?? .junior
            if chainBefore.state == .draft, kind == .title {
                // The person, not the account: one deleted and made again (a move to another
                // unit) keeps its ID number as login, retired as "<number>#deleted-<id>".
                let others = try conn.query(Self.samePersonSameYearSQL, [caller.login, year, id]).map { r -> (title: String, state: ApplicationState) in
                    (r["title"].string ?? "", ApplicationState(rawValue: r["state"].string ?? "") ?? .draft)
                }
                try DeclarationPlan.checkOnePerYear(year: year, others: others)
                if let refusal = try Self.planPlace(unit: row["org_id"].int ?? 0, year: year, series: series, level: level, excluding: id, conn).refusal {
                    throw refusal
                }
            }
            // A first submission takes the route of the org tree as it is now (the unit
            // may have moved since the draft began); later ones keep theirs, and a unit
            // with applications under way cannot move (`OrgService.update`).
            var chain = chainBefore.state == .draft
                ? try Self.newChain(kind: kind, level: level, unit: row["org_id"].int ?? 0, conn) : chainBefore
            _ = try chain.submit()
            let submission = (row["submissions"].int ?? 0) + 1
            let now = Date().timeIntervalSince1970
            let snapshot = try Self.sectionsJSON(id, conn)
            try conn.run("INSERT INTO application_snapshots (application_id, submission, sections, submitted_at) VALUES (?, ?, ?, ?)", [id, submission, snapshot, now])
            try conn.appendDecision(DecisionRecord(applicationID: id, submission: submission, actorID: caller.accountID, decision: "submit", at: now))
            var returned: (sections: [String], reason: String, comment: String)?
            for outcome in results {
                let (kind, detail): (String, String)
                switch outcome.result {
                case .pass: (kind, detail) = ("pass", "")
                case let .return(request, comment):
                    (kind, detail) = ("return", comment)
                    if returned == nil { returned = (request.sections, request.reason.rawValue, "【\(outcome.title)】\(comment)") }
                case .failed(let reason):
                    (kind, detail) = ("failed", reason)
                    try conn.appendAudit(caller.audit(.pluginStepFailed, target: "application:\(id)",
                                                      detail: #"{"plugin":\#(jsonString(outcome.plugin)),"step":\#(jsonString(outcome.step)),"reason":\#(jsonString(reason))}"#))
                }
                try conn.run("INSERT INTO automated_checks (application_id, submission, plugin, step, title, outcome, detail, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                             [id, submission, outcome.plugin, outcome.step, outcome.title, kind, detail, Date().timeIntervalSince1970])
            }
            if let returned {
                try chain.returnByAutomatedStep()
                try Self.store(chain, id: id, conn, extra: "submissions = \(submission), return_sections = ?, return_reason = ?, return_comment = ?",
                               extraArgs: [jsonArray(returned.sections), returned.reason, returned.comment])
            } else {
                try Self.store(chain, id: id, conn, extra: "submissions = \(submission), return_sections = NULL, return_reason = NULL, return_comment = NULL")
                // The API's queue pages of this tenant read each row's kind from now on (`queuePage`).
                if kind == .expert { facts.note(Self.expertRecommendationsInReview) }
            }
            try conn.appendAudit(caller.audit(.applicationSubmit, target: "application:\(id)", detail: #"{"submission":\#(submission)}"#))
            return try Self.view(id, for: caller, conn)
        }
    }

    /// Withdraws a draft, one in review before any reviewer acted, or one returned for changes
    /// (`ReviewChain.withdrawable`); the history stays.
    public func withdraw(_ applicationID: Int, caller: SignedIn) async throws -> ApplicationView {
        defer { relay?.kick(caller.tenant) }   // a message to the province, if the withdrawal wrote one
        return try await store.write(caller) { conn in
            let (id, chainBefore) = try Self.ownApplication(applicationID, caller: caller, conn)
            var chain = chainBefore
            _ = try chain.withdraw()
            let submission = try conn.scalar("SELECT submissions FROM applications WHERE id = ?", [id])?.int ?? 0
            try Self.store(chain, id: id, conn)
            try conn.appendDecision(DecisionRecord(applicationID: id, submission: submission, actorID: caller.accountID, decision: "withdraw",
                                                   at: Date().timeIntervalSince1970))
            try conn.appendAudit(caller.audit(.applicationWithdraw, target: "application:\(id)"))
            // Returned by the province office, or handed over once and returned since: the
            // province holds it as returned, waiting for a resubmission that will not come.
            if chainBefore.state == .returned, try conn.scalar("""
                SELECT forwarded_at IS NOT NULL OR EXISTS (SELECT 1 FROM province_decisions p WHERE p.application_id = ?1) FROM applications WHERE id = ?1
                """, [id])?.int == 1 {
                try CrossTenantRelay.enqueue(RelayMessageKind.withdrawn.rawValue,
                                             id: CrossTenantRelay.messageID(caller.tenant.rawValue, RelayMessageKind.withdrawn.rawValue, id, submission),
                                             to: CrossTenantRelay.provinceTarget, payload: ["source_application_id": id, "submission": submission], conn)
            }
            return try Self.view(id, for: caller, conn)
        }
    }

    /// The applicant's own applications.
    /// The place the unit's approved plan has for a draft title application (`PlanPlace`): its
    /// line, the places taken, those left, and why 提交申报 would be refused now, by the rule
    /// the submission follows. For whoever may see the application; nil for one already
    /// submitted (it holds its place or gave it back) and for an expert recommendation (no plan).
    public func planPlace(_ applicationID: Int, caller: SignedIn) async throws -> PlanPlace? {
        try await store.read(caller) { conn in
            let view = try Self.view(applicationID, for: caller, conn)
            guard view.applicationKind == .title, view.chain.state == .draft else { return nil }
            return try Self.planPlace(unit: view.orgID, year: view.year, series: view.series, level: view.level, excluding: applicationID, conn)
        }
    }

    /// The place of the `unit`'s approved plan of `year` for one more `series`/`level`
    /// submission, the application `excluding` not counted: what `submit` checks and `planPlace` tells.
    static func planPlace(unit: Int, year: Int, series: String, level: TitleLevel, excluding: Int, _ conn: SQLiteConnection) throws -> PlanPlace {
        let plan = try conn.query("SELECT items FROM plans WHERE org_id = ? AND year = ? AND state = 'approved'", [unit, year]).first
        let lines = try plan.map { try JSONDecoder().decode([PlanLine].self, from: Data(($0["items"].string ?? "[]").utf8)) }
        let taken = try conn.scalar("""
            SELECT count(*) FROM applications WHERE org_id = ? AND year = ? AND series = ? AND level = ? AND kind = 'title'
            AND state IN (\(DeclarationPlan.placeStatesSQL)) AND id != ?
            """, [unit, year, series, level.rawValue, excluding])?.int ?? 0
        return PlanPlace(approved: lines, year: year, series: series, level: level, taken: taken)
    }

    public func mine(caller: SignedIn) async throws -> [ApplicationView] {
        guard caller.kind == .applicant else { throw ZhichengError(.forbidden, "只有申报人有“我的申报”") }
        return try await store.read(caller) { conn in
            try conn.query("SELECT id FROM applications WHERE applicant_id = ? ORDER BY id DESC", [caller.accountID])
                .compactMap { $0["id"].int }.map { try Self.view($0, for: caller, conn) }
        }
    }

    // MARK: Reviewers

    /// One application as the caller may see it.
    /// An expert recommendation in review says whether the person is in the province's
    /// 专家信息库 already (`ApplicationView.inExpertLibrary`).
    public func get(_ applicationID: Int, caller: SignedIn) async throws -> ApplicationView {
        let (read, person) = try await store.read(caller) { conn -> (ApplicationView, String?) in
            let view = try Self.view(applicationID, for: caller, conn)
            guard view.applicationKind == .expert, view.chain.state == .inReview else { return (view, nil) }
            return (view, try conn.scalar("SELECT login FROM accounts WHERE id = ?", [view.applicantID])?.string.map(ExpertService.idNumber(ofLogin:)))
        }
        var view = read
        if let person, let held = await ExpertService.inLibrary([person], store: store) { view.inExpertLibrary = held.contains(person) }
        return view
    }

    /// A reviewer's decision. `version` is the version the reviewer saw: a decision on
    /// a stale view is refused (two reviewers acting at once), and the same decision
    /// sent twice by the same reviewer is answered with the current state (idempotent).
    /// Without a version (SPEC §5.1's body is `{decision, comment}`) the decision is on
    /// the application as it is now: another reviewer's step already taken leaves it at
    /// a step the caller may not decide (refused), and the caller's own decision sent
    /// again is recognised as the latest one on the application (nobody decides twice
    /// in a row: four eyes at an org, and each org has its own reviewers), answered
    /// with the current state.
    public func decide(_ applicationID: Int, decision rawDecision: String, comment rawComment: String?, sections: [String]?, reason rawReason: String?,
                       version: Int?, step rawStep: String? = nil, caller: SignedIn) async throws -> DecisionOutcome {
        guard caller.kind == .staff, !caller.roles.isEmpty else { throw ZhichengError(.forbidden, "只有设置了经办人或负责人角色的人员可以审查") }
        guard let decision = ReviewDecision(rawValue: rawDecision) else { throw ReviewDecision.unknown }
        let intended = try ReviewStage.named(rawStep)
        let comment = try decision.comment(rawComment)
        let returning = decision == .return ? try ReturnRequest(sections: sections, reason: rawReason, comment: comment) : nil
        let finalReason = returning?.reason
        let finalSections = returning?.sections ?? []
        let (outcome, forwarded) = try await store.write(caller) { conn -> (DecisionOutcome, Bool) in
            guard caller.kind == .staff, let me = try conn.account(caller.accountID) else { throw ZhichengError(.forbidden, "只有本单位审查人员可以审查") }
            guard let row = try conn.query("""
                SELECT a.chain, a.kind, a.series, a.version, a.submissions, p.name AS applicant_name FROM applications a JOIN accounts p ON p.id = a.applicant_id WHERE a.id = ?
                """, [applicationID]).first else {
                throw ZhichengError.notFound("没有这个申报")
            }
            var chain = try Self.decode(row["chain"].string ?? "")
            let series = row["series"].string ?? ""
            let current = row["version"].int ?? 0
            guard chain.route.contains(caller.orgID), me.permittedSeries.contains(series) else { throw ZhichengError.notFound("没有这个申报") }
            if version != current {
                // The same reviewer repeating the decision that produced this version: answer it again.
                let last = try conn.query("SELECT actor_id, decision, stage FROM decisions WHERE application_id = ? ORDER BY id DESC LIMIT 1", [applicationID]).first
                let repeated = decision.repeats((last?["actor_id"].int, last?["decision"].string, last?["stage"].string), by: caller.accountID, intended: intended)
                if repeated && (version == nil || version == current - 1) {
                    return (DecisionOutcome(id: applicationID, applicantName: row["applicant_name"].string ?? "", chain: chain, version: current), false)
                }
                if version != nil { throw ZhichengError.conflict("该申报已被他人处理或已有新的变化，请刷新后再审查") }
            }
            try ReviewStage.requireIntended(intended, current: chain.stage, versioned: version != nil, roles: me.roles)
            let stage = chain.stage
            let org = chain.currentOrg
            let reviewer = ReviewChain.Reviewer(accountID: me.id, orgID: me.orgID, roles: me.roles, series: me.permittedSeries)
            let action = try chain.decide(decision, by: reviewer, series: series)
            try returning?.requireOf(ApplicationKind(rawValue: row["kind"].string ?? "") ?? .title)
            try returning?.requireVisible(to: me.permittedSections)
            if let finalReason {
                try Self.store(chain, id: applicationID, conn, extra: "return_sections = ?, return_reason = ?, return_comment = ?",
                               extraArgs: [jsonArray(finalSections), finalReason.rawValue, comment])
            } else {
                try Self.store(chain, id: applicationID, conn)
            }
            // With the org's name and seal and the reviewer's name as they are now (DecisionRecord).
            try conn.appendDecision(DecisionRecord(applicationID: applicationID, submission: row["submissions"].int ?? 0, orgID: org, stage: stage.rawValue,
                                                   actorID: me.id, decision: decision.rawValue, comment: comment, sections: jsonArray(finalSections),
                                                   reason: finalReason?.rawValue, at: Date().timeIntervalSince1970))
            try conn.appendAudit(caller.audit(.review(decision), target: "application:\(applicationID)",
                                              detail: #"{"stage":"\#(stage.rawValue)","comment":\#(jsonString(comment))}"#))
            let forward = action == .completedInTenant(toProvince: true)
            if forward { try Self.enqueueForward(applicationID, tenant: caller.tenant, submission: row["submissions"].int ?? 0, conn) }
            return (DecisionOutcome(id: applicationID, applicantName: row["applicant_name"].string ?? "", chain: chain, version: current + 1), forward)
        }
        if forwarded {
            FaultInjection.point("decide.after-commit")
            relay?.kick(caller.tenant)
        }
        return outcome
    }

    /// Writes the hand-off to the province into the outbox, in the decision's transaction.
    static func enqueueForward(_ id: Int, tenant: TenantID, submission: Int, _ conn: SQLiteConnection) throws {
        guard let row = try conn.query("""
            SELECT a.kind, a.specialty, a.year, a.series, a.level, a.title, p.name AS applicant_name, p.login AS id_number, o.name AS unit_name,
                   o.code AS unit_code
            FROM applications a JOIN accounts p ON p.id = a.applicant_id JOIN orgs o ON o.id = a.org_id WHERE a.id = ?
            """, [id]).first else { throw ZhichengError.notFound("没有这个申报") }
        // Each level's org by the name it decided under (DecisionRecord.asDecided), as the city's trail says it.
        let trail = try conn.query("""
            SELECT \(DecisionRecord.asDecided), d.stage, d.decision, d.comment, d.at FROM \(DecisionRecord.fromAsDecided)
            WHERE d.application_id = ? AND d.submission = ? ORDER BY d.id
            """, [id, submission]).map { r -> [String: Any] in
            ["org": r["org_name"].string ?? "", "stage": r["stage"].string ?? "", "decision": r["decision"].string ?? "", "comment": r["comment"].string ?? "", "at": r["at"].double ?? 0]
        }
        var payload: [String: Any] = [
            "kind": row["kind"].string ?? "title",
            "source_application_id": id, "submission": submission, "applicant_name": row["applicant_name"].string ?? "",
            "id_number": row["id_number"].string ?? "", "unit_name": row["unit_name"].string ?? "", "year": row["year"].int ?? 0,
            "series": row["series"].string ?? "", "level": row["level"].string ?? "", "title": row["title"].string ?? "",
            "sections": try sectionsJSON(id, conn),
            "trail": try CrossTenantRelay.json(trail),
        ]
        if let specialty = row["specialty"].string { payload["specialty"] = specialty }
        // The unit by its code (单位编号), which never changes: the province's draw knows the
        // applicant's unit (and, for an expert application, the future expert's) by it, not by
        // the name it has today (schema v22).
        if let code = row["unit_code"].string, !code.isEmpty { payload["unit_code"] = code }
        try CrossTenantRelay.enqueue("application.forward", id: CrossTenantRelay.messageID(tenant.rawValue, "application.forward", id, submission),
                                     to: CrossTenantRelay.provinceTarget, payload: payload, conn)
    }

    /// The trail, oldest first: every submission, withdrawal and decision, the automated
    /// steps, and the committee's steps (interview notice, result, objections resolved,
    /// confirmation; the province's too, relayed back), reviewers' and office staff's
    /// names hidden from the applicant unless configured otherwise.
    public func trail(_ applicationID: Int, caller: SignedIn) async throws -> [TrailEntry] {
        let hideNames = hidesNames(from: caller)
        return try await store.read(caller) { conn in
            _ = try Self.view(applicationID, for: caller, conn)  // visibility
            // Who decided as they were then: the org's name and the person's at the decision (DecisionRecord.asDecided).
            let entries: [TrailEntry] = try conn.query("""
                SELECT d.at, d.org_id, \(DecisionRecord.asDecided), d.stage, a.kind AS actor_kind, d.decision, d.comment, d.sections, d.reason
                FROM \(DecisionRecord.fromAsDecided)
                WHERE d.application_id = ? ORDER BY d.id
                """, [applicationID]).map { row in
                let hideName = hideNames && row["actor_kind"].string != "applicant"  // the applicant's own steps keep their name
                return TrailEntry(
                    at: row["at"].double ?? 0, orgID: row["org_id"].int, orgName: row["org_name"].string,
                    stage: row["stage"].string.flatMap(ReviewStage.init(rawValue:)), actorName: hideName ? nil : row["actor_name"].string,
                    decision: row["decision"].string ?? "", comment: row["comment"].string ?? "",
                    sections: AccountRecord.strings(row["sections"]) ?? [], reason: row["reason"].string.flatMap(ReturnReason.init(rawValue:)))
            } + (try conn.query("SELECT plugin, step, title, outcome, detail, at FROM automated_checks WHERE application_id = ? ORDER BY id", [applicationID]).map { row in
                // The step's title as its manifest gave it (schema v20); plugin/step before that.
                let title = row["title"].string ?? ""
                // Why a step failed is the plugin host's words (a helper's crash, a plugin's own
                // error text, a path): for the reviewers and admins, not for the applicant, whose
                // application simply goes on to people.
                let failed = row["outcome"].string == "failed"
                return TrailEntry(at: row["at"].double ?? 0, orgID: nil, orgName: "自动审查", stage: nil,
                                  actorName: title.isEmpty ? "\(row["plugin"].string ?? "")/\(row["step"].string ?? "")" : title,
                                  decision: "auto-" + (row["outcome"].string ?? ""), comment: failed && caller.kind == .applicant ? "" : row["detail"].string ?? "",
                                  sections: [], reason: nil)
            }) + (try conn.query("SELECT office, stage, decision, comment, sections, reason, at FROM province_decisions WHERE application_id = ? ORDER BY id",
                                 [applicationID]).map { row in
                // The province office's own review (经办人, 负责人), as the relay brought it: no reviewer's name.
                TrailEntry(at: row["at"].double ?? 0, orgID: nil, orgName: row["office"].string, stage: row["stage"].string.flatMap(ReviewStage.init(rawValue:)),
                           actorName: nil, decision: row["decision"].string ?? "", comment: row["comment"].string ?? "",
                           sections: AccountRecord.strings(row["sections"]) ?? [], reason: row["reason"].string.flatMap(ReturnReason.init(rawValue:)))
            }) + (try conn.query("SELECT office, committee, actor_name, event, detail, at FROM committee_steps WHERE application_id = ? ORDER BY id", [applicationID]).map { row in
                TrailEntry(at: row["at"].double ?? 0, orgID: nil, orgName: row["office"].string, stage: nil,
                           actorName: hideNames ? nil : row["actor_name"].string,
                           decision: CommitteeEvent(rawValue: row["event"].string ?? "")?.decision ?? "committee", comment: row["detail"].string ?? "",
                           sections: [], reason: nil, committee: row["committee"].string)
            })
            // The whole trail in time order (an automated return comes right after the
            // submission it checked), each source's own order kept for equal times.
            return entries.enumerated().sorted { ($0.element.at, $0.offset) < ($1.element.at, $1.offset) }.map(\.element)
        }
    }
}

extension JSONEncoder {
    static let sorted: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()
}
