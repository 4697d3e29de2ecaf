import ZhichengCore
import ZhichengStorage

/// One org on the path 单位管理 draws from the caller's org down to the selected one.
public struct TreeStep: Sendable {
    /// The org on the path.
    public var org: OrgNode
    /// Its first `OrgService.treeChildren` children by code; the next org on the path as
    /// well (listed last) when it comes after those.
    public var children: [OrgNode]
    /// How many children it has in all.
    public var total: Int
    /// When it has more than the tree lists: the code of the last of the first ones, after
    /// which the list of its children on the right goes on.
    public var more: String?
}

/// One page of the selected org's children on 单位管理's right, with its sub-units' admins.
public struct SubOrgPage: Sendable {
    public var rows: [SubOrgRow]
    /// How many children the org has in all.
    public var total: Int
    /// Where the page before ends (read before this code), when there is one.
    public var previous: String?
    /// Where the next page starts (read after this code), when there is one.
    public var next: String?
}

/// 单位管理 (manual §1) as a city's tree of thousands allows: what a page shows is read, no
/// more. The path to the selected org with each org on it opened to its children, and the
/// selected org's children a page at a time, both from `orgs_children` (schema v40).
extension OrgService {
    /// How many children of each org on the path the tree lists (the others: on the right).
    public static let treeChildren = 200

    /// Sub-units on one page of the list on the right.
    public static let childrenPageSize = 100

    /// The path from the caller's org down to `selected` (404 for an org outside the caller's
    /// subtree), each org on it with its children (the first `treeChildren`, and the next org
    /// of the path): the tree's size is a few children lists, not the subtree.
    public func treePath(to selected: Int, caller: SignedIn) async throws -> [TreeStep] {
        try Access.requireOrgAdmin(caller)
        return try await store.read(caller) { conn in
            try Access.requireApprovedOrg(caller, conn)
            let target = try Access.visibleOrg(selected, caller: caller, conn)
            // The ancestors between the caller's org and the selected one, top down.
            let between = try conn.ancestors(of: target.id).prefix { $0 != caller.orgID }.reversed()
            let ids = target.id == caller.orgID ? [target.id] : [caller.orgID] + between + [target.id]
            guard let top = try conn.orgNode(ids[0]) else { throw ZhichengError.notFound("机构 \(selected) 不存在") }
            var steps: [TreeStep] = []
            var org = top
            for (index, id) in ids.enumerated() {
                var children = try conn.childNodes(of: id, from: .first, limit: Self.treeChildren)
                let total = children.count < Self.treeChildren ? children.count : try conn.childCount(of: id)
                let more = total > children.count ? children.last?.code : nil
                let next = index + 1 < ids.count ? ids[index + 1] : nil
                if let next, !children.contains(where: { $0.id == next }), let node = try conn.orgNode(next) {
                    children.append(node)
                }
                steps.append(TreeStep(org: org, children: children, total: total, more: more))
                if let next, let node = children.first(where: { $0.id == next }) { org = node }
            }
            return steps
        }
    }

    /// A page of `id`'s children (an org the caller can see) from `start`, each with its admin
    /// account: `limit` of them (1–500, `Paging`). On the screen (`restartPastEnd`) a page past
    /// the end (its rows deleted or moved away since) is the first page; the API answers it
    /// empty, so that a client following `next` never starts over.
    public func childrenPage(of id: Int, from start: SQLiteConnection.ChildrenStart, limit: Int = childrenPageSize, restartPastEnd: Bool = true,
                             caller: SignedIn) async throws -> SubOrgPage {
        try Access.requireOrgAdmin(caller)
        let size = Paging(limit, maximum: 500).size
        return try await store.read(caller) { conn in
            try Access.requireApprovedOrg(caller, conn)
            _ = try Access.visibleOrg(id, caller: caller, conn)
            var orgs = try conn.children(of: id, from: start, limit: size)
            if orgs.isEmpty, start != .first, restartPastEnd { orgs = try conn.children(of: id, from: .first, limit: size) }
            let admins = try conn.admins(of: orgs.map(\.id))
            let previous = try orgs.first.flatMap { try conn.hasChild(of: id, before: $0.code) ? $0.code : nil }
            let next = try orgs.last.flatMap { try conn.hasChild(of: id, after: $0.code) ? $0.code : nil }
            let total = previous == nil && next == nil && (start == .first || !orgs.isEmpty) ? orgs.count : try conn.childCount(of: id)
            return SubOrgPage(rows: orgs.map { SubOrgRow(org: $0, admin: admins[$0.id]) }, total: total, previous: previous, next: next)
        }
    }

    /// The children of the caller's own org whose 单位信息 waits for its 审核 (提交待审核), for
    /// 首页: how many, and the names of the first `limit` in code order (not every child read).
    public func childrenAwaitingReview(caller: SignedIn, limit: Int = 10) async throws -> (total: Int, names: [String]) {
        try Access.requireOrgAdmin(caller)
        return try await store.read(caller) { conn in
            try Access.requireApprovedOrg(caller, conn)
            return try conn.childrenAwaitingReview(of: caller.orgID, limit: limit)
        }
    }

    /// The id of the parent a move names. By its 单位编号 (as typed, `OrgCode.typed`): an org the
    /// caller can see, else the same refusal as for a code no org has (nothing is told of orgs
    /// outside the caller's subtree); and not the org's parent already, where a person who typed
    /// a code to move it would be told it moved. The rules of where it may go are `update`'s.
    static func parentID(_ parent: NewParent, moving org: OrgRecord, caller: SignedIn, _ conn: SQLiteConnection) throws -> Int {
        switch parent {
        case .id(let id):
            return id
        case .code(let code):
            guard let target = try conn.org(code: code), (try? Access.visibleOrg(target.id, caller: caller, conn)) != nil else {
                throw ZhichengError.invalid("本单位及其下级机构中没有单位编号为 \(code) 的机构", field: "parent_code")
            }
            guard target.id != org.parentID else {
                throw ZhichengError.invalid("“\(org.name)”已在“\(target.name)”之下，请填写另一个上级机构的单位编号", field: "parent_code")
            }
            return target.id
        }
    }
}

/// Where a move puts an org: under a parent named by its id (the API's `parent_id`) or by its
/// 单位编号 as a person types it (单位管理's 移到, which names it by the code shown with every org).
public enum NewParent: Sendable, Equatable {
    case id(Int)
    case code(String)
}
