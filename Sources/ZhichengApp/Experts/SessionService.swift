import Foundation
import ZhichengCore
import ZhichengStorage

/// A review session (评审会) of a province committee as a caller may see it.
public struct SessionView: Sendable {
    public struct Application: Sendable {
        public var id: Int
        public var applicantName: String
        public var unitName: String
        public var series: String
        public var level: String
        public var title: String
        /// Only for the panel and the office.
        public var sections: [String: [String: String]]
        /// The files its 附件 names, with what the province holds of each (as `sections`).
        public var files: [ReceivedFile] = []
        /// The caller's own vote (an expert of the panel).
        public var myVote: VoteRecord?
        /// After the session closes: the count of each vote and the outcome.
        public var agree: Int?
        public var disagree: Int?
        public var abstain: Int?
        /// What this session decided for it (通过 or 未通过), as its close recorded it (schema
        /// v32): never what the application's evaluation says later (an objection upheld sets
        /// that aside, and another session may decide it again). Nil unless the session closed
        /// (and for a session closed before v32 whose decision the audit log did not show).
        public var outcome: String?
        /// While the session is open (评审中): why a vote on it is not taken (for the panelist
        /// reading, first what bars it for good, `voteBar`: no longer 在库, or 回避 declared since
        /// the draw; then the session's date or the applicant's interview to come,
        /// `SessionTiming`), in the vote's own words; nil when it is.
        public var voteWaits: String?
    }

    public struct Member: Sendable {
        public var expertID: Int
        public var name: String
        public var unitName: String
        public var specialty: String
        /// panel, reserve or replaced.
        public var role: String
        public var position: Int
        /// How many applications this member has voted on: the office sees everyone's progress
        /// (never the votes), an expert only their own (nil for the others: who has voted is not
        /// the panel's business).
        public var votesCast: Int?
    }

    public struct Excluded: Sendable {
        public var expertID: Int
        public var name: String
        public var reason: String
    }

    public var id: Int
    public var committeeID: Int
    public var committeeName: String
    public var name: String
    public var series: String
    public var specialty: String?
    /// 评审日期 (YYYY-MM-DD) and 评审地点, when the office gave them.
    public var date: String?
    public var place: String?
    /// How many experts the draw picks; 0 while it is left to the draw (`count`).
    public var panelSize: Int
    public var reserves: Int
    public var rule: VotingRule
    /// planned, drawn (voting open), closed, no_quorum, cancelled.
    public var state: SessionState
    public var seed: String?
    public var inputsDigest: String?
    public var applications: [Application]
    public var members: [Member]
    /// Experts the draw left out (回避), with why.
    public var excluded: [Excluded]
    /// Every vote, once the session is closed (secret until then).
    public var votes: [VoteRecord]
    public var outcome: String?
    /// Whether the caller sits on the panel (and may vote while the session is open).
    public var callerIsPanelist: Bool
    /// Who cancelled the session, when and why (nil unless cancelled).
    public var cancellation: Cancellation?

    public struct Cancellation: Sendable {
        public var reason: String
        public var at: Double
        /// The office admin's name when they cancelled it (schema v26; one cancelled before
        /// it: as their account has it now).
        public var by: String
    }

    /// Whether the caller (the office) may cancel it now: planned, or drawn before any vote.
    public var mayCancel: Bool

    /// While the session is open (评审中): why it may not be closed yet (its date, or the
    /// interview of one of its applications, to come: `SessionTiming`), nil when it may.
    public var closeWaits: String?

    public var stateLabel: String { state.label }
}

public struct VoteRecord: Sendable {
    public var applicationID: Int
    public var expertID: Int
    public var expertName: String
    public var vote: Vote
    public var score: Int?
    public var comment: String
    public var at: Double
    /// Why the close did not count it (VoteCount: 已暂停, 已退出, a conflict); nil: counted.
    public var leftOut: String?
}

/// What `verify` found when it re-ran a recorded draw.
public struct DrawVerification: Sendable, Encodable {
    public var session: Int
    public var seed: String
    public var inputsDigest: String
    /// The recorded inputs still hash to the recorded digest (nobody edited them).
    public var digestMatches: Bool
    public var panel: [Int]
    public var reserves: [Int]
    public var recomputedPanel: [Int]
    public var recomputedReserves: [Int]
    /// Re-running the recorded inputs with the recorded seed gave the recorded experts.
    public var reproduced: Bool
    /// The record stands: its inputs hash to its digest and re-running them gives its
    /// experts (`digestMatches` and `reproduced`; SPEC §5.1's `{matches}`).
    public var matches: Bool
    /// The database today yields the same inputs (no expert added, suspended or changed since).
    public var inputsCurrent: Bool
    /// What a draw with the same seed would pick from today's inputs (nil if it cannot run).
    public var currentPanel: [Int]?

    enum CodingKeys: String, CodingKey {
        case session, seed, inputsDigest = "inputs_digest", digestMatches = "digest_matches", panel, reserves
        case recomputedPanel = "recomputed_panel", recomputedReserves = "recomputed_reserves", reproduced, matches
        case inputsCurrent = "inputs_current", currentPanel = "current_panel"
    }
}

/// 专家抽取 and 专家进行评审 (SPEC §8): a province committee plans a review session
/// for some of the applications it received, draws its panel from the expert
/// database (recording seed and inputs, so anyone can verify the draw), the panel
/// votes in secret, and closing the session applies the committee's rule: the
/// results enter public notice and flow back to the cities like any committee result.
public struct SessionService: Sendable {
    let store: TenantStore
    let evaluations: EvaluationService

    public init(store: TenantStore, evaluations: EvaluationService) {
        self.store = store
        self.evaluations = evaluations
    }

    // MARK: Planning and drawing

    /// Plans a session of `applications`. Its name is `name`, or else made from `date`
    /// (one of the two is required); `panelSize` nil leaves the panel's size to the draw.
    public func create(committee committeeID: Int, name rawName: String?, date rawDate: String? = nil, place rawPlace: String? = nil, series: String,
                       specialty rawSpecialty: String?, panelSize: Int?, reserves: Int, applications: [Int], caller: SignedIn) async throws -> SessionView {
        try Access.requireOrgAdmin(caller)
        let date = try rawDate.flatMap { $0.trimmingWhitespaceAndNewlines().isEmpty ? nil : try CalendarDate($0, field: "date") }
        // A session is planned for today or a day to come (China time), never for one past.
        if let date { try SessionTiming.requirePlannedDate(date) }
        let place = try FreeText.sessionPlace.validate(rawPlace)
        let givenName = rawName?.trimmingWhitespaceAndNewlines() ?? ""
        guard let wanted = givenName.isEmpty ? date.map({ "\($0)评审会" }) : givenName else {
            throw ZhichengError.invalid("请填写评审会名称或评审日期", field: "name")
        }
        let name = try TenantInfo.validateName(wanted)
        // The specialty as an expert's is read (what the draw matches it against), or none.
        let specialty = try rawSpecialty.flatMap { $0.trimmingInvisibles().isEmpty ? nil : try ApplicationKind.validateSpecialty($0) }
        try Self.checkReserves(reserves)
        guard !applications.isEmpty, applications.count <= 500 else { throw ZhichengError.invalid("请选择本次评审的申报（1至500份）", field: "applications") }
        return try await store.write(caller) { conn in
            try ExpertService.requireProvinceOffice(caller, conn, admin: true)
            guard let committee = try EvaluationService.committee(committeeID, conn), committee.orgID == caller.orgID else {
                throw ZhichengError.notFound("没有这个评委会")
            }
            if let panelSize { try committee.rule.checkPanel(panelSize) }
            guard committee.series.contains(series) else { throw ZhichengError.invalid("评委会“\(committee.name)”不负责“\(series.prefix(30))”系列", field: "series") }
            for id in Set(applications) {
                guard let row = try conn.query("SELECT series, level, state FROM received_applications WHERE id = ? AND kind = 'title'", [id]).first else {
                    throw ZhichengError.invalid("没有编号为 \(id) 的报送申报", field: "applications")
                }
                guard row["series"].string == series, let level = TitleLevel(rawValue: row["level"].string ?? ""), committee.levels.contains(level) else {
                    throw ZhichengError.invalid("申报 \(id) 不属于本次评审的系列或评委会负责的级别", field: "applications")
                }
                guard row["state"].string != "in_review" else { throw ZhichengError.conflict("申报 \(id) 尚在省职改办审查中") }
                guard row["state"].string == "received" else { throw ZhichengError.conflict("申报 \(id) 已有评审结果") }
                if let holding = try Self.holdingSession(of: id, conn) {
                    throw ZhichengError.conflict("申报 \(id) 已在另一场未结束的评审会“\(holding.name)”中")
                }
            }
            try conn.run("""
                INSERT INTO review_sessions (committee_id, name, date, place, series, specialty, panel_size, reserves, rule, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [committee.id, name, date?.description, place.isEmpty ? nil : place, series, specialty, panelSize ?? 0, reserves,
                      committee.rule.name, Date().timeIntervalSince1970])
            let session = Int(conn.lastInsertRowID)
            for id in Set(applications) { try conn.run("INSERT INTO session_applications (session_id, received_id) VALUES (?, ?)", [session, id]) }
            try conn.appendAudit(caller.audit(.sessionCreate, target: "session:\(session)",
                                              detail: #"{"committee":\#(committee.id),"applications":\#(Set(applications).count),"panel_size":\#(panelSize ?? 0)}"#))
            return try Self.view(session, caller: caller, conn)
        }
    }

    static func checkReserves(_ reserves: Int) throws(ZhichengError) {
        guard (0...20).contains(reserves) else { throw .invalid("备选专家人数应为0至20", field: "reserves") }
    }

    /// Sessions the caller may see: the office's, or those the caller sits on as an expert.
    public func list(caller: SignedIn) async throws -> [SessionView] {
        try await store.read(caller) { conn in
            let ids: [Int]
            if let expert = try Self.expertID(of: caller, conn) {
                ids = try conn.query("SELECT session_id FROM session_experts WHERE expert_id = ? AND role = 'panel' ORDER BY session_id DESC", [expert]).compactMap { $0["session_id"].int }
            } else {
                // The office's sessions are its admin's (评审会与专家抽取): a session holds every
                // application's sections in full and, once closed, who voted how, which the
                // office's reviewers, each limited to their series and sections, may not read.
                try ExpertService.requireProvinceOffice(caller, conn)
                ids = caller.kind != .orgAdmin ? [] : try conn.query(
                    "SELECT s.id FROM review_sessions s JOIN committees c ON c.id = s.committee_id WHERE c.org_id = ? ORDER BY s.id DESC", [caller.orgID])
                    .compactMap { $0["id"].int }
            }
            return try ids.map { try Self.view($0, caller: caller, conn, summary: true) }
        }
    }

    /// A session open for voting (评审中) with the applications in it an expert has not voted
    /// on yet, counted by whether the vote can be cast now (`SessionTiming.wait`, the rule the
    /// vote itself is held to): an expert's 首页 counts what they can do, and says apart what waits.
    public struct AwaitingVotes: Sendable, Equatable {
        public var id: Int
        public var name: String
        /// Votes the expert can cast now.
        public var castable: Int
        /// Votes that wait for the session's 评审日期 (`date`, a day to come).
        public var waitingForDate: Int
        public var date: String?
        /// Votes that wait for the applicant's interview (面试通知), the session's day come.
        public var waitingForInterview: Int
        /// Votes the expert may not cast at all (`VoteCount.bar`, the rule the vote and the close
        /// are held to): 回避 under their record today (a relation declared since the draw, an
        /// applicant who moved to their unit), or they are no longer 在库 (暂停, 退出).
        public var barred = 0
    }

    /// An expert's sessions open for voting (评审中) with the applications in each the expert
    /// has not voted on yet (`AwaitingVotes`), oldest session first; those with none left out;
    /// empty for anyone who is not an expert.
    public func awaitingVotes(caller: SignedIn) async throws -> [AwaitingVotes] {
        try await store.read(caller) { conn in
            guard let expert = try Self.expertID(of: caller, conn) else { return [] }
            let now = Date()
            let me = try conn.query("SELECT \(Self.candidateColumns), e.state AS state FROM experts e WHERE e.id = ?", [expert]).first
            let myState = ExpertState(rawValue: me?["state"].string ?? "") ?? .retired
            return try conn.query("""
                SELECT s.id, s.name FROM session_experts m JOIN review_sessions s ON s.id = m.session_id
                WHERE m.expert_id = ? AND m.role = 'panel' AND s.state = 'drawn' ORDER BY s.id
                """, [expert]).compactMap { row in
                guard let id = row["id"].int else { return nil }
                let date = try Self.date(of: id, conn)
                let voted = Set(try conn.query("SELECT received_id FROM votes WHERE session_id = ? AND expert_id = ?", [id, expert]).compactMap { $0["received_id"].int })
                var waiting = AwaitingVotes(id: id, name: row["name"].string ?? "", castable: 0, waitingForDate: 0, date: date?.description, waitingForInterview: 0)
                let applicants = Dictionary(try conn.query("""
                    SELECT r.id AS received, \(Self.applicantColumns) FROM session_applications sa JOIN received_applications r ON r.id = sa.received_id
                    WHERE sa.session_id = ?
                    """, [id]).map { ($0["received"].int ?? 0, Self.applicant(from: $0)) }) { first, _ in first }
                for (application, interview) in try Self.interviews(id, conn) where !voted.contains(application) {
                    if let me, let applicant = applicants[application], VoteCount.bar(Self.candidate(from: me), state: myState, applicant: applicant) != nil {
                        waiting.barred += 1
                        continue
                    }
                    switch SessionTiming.wait(date: date, interviews: [interview], now: now) {
                    case nil: waiting.castable += 1
                    case .sessionDate: waiting.waitingForDate += 1
                    case .interview: waiting.waitingForInterview += 1
                    }
                }
                return waiting.castable + waiting.waitingForDate + waiting.waitingForInterview + waiting.barred > 0 ? waiting : nil
            }
        }
    }

    public func get(_ id: Int, caller: SignedIn) async throws -> SessionView {
        try await store.read(caller) { conn in try Self.view(id, caller: caller, conn) }
    }

    /// Draws the panel and reserves. `count` and `reserves`, when given, set how many
    /// (checked against the committee's rule) in place of what the session was planned
    /// with; a session planned without a panel size needs `count`. `seed` defaults to 128
    /// random bits (hex); either way it is recorded with the inputs and their SHA-256.
    public func draw(_ id: Int, count: Int? = nil, reserves: Int? = nil, seed rawSeed: String?, caller: SignedIn) async throws -> SessionView {
        try Access.requireOrgAdmin(caller)
        if let reserves { try Self.checkReserves(reserves) }
        let seed = try FreeText.drawSeed.validate(rawSeed)
        let chosenSeed = seed.isEmpty ? hexString((0..<16).map { _ in UInt8.random(in: 0...255) }) : seed
        return try await store.write(caller) { conn in
            try ExpertService.requireProvinceOffice(caller, conn, admin: true)
            let session = try Self.session(id, caller: caller, conn)
            try Self.state(of: session).require(.draw)
            if let count {
                let rule = (try? VotingRule.named(session["rule"].string ?? "")) ?? .national
                do { try rule.checkPanel(count) } catch let error as ZhichengError { throw ZhichengError(error.code, error.message, field: "count") }
                try conn.run("UPDATE review_sessions SET panel_size = ? WHERE id = ?", [count, id])
            } else if session["panel_size"].int ?? 0 == 0 {
                throw ZhichengError.invalid("本场评审会未定抽取人数，请填写抽取人数", field: "count")
            }
            if let reserves { try conn.run("UPDATE review_sessions SET reserves = ? WHERE id = ?", [reserves, id]) }
            let inputs = try Self.currentInputs(id, conn)
            let result = try ExpertDraw.run(inputs, seed: chosenSeed)
            let inputsText = try Self.canonical(inputs)
            let digest = sha256Hex(Array(inputsText.utf8))
            let now = Date().timeIntervalSince1970
            try conn.run("UPDATE review_sessions SET state = 'drawn', seed = ?, inputs = ?, inputs_digest = ?, result = ?, drawn_at = ? WHERE id = ?",
                         [chosenSeed, inputsText, digest, try Self.canonical(result), now, id])
            for (position, expert) in result.panel.enumerated() {
                try conn.run("INSERT INTO session_experts (session_id, expert_id, role, position) VALUES (?, ?, 'panel', ?)", [id, expert, position + 1])
            }
            for (position, expert) in result.reserves.enumerated() {
                try conn.run("INSERT INTO session_experts (session_id, expert_id, role, position) VALUES (?, ?, 'reserve', ?)", [id, expert, position + 1])
            }
            try conn.appendAudit(caller.audit(.sessionDraw, target: "session:\(id)",
                                              detail: #"{"seed":\#(jsonString(chosenSeed)),"inputs_sha256":"\#(digest)","panel":\#(result.panel),"reserves":\#(result.reserves)}"#))
            return try Self.view(id, caller: caller, conn)
        }
    }

    /// Re-runs a recorded draw (for the office).
    public func verify(_ id: Int, caller: SignedIn) async throws -> DrawVerification {
        try await store.read(caller) { conn in
            try ExpertService.requireProvinceOffice(caller, conn, admin: true)
            _ = try Self.session(id, caller: caller, conn)
            return try Self.verify(id, conn)
        }
    }

    /// Re-runs a recorded draw (for the admin protocol: `draw.verify`).
    public func verify(tenant: TenantID, session id: Int) async throws -> DrawVerification {
        try await store.withTenant(tenant) { db in try await db.read { conn in try Self.verify(id, conn) } }
    }

    static func verify(_ id: Int, _ conn: SQLiteConnection) throws -> DrawVerification {
        guard let row = try conn.query("SELECT state, seed, inputs, inputs_digest, result FROM review_sessions WHERE id = ?", [id]).first else {
            throw ZhichengError.notFound("没有这场评审会")
        }
        guard let seed = row["seed"].string, let inputsText = row["inputs"].string, let digest = row["inputs_digest"].string,
              let resultText = row["result"].string else { throw ZhichengError.conflict("本场评审会尚未抽取专家") }
        // A record edited so that it no longer reads, or no longer draws (too few experts left
        // in it), does not stand: that is the answer, not an error.
        let recorded = try? JSONDecoder().decode(ExpertDraw.Result.self, from: Data(resultText.utf8))
        let recordedInputs = try? JSONDecoder().decode(ExpertDraw.Inputs.self, from: Data(inputsText.utf8))
        let again = recordedInputs.flatMap { try? ExpertDraw.run($0, seed: seed) }
        // Today's database in the form the record has, under the rules it was drawn under (a
        // draw recorded before unit codes were carried has none): "current" means nothing it
        // knew of has changed, and today's panel is what those rules would draw today.
        let current = try recordedInputs.map { try currentInputs(id, conn).recorded(under: $0.rules) } ?? currentInputs(id, conn)
        let currentText = try canonical(current)
        let digestMatches = sha256Hex(Array(inputsText.utf8)) == digest
        // A record of a draw made when the province could list a current name among the former
        // ones (before schema v29, which took them out) is the same draw without them
        // (`currentNamesNotFormer`): today's inputs are compared with it in that form too. The
        // record itself is never rewritten: `matches` is of the text as recorded.
        let inputsCurrent = try currentText == inputsText || recordedInputs.map { try canonical($0.currentNamesNotFormer()) == currentText } == true
        return DrawVerification(
            session: id, seed: seed, inputsDigest: digest, digestMatches: digestMatches,
            panel: recorded?.panel ?? [], reserves: recorded?.reserves ?? [], recomputedPanel: again?.panel ?? [], recomputedReserves: again?.reserves ?? [],
            reproduced: again != nil && again == recorded, matches: again != nil && again == recorded && digestMatches, inputsCurrent: inputsCurrent,
            currentPanel: (try? ExpertDraw.run(current, seed: seed))?.panel)
    }

    /// Replaces a panel member who cannot attend with the first reserve, before any vote.
    public func replace(_ id: Int, expert expertID: Int, caller: SignedIn) async throws -> SessionView {
        try Access.requireOrgAdmin(caller)
        return try await store.write(caller) { conn in
            try ExpertService.requireProvinceOffice(caller, conn, admin: true)
            let session = try Self.session(id, caller: caller, conn)
            try Self.state(of: session).require(.replace(votesCast: try Self.votesCast(id, conn)))
            guard let member = try conn.query("SELECT position FROM session_experts WHERE session_id = ? AND expert_id = ? AND role = 'panel'", [id, expertID]).first else {
                throw ZhichengError.notFound("该专家不在本场评审会的评审组中")
            }
            // The first reserve still 在库 and free of 回避 with every applicant of the session under
            // their record today (a relation declared since the draw): one suspended, retired or
            // now in conflict could not vote, and could not be replaced once votes were cast.
            let applicants = try conn.query("""
                SELECT \(Self.applicantColumns) FROM session_applications sa JOIN received_applications r ON r.id = sa.received_id WHERE sa.session_id = ?
                """, [id]).map(Self.applicant(from:))
            guard let reserve = try conn.query("""
                SELECT \(Self.candidateColumns) FROM session_experts m JOIN experts e ON e.id = m.expert_id
                WHERE m.session_id = ? AND m.role = 'reserve' AND e.state = 'active' ORDER BY m.position
                """, [id]).map(Self.candidate(from:)).first(where: { reserve in
                    applicants.allSatisfy { VoteCount.bar(reserve, state: .active, applicant: $0) == nil }   // the close's own rule
                })?.id else {
                throw ZhichengError.conflict("没有可替补的备选专家（在库且无需回避）")
            }
            try conn.run("UPDATE session_experts SET role = 'replaced' WHERE session_id = ? AND expert_id = ?", [id, expertID])
            try conn.run("UPDATE session_experts SET role = 'panel', position = ? WHERE session_id = ? AND expert_id = ?", [member["position"].int ?? 0, id, reserve])
            try conn.appendAudit(caller.audit(.sessionReplace, target: "session:\(id)", detail: #"{"out":\#(expertID),"in":\#(reserve)}"#))
            return try Self.view(id, caller: caller, conn)
        }
    }

    // MARK: Voting and closing

    /// A panel expert's vote on one application; changeable until the session closes.
    public func vote(_ id: Int, application: Int, vote rawVote: String, score: Int?, comment rawComment: String, caller: SignedIn) async throws -> SessionView {
        guard caller.kind == .staff else { throw ZhichengError(.forbidden, "只有本场评审会评审组的专家可以投票") }
        return try await store.write(caller) { conn in
            guard let expert = try Self.expertID(of: caller, conn),
                  try conn.scalar("SELECT count(*) FROM session_experts WHERE session_id = ? AND expert_id = ? AND role = 'panel'", [id, expert])?.int == 1 else {
                throw ZhichengError(.forbidden, "只有本场评审会评审组的专家可以投票")
            }
            guard let vote = Vote(rawValue: rawVote) else {
                throw ZhichengError.invalid("vote 应为 agree（同意）、disagree（不同意）或 abstain（弃权）", field: "vote", screen: "请选择表决意见：同意、不同意或弃权")
            }
            if let score, !(0...100).contains(score) { throw ZhichengError.invalid("评分应为0至100", field: "score") }
            let comment = try FreeText.voteComment.validate(rawComment)
            guard try conn.scalar("SELECT state FROM experts WHERE id = ?", [expert])?.string == "active" else { throw ZhichengError(.forbidden, "您在专家库中的状态不是“在库”") }
            try Self.state(of: try Self.session(id, caller: caller, conn)).require(.vote)
            guard try conn.scalar("SELECT count(*) FROM session_applications WHERE session_id = ? AND received_id = ?", [id, application])?.int == 1 else {
                throw ZhichengError.notFound("本场评审会没有这份申报")
            }
            // An expert no longer 在库, or with 回避 under their record today (a relation declared
            // since the draw naming this applicant): the close would not count the vote, so it is
            // not taken, whatever the date (`voteBar`, which the session's page says too).
            if let me = try conn.query("SELECT \(Self.candidateColumns), e.state AS state FROM experts e WHERE e.id = ?", [expert]).first,
               let theirs = try conn.query("SELECT \(Self.applicantColumns) FROM received_applications r WHERE r.id = ?", [application]).first,
               let bar = Self.voteBar(me, applicant: Self.applicant(from: theirs)) {
                throw ZhichengError(.forbidden, bar.message, field: bar.field)
            }
            // Not before the session's date, nor before the applicant's interview (SessionTiming).
            try SessionTiming.require(.vote, date: try Self.date(of: id, conn), interviews: try Self.interviews(id, only: application, conn).map(\.interview))
            try conn.run("""
                INSERT INTO votes (session_id, received_id, expert_id, vote, score, comment, at) VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (session_id, received_id, expert_id) DO UPDATE SET vote = excluded.vote, score = excluded.score, comment = excluded.comment, at = excluded.at
                """, [id, application, expert, vote.rawValue, score, comment, Date().timeIntervalSince1970])
            // The audit records that a vote was cast, never which.
            try conn.appendAudit(caller.audit(.sessionVote, target: "session:\(id)", detail: #"{"application":\#(application)}"#))
            return try Self.view(id, caller: caller, conn)
        }
    }

    /// Closes voting and applies the committee's rule to each application, counting only
    /// the votes `VoteCount` counts (their expert still active, and free of conflict with the
    /// applicant under today's relations); the votes left out are marked and named in the
    /// outcome. If any application misses the quorum, the session says so and decides nothing.
    public func close(_ id: Int, caller: SignedIn) async throws -> SessionView {
        let until = evaluations.publicityDeadline()
        let view = try await store.write(caller) { conn in
            try ExpertService.requireProvinceOffice(caller, conn, admin: true)
            let session = try Self.session(id, caller: caller, conn)
            try Self.state(of: session).require(.close)
            // Not before the session's date, nor before the interview of any application it
            // decides (SessionTiming): the committee's result waits for them, as one by hand does.
            try SessionTiming.require(.close, date: try Self.date(of: id, conn), interviews: try Self.interviews(id, conn).map(\.interview))
            let rule = (try? VotingRule.named(session["rule"].string ?? "")) ?? .national
            let panel = try conn.scalar("SELECT count(*) FROM session_experts WHERE session_id = ? AND role = 'panel'", [id])?.int ?? 0
            var outcomes: [(Int, VotingRule.Outcome)] = []
            var leftOut: [VoteCount.LeftOut] = []
            for application in try conn.query("SELECT received_id FROM session_applications WHERE session_id = ? ORDER BY received_id", [id]).compactMap({ $0["received_id"].int }) {
                guard let applicantRow = try conn.query("SELECT \(Self.applicantColumns) FROM received_applications r WHERE r.id = ?", [application]).first else {
                    throw ZhichengError.internal("session \(id) names received application \(application), which is missing")
                }
                // Each vote with its expert as the database has them now.
                let cast = try conn.query("""
                    SELECT \(Self.candidateColumns), e.state AS state, v.vote AS vote
                    FROM votes v JOIN session_experts m ON m.session_id = v.session_id AND m.expert_id = v.expert_id AND m.role = 'panel'
                    JOIN experts e ON e.id = v.expert_id
                    WHERE v.session_id = ? AND v.received_id = ? ORDER BY v.expert_id
                    """, [id, application]).compactMap { row -> VoteCount.Cast? in
                    guard let vote = row["vote"].string.flatMap(Vote.init(rawValue:)) else { return nil }
                    // A state this build does not know is not active: its votes are left out.
                    return VoteCount.Cast(expert: Self.candidate(from: row), state: ExpertState(rawValue: row["state"].string ?? "") ?? .retired, vote: vote)
                }
                let tally = VoteCount.tally(cast, applicant: Self.applicant(from: applicantRow), panel: panel, rule: rule)
                for item in tally.leftOut {
                    try conn.run("UPDATE votes SET left_out = ? WHERE session_id = ? AND received_id = ? AND expert_id = ?", [item.reason, id, application, item.expertID])
                }
                leftOut += tally.leftOut
                outcomes.append((application, tally.outcome))
            }
            let now = Date().timeIntervalSince1970
            // Named as the session page names them (the id is the province's internal one).
            let names = Dictionary(try conn.query("""
                SELECT r.id, r.applicant_name, r.title FROM session_applications sa JOIN received_applications r ON r.id = sa.received_id WHERE sa.session_id = ?
                """, [id]).map { ($0["id"].int ?? 0, "\($0["applicant_name"].string ?? "")（\($0["title"].string ?? "")）") }, uniquingKeysWith: { a, _ in a })
            let short = outcomes.compactMap { application, outcome -> String? in
                if case let .noQuorum(present, required) = outcome { return "\(names[application] ?? "申报\(application)")到会\(present)人（须至少\(required)人）" }
                return nil
            }
            if !short.isEmpty {
                // The votes left out are the office's to read (`view`): a panelist is not told whose
                // vote did not count, nor why (回避 names an applicant's relations).
                let text = "未达到法定人数，本次评审不作决定：" + short.joined(separator: "；")
                try conn.run("UPDATE review_sessions SET state = 'no_quorum', outcome = ?, closed_at = ? WHERE id = ?", [text, now, id])
                try Self.keepNames(id, conn)
                try conn.appendAudit(caller.audit(.sessionNoQuorum, target: "session:\(id)", detail: #"{"panel":\#(panel),"left_out":\#(leftOut.count)}"#))
                return try Self.view(id, caller: caller, conn)
            }
            for (application, outcome) in outcomes {
                let (result, note): (String, String)
                switch outcome {
                case let .passed(agree, present): (result, note) = ("通过", "\(session["name"].string ?? "")：同意\(agree)票，到会\(present)人")
                case let .failed(agree, present): (result, note) = ("未通过", "\(session["name"].string ?? "")：同意\(agree)票，到会\(present)人")
                case .noQuorum: continue
                }
                _ = try EvaluationService.recordResult(.received(application), result: result, note: note, publicityUntil: until, caller: caller,
                                                       committee: session["committee_id"].int, conn)
                // What this session decided, kept with it (schema v32): the application's evaluation
                // may be set aside later (an objection upheld) and decided again elsewhere; this stays.
                try conn.run("UPDATE session_applications SET outcome = ? WHERE session_id = ? AND received_id = ?", [result, id, application])
            }
            let text = "已按\(rule.label)作出评审结果，进入公示"
            try conn.run("UPDATE review_sessions SET state = 'closed', outcome = ?, closed_at = ? WHERE id = ?", [text, now, id])
            try Self.keepNames(id, conn)
            try conn.appendAudit(caller.audit(.sessionClose, target: "session:\(id)",
                                              detail: #"{"panel":\#(panel),"applications":\#(outcomes.count),"left_out":\#(leftOut.count)}"#))
            return try Self.view(id, caller: caller, conn)
        }
        // The results in public notice go to the applicants' cities.
        evaluations.relay?.kick(caller.tenant)
        return view
    }

    // MARK: Cancelling

    /// Cancels a session (取消评审会) that is planned, or drawn before any vote, with the
    /// office's reason: it stays readable as it was, says who cancelled it, when and why, and no
    /// longer holds its applications (`SessionState.holdsApplications`), which may then get a
    /// result by hand or sit in a new session. A session whose draw is refused for want of
    /// experts would otherwise hold them for ever.
    public func cancel(_ id: Int, reason rawReason: String?, caller: SignedIn) async throws -> SessionView {
        try Access.requireOrgAdmin(caller)
        return try await store.write(caller) { conn in
            // Who and which session first, then what was sent (as every other route).
            try ExpertService.requireProvinceOffice(caller, conn, admin: true)
            let session = try Self.session(id, caller: caller, conn)
            let reason = try SessionState.cancelReason(rawReason)
            let votes = try Self.votesCast(id, conn)
            try Self.state(of: session).require(.cancel(votesCast: votes))
            // With the admin's name as it is now (schema v26): the page says who cancelled it as they were then.
            try conn.run("""
                UPDATE review_sessions SET state = 'cancelled', cancel_reason = ?1, cancelled_at = ?2, cancelled_by = ?3,
                    cancelled_by_name = (SELECT name FROM accounts WHERE id = ?3) WHERE id = ?4
                """, [reason, Date().timeIntervalSince1970, caller.accountID, id])
            try Self.keepNames(id, conn)
            let applications = try conn.query("SELECT received_id FROM session_applications WHERE session_id = ? ORDER BY received_id", [id])
                .compactMap { $0["received_id"].int }
            try conn.appendAudit(caller.audit(.sessionCancel, target: "session:\(id)",
                                              detail: #"{"reason":\#(jsonString(reason)),"was":"\#(session["state"].string ?? "")","applications":\#(applications)}"#))
            return try Self.view(id, caller: caller, conn)
        }
    }

    /// Keeps with session `id`, as it ends (closed, short of its quorum, cancelled), its
    /// applicants and its experts as they are named now, with their units (schema v39): its record
    /// reads them from then on (`view`), so that a name corrected later, in the applicant's city or
    /// on the expert's account, does not rewrite what the ended session says of them.
    static func keepNames(_ id: Int, _ conn: SQLiteConnection) throws {
        try conn.run("""
            UPDATE session_applications SET
                applicant_name = (SELECT r.applicant_name FROM received_applications r WHERE r.id = session_applications.received_id),
                unit_name = (SELECT r.unit_name FROM received_applications r WHERE r.id = session_applications.received_id)
            WHERE session_id = ?
            """, [id])
        try conn.run("""
            UPDATE session_experts SET
                name = (SELECT e.name FROM experts e WHERE e.id = session_experts.expert_id),
                unit_name = (SELECT e.unit_name FROM experts e WHERE e.id = session_experts.expert_id)
            WHERE session_id = ?
            """, [id])
    }

    /// The session that holds received application `id` (planned or drawn: the one rule,
    /// `SessionState.holdsApplications`), if any. While one does, no other session may take the
    /// application and no result may be entered for it by hand.
    static func holdingSession(of id: Int, _ conn: SQLiteConnection) throws -> (id: Int, name: String)? {
        try conn.query("""
            SELECT s.id, s.name FROM session_applications sa JOIN review_sessions s ON s.id = sa.session_id
            WHERE sa.received_id = ? AND s.state IN \(SessionState.holdingSQL) ORDER BY s.id LIMIT 1
            """, [id]).first.map { ($0["id"].int ?? 0, $0["name"].string ?? "") }
    }

    // MARK: Helpers

    /// A session row's state; one this build does not know is an error, not a guess.
    static func state(of row: SQLiteRow) throws -> SessionState {
        guard let state = row["state"].string.flatMap(SessionState.init(rawValue:)) else {
            throw ZhichengError.internal("review session has an unknown state \(row["state"].string ?? "NULL")")
        }
        return state
    }

    /// The session's 评审日期, when it has one (stored `YYYY-MM-DD`, as `create` checked it).
    static func date(of id: Int, _ conn: SQLiteConnection) throws -> CalendarDate? {
        try conn.scalar("SELECT date FROM review_sessions WHERE id = ?", [id])?.string.flatMap { try? CalendarDate($0) }
    }

    /// The session's applications (or only `application`) with the time of their 面试通知 as
    /// their evaluation keeps it (nil: none sent), each named as the session page names it.
    static func interviews(_ id: Int, only application: Int? = nil, _ conn: SQLiteConnection) throws -> [(id: Int, interview: SessionTiming.Interview)] {
        try conn.query("""
            SELECT r.id, r.applicant_name, r.title, e.interview_time FROM session_applications sa JOIN received_applications r ON r.id = sa.received_id
            LEFT JOIN evaluations e ON e.received_id = r.id
            WHERE sa.session_id = ?1 AND (?2 IS NULL OR r.id = ?2) ORDER BY r.id
            """, [id, application]).map {
            ($0["id"].int ?? 0,
             SessionTiming.Interview(application: "\($0["applicant_name"].string ?? "")（\($0["title"].string ?? "")）", stored: $0["interview_time"].string))
        }
    }

    /// How many votes have been cast in the session.
    static func votesCast(_ id: Int, _ conn: SQLiteConnection) throws -> Int {
        try conn.scalar("SELECT count(*) FROM votes WHERE session_id = ?", [id])?.int ?? 0
    }

    static func expertID(of caller: SignedIn, _ conn: SQLiteConnection) throws -> Int? {
        try conn.scalar("SELECT id FROM experts WHERE account_id = ?", [caller.accountID])?.int
    }

    /// The session row, if the caller's org holds its committee or the caller sits on its panel.
    static func session(_ id: Int, caller: SignedIn, _ conn: SQLiteConnection) throws -> SQLiteRow {
        guard let row = try conn.query("""
            SELECT s.*, c.name AS committee_name, c.org_id FROM review_sessions s JOIN committees c ON c.id = s.committee_id WHERE s.id = ?
            """, [id]).first else { throw ZhichengError.notFound("没有这场评审会") }
        if let expert = try expertID(of: caller, conn) {
            guard try conn.scalar("SELECT count(*) FROM session_experts WHERE session_id = ? AND expert_id = ? AND role = 'panel'", [id, expert])?.int == 1 else {
                throw ZhichengError.notFound("没有这场评审会")
            }
        } else {
            guard row["org_id"].int == caller.orgID else { throw ZhichengError.notFound("没有这场评审会") }
            // Not an expert of its panel: the office's admin only (see `list`).
            try Access.requireOrgAdmin(caller)
        }
        return row
    }

    /// The draw's inputs as the database has them now.
    static func currentInputs(_ id: Int, _ conn: SQLiteConnection) throws -> ExpertDraw.Inputs {
        guard let s = try conn.query("SELECT series, specialty, panel_size, reserves FROM review_sessions WHERE id = ?", [id]).first else {
            throw ZhichengError.notFound("没有这场评审会")
        }
        var sql = "SELECT \(candidateColumns) FROM experts e WHERE e.state = 'active' AND e.series = ?"
        var args: [any SQLiteBindable] = [s["series"].string ?? ""]
        if let specialty = s["specialty"].string { sql += " AND e.specialty = ?"; args.append(specialty) }
        let candidates = try conn.query(sql + " ORDER BY e.id", args).map(candidate(from:))
        let applicants = try conn.query("""
            SELECT \(applicantColumns) FROM session_applications sa JOIN received_applications r ON r.id = sa.received_id
            WHERE sa.session_id = ?
            """, [id]).map(applicant(from:))
        return ExpertDraw.Inputs(series: s["series"].string ?? "", specialty: s["specialty"].string, panelSize: s["panel_size"].int ?? 0,
                                 reserves: s["reserves"].int ?? 0, candidates: candidates, applicants: applicants)
    }

    /// The columns of `experts` (as `e`) a draw's candidate is made of.
    static let candidateColumns = """
        e.id AS id, e.name AS name, e.unit_name AS unit_name, e.unit_code AS unit_code, e.relations AS relations, e.id_number AS id_number,
        e.source_tenant AS source_tenant
        """

    /// An expert as the draw (and the close's 回避 check) sees them, from `candidateColumns`.
    static func candidate(from row: SQLiteRow) -> ExpertDraw.Candidate {
        ExpertDraw.Candidate(id: row["id"].int ?? 0, name: row["name"].string ?? "", unit: row["unit_name"].string ?? "",
                             relations: AccountRecord.strings(row["relations"]) ?? [], idNumber: row["id_number"].string,
                             tenant: row["source_tenant"].string, unitCode: row["unit_code"].string)
    }

    /// The columns of `received_applications` (as `r`) a draw's applicant is made of.
    static let applicantColumns = """
        r.applicant_name AS applicant_name, r.id_number AS id_number, r.unit_name AS unit_name, r.unit_code AS unit_code, r.source_tenant AS source_tenant,
        r.former_unit_names AS former_unit_names, r.former_applicant_names AS former_applicant_names
        """

    /// An applicant as the draw (and the close's 回避 check) sees them, from `applicantColumns`.
    static func applicant(from row: SQLiteRow) -> ExpertDraw.Applicant {
        ExpertDraw.Applicant(name: row["applicant_name"].string ?? "", idNumber: row["id_number"].string ?? "", unit: row["unit_name"].string ?? "",
                             tenant: row["source_tenant"].string, unitCode: row["unit_code"].string,
                             formerUnits: AccountRecord.strings(row["former_unit_names"]) ?? [],
                             formerNames: AccountRecord.strings(row["former_applicant_names"]) ?? [])
    }

    /// Why the expert of `row` (`candidateColumns` and `state`) may not vote on `applicant`'s
    /// application at all, as the vote's refusal and the session's page say it (`VoteCount.bar`,
    /// the rule the close counts by): no longer 在库 (暂停, 退出), or 回避 under their record
    /// today (a relation declared since the draw, an applicant who moved to their unit). Nil:
    /// they may, once the session's date and the interview allow (`SessionTiming`).
    static func voteBar(_ row: SQLiteRow, applicant: ExpertDraw.Applicant) -> (message: String, field: String?)? {
        // The vote checks this first of all, in these words (before the session's own state).
        guard ExpertState(rawValue: row["state"].string ?? "") == .active else { return ("您在专家库中的状态不是“在库”", nil) }
        return VoteCount.bar(candidate(from: row), state: .active, applicant: applicant).map { ("您对这份申报须回避（\($0)），不能对其投票", "application_id") }
    }

    /// The recorded text form: JSON with sorted keys, so equal inputs hash equal.
    static func canonical(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func view(_ id: Int, caller: SignedIn, _ conn: SQLiteConnection, summary: Bool = false) throws -> SessionView {
        let row = try session(id, caller: caller, conn)
        let state = try Self.state(of: row)
        let closed = state.isCounted
        let me = try expertID(of: caller, conn)
        let members = try conn.query("""
            SELECT m.expert_id, m.role, m.position, COALESCE(m.name, e.name) AS name, COALESCE(m.unit_name, e.unit_name) AS unit_name, e.specialty,
                   (SELECT count(*) FROM votes v WHERE v.session_id = m.session_id AND v.expert_id = m.expert_id) AS cast
            FROM session_experts m JOIN experts e ON e.id = m.expert_id WHERE m.session_id = ? ORDER BY m.role, m.position
            """, [id]).map {
            SessionView.Member(expertID: $0["expert_id"].int ?? 0, name: $0["name"].string ?? "", unitName: $0["unit_name"].string ?? "",
                               specialty: $0["specialty"].string ?? "", role: $0["role"].string ?? "", position: $0["position"].int ?? 0,
                               votesCast: me == nil || $0["expert_id"].int == me ? $0["cast"].int ?? 0 : nil)
        }
        let voteRows = try conn.query("""
            SELECT v.received_id, v.expert_id, COALESCE(m.name, e.name) AS name, v.vote, v.score, v.comment, v.at, v.left_out FROM votes v
            JOIN experts e ON e.id = v.expert_id LEFT JOIN session_experts m ON m.session_id = v.session_id AND m.expert_id = v.expert_id
            WHERE v.session_id = ? ORDER BY v.received_id, v.expert_id
            """, [id]).map {
            VoteRecord(applicationID: $0["received_id"].int ?? 0, expertID: $0["expert_id"].int ?? 0, expertName: $0["name"].string ?? "",
                       vote: Vote(rawValue: $0["vote"].string ?? "") ?? .abstain, score: $0["score"].int, comment: $0["comment"].string ?? "", at: $0["at"].double ?? 0,
                       leftOut: $0["left_out"].string)
        }
        // Open for voting: what each vote, and the office's close, wait for (`vote` and `close`
        // apply the same rule, `SessionTiming`).
        let open = state == .drawn && !summary
        let date = open ? try Self.date(of: id, conn) : nil
        let interviews = open ? try Self.interviews(id, conn) : []
        let interviewOf = Dictionary(interviews, uniquingKeysWith: { a, _ in a })
        // A panelist's votes barred (no longer 在库, or 回避 declared since the draw): the vote
        // would be refused, so the page says why in place of its form, as the vote would say it
        // (the close would not count it either).
        var bars: [Int: String] = [:]
        if open, let me, let mine = try conn.query("SELECT \(Self.candidateColumns), e.state AS state FROM experts e WHERE e.id = ?", [me]).first {
            for r in try conn.query("""
                SELECT r.id AS received, \(Self.applicantColumns) FROM session_applications sa JOIN received_applications r ON r.id = sa.received_id
                WHERE sa.session_id = ?
                """, [id]) {
                if let bar = Self.voteBar(mine, applicant: Self.applicant(from: r)) { bars[r["received"].int ?? 0] = bar.message }
            }
        }
        let now = Date()
        var applications: [SessionView.Application] = []
        if !summary {
            applications = try conn.query("""
                SELECT r.id, COALESCE(sa.applicant_name, r.applicant_name) AS applicant_name, COALESCE(sa.unit_name, r.unit_name) AS unit_name,
                       r.series, r.level, r.title, r.sections, r.source_tenant, r.source_application_id, sa.outcome
                FROM session_applications sa JOIN received_applications r ON r.id = sa.received_id
                WHERE sa.session_id = ? ORDER BY r.id
                """, [id]).map { r in
                let appID = r["id"].int ?? 0
                let mine = voteRows.first { $0.applicationID == appID && $0.expertID == me }
                // The tallies are of the votes the close counted (those it left out are the office's record).
                let these = voteRows.filter { $0.applicationID == appID && $0.leftOut == nil }
                return SessionView.Application(
                    id: appID, applicantName: r["applicant_name"].string ?? "", unitName: r["unit_name"].string ?? "", series: r["series"].string ?? "",
                    level: r["level"].string ?? "", title: r["title"].string ?? "", sections: ApplicationService.sections(fromSnapshot: r["sections"].string ?? "{}"),
                    files: try ReceivedFiles.listed(r["sections"].string, source: r["source_tenant"].string ?? "", application: r["source_application_id"].int ?? 0, conn),
                    myVote: mine,
                    agree: closed ? these.filter { $0.vote == .agree }.count : nil, disagree: closed ? these.filter { $0.vote == .disagree }.count : nil,
                    abstain: closed ? these.filter { $0.vote == .abstain }.count : nil, outcome: state == .closed ? r["outcome"].string : nil,
                    voteWaits: open ? bars[appID] ?? SessionTiming.refusal(.vote, date: date, interviews: interviewOf[appID].map { [$0] } ?? [], now: now)?.message : nil)
            }
        }
        // Said to the office, which closes it.
        let closeWaits = open && me == nil ? SessionTiming.refusal(.close, date: date, interviews: interviews.map(\.interview), now: now)?.message : nil
        let result = try row["result"].string.map { try JSONDecoder().decode(ExpertDraw.Result.self, from: Data($0.utf8)) }
        let inputs = try row["inputs"].string.map { try JSONDecoder().decode(ExpertDraw.Inputs.self, from: Data($0.utf8)) }
        let candidateNames = Dictionary((inputs?.candidates ?? []).map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        // Who was left out and why (回避 names applicants' relations) is the office's record.
        let excluded = me != nil ? [] : (result?.excluded ?? []).map { SessionView.Excluded(expertID: $0.expertID, name: candidateNames[$0.expertID] ?? "", reason: $0.reason) }
        var cancellation: SessionView.Cancellation?
        if state == .cancelled {
            // Who cancelled it as named then; a cancellation recorded before v26 has no name of its own and reads the account's.
            let by = try row["cancelled_by_name"].string
                ?? row["cancelled_by"].int.flatMap { try conn.scalar("SELECT name FROM accounts WHERE id = ?", [$0])?.string }
            cancellation = SessionView.Cancellation(reason: row["cancel_reason"].string ?? "", at: row["cancelled_at"].double ?? 0, by: by ?? "")
        }
        // Only the office acts on a session; the votes cast decide whether it may still cancel it.
        let mayCancel = me == nil && caller.kind == .orgAdmin && (try? state.require(.cancel(votesCast: voteRows.count))) != nil
        return SessionView(
            id: id, committeeID: row["committee_id"].int ?? 0, committeeName: row["committee_name"].string ?? "", name: row["name"].string ?? "",
            series: row["series"].string ?? "", specialty: row["specialty"].string, date: row["date"].string, place: row["place"].string,
            panelSize: row["panel_size"].int ?? 0, reserves: row["reserves"].int ?? 0,
            rule: (try? VotingRule.named(row["rule"].string ?? "")) ?? .national, state: state, seed: row["seed"].string, inputsDigest: row["inputs_digest"].string,
            // Who voted how is the office's record; a panelist sees the tallies and their own vote
            // (secret voting, also after the close).
            applications: applications, members: members, excluded: excluded, votes: closed && me == nil ? voteRows : [],
            outcome: row["outcome"].string.map { stored in
                // The office reads which votes the close left out, and why; a panelist does not.
                let note = me == nil ? VoteCount.note(voteRows.compactMap { v in
                    v.leftOut.map { VoteCount.LeftOut(expertID: v.expertID, expertName: v.expertName, reason: $0) }
                }) : ""
                return note.isEmpty ? stored : stored + "。" + note
            }, callerIsPanelist: me.map { expert in members.contains { $0.expertID == expert && $0.role == "panel" } } ?? false,
            cancellation: cancellation, mayCancel: mayCancel, closeWaits: closeWaits)
    }
}
