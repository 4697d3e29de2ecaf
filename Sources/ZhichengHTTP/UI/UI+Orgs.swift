import Foundation
import Hummingbird
import ZhichengApp
import ZhichengCore
import ZhichengStorage

/// 单位管理 (manual §1): the tree on the left, the selected org's children on the right.
extension UI {
    /// `selected`: the org whose children are listed (the caller's own when none); `start`: where
    /// the page of that list starts. An org unknown or outside the caller's subtree shows the
    /// caller's own, said as a 404 that names nothing of the other (the API's answer for it).
    func orgsPage(_ user: SignedIn, _ context: TenantRequestContext, selected: Int?, start: SQLiteConnection.ChildrenStart = .first, flash: Flash,
                  status: HTTPResponse.Status = .ok) async throws -> Response {
        var start = start, flash = flash, status = status
        let path: [TreeStep]
        do {
            path = try await services.orgs.treePath(to: selected ?? user.orgID, caller: user)
        } catch let error as ZhichengError where error.code == .notFound && selected != nil {
            path = try await services.orgs.treePath(to: user.orgID, caller: user)
            start = .first
            if case .none = flash {
                flash = .error("没有这个单位，或它不在本单位之下；下面是本单位")
                status = .notFound
            }
        }
        guard let own = path.first?.org, let current = path.last?.org else { throw ZhichengError.notFound("机构不存在") }
        let selectedID = current.id
        let page = try await services.orgs.childrenPage(of: selectedID, from: start, caller: user)
        let back = Self.childrenCursor(start)
        let data: [String: Any] = [
            "tree": treeHTML(path, context),
            "selected": ["id": current.id, "name": current.name, "code": current.code, "kind_label": current.kind.label],
            "can_manage_selected": user.kind == .orgAdmin && current.id != user.orgID,
            "can_add": user.kind == .orgAdmin && current.kind != .unit,
            // Under a 主管单位 what is added is mostly a 单位: offered first.
            "child_kinds": OrgKind.allCases.filter { current.kind.mayContain($0) }
                .map { ["value": $0.rawValue, "label": $0.label, "selected": current.kind == .department && $0 == .unit] },
            "children_total": page.total, "has_children": page.total > 0,
            "children_paged": page.previous != nil || page.next != nil,
            "previous_page": page.previous.map { base(context) + Self.orgsPath(selectedID, .before($0)) } as Any? ?? false,
            "next_page": page.next.map { base(context) + Self.orgsPath(selectedID, .after($0)) } as Any? ?? false,
            // Each row's forms carry the page they were posted from, which their answer goes back to.
            "back_after": back.after ?? "", "back_before": back.before ?? "",
            "children": page.rows.map { row -> [String: Any] in
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
        return try render("单位管理", "orgs", data, user: user, context, flash: flash, status: status, navCurrent: "orgs", orgName: own.name)
    }

    /// The path of 单位管理 with `selected`'s children from `start` (`after=` or `before=` a code;
    /// neither for the first page), under the tenant.
    static func orgsPath(_ selected: Int, _ start: SQLiteConnection.ChildrenStart) -> String {
        let cursor = childrenCursor(start)
        return "orgs?selected=\(selected)" + (cursor.after.map { "&after=" + $0 } ?? "") + (cursor.before.map { "&before=" + $0 } ?? "")
    }

    /// Where a page of the children list starts, as the codes its query and a row's form carry,
    /// percent-encoded (a code is digits, but a link is never built from raw text).
    static func childrenCursor(_ start: SQLiteConnection.ChildrenStart) -> (after: String?, before: String?) {
        func encoded(_ code: String) -> String { code.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "" }
        switch start {
        case .first: return (nil, nil)
        case .after(let code): return (encoded(code), nil)
        case .before(let code): return (nil, encoded(code))
        }
    }

    /// Where a page of the children list starts, from a query's or a posted row's `after` and
    /// `before` (`after` when both; the first page when neither, or an empty one).
    static func childrenStart(after: String?, before: String?) -> SQLiteConnection.ChildrenStart {
        if let after, !after.isEmpty { return .after(after) }
        if let before, !before.isEmpty { return .before(before) }
        return .first
    }

    func orgAction(_ action: String, _ request: Request, _ context: TenantRequestContext) async throws -> Response {
        guard let (user, form) = try await form(request, context) else { return toSignIn(request, context) }
        let target = try id(context)
        let start = Self.childrenStart(after: form.optional("_back_after"), before: form.optional("_back_before"))
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
                // By the new parent's 单位编号, which the service resolves (a list of every org a
                // city could move it under would be thousands long).
                let org = try await services.orgs.update(target, name: nil, parent: .code(form["parent_code"]), caller: user)
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
            return try await orgsPage(user, context, selected: action == "children" ? target : (parent ?? target), start: start,
                                      flash: .error(error.shown(request)), status: error.status)
        }
        // A row's form (审核, 编辑信息, 初始化密码) goes back to the page of the list it was on.
        return try await done(Self.orgsPath(show, start), flash, context) { try await orgsPage(user, context, selected: show, start: start, flash: flash) }
    }

    /// The path from the caller's org down to the selected one, each org on it opened to its
    /// children (the others closed: a link selects one); names are escaped here since it is
    /// inserted raw. A list longer than the tree shows says how long it is, with a link to
    /// the rest on the right, a page at a time.
    func treeHTML(_ path: [TreeStep], _ context: TenantRequestContext) -> String {
        guard let selected = path.last?.org.id else { return "" }
        func link(_ org: OrgNode) -> String {
            let current = org.id == selected ? " aria-current=\"true\"" : ""
            return "<a href=\"\(base(context))orgs?selected=\(org.id)\"\(current)>\(HTMLText.escape(org.name))</a>"
        }
        func node(_ level: Int) -> String {
            let step = path[level]
            let next = level + 1 < path.count ? path[level + 1].org.id : nil
            func item(_ child: OrgNode) -> String { child.id == next ? node(level + 1) : "<li>" + link(child) + "</li>" }
            var inner = ""
            if let more = step.more {
                inner += step.children.filter { $0.code <= more }.map(item).joined()
                let rest = Self.orgsPath(step.org.id, .after(more)).replacing("&", with: "&amp;")
                inner += "<li class=\"tree-more\">共 \(step.total) 个，<a href=\"\(base(context))\(rest)\">"
                    + "查看其余<span class=\"vh\">：\(HTMLText.escape(step.org.name))的下级机构</span></a></li>"
                inner += step.children.filter { $0.code > more }.map(item).joined()
            } else {
                inner = step.children.map(item).joined()
            }
            return "<li>" + link(step.org) + (inner.isEmpty ? "" : "<ul>" + inner + "</ul>") + "</li>"
        }
        return "<ul>" + node(0) + "</ul>"
    }
}
