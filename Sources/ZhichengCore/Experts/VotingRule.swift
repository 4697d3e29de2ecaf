/// An expert's vote on one application (专家进行评审).
public enum Vote: String, Sendable, Codable, CaseIterable {
    case agree
    case disagree
    case abstain

    public var label: String {
        switch self {
        case .agree: "同意"
        case .disagree: "不同意"
        case .abstain: "弃权"
        }
    }
}

/// How a committee turns votes into a result (SPEC §8). The national rule: an odd
/// number of experts on the panel; a quorum of at least two thirds of them present
/// (an expert who cast any vote on the application, abstentions included, is
/// present); passed only with agree votes from at least two thirds of those present.
public struct VotingRule: Sendable, Equatable {
    public var name: String
    public var label: String
    public var requiresOddPanel: Bool
    /// Quorum: present × quorumDenominator ≥ panel × quorumNumerator (strictly more when `quorumStrict`).
    public var quorumNumerator: Int
    public var quorumDenominator: Int
    public var quorumStrict: Bool
    /// Pass: agree × passDenominator ≥ present × passNumerator (strictly more when `passStrict`).
    public var passNumerator: Int
    public var passDenominator: Int
    public var passStrict: Bool

    /// The national rule (default).
    public static let national = VotingRule(name: "national", label: "全国通行规则（到会不少于三分之二，同意票不少于到会三分之二）",
                                            requiresOddPanel: true, quorumNumerator: 2, quorumDenominator: 3, quorumStrict: false,
                                            passNumerator: 2, passDenominator: 3, passStrict: false)
    /// Simple majority: more than half present, passed with more than half of those present agreeing.
    public static let majority = VotingRule(name: "majority", label: "过半数规则（到会过半，同意票过到会半数）",
                                            requiresOddPanel: false, quorumNumerator: 1, quorumDenominator: 2, quorumStrict: true,
                                            passNumerator: 1, passDenominator: 2, passStrict: true)

    public static let all: [VotingRule] = [.national, .majority]

    public static func named(_ name: String) throws(ZhichengError) -> VotingRule {
        guard let rule = all.first(where: { $0.name == name }) else {
            throw .invalid("评审规则应为 \(all.map(\.name).joined(separator: " 或 "))", field: "rule",
                           screen: "请选择表决规则：\(all.map(\.label).joined(separator: "，或"))")
        }
        return rule
    }

    /// Checks a panel size against the rule before a draw.
    public func checkPanel(_ size: Int) throws(ZhichengError) {
        guard (1...99).contains(size) else { throw .invalid("抽取人数应为1至99", field: "panel_size") }
        if requiresOddPanel, size % 2 == 0 { throw .invalid("按\(label)，评审专家人数须为奇数", field: "panel_size") }
    }

    public enum Outcome: Sendable, Equatable {
        case passed(agree: Int, present: Int)
        case failed(agree: Int, present: Int)
        /// Too few experts present: nothing is decided.
        case noQuorum(present: Int, required: Int)
    }

    /// Whether `present` experts of a panel of `panel` make a quorum.
    public func hasQuorum(present: Int, panel: Int) -> Bool {
        let lhs = present * quorumDenominator, rhs = panel * quorumNumerator
        return present > 0 && (quorumStrict ? lhs > rhs : lhs >= rhs)
    }

    /// The least number present for a quorum on a panel of `panel`.
    public func quorum(panel: Int) -> Int {
        (1...max(1, panel)).first { hasQuorum(present: $0, panel: panel) } ?? panel
    }

    /// The result for one application from the votes cast on it by a panel of `panel`.
    public func outcome(panel: Int, votes: [Vote]) -> Outcome {
        let present = votes.count
        let required = quorum(panel: panel)
        guard hasQuorum(present: present, panel: panel) else { return .noQuorum(present: present, required: required) }
        let agree = votes.filter { $0 == .agree }.count
        let lhs = agree * passDenominator, rhs = present * passNumerator
        let passed = passStrict ? lhs > rhs : lhs >= rhs
        return passed ? .passed(agree: agree, present: present) : .failed(agree: agree, present: present)
    }
}
