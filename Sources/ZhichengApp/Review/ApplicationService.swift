import Crypto
import Foundation
import ZhichengCore
import ZhichengStorage

/// An application as a caller may see it: sections filtered to the caller's content permissions.
public struct ApplicationView: Sendable {
    public var id: Int
    public var applicantID: Int
    public var applicantName: String
    public var orgID: Int
    /// The applicant's unit (`orgID`), by name.
    public var unitName: String
    public var kind: String
    /// 专业, for an expert application.
    public var specialty: String?
    public var year: Int
    public var series: String
    public var level: TitleLevel
    public var title: String
    public var chain: ReviewChain
    public var version: Int
    public var submissions: Int
    /// Section name → fields; only the sections the caller may see.
    public var sections: [String: [String: String]]
    /// Sections hidden from this caller by its content permissions.
    public var hiddenSections: [String]
    /// Sections that changed since the previous submission (for reviewers of a resubmission).
    public var changedSections: [String]
    /// Those sections as the previous submission had them (what the reviewer read then).
    public var previousSections: [String: [String: String]]
    public var returnSections: [String]
    public var returnReason: ReturnReason?
    public var returnComment: String?
    /// When the province acknowledged receiving it (副高级/正高级).
    public var forwardedAt: Double?
    /// The committee's notice and result as the applicant and the unit see them: the
    /// city's own committee's, or the province's, relayed back.
    public var committeeName: String?
    public var interview: String?
    public var result: String?
    /// The result standing in public notice (公示) and when the period ends: the city's own
    /// committee's, or the province's, relayed back. Nil before a result and once it is final.
    public var publicity: (result: String, until: Double)?
    /// Whether the caller may decide now (reviewer) or edit/submit/withdraw (applicant).
    public var callerMayDecide: Bool
    /// An expert recommendation in review (`get` only; nil otherwise, or when the province
    /// cannot be read now): whether the province's 专家信息库 holds the person already (who
    /// joined while it was on its way), so that its reviewers know before acting that the
    /// province would refuse it.
    public var inExpertLibrary: Bool? = nil

    /// `kind` as the enum (a title application for anything else).
    public var applicationKind: ApplicationKind { ApplicationKind(rawValue: kind) ?? .title }

    /// What it applies for, as the applicant's page and the reviewer's head it
    /// (`ApplicationKind.heading`): an expert recommendation says so, with its specialty.
    public var heading: String { applicationKind.heading(series: series, level: level.rawValue, title: title, specialty: specialty) }

    /// Where it stands, in words (the screens and the API say the same; 申报人员状态查询 too,
    /// through `standing`): a province result in public notice says so, not 已报送省职改办.
    public var stateLabel: String {
        if [.publicity, .awaitingProvince].contains(chain.state), let publicity {
            return (chain.state == .awaitingProvince ? "省评委会结果" : "") + PublicityCalendar.stage(until: publicity.until, now: Date().timeIntervalSince1970)
        }
        return ApplicationService.stateLabel(chain.state, kind: applicationKind, forwarded: forwardedAt != nil)
    }
}

/// Where an application stands after a decision: small, so a decision does no
/// more reading than it must.
public struct DecisionOutcome: Sendable {
    public var id: Int
    public var applicantName: String
    public var chain: ReviewChain
    /// The version after the decision (what the next decision must name).
    public var version: Int
}

/// A file of an application's 附件 section.
public struct AttachmentInfo: Sendable, Encodable {
    public var id: Int
    public var name: String
    public var mime: String
    public var size: Int
    public var sha256: String
}

/// One line of a reviewer's queue.
public struct QueueItem: Sendable {
    public var id: Int
    public var applicantName: String
    /// The applicant's unit (单位), where the application started.
    public var unitName: String
    public var series: String
    public var level: String
    public var title: String
    public var stage: ReviewStage
    public var submissions: Int
    public var version: Int
    /// 职称申报 or 专家推荐; nil when the page was read without it (`QueueRows.kinds`).
    public var kind: ApplicationKind?
    /// An expert recommendation of someone the province's 专家信息库 holds already. Read for
    /// the screens' page only (`queueWithCount`), as `ApplicationView.inExpertLibrary`.
    public var inExpertLibrary = false
    /// Whether it comes to the reviewer's org 重新提交: the org reviewed an earlier submission
    /// (`ReviewChain.isResubmission`). Read for the screens' page only (`queueWithCount`).
    public var resubmittedHere = false
}

/// The rows of one queue page, read in order by `forEach` (once, inside the `page`
/// closure of `ApplicationService.queue(caller:limit:after:page:)`).
public struct QueueRows {
    let conn: SQLiteConnection?
    let sql: String
    let arguments: [any SQLiteBindable]
    /// Whether the rows have each application's kind (`QueueRow.kind`), which the covering
    /// index does not hold: read for the screens, not for the API's page.
    var kinds = false
    /// The count of the same queue (`queueSQL(…counting: true)`) and its arguments.
    var countSQL = ""
    var countArguments: [any SQLiteBindable] = []

    public func forEach(_ body: (QueueRow) throws -> Void) throws {
        guard let conn else { return }
        try conn.forEachRow(sql, arguments) { try body(QueueRow(cursor: $0, hasKind: kinds)) }
    }

    /// The page's rows as `QueueItem`s.
    public func items() throws -> [QueueItem] {
        var items: [QueueItem] = []
        try forEach { items.append($0.item) }
        return items
    }

    /// `items` with `resubmittedHere` set: the submissions the org `org` decided on, read in
    /// one query for the page's resubmitted applications alone (few: a first submission needs none).
    public func resubmittedHere(_ items: [QueueItem], org: Int) throws -> [QueueItem] {
        let again = items.filter { $0.submissions > 1 }.map(\.id)
        guard let conn, !again.isEmpty else { return items }
        var reviewed: [Int: [Int]] = [:]
        for row in try conn.query("""
            SELECT application_id, submission FROM decisions WHERE org_id = ? AND application_id IN (\(again.map { _ in "?" }.joined(separator: ", ")))
            """, [org] + again) {
            reviewed[row["application_id"].int ?? 0, default: []].append(row["submission"].int ?? 0)
        }
        return items.map { item in
            var item = item
            item.resubmittedHere = ReviewChain.isResubmission(item.submissions, reviewedHere: reviewed[item.id] ?? [])
            return item
        }
    }

    /// The ID-card number of the applicant of each of `ids` (`ExpertService.idNumber(ofLogin:)`).
    public func persons(of ids: [Int]) throws -> [Int: String] {
        guard let conn, !ids.isEmpty else { return [:] }
        return Dictionary(try conn.query("""
            SELECT a.id, p.login FROM applications a JOIN accounts p ON p.id = a.applicant_id WHERE a.id IN (\(ids.map { _ in "?" }.joined(separator: ", ")))
            """, ids).map { ($0["id"].int ?? 0, ExpertService.idNumber(ofLogin: $0["login"].string ?? "")) }, uniquingKeysWith: { a, _ in a })
    }

    /// How many wait in this queue over all its pages, read in the same transaction as
    /// the page (a screen's 共 N 件 agrees with the rows it shows).
    public func waiting() throws -> Int {
        guard let conn else { return 0 }
        return try conn.scalar(countSQL, countArguments)?.int ?? 0
    }
}

/// One row of a queue page, valid only inside the `forEach` call it is passed to.
public struct QueueRow {
    let cursor: SQLiteCursor
    let hasKind: Bool

    /// The text columns of a queue row, read as bytes with `withText`.
    public enum Text: Int32 {
        case series = 1, level = 2, title = 3, applicantName = 7, unitName = 8
    }

    public var id: Int { cursor.int(0) }
    public var stage: ReviewStage {
        cursor.withText(4) { $0.elementsEqual(ReviewStage.leader.rawValue.utf8) ? .leader : .handler }
    }
    public var submissions: Int { cursor.int(5) }
    public var version: Int { cursor.int(6) }
    /// The application's kind, when the page was read with it (`QueueRows.kinds`).
    public var kind: ApplicationKind? {
        hasKind ? cursor.withText(9) { $0.elementsEqual(ApplicationKind.expert.rawValue.utf8) ? .expert : .title } : nil
    }

    /// A text column's UTF-8 bytes as stored (see `SQLiteCursor.withText`).
    public func withText<R>(_ column: Text, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try cursor.withText(column.rawValue, body)
    }

    /// The row as a `QueueItem`.
    public var item: QueueItem {
        QueueItem(id: id, applicantName: cursor.string(Text.applicantName.rawValue), unitName: cursor.string(Text.unitName.rawValue), series: cursor.string(Text.series.rawValue),
                  level: cursor.string(Text.level.rawValue), title: cursor.string(Text.title.rawValue), stage: stage,
                  submissions: submissions, version: version, kind: kind)
    }
}

/// An org with applicants who submitted, as 申报人员状态查询 offers it to choose from.
public struct StatusOrg: Sendable, Equatable {
    public var orgID: Int
    public var code: String
    public var name: String
    /// Its submitted applications.
    public var applications: Int

    /// Whether 申报人员状态查询, opened without a choice, lists the units below the org `own` too
    /// (含下级单位 ticked): when nobody of `own` itself submitted anything but someone of a unit
    /// below it did (`orgs` as `ApplicationService.statusOrgs` gives them: those with submitted
    /// applications). A department or an office supervises its units and would otherwise open on
    /// an empty list of its own; an org with applicants of its own opens on them.
    public static func opensWithUnitsBelow(_ orgs: [StatusOrg], own: Int) -> Bool {
        !orgs.contains { $0.orgID == own && $0.applications > 0 } && orgs.contains { $0.orgID != own && $0.applications > 0 }
    }
}

/// One of a reviewer's own decisions, as 已审查 lists it.
public struct ReviewedItem: Sendable {
    public var decisionID: Int
    public var applicationID: Int
    /// 职称申报 or 专家推荐.
    public var kind: ApplicationKind
    public var applicantName: String
    public var unitName: String
    public var series: String
    public var level: String
    public var title: String
    /// The step the reviewer decided at, and what they decided.
    public var stage: ReviewStage
    public var decision: ReviewDecision
    public var comment: String
    public var at: Double
    /// Where the application stands now, as 申报人员状态查询 says it.
    public var standing: String
    /// Whether the reviewer may open the application now.
    public var readable: Bool
    /// For a step of the province office on an application a city handed over: its kind
    /// (`applicationID` is then the province's id of it); nil for the tenant's own.
    public var receivedKind: ApplicationKind? = nil
}

/// One row of 申报人员状态查询.
public struct StatusRow: Sendable {
    public var applicationID: Int
    /// `title` (职称申报) or `expert` (专家推荐): the two look alike otherwise.
    public var kind: String
    public var applicantName: String
    public var idNumber: String
    /// The applicant's unit.
    public var unitName: String
    public var year: Int
    public var series: String
    public var level: String
    public var title: String
    public var state: String
    /// Where it is now, e.g. 管城区教育局 负责人审查.
    public var stage: String
    /// 评委会 and 面试通知 (time, place), once a committee has them.
    public var committee: String?
    public var interview: String?
    /// Whether the caller may open its 评审表: not before the application has reached
    /// the caller's org (an office sees a unit's row before the unit has passed it up).
    public var printable: Bool
    /// Why not, in words (nil when printable): not sent up to the caller's org yet, not sent
    /// up at all (withdrawn or turned down below it), or not on its way through the caller's
    /// org at all (its unit was moved here after it was submitted: it keeps the route it was
    /// submitted on, through the parent it had then). `ApplicationService.formNote`.
    public var formNote: String?
}

/// A printable 评审表.
public struct ReviewForm: Sendable {
    public struct Opinion: Sendable {
        /// The org's name when it gave the opinion (`DecisionRecord.asDecided`), as are the
        /// reviewer's name and the seal.
        public var orgName: String
        public var stage: ReviewStage
        public var decision: ReviewDecision
        public var comment: String
        /// Empty for an applicant when reviewers' names are not shown to applicants.
        public var reviewer: String
        public var at: Double
        /// The seal the org had when its leader gave the opinion (nil on a handler's, and when it
        /// had none then).
        public var seal: FileRecord?
    }
    /// The committee's result, the last opinion of the form (the city's own committee's,
    /// or the province's, relayed back).
    public struct CommitteeOpinion: Sendable {
        public var name: String
        public var result: String
        public var note: String
        /// False while the result stands in public notice.
        public var final: Bool
        /// When it was recorded or confirmed; nil for the province's (the city has no date).
        public var at: Double?
    }
    public var application: ApplicationView
    public var unitName: String
    public var idNumber: String
    public var opinions: [Opinion]
    public var committee: CommitteeOpinion?
    /// Over the form of an application that did not go on (withdrawn, returned, turned down):
    /// what happened and when (nil when unknown: a result the province sent has no date here).
    public var mark: (mark: ReviewFormMark, at: Double?)?
}

/// An application as the province received it from a city.
public struct ReceivedApplication: Sendable {
    public var id: Int
    public var sourceTenant: String
    public var sourceApplicationID: Int
    public var applicantName: String
    public var unitName: String
    public var year: Int
    public var series: String
    public var level: String
    public var title: String
    public var state: String
    public var receivedAt: Double
}

extension ReceivedApplication {
    /// One row of `received_applications`.
    init(_ r: SQLiteRow) {
        self.init(id: r["id"].int ?? 0, sourceTenant: r["source_tenant"].string ?? "", sourceApplicationID: r["source_application_id"].int ?? 0,
                  applicantName: r["applicant_name"].string ?? "", unitName: r["unit_name"].string ?? "", year: r["year"].int ?? 0,
                  series: r["series"].string ?? "", level: r["level"].string ?? "", title: r["title"].string ?? "",
                  state: r["state"].string ?? "", receivedAt: r["received_at"].double ?? 0)
    }
}

/// One page of the applications the province received (`ApplicationService.received`).
public struct ReceivedPage: Sendable {
    public var items: [ReceivedApplication]
    /// Where the next page starts (`after=next`), nil on the last page.
    public var next: Int?
}

/// An application received from a city, whole: what the city sent with it.
public struct ReceivedApplicationView: Sendable {
    public var application: ReceivedApplication
    public var idNumber: String
    /// Every section as the city's latest submission had it (附件: the files' names).
    public var sections: [String: [String: String]]
    /// Each step of the city's route on that submission.
    public var cityTrail: [CityTrailStep]
    /// The province office's own review steps (none for one handed over before it reviewed).
    public var provinceDecisions: [ProvinceReviewView.Decision]
}

/// One entry of an application's trail.
public struct TrailEntry: Sendable {
    public var at: Double
    public var orgID: Int?
    /// For a decision, the org's name when it was made (`DecisionRecord.asDecided`).
    public var orgName: String?
    public var stage: ReviewStage?
    /// nil when reviewer identities are hidden from the caller; for a decision, the
    /// person's name when it was made.
    public var actorName: String?
    public var decision: String
    public var comment: String
    public var sections: [String]
    public var reason: ReturnReason?
    /// For a committee's step (`decision` committee-…): the committee's name.
    public var committee: String? = nil

    /// The Chinese label of the decision.
    public var decisionLabel: String {
        if let event = CommitteeEvent(decision: decision) { return event.label }
        return switch decision {
        case "submit": "提交"
        case "withdraw": "撤回"
        case "auto-pass": "自动审查通过"
        case "auto-return": "自动审查退回"
        case "auto-failed": "自动审查失败（转人工审查）"
        default: ReviewDecision(rawValue: decision)?.label ?? decision
        }
    }
}

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
        try DeclarationPlan.validateYear(year)
        guard let level = TitleLevel(rawValue: rawLevel) else { throw ZhichengError.invalid("级别应为 初级、中级、副高级 或 正高级", field: "level") }
        guard let entry = catalog.series(named: series) else { throw ZhichengError.invalid("未知的系列“\(series.prefix(30))”", field: "series") }
        guard !entry.titles(at: level).isEmpty else { throw ZhichengError.invalid("\(series)没有\(level.rawValue)职称", field: "level") }
        guard entry.titles(at: level).contains(title) else {
            throw ZhichengError.invalid("\(series)\(level.rawValue)的职称应为：\(entry.titles(at: level).joined(separator: "、"))", field: "title")
        }
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
        let touched = edits.filter { edit in edit.shown.map { Self.fingerprint(Self.lineBreaksUnified(edit.fields)) != $0 } ?? true }
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
                    if Self.fingerprint(edit.fields) == shown { continue }   // untouched on the page
                    // Changed since the page showed it, whether the page's digest is of the text as
                    // stored (CR LF from an API client, before) or with its line breaks made one.
                    if Self.fingerprint(now) != shown && Self.fingerprint(stored[section.rawValue]) != shown {
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
    /// shows a section as, so that `saveSections` can tell what changed since.
    public static func fingerprint(_ fields: [String: String]?) -> String {
        let text = (fields ?? [:]).filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }.map { $0.key + "\u{1}" + $0.value }.joined(separator: "\u{2}")
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
    /// breaks as LF, at most 64 KiB) and as stored (sorted JSON), refused when unknown.
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
                let plan = try conn.query("SELECT items FROM plans WHERE org_id = ? AND year = ? AND state = 'approved'", [row["org_id"].int ?? 0, year]).first
                let lines = try plan.map { try JSONDecoder().decode([PlanLine].self, from: Data(($0["items"].string ?? "[]").utf8)) }
                let used = try conn.scalar("""
                    SELECT count(*) FROM applications WHERE org_id = ? AND year = ? AND series = ? AND level = ? AND kind = 'title'
                    AND state IN (\(DeclarationPlan.placeStatesSQL)) AND id != ?
                    """, [row["org_id"].int ?? 0, year, series, level.rawValue, id])?.int ?? 0
                try DeclarationPlan.checkQuota(approved: lines, year: year, series: series, level: level, alreadySubmitted: used)
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

    /// Withdraws before any reviewer acted; the history stays.
    public func withdraw(_ applicationID: Int, caller: SignedIn) async throws -> ApplicationView {
        try await store.write(caller) { conn in
            let (id, chainBefore) = try Self.ownApplication(applicationID, caller: caller, conn)
            var chain = chainBefore
            _ = try chain.withdraw()
            let submission = try conn.scalar("SELECT submissions FROM applications WHERE id = ?", [id])?.int ?? 0
            try Self.store(chain, id: id, conn)
            try conn.appendDecision(DecisionRecord(applicationID: id, submission: submission, actorID: caller.accountID, decision: "withdraw",
                                                   at: Date().timeIntervalSince1970))
            try conn.appendAudit(caller.audit(.applicationWithdraw, target: "application:\(id)"))
            return try Self.view(id, for: caller, conn)
        }
    }

    /// The applicant's own applications.
    public func mine(caller: SignedIn) async throws -> [ApplicationView] {
        guard caller.kind == .applicant else { throw ZhichengError(.forbidden, "只有申报人有“我的申报”") }
        return try await store.read(caller) { conn in
            try conn.query("SELECT id FROM applications WHERE applicant_id = ? ORDER BY id DESC", [caller.accountID])
                .compactMap { $0["id"].int }.map { try Self.view($0, for: caller, conn) }
        }
    }

    // MARK: Attachments (附件)

    /// Adds a file (PDF, PNG or JPEG, told from its bytes) to the 附件 section while editable.
    public func addAttachment(_ applicationID: Int, name rawName: String, bytes: [UInt8], maxBytes: Int, caller: SignedIn) async throws -> AttachmentInfo {
        guard bytes.count <= maxBytes else { throw ZhichengError(.tooLarge, "附件不能超过 \(FileSize.text(maxBytes, roundingDown: true))") }
        let mime = try DocumentType.detect(bytes)
        let name = AttachmentName.fitted(try AttachmentName.validate(rawName), toType: mime)
        let digest = sha256Hex(bytes)
        return try await store.write(caller) { conn in
            let (id, chain) = try Self.ownApplication(applicationID, caller: caller, conn)
            guard chain.state.editableByApplicant else { throw ZhichengError.conflict("申报当前状态为“\(chain.state.label)”，不能修改附件") }
            guard (try conn.scalar("SELECT count(*) FROM attachments WHERE owner = 'application' AND owner_id = ? AND removed_at IS NULL", [id])?.int ?? 0) < 20 else {
                throw ZhichengError.conflict("每份申报最多20个附件")
            }
            try conn.run("INSERT INTO attachments (owner, owner_id, name, mime, size, sha256, bytes, uploaded_by, created_at) VALUES ('application', ?, ?, ?, ?, ?, ?, ?, ?)",
                         [id, name, mime, bytes.count, digest, bytes, caller.accountID, Date().timeIntervalSince1970])
            let attachment = Int(conn.lastInsertRowID)
            try conn.run("UPDATE applications SET version = version + 1, updated_at = ? WHERE id = ?", [Date().timeIntervalSince1970, id])
            try conn.appendAudit(caller.audit(.applicationAttachmentAdd, target: "application:\(id)", detail: #"{"attachment":\#(attachment),"sha256":"\#(digest)"}"#))
            return AttachmentInfo(id: attachment, name: name, mime: mime, size: bytes.count, sha256: digest)
        }
    }

    /// Removes a file from a draft or returned application. Its row stays, marked removed
    /// (nothing leaves an application's history, and no other file gets its id); the
    /// snapshots of earlier submissions name it with its digest. A file no submission has
    /// included (no snapshot names its digest) also gives up its bytes: no reviewer saw it, and
    /// adding and removing files kept every byte for ever (5 MiB a time, by script).
    public func removeAttachment(_ applicationID: Int, attachment: Int, caller: SignedIn) async throws {
        try await store.write(caller) { conn in
            let (id, chain) = try Self.ownApplication(applicationID, caller: caller, conn)
            guard chain.state.editableByApplicant else { throw ZhichengError.conflict("申报当前状态为“\(chain.state.label)”，不能修改附件") }
            guard try conn.run("""
                UPDATE attachments SET removed_at = ?1,
                    bytes = CASE WHEN NOT EXISTS (SELECT 1 FROM application_snapshots s WHERE s.application_id = ?3 AND instr(s.sections, attachments.sha256) > 0)
                                 THEN x'' ELSE bytes END
                WHERE id = ?2 AND owner = 'application' AND owner_id = ?3 AND removed_at IS NULL
                """, [Date().timeIntervalSince1970, attachment, id]) == 1 else {
                throw ZhichengError.notFound("没有这个附件")
            }
            try conn.run("UPDATE applications SET version = version + 1, updated_at = ? WHERE id = ?", [Date().timeIntervalSince1970, id])
            try conn.appendAudit(caller.audit(.applicationAttachmentRemove, target: "application:\(id)", detail: #"{"attachment":\#(attachment)}"#))
        }
    }

    /// The files of an application, for whoever may see its 附件 section.
    public func attachments(_ applicationID: Int, caller: SignedIn) async throws -> [AttachmentInfo] {
        try await store.read(caller) { conn in
            let view = try Self.view(applicationID, for: caller, conn)
            guard !view.hiddenSections.contains(ApplicationSection.attachments.rawValue) || caller.kind == .applicant else {
                throw ZhichengError(.forbidden, "您没有查看附件的权限")
            }
            return try Self.attachmentList(applicationID, conn)
        }
    }

    public func attachment(_ applicationID: Int, attachment: Int, caller: SignedIn) async throws -> FileRecord {
        try await store.read(caller) { conn in
            let view = try Self.view(applicationID, for: caller, conn)
            guard !view.hiddenSections.contains(ApplicationSection.attachments.rawValue) || caller.kind == .applicant else {
                throw ZhichengError(.forbidden, "您没有查看附件的权限")
            }
            guard let row = try conn.query("SELECT id, name, mime, bytes FROM attachments WHERE id = ? AND owner = 'application' AND owner_id = ? AND removed_at IS NULL",
                                           [attachment, applicationID]).first,
                  case .blob(let bytes) = row["bytes"] else { throw ZhichengError.notFound("没有这个附件") }
            let mime = row["mime"].string ?? "application/octet-stream"
            // Fitted again for a file stored before names were fitted at upload.
            return FileRecord(id: attachment, mime: mime, bytes: bytes, name: row["name"].string.map { AttachmentName.fitted($0, toType: mime) })
        }
    }

    static func attachmentList(_ id: Int, _ conn: SQLiteConnection) throws -> [AttachmentInfo] {
        try conn.query("SELECT id, name, mime, size, sha256 FROM attachments WHERE owner = 'application' AND owner_id = ? AND removed_at IS NULL ORDER BY id", [id]).map {
            let mime = $0["mime"].string ?? ""
            return AttachmentInfo(id: $0["id"].int ?? 0, name: AttachmentName.fitted($0["name"].string ?? "", toType: mime), mime: mime,
                                  size: $0["size"].int ?? 0, sha256: $0["sha256"].string ?? "")
        }
    }

    // MARK: Reviewers

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
    /// `kinds`: also read each application's kind (`QueueRow.kind`). The covering index does
    /// not hold it (adding it would be a schema change): each row then costs a lookup of the
    /// table too, which the screens' pages take and the API's page (the reviewers' most
    /// frequent request) takes only where an expert recommendation may be among its rows
    /// (`queuePage`).
    public func queue<Page: Sendable>(caller: SignedIn, stage: ReviewStage? = nil, limit: Int = 50, after: Int? = nil, kinds: Bool = false,
                                      page: @escaping @Sendable (QueueRows) throws -> Page) async throws -> Page {
        guard let query = try QueueQuery(caller, stage: stage, limit: limit, after: after) else { return try page(QueueRows(conn: nil, sql: "", arguments: [], kinds: kinds)) }
        return try await store.read(caller) { conn in try page(query.rows(conn, kinds: kinds)) }
    }

    /// The API's page of the queue. Where no row can be an expert recommendation (the tenant
    /// has none in review: `expertRecommendationsMayWait`), `rows` writes it straight from the
    /// rows, as `queue(…page:)` hands them, reading nothing more: no kind, no 专家信息库.
    /// Otherwise the rows are read as `QueueItem`s with their kinds, and only a page with an
    /// expert recommendation on it asks the province's 专家信息库 whether it holds the person
    /// (`QueueItem.inExpertLibrary`, as `queueWithCount` does), before `items` writes it.
    public func queuePage<Page: Sendable>(caller: SignedIn, stage: ReviewStage? = nil, limit: Int = 50, after: Int? = nil,
                                          rows: @escaping @Sendable (QueueRows) throws -> Page,
                                          items: @escaping @Sendable ([QueueItem]) throws -> Page) async throws -> Page {
        guard let query = try QueueQuery(caller, stage: stage, limit: limit, after: after) else { return try rows(QueueRows(conn: nil, sql: "", arguments: [], kinds: false)) }
        let read = try await store.read(caller) { conn, facts -> QueuePageRead<Page> in
            guard try Self.expertRecommendationsMayWait(conn, facts) else { return .written(try rows(query.rows(conn, kinds: false))) }
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
    public func queueWithCount(caller: SignedIn, stage: ReviewStage? = nil, limit: Int = 50, after: Int? = nil) async throws -> (items: [QueueItem], waiting: Int) {
        let org = caller.orgID
        let (read, waiting, persons) = try await queue(caller: caller, stage: stage, limit: limit, after: after, kinds: true) { rows in
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

        /// Nil when the caller reviews no series (an empty queue).
        init?(_ caller: SignedIn, stage: ReviewStage?, limit: Int, after: Int?) throws(ZhichengError) {
            guard let filter = try QueueFilter(caller, stage: stage) else { return nil }
            self.filter = filter
            org = caller.orgID
            self.limit = Paging.clamp(limit, maximum: ApplicationService.pageMaximum)
            self.after = after ?? 0
        }

        /// The page's rows on `conn` (`kinds`: with each application's kind), with its count.
        func rows(_ conn: SQLiteConnection, kinds: Bool) -> QueueRows {
            let sql = ApplicationService.queueSQL(stages: filter.stages.count, series: filter.series.count, excludingOwnHandling: filter.fourEyes, kinds: kinds)
            let countSQL = ApplicationService.queueSQL(stages: filter.stages.count, series: filter.series.count, excludingOwnHandling: filter.fourEyes, counting: true)
            return QueueRows(conn: conn, sql: sql, arguments: [org, after] + filter.arguments + [limit], kinds: kinds,
                             countSQL: countSQL, countArguments: [org] + filter.arguments)
        }
    }

    /// Which applications wait for a reviewer: at their org, at the steps they review
    /// (`stage` alone, or every step their roles give), in their series. Roles and series
    /// come from the session check of this very request. Nil when they have no series.
    struct QueueFilter {
        var stages: [String]
        var series: [String]
        /// Four eyes: a reviewer with both roles does not find at 负责人审查 what they passed
        /// at 经办人审查 themselves (`ReviewChain` refuses that decision anyway).
        var fourEyes: Bool
        var accountID: Int

        init?(_ caller: SignedIn, stage: ReviewStage?) throws(ZhichengError) {
            guard caller.kind == .staff, !caller.roles.isEmpty else { throw ZhichengError(.forbidden, "只有设置了经办人或负责人角色的人员有审查队列") }
            stages = caller.roles.map { ReviewStage($0).rawValue }
            if let stage {
                guard stages.contains(stage.rawValue) else { throw ZhichengError(.forbidden, "您没有\(stage.role.label)角色，不能进行\(stage.label)") }
                stages = [stage.rawValue]
            }
            series = caller.permittedSeries
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
    /// `kinds`: the page's rows also with the application's kind (column 9), read from the
    /// table (the index does not hold it).
    static func queueSQL(stages: Int, series: Int, excludingOwnHandling: Bool = false, counting: Bool = false, kinds: Bool = false) -> String {
        if stages == 1 && series == 1 && !excludingOwnHandling && !counting && !kinds { return queueSQLOneByOne }
        return makeQueueSQL(stages: stages, series: series, excludingOwnHandling: excludingOwnHandling, counting: counting, kinds: kinds)
    }

    private static let queueSQLOneByOne = makeQueueSQL(stages: 1, series: 1, excludingOwnHandling: false, counting: false, kinds: false)

    private static func makeQueueSQL(stages: Int, series: Int, excludingOwnHandling: Bool, counting: Bool, kinds: Bool) -> String {
        let filter = """
            current_org_id = ? AND state = 'in_review'\(counting ? "" : " AND id > ?")
            AND stage IN (\(Array(repeating: "?", count: stages).joined(separator: ","))) AND series IN (\(Array(repeating: "?", count: series).joined(separator: ",")))
            \(excludingOwnHandling ? """
                AND NOT (stage = 'leader' AND EXISTS (SELECT 1 FROM decisions d WHERE d.application_id = applications.id
                    AND d.submission = applications.submissions AND d.org_id = applications.current_org_id AND d.stage = 'handler' AND +d.actor_id = ?))
                """ : "")
            """
        return counting
            ? "SELECT count(*) FROM applications WHERE \(filter)"
            : "SELECT id, series, level, title, stage, submissions, version, applicant_name, unit_name\(kinds ? ", kind" : "") FROM applications WHERE \(filter) ORDER BY id LIMIT ?"
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
    /// applicant, and a page.
    public struct StatusQuery: Sendable {
        public var year: Int?
        /// Every unit below the org as well (a department or office supervising its units).
        public var below: Bool
        /// An applicant's name (part of it) or whole ID-card number.
        public var applicant: String?
        /// Rows on a page (nil: every row) and the id of the last row of the page before.
        public var limit: Int?
        public var before: Int?

        public init(year: Int? = nil, below: Bool = false, applicant: String? = nil, limit: Int? = nil, before: Int? = nil) {
            self.year = year
            self.below = below
            self.applicant = applicant
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
        WHERE \(below ? "\(byOrg ? "" : "+")a.org_id IN (SELECT value FROM json_each(?))" : "a.org_id = ?") AND a.state != 'draft'
        """
    }

    /// Every submitted application of the org's applicants (a draft is the applicant's own
    /// until submitted), for its admin or an ancestor's, newest first; with `query.below`
    /// also those of every unit below it (each row names its unit).
    public func status(of orgID: Int, _ query: StatusQuery = .init(), caller: SignedIn) async throws -> [StatusRow] {
        try Access.requireOrgAdmin(caller)
        let applicant = query.applicant?.trimmingWhitespaceAndNewlines() ?? ""
        guard applicant.count <= 40 else { throw ZhichengError.invalid("申报人查询不超过40个字", field: "applicant") }
        return try await store.read(caller) { conn in
            try Access.requireApprovedOrg(caller, conn)
            _ = try Access.visibleOrg(orgID, caller: caller, conn)
            // With the units below, as `OrgService.audit` reads its log: a few orgs from
            // `applications_quota` (their rows, sorted, are few); many (a city office's tree)
            // by walking the applications from the newest, the org only checked (`+`), where
            // sorting every row of the city to show one page is what the index would cost.
            let subtree = query.below ? try conn.subtreeIncludingDeleted(of: orgID) : [orgID]
            let byOrg = try !query.below || OrgService.readsByOrg(subtree: subtree.count, total: conn.scalar("SELECT count(*) FROM orgs")?.int ?? 0)
            var sql = Self.statusSQL(below: query.below, byOrg: byOrg)
            var arguments: [any SQLiteBindable] = [query.below ? Self.jsonList(subtree) : orgID]
            if let year = query.year { sql += " AND a.year = ?"; arguments.append(year) }
            if !applicant.isEmpty {
                let who = Self.personFilter(applicant)
                sql += " AND " + who.sql
                arguments += who.arguments
            }
            if let before = query.before { sql += " AND a.id < ?"; arguments.append(before) }
            sql += " ORDER BY a.id DESC"
            if let limit = query.limit { sql += " LIMIT ?"; arguments.append(Paging.clamp(limit, maximum: 500)) }
            return try conn.query(sql, arguments).map { r in
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

    /// The data of a printable 评审表: the applicant, and each level's opinion of the
    /// latest submission with reviewer, date and that org's seal.
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
            func stepAt(final: Bool) throws -> Double? {
                try conn.scalar("SELECT at FROM committee_steps WHERE application_id = ? AND event = ? ORDER BY id DESC LIMIT 1",
                                [applicationID, (final ? CommitteeEvent.final : .result).rawValue])?.double
            }
            if let e = try conn.query("""
                SELECT c.name, e.result, e.note, e.state FROM evaluations e JOIN committees c ON c.id = e.committee_id
                WHERE e.application_id = ? AND e.result IS NOT NULL
                """, [applicationID]).first {
                let final = e["state"].string == "final"
                committee = .init(name: e["name"].string ?? "", result: e["result"].string ?? "", note: e["note"].string ?? "",
                                  final: final, at: try stepAt(final: final))
            } else if let name = view.committeeName, let result = view.result ?? view.publicity?.result {
                // The province's committee, with the 说明 it relayed with its result (schema v33).
                let note = try conn.scalar("SELECT committee_note FROM applications WHERE id = ?", [applicationID])?.string ?? ""
                committee = .init(name: name, result: result, note: note, final: view.result != nil, at: try stepAt(final: view.result != nil))
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
            return ReviewForm(application: view, unitName: unitName, idNumber: idNumber, opinions: opinions, committee: committee, mark: mark)
        }
    }

    // MARK: Province

    /// The states of a title application the province received, as `received(state:)` filters
    /// them: under the office's review, passed to its committee, returned, rejected, in 公示, final.
    public static let receivedStates = ["in_review", "received", "returned", "rejected", "publicity", "final"]

    /// Title applications the province received from the cities (the province office's admin
    /// only), oldest first, one page (`limit` 1–500; `after`: the `next` of the page before),
    /// only those in `state` if given.
    public func received(caller: SignedIn, state: String? = nil, limit rawLimit: Int = 200, after: Int? = nil) async throws -> ReceivedPage {
        if let state, !Self.receivedStates.contains(state) {
            throw ZhichengError.invalid("state 应为 \(Self.receivedStates.joined(separator: "、")) 之一", field: "state")
        }
        let paging = Paging(rawLimit, maximum: 500)
        return try await store.read(caller) { conn in
            try ExpertService.requireProvinceOffice(caller, conn, admin: true)
            var arguments: [any SQLiteBindable] = [after ?? 0]
            if let state { arguments.append(state) }
            let rows = try conn.query("""
                SELECT id, source_tenant, source_application_id, applicant_name, unit_name, year, series, level, title, state, received_at
                FROM received_applications WHERE kind = 'title' AND id > ?\(state == nil ? "" : " AND state = ?") ORDER BY id LIMIT ?
                """, arguments + [paging.rowsToRead]).map(ReceivedApplication.init)
            let (items, next) = paging.cut(rows, cursor: \.id)
            return ReceivedPage(items: items, next: next)
        }
    }

    /// One title application received from a city, with its sections and the city's
    /// opinions, for the province office that evaluates it (its committee desk).
    public func receivedApplication(_ id: Int, caller: SignedIn) async throws -> ReceivedApplicationView {
        try await store.read(caller) { conn in
            try ExpertService.requireProvinceOffice(caller, conn, admin: true)
            guard let r = try conn.query("SELECT * FROM received_applications WHERE id = ? AND kind = 'title'", [id]).first else {
                throw ZhichengError.notFound("没有这个报送到省里的申报")
            }
            return ReceivedApplicationView(application: ReceivedApplication(r), idNumber: r["id_number"].string ?? "",
                                           sections: Self.sections(fromSnapshot: r["sections"].string ?? "{}"), cityTrail: CityTrailStep.steps(fromJSON: r["trail"].string),
                                           provinceDecisions: try ProvinceReview.decisions(id, conn))
        }
    }

    /// The label of a state of an application of `kind` (`ApplicationKind.label(of:)`: an
    /// expert recommendation passed is 已入库（专家信息库）); once the province acknowledged a
    /// hand-off, 已报送省职改办.
    public static func stateLabel(_ state: ApplicationState, kind: ApplicationKind, forwarded: Bool) -> String {
        state == .awaitingProvince && forwarded ? "已报送省职改办" : kind.label(of: state)
    }

    /// Where an application stands, in words, as 申报人员状态查询 and 已审查 say it: the
    /// org and step while in review (e.g. 管城区教育局 负责人审查), and a result in public
    /// notice, the city committee's or the province's, with the end of the period (or that it
    /// has ended and waits for confirmation). `row`
    /// has `current_org` (the current org's name), `kind`, `forwarded_at`, `publicity_result` and
    /// `publicity_until` of the application.
    static func standing(_ chain: ReviewChain, _ row: SQLiteRow, now: Double = Date().timeIntervalSince1970) -> String {
        var stage = stateLabel(chain.state, kind: ApplicationKind(rawValue: row["kind"].string ?? "") ?? .title, forwarded: row["forwarded_at"].double != nil)
        if chain.state == .inReview, let org = row["current_org"].string { stage = "\(org) \(chain.stage.label)" }
        if [.publicity, .awaitingProvince].contains(chain.state), let result = row["publicity_result"].string, let until = row["publicity_until"].double {
            stage = (chain.state == .awaitingProvince ? "省评委会结果" : "") + PublicityCalendar.label(result: result, until: until, now: now)
        }
        return stage
    }

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
            SELECT a.*, p.name AS applicant_name FROM applications a JOIN accounts p ON p.id = a.applicant_id WHERE a.id = ?
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
                permitted = []
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
            callerMayDecide: mayDecide)
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

extension JSONEncoder {
    static let sorted: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()
}
