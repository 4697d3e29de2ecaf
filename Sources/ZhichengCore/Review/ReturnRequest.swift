/// What a reviewer's 退回修改 must say (manual §8, SPEC §7): the sections at fault and a
/// reason from the list, with a comment when the reason is 其他. The same rule at every
/// level, the city's and the province office's.
public struct ReturnRequest: Sendable, Equatable {
    /// The sections at fault, in the order of `ApplicationSection.allCases`.
    public var sections: [String]
    public var reason: ReturnReason

    /// Checks what was sent: at least one known section, a known reason, and a comment
    /// (already trimmed) when the reason is `other`.
    public init(sections: [String]?, reason rawReason: String?, comment: String) throws(ZhichengError) {
        let named = sections ?? []
        let known = ApplicationSection.allCases.map(\.rawValue)
        guard !named.isEmpty, named.allSatisfy(known.contains) else {
            throw .invalid("退回时请选择有问题的部分（\(known.joined(separator: "、"))）", field: "sections")
        }
        // Not chosen (the form's empty choice, or none sent): said as the screens say it; a
        // value that is not a reason names the codes the API takes.
        guard let raw = rawReason, !raw.isEmpty else {
            throw .invalid("请选择退回原因（\(ReturnReason.allCases.map(\.label).joined(separator: "、"))）", field: "reason")
        }
        guard let reason = ReturnReason(rawValue: raw) else {
            throw .invalid("退回原因应为：\(ReturnReason.allCases.map { "\($0.rawValue)（\($0.label)）" }.joined(separator: "、"))", field: "reason",
                           screen: "请选择退回原因（\(ReturnReason.allCases.map(\.label).joined(separator: "、"))）")
        }
        guard reason != .other || !comment.isEmpty else { throw .invalid("原因为“其他”时请填写说明", field: "comment") }
        self.sections = known.filter(named.contains)
        self.reason = reason
    }

    /// A return names only sections the application's form has (`ApplicationKind.sections`):
    /// the applicant could neither see nor mend another.
    public func requireOf(_ kind: ApplicationKind) throws(ZhichengError) {
        let foreign = sections.filter { name in !kind.sections.contains { $0.rawValue == name } }
        guard foreign.isEmpty else {
            throw .invalid("\(kind.label)没有“\(foreign.joined(separator: "、"))”（只有\(kind.sections.map(\.rawValue).joined(separator: "、"))），不能以其为由退回", field: "sections")
        }
    }

    /// A reviewer names at fault only what their content permissions let them see.
    public func requireVisible(to permitted: [String]) throws(ZhichengError) {
        let unseen = sections.filter { !permitted.contains($0) }
        guard unseen.isEmpty else { throw .invalid("您无权查看“\(unseen.joined(separator: "、"))”，不能以其为由退回", field: "sections") }
    }
}
