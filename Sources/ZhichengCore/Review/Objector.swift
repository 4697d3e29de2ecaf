/// Who lodged an objection, as the committee's office reads it (`objections.lodged_by`): the
/// person's name and their org's, `周老师（回民中学）`. Every unit's admin account has the same
/// default name (系统管理员), so the name alone tells the office nothing; the org does. One rule
/// for an objection lodged in the committee's own tenant and for one relayed from a city (the
/// org there). An org without a name (none known) leaves the person's name alone.
public enum Objector {
    /// `person` named with `org`: `系统管理员（回民中学）`.
    public static func displayName(_ person: String, org: String) -> String {
        org.isEmpty ? person : "\(person)（\(org)）"
    }
}
