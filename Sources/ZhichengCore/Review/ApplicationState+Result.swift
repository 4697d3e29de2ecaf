extension ApplicationState {
    /// The state a committee's result makes once final: 通过 passed, 未通过 failed; nil for
    /// anything else.
    public init?(finalResult result: String) {
        switch result {
        case "通过": self = .passed
        case "未通过": self = .failed
        default: return nil
        }
    }
}

extension ApplicationKind {
    /// A committee's final result as every screen says the state it makes (`label(of:)`):
    /// 评审通过, 评审未通过 (an expert recommendation: 已入库（专家信息库） or 未通过); any
    /// other text as it is. The committee desk, the applicant's 评审结果 and 申报人员状态查询
    /// say the same.
    public func label(ofFinalResult result: String) -> String {
        ApplicationState(finalResult: result).map(label(of:)) ?? result
    }
}
