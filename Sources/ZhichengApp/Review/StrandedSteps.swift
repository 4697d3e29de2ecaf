import ZhichengCore
import ZhichengStorage

/// Review steps waiting at an org for nobody: no enabled reviewer of the org has the step's
/// role and the application's series, or its only leader took the handler step (four eyes).
public struct StrandedStep: Sendable, Equatable {
    public var stage: ReviewStage
    public var series: String
    /// How many applications wait at it.
    public var count: Int
    /// What waits: title applications (职称申报) or expert recommendations (专家推荐), counted
    /// apart, in the org's own chain as in the province office's review of hand-overs.
    public var kind: ApplicationKind
    /// The province office's own review of what the cities handed over (title applications,
    /// 职称申报审查（各市报送）, and expert recommendations, 专家推荐审查: each its own review), not
    /// an application of the org's own chain.
    public var handedOver: Bool
    /// `kind` for a step of the province office's review of hand-overs; nil for the org's own chain.
    public var receivedKind: ApplicationKind? { handedOver ? kind : nil }
    /// The org's one 负责人 of the series took the 经办人 step of these (four eyes): what they
    /// need is a second 负责人, not a role or a series someone already has.
    public var needsAnotherLeader: Bool

    public init(stage: ReviewStage, series: String, count: Int, kind: ApplicationKind = .title, handedOver: Bool = false, needsAnotherLeader: Bool = false) {
        self.stage = stage
        self.series = series
        self.count = count
        self.kind = kind
        self.handedOver = handedOver
        self.needsAnotherLeader = needsAnotherLeader
    }

    /// The step, as 首页 names it to the admin: 经办人审查 of the org's own chain; of the
    /// province office's review of hand-overs, 经办人审查（各市报送） for title applications and
    /// 专家推荐审查（经办人审查） for expert recommendations (the office's screen of that name).
    public var stepLabel: String {
        switch receivedKind {
        case nil: stage.label
        case .title?: "\(stage.label)（各市报送）"
        case .expert?: "专家推荐审查（\(stage.label)）"
        }
    }

    /// What waits there, in words: 职称申报 or 专家推荐 (`ApplicationKind.label`).
    public var subject: String { kind.label }

    /// The order 首页 lists them in: title applications' steps first, then the expert
    /// recommendations'; each by step, then series.
    public static func listed(_ a: StrandedStep, _ b: StrandedStep) -> Bool {
        (a.kind == .expert ? 1 : 0, a.stage.rawValue, a.series) < (b.kind == .expert ? 1 : 0, b.stage.rawValue, b.series)
    }
}

/// A series whose reviewers at an org may, between them and at either step, read none of some
/// sections (`ReviewCoverage.unreadSections`): its applications pass the org with nobody there
/// having read them.
public struct UnreadSections: Sendable, Equatable {
    public var series: String
    public var sections: [ApplicationSection]

    public init(series: String, sections: [ApplicationSection]) {
        self.series = series
        self.sections = sections
    }

    /// What the admin's 首页 and 本单位人员角色管理 say.
    public var text: String {
        "\(series)系列的经办人、负责人均无权查看“\(sections.map(\.rawValue).joined(separator: "、"))”，这些内容在本单位无人审查，"
            + "请在“本单位人员角色管理”中为其中一人勾选可查看的内容"
    }
}

extension ApplicationService {
    /// The org's enabled staff with a review role, with what coverage needs: a province
    /// office's staff are mostly experts (thousands) with none (`roles` '[]'), not read.
    static func reviewers(of orgID: Int, _ conn: SQLiteConnection) throws -> [ReviewCoverage.Reviewer] {
        try conn.query("""
            SELECT id, roles, permitted_series, permitted_sections FROM accounts
            WHERE org_id = ? AND kind = 'staff' AND enabled = 1 AND deleted_at IS NULL AND roles != '[]'
            """, [orgID]).map { row in
                ReviewCoverage.Reviewer(accountID: row["id"].int ?? 0, roles: (AccountRecord.strings(row["roles"]) ?? []).compactMap(StaffRole.init(rawValue:)),
                                        series: AccountRecord.strings(row["permitted_series"]) ?? [],
                                        sections: AccountRecord.strings(row["permitted_sections"]) ?? [])
            }.filter { !$0.roles.isEmpty }
    }

    /// For the caller's org (its admin's): each series its reviewers take whose reviewers read,
    /// between them and at either step, none of some sections (`ReviewCoverage.unreadSections`),
    /// by series. A setting, not what waits: said while it holds, so that the admin gives the
    /// permissions before an application goes up unread.
    public func unreadSections(caller: SignedIn) async throws -> [UnreadSections] {
        try Access.requireOrgAdmin(caller)
        return try await store.read(caller) { conn in
            try Access.requireApprovedOrg(caller, conn)
            let reviewers = try Self.reviewers(of: caller.orgID, conn)
            return Set(reviewers.flatMap(\.series)).sorted().compactMap { series in
                let unread = ReviewCoverage.unreadSections(series: series, among: reviewers)
                return unread.isEmpty ? nil : UnreadSections(series: series, sections: unread)
            }
        }
    }

    /// What waits at the caller's org (its admin's) for nobody (`ReviewCoverage`): after a
    /// reviewer was disabled or deleted, or given other roles or series, those applications
    /// are in no queue, and only the admin can mend it (本单位人员角色管理).
    public func strandedSteps(caller: SignedIn) async throws -> [StrandedStep] {
        try Access.requireOrgAdmin(caller)
        return try await store.read(caller) { conn in
            try Access.requireApprovedOrg(caller, conn)
            let reviewers = try Self.reviewers(of: caller.orgID, conn)
            var stranded: [StrandedStep] = []
            // The org's own chain, counted by kind, step and series (a title application and an
            // expert recommendation are told apart: each its own line on 首页); the one case that
            // depends on each application (a single leader, who may have taken its handler step)
            // counted in SQL.
            for row in try conn.query("""
                SELECT kind, stage, series, count(*) AS n FROM applications WHERE current_org_id = ? AND state = 'in_review' GROUP BY kind, stage, series
                """, [caller.orgID]) {
                guard let stage = ReviewStage(rawValue: row["stage"].string ?? ""), let series = row["series"].string,
                      let kind = ApplicationKind(rawValue: row["kind"].string ?? "") else { continue }
                let count: Int
                let coverage = ReviewCoverage.coverage(of: stage, series: series, among: reviewers)
                switch coverage {
                case .covered: continue
                case .nobody: count = row["n"].int ?? 0
                case .onlyIfNotHandledBy(let only):
                    count = try conn.scalar("""
                        SELECT count(*) FROM applications a WHERE a.current_org_id = ? AND a.state = 'in_review' AND a.stage = 'leader' AND a.series = ? AND a.kind = ?
                        AND EXISTS (SELECT 1 FROM decisions d WHERE d.application_id = a.id AND d.submission = a.submissions AND d.org_id = a.current_org_id
                                    AND d.stage = 'handler' AND +d.actor_id = ?)
                        """, [caller.orgID, series, kind.rawValue, only])?.int ?? 0
                }
                if count > 0 {
                    stranded.append(StrandedStep(stage: stage, series: series, count: count, kind: kind, needsAnotherLeader: coverage != .nobody))
                }
            }
            stranded.sort(by: StrandedStep.listed)
            // The province office's own review of what the cities handed over: each one's step
            // is in its chain (only those under review, a season's worth).
            if try conn.rootOrg()?.id == caller.orgID {
                var counts: [String: StrandedStep] = [:]
                for row in try conn.query("""
                    SELECT kind, series, chain FROM received_applications
                    WHERE chain IS NOT NULL AND ((kind = 'title' AND state = 'in_review') OR (kind = 'expert' AND state = 'received'))
                    """) {
                    // One whose chain cannot be read is not counted here (its own page says so).
                    guard let chain = try? Self.decode(row["chain"].string ?? "") else { continue }
                    let series = row["series"].string ?? ""
                    let kind = ApplicationKind(rawValue: row["kind"].string ?? "") ?? .title
                    guard !ReviewCoverage.canBeTaken(chain.stage, series: series, handlerDecider: chain.handlerDecider, among: reviewers) else { continue }
                    let anotherLeader = ReviewCoverage.coverage(of: chain.stage, series: series, among: reviewers) != .nobody
                    counts["\(kind.rawValue)\u{1F}\(chain.stage.rawValue)\u{1F}\(series)\u{1F}\(anotherLeader)",
                           default: StrandedStep(stage: chain.stage, series: series, count: 0, kind: kind, handedOver: true, needsAnotherLeader: anotherLeader)].count += 1
                }
                stranded += counts.values.sorted(by: StrandedStep.listed)
            }
            return stranded
        }
    }
}
