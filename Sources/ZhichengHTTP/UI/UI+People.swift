import Foundation
import Hummingbird
import ZhichengApp
import ZhichengCore
import ZhichengStorage

/// 本单位人员角色管理, 创建申报人员账户 (manual §4–§5), 印章管理 (§7) and the audit page.
extension UI {
    /// `entered`: a refused 添加人员 form, shown again as typed.
    func staffPage(_ user: SignedIn, _ context: TenantRequestContext, flash: Flash, status: HTTPResponse.Status = .ok,
                   entered: FormData? = nil, search: String = "", after: Int? = nil) async throws -> Response {
        var after = after
        var page = try await services.people.staff(of: user.orgID, search: search, limit: Self.peoplePageSize, after: after, caller: user)
        if after != nil, page.accounts.isEmpty, page.total > 0 {   // its last row was deleted: the first page
            after = nil
            page = try await services.people.staff(of: user.orgID, search: search, limit: Self.peoplePageSize, after: nil, caller: user)
        }
        let org = try await ownOrg(user)
        let rows: [[String: Any]] = page.accounts.map { p in
            [
                "id": p.id, "name": p.name, "login": p.login, "phone": p.phone, "enabled": p.enabled,
                "roles_label": p.roles.isEmpty ? "未设置" : p.roles.map(\.label).joined(separator: "、"),
                "handler": p.roles.contains(.handler), "leader": p.roles.contains(.leader),
                "series_label": p.permittedSeries.isEmpty ? "未设置" : p.permittedSeries.joined(separator: "、"),
                "sections_label": p.permittedSections.isEmpty ? "未设置" : p.permittedSections.joined(separator: "、"),
                "series": TitleCatalog.henan.series.map { ["name": $0.name, "checked": p.permittedSeries.contains($0.name)] },
                "sections": ApplicationSection.allCases.map { ["name": $0.rawValue, "checked": p.permittedSections.contains($0.rawValue)] },
            ]
        }
        if entered != nil { Self.refilled() }
        let typed: [String: Any] = ["typed_login": entered?["login"] ?? "", "typed_name": entered?["name"] ?? "", "typed_phone": entered?["phone"] ?? ""]
        let paging = Self.pagingData("staff", search: search, after: after, page: page, context: context, link: link)
        // What the permissions given leave unread at a step (the place they are mended).
        let unread = try await services.applications.unreadSections(caller: user).map(\.text)
        return try render("本单位人员角色管理", "staff", typed.merging(["people": rows, "unread": unread, "has_unread": !unread.isEmpty]) { $1 }.merging(paging) { $1 },
                          user: user, context, flash: flash, status: status,
                          navCurrent: "staff", orgName: org.name)
    }

    /// Rows on one page of 本单位人员 and 申报人员 (1–500).
    static let peoplePageSize = 100

    /// What a people page shows of its search and pages: the search box's text, the count, and
    /// the links to the first and the next page of the same search.
    static func pagingData(_ path: String, search: String, after: Int?, page: PeopleService.AccountPage, context: TenantRequestContext,
                           link: (String, [String?], TenantRequestContext) -> String) -> [String: Any] {
        ["total": page.total, "search": search, "searching": !search.isEmpty,
         "first_page": after == nil ? false as Any : link(path, listQuery(search: search, after: nil), context),
         "next_page": page.next.map { link(path, listQuery(search: search, after: $0), context) } as Any? ?? false,
         // Each row's forms carry the view they were posted from, which their answer goes back to.
         "back_q": search, "back_after": after.map(String.init) ?? ""]
    }

    /// The query of a people list's view: its search and where its page starts.
    static func listQuery(search: String, after: Int?) -> [String?] {
        listQuery(search: search, afterText: after.map(String.init))
    }

    /// The same, for a list whose position is not an id (评审结果公示's `PublicNotice.Position`).
    static func listQuery(search: String, afterText after: String?) -> [String?] {
        [search.isEmpty ? nil : "q=" + (search.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""), after.map { "after=" + $0 }]
    }

    /// The view a row's form was posted from (`_back_q`, `_back_after`, which a refused form's typed text leaves out): where its answer goes.
    static func postedView(_ form: FormData) -> (search: String, after: Int?) {
        (form.optional("_back_q") ?? "", (form.optional("_back_after")).flatMap { Int($0) })
    }

    /// `path` with the query of a view, for a redirect.
    static func viewPath(_ path: String, _ view: (search: String, after: Int?)) -> String {
        let items = listQuery(search: view.search, after: view.after).compactMap { $0 }
        return path + (items.isEmpty ? "" : "?" + items.joined(separator: "&"))
    }

    func staffAction(_ action: String, _ request: Request, _ context: TenantRequestContext) async throws -> Response {
        guard let (user, form) = try await form(request, context) else { return toSignIn(request, context) }
        let view = Self.postedView(form)
        let flash: Flash
        do {
            switch action {
            case "add":
                let created = try await services.people.addStaff(to: user.orgID, login: form["login"], name: form["name"], phone: form["phone"], caller: user)
                flash = .secret(label: "已添加人员\(created.account.name)（请点击“启动”并设置角色和审查权限）", login: created.account.login, password: created.password)
            case "enable", "disable":
                let p = try await services.people.setEnabled(try id(context), action == "enable", caller: user)
                flash = .ok(p.enabled ? "已启动\(p.name)" : "已停用\(p.name)")
            case "roles":
                let p = try await services.people.setRoles(try id(context), form.all("roles"), caller: user)
                flash = .ok("已设置\(p.name)的角色")
            case "permissions":
                let p = try await services.people.setPermissions(try id(context), series: form.all("series"), sections: form.all("sections"), caller: user)
                flash = .ok("已设置\(p.name)的审查权限")
            case "access":
                // The one form of a row: roles and permissions together, nothing ticked lost.
                let p = try await services.people.setReviewAccess(try id(context), roles: form.all("roles"), series: form.all("series"),
                                                                  sections: form.all("sections"), caller: user)
                flash = .ok("已保存\(p.name)的角色和审查权限")
            case "edit":
                let p = try await services.people.updateStaff(try id(context), name: form["name"], phone: form["phone"], caller: user)
                flash = .ok("已保存\(p.name)的信息")
            case "delete":
                try await services.people.deleteStaff(try id(context), caller: user)
                flash = .ok("已删除人员")
            default:
                throw ZhichengError.notFound("没有这个操作")
            }
        } catch let error as ZhichengError {
            return try await staffPage(user, context, flash: .error(error.shown(request)), status: error.status, entered: action == "add" ? form : nil,
                                       search: view.search, after: view.after)
        }
        return try await done(Self.viewPath("staff", view), flash, context) { try await staffPage(user, context, flash: flash, search: view.search, after: view.after) }
    }

    /// `entered`: a refused 添加 form, shown again as typed; `search` (`?q=`): a name or an
    /// ID-card number; `after`: the last account of the page before.
    func applicantsPage(_ user: SignedIn, _ context: TenantRequestContext, flash: Flash, status: HTTPResponse.Status = .ok,
                        importResult: (created: [CreatedAccount], problems: [ImportProblem])? = nil, entered: FormData? = nil,
                        search: String = "", after: Int? = nil) async throws -> Response {
        var after = after
        var page = try await services.people.applicants(of: user.orgID, search: search, limit: Self.peoplePageSize, after: after, caller: user)
        if after != nil, page.accounts.isEmpty, page.total > 0 {   // its last row was deleted: the first page
            after = nil
            page = try await services.people.applicants(of: user.orgID, search: search, limit: Self.peoplePageSize, after: nil, caller: user)
        }
        let org = try await ownOrg(user)
        let moves = try await services.people.moves(caller: user)
        if entered != nil { Self.refilled() }
        func row(_ m: PeopleService.MoveOffer, unit: ApplicantMove.Target) -> [String: Any] {
            ["id": m.id, "name": m.name, "login": m.login, "unit": "\(unit.name)（\(unit.code)）", "at": ChinaTime.minute(m.offeredAt)]
        }
        var data: [String: Any] = ["people": page.accounts.map { ["id": $0.id, "name": $0.name, "login": $0.login, "phone": $0.phone] },
                                   "has_moves_in": !moves.incoming.isEmpty, "moves_in": moves.incoming.map { row($0, unit: $0.from) },
                                   "has_moves_out": !moves.outgoing.isEmpty, "moves_out": moves.outgoing.map { row($0, unit: $0.to) },
                                   "typed_id_number": entered?["id_number"] ?? "", "typed_name": entered?["name"] ?? "", "typed_phone": entered?["phone"] ?? ""]
        data.merge(Self.pagingData("applicants", search: search, after: after, page: page, context: context, link: link)) { $1 }
        if let importResult {
            data["import_result"] = [
                "created_count": importResult.created.count,
                "created": importResult.created.map { ["name": $0.account.name, "login": $0.account.login, "password": $0.password] },
                "has_errors": !importResult.problems.isEmpty,
                "errors": importResult.problems.map { ["row": $0.row, "message": $0.message] },
            ]
        }
        return try render("创建申报人员账户", "applicants", data, user: user, context, flash: flash, status: status, navCurrent: "applicants", orgName: org.name)
    }

    func applicantAction(_ action: String, _ request: Request, _ context: TenantRequestContext) async throws -> Response {
        guard let (user, form) = try await form(request, context) else { return toSignIn(request, context) }
        let view = Self.postedView(form)
        do {
            switch action {
            case "add":
                let created = try await services.people.addApplicant(to: user.orgID, idNumber: form["id_number"], name: form["name"], phone: form["phone"], caller: user)
                return try await applicantsPage(user, context, flash: .secret(label: "已创建申报人\(created.account.name)的账户", login: created.account.login, password: created.password))
            case "import":
                guard let bytes = form.file, let csv = CSVTable.text(of: bytes) else {
                    throw ZhichengError.invalid("请选择 CSV 文件（UTF-8 或 GBK 编码，如 Excel 另存为的“CSV (逗号分隔)”）", field: "file")
                }
                let result = try await services.people.importApplicants(to: user.orgID, csv: csv, caller: user)
                return try await applicantsPage(user, context, flash: .ok("导入完成：成功 \(result.created.count) 行，失败 \(result.problems.count) 行"), importResult: result)
            case "edit":
                let p = try await services.people.updateApplicant(try id(context), name: form["name"], phone: form["phone"], caller: user)
                return done(Self.viewPath("applicants", view), "已保存\(p.name)的信息", context)
            case "move":
                let offer = try await services.people.offerMove(try id(context), toUnit: form["unit_code"], caller: user)
                return done(Self.viewPath("applicants", view), "已提出将\(offer.name)调动到\(offer.to.name)（单位编号\(offer.to.code)），待对方接收", context)
            case "accept":
                let moved = try await services.people.acceptMove(try id(context), caller: user)
                let drafts = moved.draftsMoved > 0 ? "，\(moved.draftsMoved)份草稿随人调入" : ""
                let staying = moved.stayingUnderWay > 0 ? "；其已提交的\(moved.stayingUnderWay)份申报仍由\(moved.offer.from.name)审查" : ""
                return done(Self.viewPath("applicants", view), "已接收\(moved.account.name)调入本单位\(drafts)\(staying)", context)
            case "decline":
                let offer = try await services.people.declineMove(try id(context), caller: user)
                return done(Self.viewPath("applicants", view), "已不接收\(offer.name)调入", context)
            case "cancel":
                let offer = try await services.people.cancelMove(try id(context), caller: user)
                return done(Self.viewPath("applicants", view), "已撤销\(offer.name)的调动", context)
            case "delete":
                try await services.people.deleteApplicant(try id(context), caller: user)
                return done(Self.viewPath("applicants", view), "已删除申报人账户", context)
            default:
                throw ZhichengError.notFound("没有这个操作")
            }
        } catch let error as ZhichengError {
            return try await applicantsPage(user, context, flash: .error(error.shown(request)), status: error.status, entered: action == "add" ? form : nil,
                                            search: view.search, after: view.after)
        }
    }

    func sealPage(_ user: SignedIn, _ context: TenantRequestContext, flash: Flash, status: HTTPResponse.Status = .ok) async throws -> Response {
        let org = try await ownOrg(user)
        guard OrgService.mayReadSeal(user) else { throw ZhichengError(.forbidden, "只有单位系统管理员可以管理印章") }
        // The tenant's root office sets up the committees: its seal goes on their opinions too.
        return try render("印章管理", "seal", ["has_seal": org.sealFileID != nil, "org_id": org.id, "version": org.sealFileID ?? 0, "max_size": FileSize.text(services.orgs.maxUploadBytes, roundingDown: true),
                                              "committee_office": org.parentID == nil],
                          user: user, context, flash: flash, status: status, navCurrent: "seal", orgName: org.name)
    }

    func sealAction(_ request: Request, _ context: TenantRequestContext) async throws -> Response {
        guard let (user, form) = try await form(request, context, upload: services.orgs.maxUploadBytes) else {
            return toSignIn(request, context)
        }
        do {
            guard let bytes = form.file, !bytes.isEmpty else { throw ZhichengError.invalid("请选择印章图片", field: "file") }
            try await services.orgs.upload(.seal, of: user.orgID, bytes: bytes, caller: user)
        } catch let error as ZhichengError {
            return try await sealPage(user, context, flash: .error(error.shown(request)), status: error.status)
        }
        return done("seal", "印章已上传", context)
    }

    /// Rows on one page of 操作日志 unless `?limit=` says otherwise (1–499).
    static let auditPageSize = 100

    /// 操作日志: one page, newest first (`before`: the oldest entry of the page before).
    func auditPage(_ user: SignedIn, _ context: TenantRequestContext, before: Int? = nil, limit: Int = Self.auditPageSize) async throws -> Response {
        let org = try await ownOrg(user)
        // The service reads at most `auditMaximum` rows: one more than shown says whether there are older ones.
        let paging = Paging(limit, maximum: OrgService.auditMaximum - 1)
        let (entries, older) = paging.cut(try await services.orgs.audit(caller: user, limit: paging.rowsToRead, before: before), cursor: \.seq)
        func page(before: Int?) -> String {
            link("audit", [paging.size == Self.auditPageSize ? nil : "limit=\(paging.size)", before.map { "before=\($0)" }], context)
        }
        let orgs = try await services.orgs.auditOrgNames(AuditLabels.orgIDs(entries.map(\.entry.target)), caller: user)
        let rows = entries.map(\.entry).map { e -> [String: Any] in
            ["at": ChinaTime.second(e.at), "actor": AuditLabels.actor(e.actor), "code": e.action,
             "action": AuditAction.label(code: e.action, target: e.target), "target": AuditLabels.target(e.target, orgs: orgs), "detail": AuditLabels.detail(e.detail, action: e.action),
             "source": AuditLabels.source(e.source)]
        }
        let data: [String: Any] = [
            "entries": rows,
            "newest_page": before == nil ? false as Any : page(before: nil),
            "older_page": older.map { page(before: $0) } as Any? ?? false,
        ]
        return try render("操作日志", "audit", data, user: user, context, navCurrent: "audit", orgName: org.name)
    }
}
