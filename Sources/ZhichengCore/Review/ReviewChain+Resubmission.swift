extension ReviewChain {
    /// Whether an org's reviewers are told an application comes to them 重新提交: only when the
    /// org itself reviewed an earlier submission of it (`reviewedHere`: the submissions it
    /// decided on). A level above the one that returned it never saw it before: to its
    /// reviewers it is a new application, and "resubmitted" would send them looking for a
    /// first time they never had.
    public static func isResubmission(_ submission: Int, reviewedHere: some Sequence<Int>) -> Bool {
        comparedSubmission(submission, reviewedHere: reviewedHere) != nil
    }

    /// The earlier submission an org's reviewers are shown what changed since: the last one
    /// the org itself decided on (`reviewedHere`), not merely the last one anybody reviewed.
    /// A level the application was returned below since it last came up compares with what
    /// it saw then, so the changes made for the level below are not hidden from it; a level
    /// that never saw it before has nothing to compare with (nil), and is shown no changes.
    public static func comparedSubmission(_ submission: Int, reviewedHere: some Sequence<Int>) -> Int? {
        reviewedHere.filter { $0 < submission }.max()
    }
}
