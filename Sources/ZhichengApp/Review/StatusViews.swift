import Foundation
import ZhichengCore
import ZhichengStorage

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
        /// The office whose committee it is, as the step that dates it names it: what the seal is of.
        public var office: String = ""
        /// The seal the office had at that step (schema v45), for an org admin's copy only; nil
        /// when it had none, on a reviewer's or the applicant's copy, and for the province's
        /// result in a city (which holds nothing of the province's seal).
        public var seal: FileRecord?
    }
    public var application: ApplicationView
    public var unitName: String
    public var idNumber: String
    /// The applicant's standard fields the reader may read (`ReviewForm.standardFields`).
    public var standardFields: [StandardSection]
    public var opinions: [Opinion]
    public var committee: CommitteeOpinion?
    /// Over the form of an application that did not go on (withdrawn, returned, turned down):
    /// what happened and when (nil when unknown: a result the province sent has no date here).
    public var mark: (mark: ReviewFormMark, at: Double?)?
}
