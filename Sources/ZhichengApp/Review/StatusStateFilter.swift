import ZhichengCore

/// A state 申报人员状态查询 narrows its rows to (`?state=`): one for each label a submitted
/// application's state is shown with (`ApplicationService.stateLabel`), which is what its 状态
/// list offers and what the API takes, by code. Each takes every application that label is given
/// to, so that the list finds what the rows say: 未通过 is also an expert recommendation the
/// province turned down (state `failed`, `ApplicationKind.label(of:)`), 已入库（专家信息库） an
/// expert recommendation the province admitted (state `passed`), and one waiting for the province
/// is 待报送省职改办 until the province acknowledged it, 已报送省职改办 after (`forwarded_at`).
public enum StatusStateFilter: String, Sendable, CaseIterable {
    case inReview = "in_review"
    case returned
    case rejected
    case withdrawn
    case awaitingProvince = "awaiting_province"
    case forwarded
    case atCommittee = "at_committee"
    case publicity
    case passed
    case failed
    case admitted

    /// Where a submitted application stands as far as its label goes: its kind, its state and,
    /// waiting for the province, whether the province acknowledged it and whether the province's
    /// result stands in public notice (the row then reads 省评委会结果公示中（…）: `standing`).
    struct Standing: Hashable {
        var kind: ApplicationKind
        var state: ApplicationState
        var forwarded = false
        var inNotice = false

        var label: String {
            inNotice ? ApplicationService.stateLabel(.publicity, kind: kind, forwarded: false) : ApplicationService.stateLabel(state, kind: kind, forwarded: forwarded)
        }
    }

    /// Every standing a row of 申报人员状态查询 can have: each kind in each state but draft (which
    /// is not listed), and waiting for the province before and after it acknowledged, with its
    /// result in notice or not.
    static let listed: [Standing] = ApplicationState.allCases.filter { $0 != .draft }.flatMap { state in
        ApplicationKind.allCases.flatMap { kind in
            state != .awaitingProvince ? [Standing(kind: kind, state: state)]
                : [false, true].flatMap { forwarded in [false, true].map { Standing(kind: kind, state: state, forwarded: forwarded, inNotice: $0) } }
        }
    }

    /// A standing this filter is named after: its label is the filter's.
    private var named: Standing {
        switch self {
        case .forwarded: Standing(kind: .title, state: .awaitingProvince, forwarded: true)
        case .admitted: Standing(kind: .expert, state: .passed)
        default: Standing(kind: .title, state: ApplicationState(rawValue: rawValue) ?? .inReview)
        }
    }

    /// What the 状态 list says: the label of the rows it finds.
    public var label: String { named.label }

    /// The standings it finds: those shown with its label.
    var standings: [Standing] { Self.listed.filter { $0.label == label } }

    /// The filter's choice as sent (`?state=`): trimmed, blank for none (a GET form sends its
    /// empty choice too), else one of the codes (invalid, naming `state`: the API lists the codes,
    /// a page the labels of its list).
    public static func parse(_ raw: String?) throws(ZhichengError) -> StatusStateFilter? {
        let text = raw?.trimmingWhitespaceAndNewlines() ?? ""
        guard !text.isEmpty else { return nil }
        guard let filter = StatusStateFilter(rawValue: text) else {
            throw .invalid("state 应为 \(allCases.map(\.rawValue).joined(separator: "、")) 之一", field: "state",
                           screen: "状态应为\(allCases.map { "“\($0.label)”" }.joined(separator: "、"))之一，请重新选择")
        }
        return filter
    }

    /// The condition on an application `a` (its `state`, `kind` and `forwarded_at`): a state
    /// alone where the filter takes all of it, narrowed by kind or by the province's
    /// acknowledgement where it takes part. The codes are written into the text (no arguments):
    /// each filter's is one text, and SQLite sees the state it compares with.
    var sql: String {
        let mine = standings
        var terms: [String] = []
        for state in ApplicationState.allCases where mine.contains(where: { $0.state == state }) {
            let all = Self.listed.filter { $0.state == state }, here = mine.filter { $0.state == state }
            let kinds = Set(here.map(\.kind)), forwarded = Set(here.map(\.forwarded))
            let stateTerm = "a.state = '\(state.rawValue)'"
            if state == .awaitingProvince, here != all {
                // By acknowledgement and notice together (a few terms: these rows are few).
                let split = Set(here.map { "\(stateTerm) AND a.forwarded_at IS \($0.forwarded ? "NOT NULL" : "NULL") AND a.publicity_result IS \($0.inNotice ? "NOT NULL" : "NULL")" })
                terms += split.sorted()
            } else if here == all {
                terms.append(stateTerm)
            } else if kinds.count == 1, here == all.filter({ kinds.contains($0.kind) }) {
                terms.append("\(stateTerm) AND a.kind = '\(here[0].kind.rawValue)'")
            } else if forwarded.count == 1, here == all.filter({ forwarded.contains($0.forwarded) }) {
                terms.append("\(stateTerm) AND a.forwarded_at IS \(here[0].forwarded ? "NOT NULL" : "NULL")")
            } else {
                terms += here.map { "\(stateTerm) AND a.kind = '\($0.kind.rawValue)'" + (state == .awaitingProvince ? " AND a.forwarded_at IS \($0.forwarded ? "NOT NULL" : "NULL")" : "") }
            }
        }
        return terms.count == 1 ? "(\(terms[0]))" : "(" + terms.map { "(\($0))" }.joined(separator: " OR ") + ")"
    }
}
