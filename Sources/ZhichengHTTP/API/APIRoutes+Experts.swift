import Foundation
import Hummingbird
import ZhichengApp
import ZhichengCore

/// 专家推荐审查 at the province, the expert database, review sessions with their
/// draw (专家抽取) and voting (专家进行评审) (SPEC §8).
extension APIRoutes {
    static func addExperts(to signedIn: RouterGroup<AccountRequestContext>, services s: AppServices) {
        // 专家推荐审查 (province office)
        signedIn.get("expert-applications") { request, context in
            let waiting = try APIJSON.boolean("waiting", in: request) ?? false
            let page = try await s.experts.applications(caller: context.caller, waitingOnly: waiting, limit: try APIJSON.integer("limit", in: request) ?? 200,
                                                        before: try APIJSON.integer("before", in: request), search: request.textQuery("q"))
            return try APIJSON.response(ProvinceReviewPageDTO(applications: page.items.map(ProvinceReviewDTO.init), next: page.next))
        }
        signedIn.get("expert-applications/{id}") { _, context in
            try APIJSON.response(ProvinceReviewDTO(try await s.experts.application(try id(context), caller: context.caller)))
        }
        signedIn.post("expert-applications/{id}/decision") { request, context in
            let body = try await APIJSON.decode(ExpertDecisionBody.self, from: request)
            let outcome = try await s.experts.decide(try id(context), decision: body.decision, comment: body.comment ?? "", version: body.version, step: body.step, caller: context.caller)
            return try APIJSON.response(ExpertDecisionDTO(application: ProvinceReviewDTO(outcome.application), expert: outcome.expert.map(ExpertDTO.init),
                                                          oneTimePassword: outcome.password))
        }

        // The province office's 经办人/负责人 review of 副高级/正高级 title applications
        signedIn.get("province/reviews") { request, context in
            let waiting = try APIJSON.boolean("waiting", in: request) ?? false
            let page = try await s.provinceReviews.applications(caller: context.caller, waitingOnly: waiting, limit: try APIJSON.integer("limit", in: request) ?? 200,
                                                                before: try APIJSON.integer("before", in: request), search: request.textQuery("q"))
            return try APIJSON.response(ProvinceReviewPageDTO(applications: page.items.map(ProvinceReviewDTO.init), next: page.next))
        }
        signedIn.get("province/reviews/done") { request, context in
            let items = try await s.provinceReviews.reviewed(caller: context.caller, limit: try APIJSON.integer("limit", in: request) ?? 50,
                                                             before: try APIJSON.integer("before", in: request))
            return try APIJSON.response(["decisions": items.map(ReviewedDTO.init)])
        }
        signedIn.get("province/reviews/{id}") { _, context in
            try APIJSON.response(ProvinceReviewDTO(try await s.provinceReviews.application(try id(context), caller: context.caller)))
        }
        signedIn.post("province/reviews/{id}/decision") { request, context in
            let body = try await APIJSON.decode(DecisionBody.self, from: request)
            let outcome = try await s.provinceReviews.decide(try id(context), decision: body.decision, comment: body.comment ?? "", sections: body.sections,
                                                             reason: body.reason, version: body.version, step: body.step, caller: context.caller)
            return try APIJSON.response(ProvinceReviewDTO(outcome.application))
        }

        // 专家信息库
        signedIn.get("experts") { request, context in
            let page = try await s.experts.experts(series: request.textQuery("series"), specialty: request.textQuery("specialty"), state: request.textQuery("state"),
                                                   limit: try APIJSON.integer("limit", in: request),
                                                   after: try APIJSON.integer("after", in: request), caller: context.caller)
            return try APIJSON.response(ExpertPageDTO(experts: page.experts.map(ExpertDTO.init), total: page.total, next: page.next))
        }
        signedIn.get("experts/me") { _, context in
            guard let me = try await s.experts.me(caller: context.caller) else { throw ZhichengError.notFound("您不是专家库中的专家") }
            return try APIJSON.response(ExpertDTO(me))
        }
        signedIn.post("experts/{id}/state") { request, context in
            let body = try await APIJSON.decode(ExpertStateBody.self, from: request)
            return try APIJSON.response(ExpertDTO(try await s.experts.setState(try id(context), state: body.state, reason: body.reason ?? "", caller: context.caller)))
        }
        // SPEC §5.1's paths for the same: `{reason}` (required, as for `state`).
        for (path, state) in [("suspend", "suspended"), ("retire", "retired")] {
            signedIn.post("experts/{id}/\(path)") { request, context in
                let body = try await APIJSON.decode(ReasonBody.self, from: request, whenEmpty: ReasonBody(reason: nil))
                return try APIJSON.response(ExpertDTO(try await s.experts.setState(try id(context), state: state, reason: body.reason ?? "", caller: context.caller)))
            }
        }
        signedIn.put("experts/{id}/relations") { request, context in
            let body = try await APIJSON.decode(RelationsBody.self, from: request)
            return try APIJSON.response(ExpertDTO(try await s.experts.setRelations(try id(context), relations: body.relations, caller: context.caller)))
        }

        // Review sessions: draw, verify, vote, close, cancel
        signedIn.post("committees/{id}/sessions") { request, context in
            let body = try await APIJSON.decode(ReviewSessionBody.self, from: request)
            let view = try await s.sessions.create(committee: try id(context), name: body.name, date: body.date, place: body.place, series: body.series,
                                                   specialty: body.specialty, panelSize: body.panelSize, reserves: body.reserves ?? 0,
                                                   applications: body.applications, caller: context.caller)
            return try APIJSON.response(ReviewSessionDTO(view), status: .created)
        }
        signedIn.get("sessions") { _, context in
            try APIJSON.response(["sessions": try await s.sessions.list(caller: context.caller).map(ReviewSessionDTO.init)])
        }
        signedIn.get("sessions/{id}") { _, context in try APIJSON.response(ReviewSessionDTO(try await s.sessions.get(try id(context), caller: context.caller))) }
        signedIn.post("sessions/{id}/draw") { request, context in
            let body = try await APIJSON.decode(DrawBody.self, from: request, whenEmpty: DrawBody())
            return try APIJSON.response(DrawDTO(try await s.sessions.draw(try id(context), count: body.count, reserves: body.reserves, seed: body.seed,
                                                                            caller: context.caller)))
        }
        // GET (this API's first form) and POST (SPEC §5.1's) re-run the recorded draw.
        signedIn.get("sessions/{id}/verify") { _, context in try APIJSON.response(try await s.sessions.verify(try id(context), caller: context.caller)) }
        signedIn.post("sessions/{id}/draw/verify") { _, context in try APIJSON.response(try await s.sessions.verify(try id(context), caller: context.caller)) }
        signedIn.post("sessions/{id}/replace") { request, context in
            let body = try await APIJSON.decode(ReplaceBody.self, from: request)
            return try APIJSON.response(ReviewSessionDTO(try await s.sessions.replace(try id(context), expert: body.expertId, caller: context.caller)))
        }
        signedIn.post("sessions/{id}/votes") { request, context in
            let body = try await APIJSON.decode(VoteBody.self, from: request)
            let view = try await s.sessions.vote(try id(context), application: try body.applicationID(), vote: body.vote, score: body.score, comment: body.comment ?? "", caller: context.caller)
            return try APIJSON.response(ReviewSessionDTO(view))
        }
        signedIn.post("sessions/{id}/close") { _, context in try APIJSON.response(ReviewSessionDTO(try await s.sessions.close(try id(context), caller: context.caller))) }
        // `{reason}` (required: an empty body is answered 400 naming `reason`).
        signedIn.post("sessions/{id}/cancel") { request, context in
            let body = try await APIJSON.decode(ReasonBody.self, from: request, whenEmpty: ReasonBody(reason: nil))
            return try APIJSON.response(ReviewSessionDTO(try await s.sessions.cancel(try id(context), reason: body.reason, caller: context.caller)))
        }
    }
}

struct ExpertDecisionBody: Decodable { var decision: String; var comment: String?; var version: Int?; var step: String? }
struct ExpertStateBody: Decodable { var state: String; var reason: String? }
struct ReasonBody: Decodable { var reason: String? }
struct RelationsBody: Decodable { var relations: [String] }
/// A session to plan: SPEC §5.1's `{date, place, series, specialty, applications}`, or
/// with `name` in place of `date`; `panel_size` and `reserves` now or at the draw.
struct ReviewSessionBody: Decodable {
    var name: String?; var date: String?; var place: String?; var series: String; var specialty: String?
    var panelSize: Int?; var reserves: Int?; var applications: [Int]
}
/// SPEC §5.1's `{count, reserves, seed?}`; all optional when the session was planned with its sizes.
struct DrawBody: Decodable { var count: Int?; var reserves: Int?; var seed: String? }
struct ReplaceBody: Decodable { var expertId: Int }
/// A vote: the application as SPEC §5.1's `application_id` (or this API's first `application`).
struct VoteBody: Decodable {
    var applicationId: Int?; var application: Int?; var vote: String; var score: Int?; var comment: String?

    func applicationID() throws -> Int {
        switch (applicationId, application) {
        case let (id?, nil), let (nil, id?): return id
        case let (id?, other?) where id == other: return id
        case (_?, _?): throw ZhichengError.badRequest("application_id 与 application 不一致", field: "application_id")
        case (nil, nil): throw ZhichengError.badRequest("缺少 application_id", field: "application_id")
        }
    }
}

/// `GET province/reviews`: a page, and where the next one starts (`before=next`).
struct ProvinceReviewPageDTO: Encodable {
    var applications: [ProvinceReviewDTO]
    var next: Int?
}

/// An application received from a city as the province office reviews it: an expert
/// application (`expert-applications`) or a 副高级/正高级 title application (`province/reviews`).
struct ProvinceReviewDTO: Encodable {
    struct Decision: Encodable {
        var step: String; var stepLabel: String; var decision: String; var decisionLabel: String; var comment: String; var reviewer: String; var at: String
        /// A 退回修改's sections at fault and reason.
        var sections: [String]?; var reason: String?; var reasonLabel: String?

        init(_ d: ProvinceReviewView.Decision) {
            if d.decision == .return {
                sections = d.sections
                reason = d.reason?.rawValue
                reasonLabel = d.reason?.label
            }
            step = d.stage.rawValue
            stepLabel = d.stage.label
            decision = d.decision.rawValue
            decisionLabel = d.decision.label
            comment = d.comment
            reviewer = d.reviewer
            at = WireTime.iso8601(d.at)
        }
    }
    var id: Int
    var kind: String
    var sourceTenant: String
    var sourceApplicationId: Int
    var applicantName: String
    var idNumber: String
    var unitName: String
    /// The unit's code (单位编号) in the city, when the hand-over carried it.
    var unitCode: String?
    var year: Int
    var series: String
    var level: String
    var title: String
    var specialty: String
    var state: String
    var stageLabel: String
    var step: String?
    var version: Int
    var sections: [String: [String: String]]
    var hiddenSections: [String]
    var cityTrail: [CityTrailStepDTO]
    var decisions: [Decision]
    var mayAct: Bool
    /// After a resubmission of what the office returned: what changed, and what it said then.
    var changedSections: [String]
    var previousSections: [String: [String: String]]
    /// An expert recommendation under review of someone the 专家信息库 already holds (its 通过 would be refused).
    var inExpertLibrary: Bool
    /// The files its 附件 names (none when the caller may not see 附件), each served by
    /// `province/applications/<id>/files/<sha256>` once received; and, when 附件 changed since
    /// the hand-over the office returned, those that one named.
    var files: [ReceivedFileDTO]
    var previousFiles: [ReceivedFileDTO]

    init(_ v: ProvinceReviewView) {
        id = v.id
        kind = v.kind.rawValue
        sourceTenant = v.sourceTenant
        sourceApplicationId = v.sourceApplicationID
        applicantName = v.applicantName
        idNumber = v.idNumber
        unitName = v.unitName
        unitCode = v.unitCode
        year = v.year
        series = v.series
        level = v.level
        title = v.title
        specialty = v.specialty
        state = v.state
        stageLabel = v.stageLabel
        step = v.underReview ? v.chain.stage.rawValue : nil
        version = v.version
        sections = v.sections
        hiddenSections = v.hiddenSections
        cityTrail = v.cityTrail.map(CityTrailStepDTO.init)
        decisions = v.decisions.map(Decision.init)
        mayAct = v.callerMayDecide
        changedSections = v.changedSections
        previousSections = v.previousSections
        inExpertLibrary = v.inExpertLibrary
        files = v.files.map(ReceivedFileDTO.init)
        previousFiles = v.previousFiles.map(ReceivedFileDTO.init)
    }
}

struct ExpertDTO: Encodable {
    var id: Int
    var accountId: Int
    var name: String
    var idNumber: String
    var series: String
    var specialty: String
    var title: String
    var level: String
    var unitName: String
    /// The unit's code (单位编号) in `sourceTenant`, when it was known at admission.
    var unitCode: String?
    var sourceTenant: String
    var relations: [String]
    var state: String
    var stateLabel: String

    init(_ e: ExpertRecord) {
        id = e.id
        accountId = e.accountID
        name = e.name
        idNumber = e.idNumber
        series = e.series
        specialty = e.specialty
        title = e.title
        level = e.level
        unitName = e.unitName
        unitCode = e.unitCode
        sourceTenant = e.sourceTenant
        relations = e.relations
        state = e.state
        stateLabel = e.stateLabel
    }
}

struct ExpertDecisionDTO: Encodable {
    var application: ProvinceReviewDTO
    var expert: ExpertDTO?
    /// The new expert's one-time password (shown once).
    var oneTimePassword: String?
}

struct ReviewSessionDTO: Encodable {
    struct Application: Encodable {
        var id: Int
        var applicantName: String
        var unitName: String
        var series: String
        var level: String
        var title: String
        var sections: [String: [String: String]]
        /// The files its 附件 names (`province/applications/<id>/files/<sha256>`).
        var files: [ReceivedFileDTO]
        var myVote: VoteDTO?
        var agree: Int?
        var disagree: Int?
        var abstain: Int?
        /// What this session decided for it, as its close recorded it (never the application's result since).
        var outcome: String?
        /// While voting is open: why a vote on it is not taken yet (the session's date, the interview to come).
        var voteWaits: String?
    }
    struct Member: Encodable { var expertId: Int; var name: String; var unitName: String; var specialty: String; var role: String; var position: Int; var votesCast: Int? }
    struct Excluded: Encodable { var expertId: Int; var name: String; var reason: String }
    /// Who cancelled the session (their name), when (ISO 8601) and why.
    struct Cancellation: Encodable { var reason: String; var at: String; var by: String }
    var id: Int
    var committeeId: Int
    var committee: String
    var name: String
    var series: String
    var specialty: String?
    var date: String?
    var place: String?
    var panelSize: Int
    var reserves: Int
    var rule: String
    var ruleLabel: String
    var state: String
    var stateLabel: String
    var seed: String?
    var inputsDigest: String?
    var applications: [Application]
    var members: [Member]
    var excluded: [Excluded]
    var votes: [VoteDTO]
    var outcome: String?
    var mayVote: Bool
    /// The office may cancel it now (planned, or drawn before any vote).
    var mayCancel: Bool
    var cancellation: Cancellation?
    /// While voting is open, to the office: why the session may not be closed yet.
    var closeWaits: String?

    init(_ v: SessionView) {
        id = v.id
        committeeId = v.committeeID
        committee = v.committeeName
        name = v.name
        series = v.series
        specialty = v.specialty
        date = v.date
        place = v.place
        panelSize = v.panelSize
        reserves = v.reserves
        rule = v.rule.name
        ruleLabel = v.rule.label
        state = v.state.rawValue
        stateLabel = v.stateLabel
        seed = v.seed
        inputsDigest = v.inputsDigest
        applications = v.applications.map {
            Application(id: $0.id, applicantName: $0.applicantName, unitName: $0.unitName, series: $0.series, level: $0.level, title: $0.title,
                        sections: $0.sections, files: $0.files.map(ReceivedFileDTO.init), myVote: $0.myVote.map(VoteDTO.init), agree: $0.agree, disagree: $0.disagree, abstain: $0.abstain, outcome: $0.outcome,
                        voteWaits: $0.voteWaits)
        }
        members = v.members.map {
            Member(expertId: $0.expertID, name: $0.name, unitName: $0.unitName, specialty: $0.specialty, role: $0.role, position: $0.position, votesCast: $0.votesCast)
        }
        excluded = v.excluded.map { Excluded(expertId: $0.expertID, name: $0.name, reason: $0.reason) }
        votes = v.votes.map(VoteDTO.init)
        outcome = v.outcome
        mayVote = v.callerIsPanelist && v.state == .drawn
        mayCancel = v.mayCancel
        cancellation = v.cancellation.map { Cancellation(reason: $0.reason, at: WireTime.iso8601($0.at), by: $0.by) }
        closeWaits = v.closeWaits
    }
}

/// One vote of a review session (`votes`, `my_vote`).
struct VoteDTO: Encodable {
    var applicationId: Int
    var expertId: Int
    var expertName: String
    var vote: String
    var score: Int?
    var comment: String
    var at: String
    /// Why the close did not count it; absent: counted.
    var leftOut: String?

    init(_ v: VoteRecord) {
        applicationId = v.applicationID
        expertId = v.expertID
        expertName = v.expertName
        vote = v.vote.rawValue
        score = v.score
        comment = v.comment
        at = WireTime.iso8601(v.at)
        leftOut = v.leftOut
    }
}

/// `POST sessions/<id>/draw`'s answer, as SPEC §5.1 fixes it: the drawn `experts` (the
/// panel) and `reserves` in drawn order, `seed` and `inputs_digest`; with who was left
/// out (回避) and the whole session.
struct DrawDTO: Encodable {
    var experts: [ReviewSessionDTO.Member]
    var reserves: [ReviewSessionDTO.Member]
    var seed: String?
    var inputsDigest: String?
    var excluded: [ReviewSessionDTO.Excluded]
    var session: ReviewSessionDTO

    init(_ v: SessionView) {
        session = ReviewSessionDTO(v)
        experts = session.members.filter { $0.role == "panel" }
        reserves = session.members.filter { $0.role == "reserve" }
        seed = v.seed
        inputsDigest = v.inputsDigest
        excluded = session.excluded
    }
}

/// `GET experts`: one page of the database, how many match in all, and the `after` of the next page.
struct ExpertPageDTO: Encodable {
    var experts: [ExpertDTO]
    var total: Int
    var next: Int?
}
