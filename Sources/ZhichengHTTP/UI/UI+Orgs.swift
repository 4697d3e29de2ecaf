import Foundation
import Hummingbird
import ZhichengApp
import ZhichengCore
import ZhichengStorage

/// 单位管理 (manual §1): the tree on the left, the selected org's children on the right.
extension UI {
    func orgsPage(_ user: SignedIn, _ context: TenantRequestContext, selected: Int?, flash: Flash, status: HTTPResponse.Status = .ok) async throws -> Response {
        let all = try await services.orgs.subtree(caller: user)
        let selectedID = selected.flatMap { id in all.first { $0.id == id }?.id } ?? user.orgID
        guard let current = all.first(where: { $0.id == selectedID }) else { throw ZhichengError.notFound("机构不存在") }
        let rows = try await services.orgs.children(of: selectedID, caller: user)
        let own = all.first { $0.id == user.orgID }
        let subtreeOfSelected = Set(descendants(of: selectedID, in: all) + [selectedID])
        let data: [String: Any] = [
            "tree": treeHTML(all, root: user.orgID, selected: selectedID, context),
            "selected": ["id": current.id, "name": current.name, "code": current.code, "kind_label": current.kind.label],
            "can_manage_selected": user.kind == .orgAdmin && current.id != user.orgID,
            "can_add": user.kind == .orgAdmin && current.kind != .unit,
            // Under a 主管单位 what is added is mostly a 单位: offered first.
            "child_kinds": OrgKind.allCases.filter { current.kind.mayContain($0) }
                .map { ["value": $0.rawValue, "label": $0.label, "selected": current.kind == .department && $0 == .unit] },
            "move_targets": all.filter { !subtreeOfSelected.contains($0.id) && $0.kind.mayContain(current.kind) && $0.id != current.parentID }
                .map { ["id": $0.id, "label": "\($0.name)（\($0.code)）"] },
            "children": rows.map { row -> [String: Any] in
                let p = row.org.profile
                return [
                    // A unit that has not filled in its info yet says so, not a blank.
                    "id": row.org.id, "name": row.org.name, "code": row.org.code, "affiliation_level": p.affiliationLevel.isEmpty ? "未填写" : p.affiliationLevel,
                    "category": p.category, "industry": p.industry.isEmpty ? "未填写" : p.industry,
                    "nature": p.nature.isEmpty ? "未填写" : p.nature,
                    "has_certificate": row.org.certificateFileID != nil, "state": row.org.profileState.rawValue, "state_label": row.org.profileState.label,
                    "reject_reason": row.org.profileState == .rejected ? (row.org.rejectReason ?? "") as Any : false,
                    "submitted": row.org.profileState == .submitted && selectedID == user.orgID,
                    "admin_login": row.admin?.login ?? "", "admin_name": row.admin?.name ?? "", "admin_phone": row.admin?.phone ?? "", "admin_email": row.admin?.email ?? "",
                    // Under the row, as the manual's table shows them (read only; 编辑信息 changes them).
                    "admin": row.admin.map { a -> [String: Any] in
                        ["name": a.name, "login": a.login, "phone": a.phone.isEmpty ? "未填写" : a.phone, "email": a.email.isEmpty ? "未填写" : a.email]
                    } as Any? ?? false,
                ]
            },
        ]
        return try render("单位管理", "orgs", data, user: user, context, flash: flash, status: status, navCurrent: "orgs", orgName: own?.name)
    }

    func orgAction(_ action: String, _ request: Request, _ context: TenantRequestContext) async throws -> Response {
        guard let (user, form) = try await form(request, context) else { return toSignIn(request, context) }
        let target = try id(context)
        var show = target
        let flash: Flash
        do {
            switch action {
            case "children":
                let created = try await services.orgs.createChild(of: target, name: form["name"], kind: form["kind"], caller: user)
                flash = .secret(label: "已添加\(created.org.name)，自动生成系统管理员账户", login: created.adminLogin, password: created.adminPassword)
            case "rename":
                let org = try await services.orgs.update(target, name: form["name"], parentID: nil, caller: user)
                flash = .ok("已修改机构名称为“\(org.name)”")
            case "move":
                guard let parent = Int(form["parent_id"]) else { throw ZhichengError.invalid("请选择上级机构", field: "parent_id") }
                let org = try await services.orgs.update(target, name: nil, parentID: parent, caller: user)
                flash = .ok("已将“\(org.name)”移动到新的上级机构下")
            case "delete":
                let org = try await services.orgs.org(target, caller: user)
                try await services.orgs.delete(target, caller: user)
                show = org.parentID ?? user.orgID
                flash = .ok("已删除“\(org.name)”")
            case "review":
                let org = try await services.orgs.reviewProfile(of: target, approve: try Approval(parsing: form["decision"]) == .approve, reason: form.optional("reason"), caller: user)
                show = org.parentID ?? user.orgID
                flash = .ok(org.profileState == .approved ? "已审核通过“\(org.name)”的单位信息" : "已退回“\(org.name)”的单位信息")
            case "admin":
                _ = try await services.orgs.updateAdmin(of: target, name: form.optional("name"), phone: form.optional("phone"), email: form.optional("email"), caller: user)
                show = try await services.orgs.org(target, caller: user).parentID ?? user.orgID
                flash = .ok("已保存系统管理员信息")
            case "reset-password":
                let (login, password) = try await services.orgs.resetAdminPassword(of: target, caller: user)
                show = try await services.orgs.org(target, caller: user).parentID ?? user.orgID
                flash = .secret(label: "已初始化密码", login: login, password: password)
            default:
                throw ZhichengError.notFound("没有这个操作")
            }
        } catch let error as ZhichengError {
            let parent = (try? await services.orgs.org(target, caller: user))?.parentID
            return try await orgsPage(user, context, selected: action == "children" ? target : (parent ?? target), flash: .error(error.shown(request)), status: error.status)
        }
        return try await done("orgs?selected=\(show)", flash, context) { try await orgsPage(user, context, selected: show, flash: flash) }
    }

    func descendants(of id: Int, in all: [OrgRecord]) -> [Int] {
        let children = Dictionary(grouping: all, by: \.parentID)
        var out: [Int] = [], next = [id]
        while let parent = next.popLast() {
            let ids = (children[parent] ?? []).map(\.id)
            out += ids
            next += ids
        }
        return out
    }

    /// The nested list of the caller's subtree; names are escaped here since it is inserted raw.
    func treeHTML(_ all: [OrgRecord], root: Int, selected: Int, _ context: TenantRequestContext) -> String {
        // Each org's children looked up, not searched for: a city's tree has thousands.
        let byParent = Dictionary(grouping: all, by: \.parentID)
        func node(_ org: OrgRecord) -> String {
            let current = org.id == selected ? " aria-current=\"true\"" : ""
            let children = (byParent[org.id] ?? []).sorted { $0.code < $1.code }
            let inner = children.isEmpty ? "" : "<ul>" + children.map(node).joined() + "</ul>"
            return "<li><a href=\"\(base(context))orgs?selected=\(org.id)\"\(current)>\(HTMLText.escape(org.name))</a>\(inner)</li>"
        }
        guard let top = all.first(where: { $0.id == root }) else { return "" }
        return "<ul>" + node(top) + "</ul>"
    }
}
