/// An org's live children in the order of their codes, a part at a time, from `orgs_children`
/// (schema v40; named, so that a database without it is an error, not a sort of every child).
extension SQLiteConnection {
    /// Where a part of a children list starts: from the first child, after a code (the next
    /// page) or, read backwards, before one (the page before).
    public enum ChildrenStart: Sendable, Equatable {
        case first
        case after(String)
        case before(String)
    }

    /// The live org `id` as a tree draws it.
    public func orgNode(_ id: Int) throws -> OrgNode? {
        try query("SELECT \(OrgNode.columns) FROM orgs WHERE id = ? AND deleted_at IS NULL", [id]).first.map(OrgNode.init)
    }

    /// The tree's nodes of up to `limit` children of `id` from `start`, in code order.
    public func childNodes(of id: Int, from start: ChildrenStart, limit: Int) throws -> [OrgNode] {
        try children(of: id, from: start, limit: limit, columns: OrgNode.columns, OrgNode.init)
    }

    /// The records of up to `limit` children of `id` from `start`, in code order.
    public func children(of id: Int, from start: ChildrenStart, limit: Int) throws -> [OrgRecord] {
        try children(of: id, from: start, limit: limit, columns: OrgRecord.columns, OrgRecord.init)
    }

    /// How many live children `id` has (from the index alone).
    public func childCount(of id: Int) throws -> Int {
        try scalar("SELECT count(*) FROM orgs INDEXED BY orgs_children WHERE parent_id = ? AND deleted_at IS NULL", [id])?.int ?? 0
    }

    /// Whether `id` has a live child whose code comes before `code`.
    public func hasChild(of id: Int, before code: String) throws -> Bool {
        try scalar("SELECT EXISTS (SELECT 1 FROM orgs INDEXED BY orgs_children WHERE parent_id = ? AND deleted_at IS NULL AND code < ?)", [id, code])?.int == 1
    }

    /// Whether `id` has a live child whose code comes after `code`.
    public func hasChild(of id: Int, after code: String) throws -> Bool {
        try scalar("SELECT EXISTS (SELECT 1 FROM orgs INDEXED BY orgs_children WHERE parent_id = ? AND deleted_at IS NULL AND code > ?)", [id, code])?.int == 1
    }

    /// The live children of `id` whose info waits for its review (`profile_state` submitted):
    /// how many, and the names of the first `limit` in code order (through `orgs_children`).
    public func childrenAwaitingReview(of id: Int, limit: Int) throws -> (total: Int, names: [String]) {
        let waiting = "FROM orgs INDEXED BY orgs_children WHERE parent_id = ? AND deleted_at IS NULL AND profile_state = 'submitted'"
        let names = try query("SELECT name \(waiting) ORDER BY code LIMIT ?", [id, limit]).compactMap { $0["name"].string }
        let total = names.count < limit ? names.count : try scalar("SELECT count(*) \(waiting)", [id])?.int ?? 0
        return (total, names)
    }

    /// The live org admin of each of `orgs`, by org, from `accounts_org_admin` (schema v40: not
    /// every account of each, a unit's staff and applicants, read to find its one admin).
    public func admins(of orgs: [Int]) throws -> [Int: AccountRecord] {
        guard !orgs.isEmpty else { return [:] }
        let admins = try query("""
            SELECT \(AccountRecord.columns) FROM accounts INDEXED BY accounts_org_admin
            WHERE kind = 'org_admin' AND deleted_at IS NULL AND org_id IN (SELECT value FROM json_each(?))
            """, ["[" + orgs.map(String.init).joined(separator: ",") + "]"]).map(AccountRecord.init)
        return Dictionary(admins.map { ($0.orgID, $0) }, uniquingKeysWith: { first, _ in first })
    }

    private func children<T>(of id: Int, from start: ChildrenStart, limit: Int, columns: String, _ make: (SQLiteRow) -> T) throws -> [T] {
        let base = "SELECT \(columns) FROM orgs INDEXED BY orgs_children WHERE parent_id = ? AND deleted_at IS NULL"
        switch start {
        case .first:
            return try query(base + " ORDER BY code LIMIT ?", [id, limit]).map(make)
        case .after(let code):
            return try query(base + " AND code > ? ORDER BY code LIMIT ?", [id, code, limit]).map(make)
        case .before(let code):
            return Array(try query(base + " AND code < ? ORDER BY code DESC LIMIT ?", [id, code, limit]).map(make).reversed())
        }
    }
}
