/// 计票: which votes count when a review session closes (SPEC §8: 回避, and only experts of
/// the database judge), and the committee's result from them.
///
/// A vote counts only if its expert, at the close, is still active in the database and has
/// no conflict with the application's applicant under the current 回避 rules
/// (`ExpertDraw.conflict`) and the expert's current record: a relation declared since the
/// draw, naming the applicant, leaves the vote out as surely as a suspension does.
///
/// A vote left out is as if it had not been cast: its expert is absent for that application.
/// The quorum is still measured against the whole panel as drawn (the national rule's odd
/// panel stays the measure), so votes left out can leave an application short of its
/// quorum, and then the session decides nothing, as when those experts had not voted. This
/// keeps the outcome independent of timing: an expert suspended or found in conflict after
/// voting weighs exactly as one suspended or found in conflict before (whose vote `vote`
/// refuses and who could not sign in).
public enum VoteCount {
    /// One vote cast on an application, with its expert as the database has them at the close.
    public struct Cast: Sendable, Equatable {
        /// The expert now: unit, unit code, relations, ID-card number, city.
        public var expert: ExpertDraw.Candidate
        public var state: ExpertState
        public var vote: Vote

        public init(expert: ExpertDraw.Candidate, state: ExpertState, vote: Vote) {
            self.expert = expert
            self.state = state
            self.vote = vote
        }
    }

    /// A vote the close left out, and why.
    public struct LeftOut: Sendable, Equatable {
        public var expertID: Int
        public var expertName: String
        public var reason: String

        public init(expertID: Int, expertName: String, reason: String) {
            self.expertID = expertID
            self.expertName = expertName
            self.reason = reason
        }
    }

    /// The result for one application at the close.
    public struct Tally: Sendable, Equatable {
        public var outcome: VotingRule.Outcome
        /// The votes that count.
        public var counted: [Vote]
        /// The votes left out, in the order cast was given.
        public var leftOut: [LeftOut]
    }

    /// Why `expert` (standing `state`) may not judge `applicant`'s application now, or nil:
    /// not active (已暂停, 已退出), or a conflict under the current 回避 rules.
    public static func bar(_ expert: ExpertDraw.Candidate, state: ExpertState, applicant: ExpertDraw.Applicant) -> String? {
        state.leftOutReason ?? ExpertDraw.conflict(of: expert, with: [applicant], rules: ExpertDraw.Inputs.currentRules)
    }

    /// Applies `rule` to the votes cast on `applicant`'s application by a panel of `panel`:
    /// only the votes that count, the quorum against the whole panel.
    public static func tally(_ cast: [Cast], applicant: ExpertDraw.Applicant, panel: Int, rule: VotingRule) -> Tally {
        var counted: [Vote] = []
        var leftOut: [LeftOut] = []
        for vote in cast {
            if let reason = bar(vote.expert, state: vote.state, applicant: applicant) {
                leftOut.append(LeftOut(expertID: vote.expert.id, expertName: vote.expert.name, reason: reason))
            } else {
                counted.append(vote.vote)
            }
        }
        return Tally(outcome: rule.outcome(panel: panel, votes: counted), counted: counted, leftOut: leftOut)
    }

    /// The outcome text's note of the votes left out: "不计入：张专家（已暂停）、李专家（申报了与申报人王五的
    /// 回避关系）", each expert and reason once (a suspended expert's votes on several
    /// applications are named once); "" when every vote counted.
    public static func note(_ leftOut: [LeftOut]) -> String {
        var seen = Set<String>()
        var parts: [String] = []
        for item in leftOut {
            let part = "\(item.expertName)（\(item.reason)）"
            if seen.insert("\(item.expertID)\u{1F}\(item.reason)").inserted { parts.append(part) }
        }
        return parts.isEmpty ? "" : "不计入：" + parts.joined(separator: "、")
    }
}
