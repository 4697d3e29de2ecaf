import ZhichengCore
import ZhichengStorage

/// Who may do what in the org tree — the one place these rules are written.
enum Access {
    /// Only an org's 系统管理员 administers it.
    static func requireOrgAdmin(_ caller: SignedIn) throws {
        guard caller.kind == .orgAdmin else { throw ZhichengError(.forbidden, "只有单位系统管理员可以进行此操作") }
    }

    /// Until an org's info is approved by its parent, its accounts may only maintain
    /// and submit that info (and change their password).
    static func requireApprovedOrg(_ caller: SignedIn, _ conn: SQLiteConnection) throws {
        guard let org = try conn.org(caller.orgID) else { throw ZhichengError(.forbidden, "所属单位不存在") }
        guard org.isApproved else {
            throw ZhichengError(.forbidden, "本单位信息尚未经上级审核通过，目前只能维护并提交单位信息")
        }
    }

    /// The caller's org, if it is an office (职改办) and the caller its 系统管理员: who sets up
    /// committees (评委会), changes them and lists them. Nobody else needs the list: a unit
    /// reads its applicant's committee by name with the application (申报人员状态查询), an
    /// expert their session's; committees of another office, even an ancestor's, are that
    /// office's to run.
    @discardableResult
    static func requireCommitteeOffice(_ caller: SignedIn, _ conn: SQLiteConnection) throws -> OrgRecord {
        guard caller.kind == .orgAdmin, let org = try conn.org(caller.orgID), org.kind == .office else {
            throw ZhichengError(.forbidden, "评委会由职改办设立和管理，只有职改办的系统管理员可以查看和设立评委会")
        }
        return org
    }

    /// The target org, if the caller's org is it or one of its ancestors.
    static func visibleOrg(_ id: Int, caller: SignedIn, _ conn: SQLiteConnection) throws -> OrgRecord {
        guard let org = try conn.org(id) else { throw ZhichengError.notFound("机构 \(id) 不存在") }
        let ancestors = try conn.ancestors(of: id)
        guard org.id == caller.orgID || ancestors.contains(caller.orgID) else {
            throw ZhichengError.notFound("机构 \(id) 不存在")
        }
        return org
    }

    /// The target org, if the caller is the admin of one of its ancestors (only
    /// ancestors manage an org; nobody manages their own org's place in the tree).
    static func managedOrg(_ id: Int, caller: SignedIn, _ conn: SQLiteConnection) throws -> OrgRecord {
        try requireOrgAdmin(caller)
        let org = try visibleOrg(id, caller: caller, conn)
        guard org.id != caller.orgID else { throw ZhichengError(.forbidden, "只有上级单位可以管理本单位") }
        return org
    }

    /// The caller's own org, for the caller's admin.
    static func ownOrg(_ id: Int, caller: SignedIn, _ conn: SQLiteConnection) throws -> OrgRecord {
        try requireOrgAdmin(caller)
        guard id == caller.orgID, let org = try conn.org(id) else {
            if (try? visibleOrg(id, caller: caller, conn)) != nil { throw ZhichengError(.forbidden, "只能由该单位自己的系统管理员操作") }
            throw ZhichengError.notFound("机构 \(id) 不存在")
        }
        return org
    }
}
