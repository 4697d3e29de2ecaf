import Crypto
import Foundation
import Hummingbird
import Mustache
import NIOCore
import ZhichengAdminProtocol
import ZhichengApp
import ZhichengCore
import ZhichengStorage

/// The JSON the review routes (APIRoutes+Review.swift) read and answer: request bodies, the
/// DTOs of plans, applications, the trail, the queue, 申报人员状态查询, the committee and 公示,
/// and the printable 评审表.

enum QueueDTO {
    /// `{"applications":[…]}`, each item `{"id","applicant_name","unit_name","series","level",
    /// "title","step","step_label","submissions","version","in_expert_library"}` in that order,
    /// written straight from the rows' bytes into one buffer (no `String` per field, no
    /// `JSONValue` tree): the queue page is a reviewer's most frequent request. Rows read so
    /// are of a tenant with no expert recommendation in review (`ApplicationService.queuePage`):
    /// none of them is one, and none is of someone in the 专家信息库.
    static func page(_ rows: QueueRows) throws -> ByteBuffer {
        var w = JSONWriter(capacity: 64 * 224)
        var first = true
        try rows.forEach { row in
            if first {
                w.raw(#"{"applications":[{"id":"#)
                first = false
            } else {
                w.raw(#","in_expert_library":false},{"id":"#)
            }
            w.int(row.id)
            w.raw(#","applicant_name":"#)
            row.withText(.applicantName) { w.string(utf8: $0) }
            w.raw(#","unit_name":"#)
            row.withText(.unitName) { w.string(utf8: $0) }
            w.raw(#","series":"#)
            row.withText(.series) { w.string(utf8: $0) }
            w.raw(#","level":"#)
            row.withText(.level) { w.string(utf8: $0) }
            w.raw(#","title":"#)
            row.withText(.title) { w.string(utf8: $0) }
            fields(&w, stage: row.stage, submissions: row.submissions, version: row.version)
        }
        w.raw(first ? #"{"applications":[]}"# : #","in_expert_library":false}]}"#)
        return w.withBytes { ByteBuffer(bytes: $0) }
    }

    /// The same page from its items, read with their kinds where an expert recommendation may
    /// be among them: the same fields in the same order, `in_expert_library` as the 专家信息库 says.
    static func page(_ items: [QueueItem]) -> ByteBuffer {
        var w = JSONWriter(capacity: 64 * 224)
        var previous: Bool?  // the last item's `in_expert_library`, written with the next one's start
        for item in items {
            switch previous {
            case nil: w.raw(#"{"applications":[{"id":"#)
            case false?: w.raw(#","in_expert_library":false},{"id":"#)
            case true?: w.raw(#","in_expert_library":true},{"id":"#)
            }
            w.int(item.id)
            w.raw(#","applicant_name":"#)
            w.string(item.applicantName)
            w.raw(#","unit_name":"#)
            w.string(item.unitName)
            w.raw(#","series":"#)
            w.string(item.series)
            w.raw(#","level":"#)
            w.string(item.level)
            w.raw(#","title":"#)
            w.string(item.title)
            fields(&w, stage: item.stage, submissions: item.submissions, version: item.version)
            previous = item.inExpertLibrary
        }
        switch previous {
        case nil: w.raw(#"{"applications":[]}"#)
        case false?: w.raw(#","in_expert_library":false}]}"#)
        case true?: w.raw(#","in_expert_library":true}]}"#)
        }
        return w.withBytes { ByteBuffer(bytes: $0) }
    }

    /// An item's fields from `step` to `version`; `in_expert_library` and the closing brace
    /// go with what follows (the next item's start, or the end of the page), as one literal.
    private static func fields(_ w: inout JSONWriter, stage: ReviewStage, submissions: Int, version: Int) {
        switch stage {
        case .handler: w.raw(json: handlerStep)
        case .leader: w.raw(json: leaderStep)
        }
        w.int(submissions)
        w.raw(#","version":"#)
        w.int(version)
    }

    /// `,"step":…,"step_label":…,"submissions":` of each step, written once.
    private static let handlerStep = stepFields(.handler)
    private static let leaderStep = stepFields(.leader)

    private static func stepFields(_ stage: ReviewStage) -> [UInt8] {
        var w = JSONWriter()
        w.raw(#","step":"#)
        w.string(stage.rawValue)
        w.raw(#","step_label":"#)
        w.string(stage.label)
        w.raw(#","submissions":"#)
        return w.bytes
    }
}


/// `GET province/applications`: a page, and where the next one starts (`after=next`).
struct ReceivedPageDTO: Encodable {
    var applications: [ReceivedItemDTO]
    var next: Int?

    init(applications: [ReceivedApplication], next: Int?) {
        self.applications = applications.map(ReceivedItemDTO.init)
        self.next = next
    }
}

/// A title application received from a city, as `GET province/applications` lists it.
struct ReceivedItemDTO: Encodable {
    var id: Int
    var sourceTenant: String
    var sourceApplicationId: Int
    var applicantName: String
    var unitName: String
    var year: Int
    var series: String
    var level: String
    var title: String
    var state: String
    var receivedAt: String

    init(_ r: ReceivedApplication) {
        id = r.id
        sourceTenant = r.sourceTenant
        sourceApplicationId = r.sourceApplicationID
        applicantName = r.applicantName
        unitName = r.unitName
        year = r.year
        series = r.series
        level = r.level
        title = r.title
        state = r.state
        receivedAt = WireTime.iso8601(r.receivedAt)
    }
}

/// One step of the city's trail sent with a hand-over (`city_trail`): `org` ("" for the
/// submission), `stage`, `decision`, `comment` and `at` (null when the hand-over carried none).
struct CityTrailStepDTO: Encodable {
    var org: String
    var stage: String
    var decision: String
    var comment: String
    var at: String?

    init(_ t: CityTrailStep) {
        org = t.org
        stage = t.stage
        decision = t.decision
        comment = t.comment
        at = t.at.map(WireTime.iso8601)
    }

    enum CodingKeys: String, CodingKey { case org, stage, decision, comment, at }

    /// `at` null rather than left out: every step has the same keys.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(org, forKey: .org)
        try container.encode(stage, forKey: .stage)
        try container.encode(decision, forKey: .decision)
        try container.encode(comment, forKey: .comment)
        try container.encode(at, forKey: .at)
    }
}

/// An application received from a city, whole (`GET province/applications/<id>`): the
/// list's fields, then `id_number`, `sections`, `city_trail` and `province_decisions`.
struct ReceivedApplicationDTO: Encodable {
    var application: ReceivedItemDTO
    var idNumber: String
    var sections: [String: [String: String]]
    var cityTrail: [CityTrailStepDTO]
    var provinceDecisions: [ProvinceReviewDTO.Decision]
    var files: [ReceivedFileDTO]

    init(_ v: ReceivedApplicationView) {
        application = ReceivedItemDTO(v.application)
        idNumber = v.idNumber
        sections = v.sections
        cityTrail = v.cityTrail.map(CityTrailStepDTO.init)
        provinceDecisions = v.provinceDecisions.map(ProvinceReviewDTO.Decision.init)
        files = v.files.map(ReceivedFileDTO.init)
    }

    enum CodingKeys: String, CodingKey { case idNumber, sections, cityTrail, provinceDecisions, files }

    func encode(to encoder: any Encoder) throws {
        try application.encode(to: encoder)
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(idNumber, forKey: .idNumber)
        try container.encode(sections, forKey: .sections)
        try container.encode(cityTrail, forKey: .cityTrail)
        try container.encode(provinceDecisions, forKey: .provinceDecisions)
        try container.encode(files, forKey: .files)
    }
}

/// A file a received application's 附件 names: its name and digest as the hand-over gave
/// them, and once the province holds its bytes (`received`) their size and type; served by
/// `GET province/applications/<id>/files/<sha256>`.
struct ReceivedFileDTO: Encodable {
    var name: String
    var sha256: String
    var received: Bool
    var size: Int?
    var mime: String?

    init(_ f: ReceivedFile) {
        name = f.name
        sha256 = f.sha256
        received = f.received
        size = f.size
        mime = f.mime
    }
}

/// One of the caller's own review decisions (`GET reviews/done`).
struct ReviewedDTO: Encodable {
    var decisionId: Int
    var applicationId: Int
    var applicantName: String
    var unitName: String
    var series: String
    var level: String
    var title: String
    var step: String
    var stepLabel: String
    var decision: String
    var decisionLabel: String
    var comment: String
    var at: String
    /// Where the application stands now, in words.
    var standing: String
    /// Whether the caller may `GET applications/<id>` now (for a province step: its
    /// `province/reviews/<id>` or `expert-applications/<id>`).
    var readable: Bool
    /// A province step's application kind (`title` or `expert`; `application_id` is then the
    /// province's id); absent for the tenant's own applications.
    var receivedKind: String?
    /// `title` (职称申报) or `expert` (专家推荐), of every decision.
    var kind: String

    init(_ r: ReviewedItem) {
        receivedKind = r.receivedKind?.rawValue
        kind = r.kind.rawValue
        decisionId = r.decisionID
        applicationId = r.applicationID
        applicantName = r.applicantName
        unitName = r.unitName
        series = r.series
        level = r.level
        title = r.title
        step = r.stage.rawValue
        stepLabel = r.stage.label
        decision = r.decision.rawValue
        decisionLabel = r.decision.label
        comment = r.comment
        at = WireTime.iso8601(r.at)
        standing = r.standing
        readable = r.readable
    }
}

struct StatusOrgDTO: Encodable {
    var id: Int
    var code: String
    var name: String
    var applications: Int
    init(_ o: StatusOrg) {
        id = o.orgID
        code = o.code
        name = o.name
        applications = o.applications
    }
}

/// One page of 申报人员状态查询 and how many rows its filters match over all its pages.
struct StatusPageDTO: Encodable {
    var rows: [StatusDTO]
    var total: Int
}

struct StatusDTO: Encodable {
    var applicationId: Int
    /// `title` or `expert`.
    var kind: String
    var applicantName: String
    var idNumber: String
    var unitName: String
    var year: Int
    var series: String
    var level: String
    var title: String
    var state: String
    var stage: String
    var committee: String?
    var interview: String?
    /// The 面试通知's time and place apart, as the screen shows them (`InterviewNotice`; no
    /// place for a notice of free text that named none apart from its time).
    var interviewTime: String?
    var interviewPlace: String?
    /// Whether the caller may open `applications/<id>/review-form` (false before the
    /// application has reached the caller's org).
    var printable: Bool
    /// Why not, in words (absent when printable): 尚未报送本级, 未报送本级, or, for a unit moved
    /// under the caller's org since it was submitted, 报送时隶属…，不经本级审查.
    var formNote: String?

    init(_ r: StatusRow) {
        applicationId = r.applicationID
        kind = r.kind
        applicantName = r.applicantName
        idNumber = r.idNumber
        unitName = r.unitName
        year = r.year
        series = r.series
        level = r.level
        title = r.title
        state = r.state
        stage = r.stage
        committee = r.committee
        interview = r.interview
        let notice = InterviewNotice(stored: r.interview)
        interviewTime = notice?.time
        interviewPlace = notice.flatMap { $0.place.isEmpty ? nil : $0.place }
        printable = r.printable
        formNote = r.formNote
    }
}

/// The printable 评审表 (A4), with each org's seal embedded.
enum ReviewFormPage {
    static func render(_ form: ReviewForm) -> Response {
        let v = form.application
        // The applicant's standard fields the reader may read (`ReviewForm.standardFields`): 基本信息's
        // under 姓名, the other sections' (学历学位) under 工作单位.
        let standard = form.standardFields
        let data: [String: Any] = [
            "applicant": v.applicantName, "id_number": form.idNumber, "unit": form.unitName, "series": v.series, "level": v.level.rawValue,
            "title": v.title, "year": v.year,
            "personal": standardRows(standard.filter { $0.section == .basic }),
            "standard": standardRows(standard.filter { $0.section != .basic }),
            // The committee's 面试通知 as every screen shows it, its time and place apart (one of
            // free text, written before times were checked, as it is).
            "interview": UI.interview(InterviewNotice(stored: v.interview)),
            // Over the form of one that did not go on: 已撤回 and when (a watermark on every page too).
            "mark": form.mark.map { m -> [String: Any] in
                // An expert admitted is printed as a pass is shown (green), not in the red of an end short.
                ["label": m.mark.label, "caption": m.mark.dateCaption, "date": m.at.map(UI.time) as Any? ?? false, "admitted": m.mark.isAdmission]
            } as Any? ?? false,
            "opinions": form.opinions.map { o -> [String: Any] in
                ["org": o.orgName, "stage": o.stage.role.label, "decision": o.decision.label, "comment": o.comment, "keep": keepsWhole(o.comment),
                 // Empty when the reader is an applicant who is not shown reviewers' names.
                 "reviewer": o.reviewer.isEmpty ? false : o.reviewer as Any, "date": UI.time(o.at),
                 // The org's seal, stamped on its final (leader's) opinion.
                 "seal": o.seal.map { "data:\($0.mime);base64," + Data($0.bytes).base64EncodedString() } as Any? ?? false]
            },
            "committee": form.committee.map { c -> [String: Any] in
                // An empty string opens a mustache section: a result without a note printed "通过。".
                ["name": c.name, "result": c.result, "note": c.note.isEmpty ? false as Any : c.note, "keep": keepsWhole(c.note),
                 "date": c.at.map(UI.time) as Any? ?? false,
                 // The office's seal beside the date, as a leader's opinion has its org's (an own
                 // committee's result always has its date: its step in the trail).
                 "office": c.office, "seal": c.seal.map { "data:\($0.mime);base64," + Data($0.bytes).base64EncodedString() } as Any? ?? false,
                 // Until final: whether the result still stands in public notice, or waits for confirmation.
                 "notice": c.final ? false as Any : v.publicity.map { PublicityCalendar.stage(until: $0.until, now: Date().timeIntervalSince1970) } ?? "公示中"]
            } ?? false,
        ]
        let html = Templates.library.render(data, withTemplate: "review_form") ?? ""
        return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "private, no-store",
                                               .init("Content-Security-Policy")!: policy],
                        body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// The rows of standard fields, two to a row as the rest of the applicant's table (名称, 值,
    /// 名称, 值), each section's starting a row of its own; a section's odd last field takes the
    /// row's width. Each value's cell is named by its section and field (`f-基本信息-性别`).
    static func standardRows(_ sections: [ReviewForm.StandardSection]) -> [[String: Any]] {
        sections.flatMap { s in
            stride(from: 0, to: s.fields.count, by: 2).map { start -> [String: Any] in
                let pair = s.fields[start..<min(start + 2, s.fields.count)]
                return ["cells": pair.map { f -> [String: Any] in
                    ["name": f.name, "value": f.value, "id": "f-\(s.section.rawValue)-\(f.name)", "wide": pair.count == 1]
                }]
            }
        }
    }

    /// Whether an opinion's row is printed whole (`tr.keep`, break-inside: avoid): one of up to
    /// 400 characters (a third of an A4 page at most, with its signature and seal) goes to the
    /// next page rather than be split, its signature and seal with it. A longer one goes on from
    /// where the page ends (Chromium moves a row kept whole that is taller than a page to the
    /// next page all the same, leaving the page before it half empty), and its signature and
    /// seal never begin a page alone: they are the last line of the opinion's paragraph
    /// (`.signoff`, an inline-flex block as wide as the line), whose widows (3) bring at least
    /// two lines of the opinion with them. (A signature after the paragraph, with
    /// break-before: avoid, is left alone at the top of a page when the paragraph went on from an
    /// earlier page: Chromium does not then break inside it to honour the avoid.)
    static func keepsWhole(_ text: String) -> Bool { text.count <= 400 }

    /// The 打印 button's script (in the template). The page allows no other: no inline handler, nothing
    /// from elsewhere, no form, no `<base>`, no framing. (It allowed any inline script, so
    /// markup injected into a name would have run.)
    static let printScript = #"document.getElementById("print").addEventListener("click",function(){window.print()})"#
    static let policy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'sha256-"
        + Data(SHA256.hash(data: Data(printScript.utf8))).base64EncodedString()
        + "'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
}

struct CommitteeBody: Decodable { var name: String; var series: [String]; var levels: [String]; var rule: String? }
struct CommitteeChange: Decodable { var name: String?; var series: [String]?; var levels: [String]?; var rule: String? }
struct InterviewBody: Decodable { var time: String; var place: String }
struct InterviewsBody: Decodable { var items: [String]; var time: String; var place: String }
struct ResultBody: Decodable { var result: String; var note: String? }
struct ResultsBody: Decodable { var items: [String]; var result: String; var note: String? }
struct ItemsBody: Decodable { var items: [String] }
struct ObjectionBody: Decodable { var text: String; var evidence: String? }
struct ResolveBody: Decodable { var decision: String; var reason: String }

struct CommitteeDTO: Encodable {
    var id: Int
    var orgId: Int
    var name: String
    var series: [String]
    var levels: [String]
    var rule: String
    var ruleLabel: String
    init(_ c: CommitteeRecord) {
        id = c.id
        orgId = c.orgID
        name = c.name
        series = c.series
        levels = c.levels.map(\.rawValue)
        rule = c.rule.name
        ruleLabel = c.rule.label
    }
}

/// `?stage=handler|leader` of a queue request: one step only (经办人审查 or 负责人审查).
func queueStage(_ request: Request) throws -> ReviewStage? {
    guard let raw = request.uri.queryParameters.get("stage") else { return nil }
    guard let stage = ReviewStage(rawValue: raw) else {
        throw ZhichengError.invalid("stage 应为 handler 或 leader", field: "stage", screen: "审查环节应为经办人审查或负责人审查")
    }
    return stage
}

struct ObjectionDTO: Encodable {
    var id: Int
    var lodgedBy: String
    var text: String
    var evidence: String
    var state: String
    var reason: String?
    var createdAt: String
    var files: [EvidenceFileDTO]
    init(_ o: ObjectionRecord) {
        id = o.id
        lodgedBy = o.lodgedBy
        text = o.text
        evidence = o.evidence
        state = o.state
        reason = o.reason
        createdAt = WireTime.iso8601(o.createdAt)
        files = o.files.map(EvidenceFileDTO.init)
    }
}

/// An objection's evidence file as lists name it: `id` (absent for one a city sent on to the
/// province, which the city does not serve), `name`, `size` in bytes and `type`.
struct EvidenceFileDTO: Encodable {
    var id: Int?
    var name: String
    var size: Int
    var type: String
    init(_ f: ObjectionFileInfo) {
        id = f.id
        name = f.name
        size = f.size
        type = f.mime
    }
}

/// Where a committee item lives in the API: `applications/<id>` or `province/applications/<id>`.
func evaluationPath(_ target: EvaluationTarget) -> String {
    switch target {
    case .application(let id): "applications/\(id)"
    case .received(let id): "province/applications/\(id)"
    }
}


/// The item an `evaluationPath` names (the `path` of a committee-worklist item); nil for
/// anything else.
func evaluationTarget(path: String) -> EvaluationTarget? {
    let parts = path.split(separator: "/", omittingEmptySubsequences: false)
    switch (parts.count, parts.first) {
    case (2, "applications"): return Int(parts[1]).flatMap { $0 > 0 ? .application($0) : nil }
    case (3, "province") where parts[1] == "applications": return Int(parts[2]).flatMap { $0 > 0 ? .received($0) : nil }
    default: return nil
    }
}

struct StrandedStepDTO: Encodable {
    var stage: String
    var stageLabel: String
    var series: String
    var count: Int
    /// What waits: `title` (职称申报) or `expert` (专家推荐), counted apart.
    var kind: String
    var handedOver: Bool
    /// What waits, for a step of the province office's review of hand-overs: `title` or
    /// `expert`; absent for the org's own chain.
    var receivedKind: String?
    var needsAnotherLeader: Bool
    init(_ s: StrandedStep) {
        stage = s.stage.rawValue
        stageLabel = s.stage.label
        series = s.series
        count = s.count
        kind = s.kind.rawValue
        handedOver = s.handedOver
        receivedKind = s.receivedKind?.rawValue
        needsAnotherLeader = s.needsAnotherLeader
    }
}

struct WorklistPageDTO: Encodable {
    var items: [WorkItemDTO]
    /// The `after` of the next page (an item's `path`); null on the last, or without `limit`.
    var next: String?
}

struct WorkItemDTO: Encodable {
    var path: String
    var applicantName: String
    var unitName: String
    var sourceTenant: String?
    var sourceTenantName: String?
    var year: Int
    var series: String
    var level: String
    var title: String
    var evaluation: EvaluationDTO?
    /// false: no committee of the office covers its series and level yet.
    var covered: Bool
    /// The committee that evaluates it (bound, or that will take it up); nil when not covered.
    var committee: CommitteeRefDTO?
    struct CommitteeRefDTO: Encodable {
        var id: Int
        var name: String
    }
    init(_ w: CommitteeWorkItem) {
        path = evaluationPath(w.target)
        applicantName = w.applicantName
        unitName = w.unitName
        sourceTenant = w.sourceTenant
        sourceTenantName = w.sourceTenantName
        year = w.year
        series = w.series
        level = w.level
        title = w.title
        evaluation = w.evaluation.map(EvaluationDTO.init)
        covered = w.covered
        committee = w.committee.map { CommitteeRefDTO(id: $0.id, name: $0.name) }
    }
}

struct NoticeDTO: Encodable {
    var path: String
    var committee: String
    var applicantName: String
    var unitName: String
    var series: String
    var level: String
    var title: String
    var result: String
    var publicityUntil: String
    /// The province's result on an application of this city (objections go on to the province).
    var byProvince: Bool
    init(_ n: PublicNotice) {
        path = evaluationPath(n.target)
        byProvince = n.byProvince
        committee = n.committee
        applicantName = n.applicantName
        unitName = n.unitName
        series = n.series
        level = n.level
        title = n.title
        result = n.result
        publicityUntil = WireTime.iso8601(n.publicityUntil)
    }
}

struct OwnObjectionDTO: Encodable {
    var applicantName: String
    var title: String
    var committee: String
    var text: String
    var evidence: String
    var state: String
    var stateLabel: String
    var reason: String?
    var createdAt: String
    var resolvedAt: String?
    var toProvince: Bool
    /// The objection's id, absent for one sent on to the province.
    var id: Int?
    var files: [EvidenceFileDTO]
    init(_ o: OwnObjection) {
        applicantName = o.applicantName
        title = o.title
        committee = o.committee
        text = o.text
        evidence = o.evidence
        state = o.state.rawValue
        stateLabel = o.state.label
        reason = o.reason
        createdAt = WireTime.iso8601(o.createdAt)
        resolvedAt = o.resolvedAt.map(WireTime.iso8601)
        toProvince = o.toProvince
        id = o.id
        files = o.files.map(EvidenceFileDTO.init)
    }
}

struct EvaluationDTO: Encodable {
    var id: Int
    var committee: String
    var interviewTime: String?
    var interviewPlace: String?
    var result: String?
    var note: String?
    var state: String
    var publicityUntil: String?
    /// For the committee's office only.
    var openObjections: Int?
    init(_ e: EvaluationRecord) {
        id = e.id
        committee = e.committee
        interviewTime = e.interviewTime
        interviewPlace = e.interviewPlace
        result = e.result
        note = e.note
        state = e.state
        publicityUntil = e.publicityUntil.map(WireTime.iso8601)
        openObjections = e.openObjections
    }
}

struct PlanBody: Decodable {
    struct Item: Decodable { var series: String; var level: String; var count: Int }
    var year: Int
    var items: [Item]
}
struct NewApplicationBody: Decodable { var kind: String; var year: Int; var series: String; var level: String; var title: String; var specialty: String? }
/// `PUT applications/<id>`: a draft's heading corrected.
struct HeadingBody: Decodable { var year: Int; var series: String; var level: String; var title: String }
/// `version` (optional): the application's version the reviewer saw; a decision on an
/// older one is refused with 409 (see `ApplicationService.decide`).
struct DecisionBody: Decodable { var decision: String; var comment: String?; var sections: [String]?; var reason: String?; var version: Int?; var step: String? }

/// `GET plans`: every unit's plans, or one page of them.
struct PlanPageDTO: Encodable {
    var plans: [PlanDTO]
    /// The `after` of the next page (`PlanOverview.Position`: in the waiting list when the last
    /// plan was submitted and its id, else its id); absent on the last, or without `limit`.
    var next: String?
}

/// `GET public-notices`: every result in notice, or one page of them.
struct NoticePageDTO: Encodable {
    var notices: [NoticeDTO]
    /// The `after` of the next page (`PublicNotice.Position`); absent on the last, or without `limit`.
    var next: String?
}

struct PlanDTO: Encodable {
    /// A line: `used`, the places its unit's applications of the year take (submitted, not
    /// withdrawn or turned down on the way).
    struct Item: Encodable { var series: String; var level: String; var count: Int; var used: Int }
    var id: Int
    var orgId: Int
    var year: Int
    var state: String
    var stateLabel: String
    var items: [Item]
    var hasDocument: Bool
    var rejectReason: String?
    /// The unit's name, in the city office's list of every unit's plans (`GET plans`).
    var orgName: String?

    init(_ p: PlanRecord, orgName: String? = nil) {
        self.orgName = orgName
        id = p.id
        orgId = p.orgID
        year = p.year
        state = p.state.rawValue
        stateLabel = p.state.label
        items = zip(p.items, p.used).map { Item(series: $0.series, level: $0.level.rawValue, count: $0.count, used: $1) }
        hasDocument = p.hasDocument
        rejectReason = p.rejectReason
    }
}

struct ApplicationDTO: Encodable {
    struct Returned: Encodable { var sections: [String]; var reason: String?; var reasonLabel: String?; var comment: String? }
    var id: Int
    var applicantId: Int
    var applicantName: String
    var orgId: Int
    /// The applicant's unit (`org_id`) by name.
    var unitName: String
    var kind: String
    var specialty: String?
    var year: Int
    var series: String
    var level: String
    var title: String
    var state: String
    var stateLabel: String
    var currentOrgId: Int?
    /// The org reviewing it now, by name (`ApplicationView.currentOrgName`), beside its id.
    var currentOrgName: String?
    var step: String?
    var stepLabel: String?
    var route: [Int]
    var version: Int
    var submissions: Int
    var sections: [String: [String: String]]
    var hiddenSections: [String]
    var changedSections: [String]
    /// The changed sections as the previous submission had them.
    var previousSections: [String: [String: String]]
    var returned: Returned?
    var forwardedToProvinceAt: String?
    /// 评委会, 面试通知 and the final 评审结果 (the province's too, once relayed back).
    var committee: String?
    var interview: String?
    var result: String?
    /// The result in public notice (公示) and its end, while it stands there.
    var publicity: Publicity?
    struct Publicity: Encodable { var result: String; var until: String }
    var mayAct: Bool
    /// An expert recommendation in review, read alone: whether the person is in the province's
    /// 专家信息库 already (its province review would refuse it); absent otherwise.
    var inExpertLibrary: Bool?

    init(_ v: ApplicationView) {
        id = v.id
        applicantId = v.applicantID
        applicantName = v.applicantName
        orgId = v.orgID
        unitName = v.unitName
        kind = v.kind
        specialty = v.specialty
        year = v.year
        series = v.series
        level = v.level.rawValue
        title = v.title
        state = v.chain.state.rawValue
        stateLabel = v.stateLabel
        currentOrgId = v.chain.currentOrg
        currentOrgName = v.currentOrgName
        step = v.chain.state == .inReview ? v.chain.stage.rawValue : nil
        stepLabel = v.chain.state == .inReview ? v.chain.stage.label : nil
        route = v.chain.route
        version = v.version
        submissions = v.submissions
        sections = v.sections
        hiddenSections = v.hiddenSections
        changedSections = v.changedSections
        previousSections = v.previousSections
        returned = v.chain.state == .returned
            ? Returned(sections: v.returnSections, reason: v.returnReason?.rawValue, reasonLabel: v.returnReason?.label, comment: v.returnComment) : nil
        forwardedToProvinceAt = v.forwardedAt.map(WireTime.iso8601)
        committee = v.committeeName
        interview = v.interview
        result = v.result
        publicity = v.publicity.map { Publicity(result: $0.result, until: WireTime.iso8601($0.until)) }
        mayAct = v.callerMayDecide
        inExpertLibrary = v.inExpertLibrary
    }
}

struct TrailDTO: Encodable {
    var at: String
    var orgId: Int?
    var orgName: String?
    var step: String?
    var stepLabel: String?
    var reviewer: String?
    var decision: String
    var decisionLabel: String
    var comment: String
    var sections: [String]
    var reason: String?
    var reasonLabel: String?
    var committee: String?

    init(_ e: TrailEntry) {
        at = WireTime.iso8601(e.at)
        orgId = e.orgID
        orgName = e.orgName
        step = e.stage?.rawValue
        stepLabel = e.stage?.label
        reviewer = e.actorName
        decision = e.decision
        decisionLabel = e.decisionLabel
        comment = e.comment
        sections = e.sections
        reason = e.reason?.rawValue
        reasonLabel = e.reason?.label
        committee = e.committee
    }
}

/// `Content-Disposition` (`inline`, or `attachment`) with the file's name (RFC 6266): an ASCII fallback in
/// `filename` and the UTF-8 name in `filename*` (RFC 8187), so a saved download keeps
/// its Chinese name.
enum ContentDisposition {
    static func inline(filename name: String) -> String { "inline; " + parameters(name) }

    /// `attachment`: saved, never shown in the browser's window (an objection's evidence,
    /// which a person outside the office sent and nobody checked beyond its type).
    static func attachment(filename name: String) -> String { "attachment; " + parameters(name) }

    private static func parameters(_ name: String) -> String {
        let fallback = String(name.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0 != "\"" && $0 != "\\" ? Character($0) : "_" })
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<Unicode.Scalar(128)))
        allowed.insert(charactersIn: "!#$&+-.^_`|~")
        let encoded = name.addingPercentEncoding(withAllowedCharacters: allowed) ?? fallback
        return "filename=\"\(fallback)\"; filename*=UTF-8''\(encoded)"
    }
}

/// `GET applications/<id>/plan-place`: a draft's place in its unit's approved plan.
struct PlanPlaceDTO: Encodable {
    var year: Int
    var series: String
    var level: String
    /// The approved line's places; nil without an approved plan or such a line.
    var count: Int?
    var taken: Int
    var left: Int?
    /// Why 提交申报 would be refused now; nil when it would be taken.
    var refusal: String?
    init(_ p: PlanPlace) {
        year = p.year
        series = p.series
        level = p.level.rawValue
        count = p.count
        taken = p.taken
        left = p.left
        refusal = p.refusal?.message
    }
}

/// `GET reviews/unread-sections`: a series whose reviewers at the org read none of some sections.
struct UnreadSectionsDTO: Encodable {
    var series: String
    var sections: [String]
    init(_ u: UnreadSections) {
        series = u.series
        sections = u.sections.map(\.rawValue)
    }
}
