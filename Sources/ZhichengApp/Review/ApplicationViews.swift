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
    /// The org reviewing it now (`chain.currentOrg`), by its name now; nil when not in review.
    public var currentOrgName: String? = nil

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

    /// In review, the org and step it waits for (`ApplicationService.reviewStep`, as 申报人员状态查询
    /// says it): 管城区教育局 负责人审查; nil otherwise.
    public var reviewStep: String? { ApplicationService.reviewStep(chain, orgName: currentOrgName) }

    /// What the applicant's pages say of where it stands: `stateLabel`, in review with the org and
    /// step, e.g. 审查中（管城区教育局 负责人审查）.
    public var progressLabel: String { reviewStep.map { "\(stateLabel)（\($0)）" } ?? stateLabel }
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
