extension ReviewChain {
    /// Whether an org's reviewers are told an application comes to them 重新提交: only when the
    /// org itself reviewed an earlier submission of it (`reviewedHere`: the submissions it
    /// decided on). A level above the one that returned it never saw it before: to its
    /// reviewers it is a new application, and "resubmitted" would send them looking for a
    /// first time they never had.
    public static func isResubmission(_ submission: Int, reviewedHere: some Sequence<Int>) -> Bool {
        submission > 1 && reviewedHere.contains { $0 < submission }
    }
}
