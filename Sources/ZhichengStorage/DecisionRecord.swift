/// A row of `decisions`, the review trail: a submission, a withdrawal or a reviewer's decision.
///
/// Who decided is part of the record, as they were at that moment: the org's name, the org's
/// seal (the file it had then; files are never deleted) and the actor's name are written
/// with the row (`SQLiteConnection.appendDecision`). A later rename, a new seal or a reviewer's
/// name corrected later leave it alone, so the 评审表, the trail and the province's copy of
/// the trail say what the record said when it was made. Rows written before the columns
/// existed have none of them and are read, as they always were, from the org and the account
/// as they are now (`asDecided`).
public struct DecisionRecord: Sendable {
    public var applicationID: Int
    public var submission: Int
    /// The org whose step it was; nil for the applicant's submission and withdrawal.
    public var orgID: Int?
    /// `handler` or `leader`; nil for the applicant's steps.
    public var stage: String?
    public var actorID: Int
    /// `submit`, `withdraw`, `pass`, `return` or `reject` (the table checks it).
    public var decision: String
    public var comment: String
    /// The sections a return names, as a JSON array.
    public var sections: String
    public var reason: String?
    public var at: Double

    public init(applicationID: Int, submission: Int, orgID: Int? = nil, stage: String? = nil, actorID: Int, decision: String,
                comment: String = "", sections: String = "[]", reason: String? = nil, at: Double) {
        self.applicationID = applicationID
        self.submission = submission
        self.orgID = orgID
        self.stage = stage
        self.actorID = actorID
        self.decision = decision
        self.comment = comment
        self.sections = sections
        self.reason = reason
        self.at = at
    }

    /// The FROM clause of a reader of who decided: the decision `d`, its org `o` (none for
    /// the applicant's steps) and its actor `a`, which `asDecided` falls back to.
    public static let fromAsDecided = "decisions d LEFT JOIN orgs o ON o.id = d.org_id JOIN accounts a ON a.id = d.actor_id"

    /// The select-list columns `org_name`, `org_seal_file_id` and `actor_name` of a row of
    /// `fromAsDecided`: as recorded with the decision, or, for a row written before they were
    /// recorded (no `actor_name`: every account has a name, so every row written since has
    /// one), the org's and the account's as they are now. The seal is the recorded one even
    /// when that is none: an org that had no seal when it decided gets none stamped later.
    /// The one rule of every reader (the trail, the 评审表, the hand-over to the province).
    public static let asDecided = """
        CASE WHEN d.actor_name IS NULL THEN o.name ELSE d.org_name END AS org_name,
        CASE WHEN d.actor_name IS NULL THEN o.seal_file_id ELSE d.org_seal_file_id END AS org_seal_file_id,
        CASE WHEN d.actor_name IS NULL THEN a.name ELSE d.actor_name END AS actor_name
        """
}

extension SQLiteConnection {
    /// Appends `record` to the trail with its org's name and seal and its actor's name as
    /// they are in this transaction (the decision's own): read by the statement itself, so no
    /// caller can pass stale ones or leave them out.
    public func appendDecision(_ record: DecisionRecord) throws {
        try run("""
            INSERT INTO decisions (application_id, submission, org_id, stage, actor_id, decision, comment, sections, reason, at,
                                   org_name, org_seal_file_id, actor_name)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,
                    (SELECT name FROM orgs WHERE id = ?3), (SELECT seal_file_id FROM orgs WHERE id = ?3), (SELECT name FROM accounts WHERE id = ?5))
            """, [record.applicationID, record.submission, record.orgID, record.stage, record.actorID, record.decision, record.comment,
                  record.sections, record.reason, record.at])
    }
}
