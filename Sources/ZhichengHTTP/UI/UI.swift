import Foundation
import Hummingbird
import Logging
import Mustache
import NIOCore
import ZhichengApp
import ZhichengCore
import ZhichengStorage

/// A message shown on the next page: success, error, or a one-time password.
enum Flash {
    case none
    case ok(String)
    case error(String)
    case secret(label: String, login: String, password: String)
}

/// Page builders and form handlers of the web UI.
struct UI: Sendable {
    let services: AppServices
    static let loginCSRFCookie = "zc_login_csrf"
    /// A success message carried across a redirect (post, redirect, get): set with the
    /// redirect, shown once by the page it leads to, which clears it.
    static let flashCookie = "zc_flash"
    /// Where an internal error met while building a page is written (its page says only that
    /// there was one).
    static let logger = Logger(label: "zhicheng.ui")

    /// The message of `flashCookie` on the request a page is being built for.
    @TaskLocal static var carriedFlash: String?

    /// The form of the UI post being answered (`PostedFormMiddleware` binds one per post).
    @TaskLocal static var posted: PostedForm?

    /// Says that the page being built puts the refused form's typed values back into its
    /// fields, so that `render` need not show them again below the message.
    static func refilled() { posted?.refilled = true }

    func base(_ context: TenantRequestContext) -> String { "/t/\(context.tenant.id.rawValue)/" }
    func api(_ context: TenantRequestContext) -> String { "/t/\(context.tenant.id.rawValue)/api/v1/" }

    func id(_ context: TenantRequestContext) throws -> Int {
        guard let raw = context.parameters.get("id"), let value = Int(raw), value > 0 else { throw ZhichengError.notFound("没有这个对象") }
        return value
    }

    /// The signed-in account behind the session cookie, if any. A session that cannot be
    /// checked (the tenant's database cannot be read) is not taken for one that has ended:
    /// the error goes on to a page that says so, and to the log.
    func user(_ request: Request, _ context: TenantRequestContext) async throws -> SignedIn? {
        guard let token = request.cookies[AuthMiddleware.cookieName]?.value, !token.isEmpty else { return nil }
        do {
            return try await services.auth.authenticate(tenant: context.tenant.id, token: token, source: context.remoteAddress)
        } catch let error as ZhichengError where error.code == .unauthorized {
            return nil
        } catch let error as ZhichengError {
            throw UIErrorPage(page: try render("错误", "error", [:], user: nil, context, flash: .error(error.shown(request)), status: error.status))
        }
    }

    /// Where a request without a usable session goes: the sign-in page, which says the
    /// session has ended (idle too long, expired, signed out elsewhere) when the browser
    /// still sent one.
    func toSignIn(_ request: Request, _ context: TenantRequestContext) -> Response {
        let sent = request.cookies[AuthMiddleware.cookieName]?.value.isEmpty == false
        return UIRoutes.redirect(base(context) + (sent ? "login?ended=1" : "login"))
    }

    /// What the sign-in page says after `toSignIn` found a session that has ended.
    static let sessionEnded = "登录已结束（长时间未操作或已失效），请重新登录"

    /// The answer to a request whose session ended after it was let in (a transaction of it
    /// found the session gone: `TenantStore.read/write(caller)`), as to one that came after:
    /// a post's typed text shown for copying (401), else the sign-in page. Nothing was changed.
    func sessionEnded(_ request: Request, _ context: TenantRequestContext) throws -> Response {
        if let form = Self.posted?.form, !KeptInput.fields(form).isEmpty {
            return try keptInputPage(Self.sessionEnded, form, user: nil, request, context, status: .unauthorized)
        }
        return toSignIn(request, context)
    }

    /// Runs a GET page for a signed-in account: sends others to the login page,
    /// one-time-password holders to the password page, and accounts of an org not
    /// yet approved to 单位信息维护.
    func page(_ request: Request, _ context: TenantRequestContext, allowPasswordChange: Bool = false, allowUnapproved: Bool = false,
              _ build: (SignedIn) async throws -> Response) async throws -> Response {
        guard let user = try await user(request, context) else { return toSignIn(request, context) }
        if user.mustChangePassword && !allowPasswordChange { return UIRoutes.redirect(base(context) + "password") }
        let carried = request.cookies[Self.flashCookie]?.value.removingPercentEncoding.flatMap { $0.isEmpty ? nil : $0 }
        var response: Response
        do {
            response = try await Self.$carriedFlash.withValue(carried) { try await build(user) }
        } catch let error as ZhichengError where error.code == .forbidden && !allowUnapproved && error.publicMessage.contains("审核") {
            response = UIRoutes.redirect(base(context) + "profile")
        } catch let error as ZhichengError {
            response = try render("错误", "error", [:], user: user, context, flash: .error(error.shown(request)), status: error.status)
        }
        // A carried message is shown once, whatever the page turned out to be.
        if carried != nil { response.headers[.setCookie] = "\(Self.flashCookie)=; Path=\(base(context)); HttpOnly; SameSite=Strict; Max-Age=0" }
        return response
    }

    /// The answer to a form that did what it asked: a redirect (303) to `path` under the
    /// tenant, whose page says `message` once (post, redirect, get: reloading that page
    /// sends nothing again, where a page answered to the post would re-post the form).
    func done(_ path: String, _ message: String, _ context: TenantRequestContext) -> Response {
        UIRoutes.redirect(base(context) + path, flash: message, tenantBase: base(context))
    }

    /// `done` for a handler that made a `Flash`: a message goes across the redirect. A
    /// one-time password (`.secret`) is never put in a cookie: its page (`page`) is the
    /// answer to the post itself.
    func done(_ path: String, _ flash: Flash, _ context: TenantRequestContext, else page: () async throws -> Response) async throws -> Response {
        if case .ok(let message) = flash { return done(path, message, context) }
        return try await page()
    }

    /// A link to a page of a list screen: `path` under the tenant with the query items
    /// given (nil ones left out), e.g. the step and size kept and the next page's cursor.
    func link(_ path: String, _ query: [String?], _ context: TenantRequestContext) -> String {
        let items = query.compactMap { $0 }
        return base(context) + path + (items.isEmpty ? "" : "?" + items.joined(separator: "&"))
    }

    /// Reads a posted form and checks its CSRF token against the session before any
    /// change; nil when nobody is signed in. `upload`: the largest file the form may
    /// carry (the body may be 64 KiB more). A body too large, unreadable or with a stale
    /// token is answered with an HTML page saying so (`UIErrorPage`), not the API's JSON.
    /// An account holding a one-time password may post only the password change and
    /// sign-out (`allowPasswordChange`), as the API allows only those: anything else is
    /// refused before the form is read.
    /// `upload`: the largest file the form may carry (all its files together); `text`: how much
    /// text may come with it besides (the application page's sections), beyond the usual 64 KiB;
    /// `tooLarge`: what a body over that is told, where `文件不能超过 <upload>` would mislead (a
    /// limit for each of several files).
    func form(_ request: Request, _ context: TenantRequestContext, upload: Int? = nil, text: Int = 0, tooLarge: String? = nil,
              allowPasswordChange: Bool = false) async throws -> (SignedIn, FormData)? {
        let limit = upload.map { $0 + 64 * 1024 + text } ?? (1 << 20) + text
        guard let user = try await user(request, context) else {
            // The session ended while the page was open (the browser still sends its cookie):
            // what was typed is shown for copying, else the sign-in page, as for any page. A post
            // without the cookie is not read: it is not one of ours (the cookie is SameSite=Strict,
            // so a form another site posts comes without it) and nothing of it is shown back.
            // Read as a signed-in post is (a file may come with the text), at the sender's cost.
            if request.cookies[AuthMiddleware.cookieName]?.value.isEmpty == false,
               let form = try? await FormData.parse(request, limit: limit), !KeptInput.fields(form).isEmpty {
                throw UIErrorPage(page: try keptInputPage(Self.sessionEnded, form, user: nil, request, context, status: .unauthorized))
            }
            return nil
        }
        do {
            if user.mustChangePassword && !allowPasswordChange { throw ZhichengError(.forbidden, "请先修改初始密码") }
            let form = try await FormData.parse(request, limit: limit)
            guard form["_csrf"] == user.csrfToken else {
                // A page of an earlier session (signed out and in again meanwhile, maybe in another window).
                throw UIErrorPage(page: try keptInputPage("表单已过期或无效（例如该页面打开后曾重新登录），未保存，请刷新页面后重试", form, user: user, request, context,
                                                          status: .forbidden))
            }
            if form["_confirmed"] != "1", let message = Self.confirmation(for: request.uri.path, form) {
                throw UIErrorPage(page: try confirmPage(message, form: form, request, user: user, context))
            }
            Self.posted?.form = form
            return (user, form)
        } catch var error as ZhichengError {
            if error.code == .tooLarge { error.message = tooLarge ?? upload.map { "文件不能超过 \(FileSize.text($0, roundingDown: true))" } ?? "提交的内容过长" }
            throw UIErrorPage(page: try render("错误", "error", [:], user: user, context, flash: .error(error.shown(request)), status: error.status))
        }
    }

    /// The answer to a form that could not be taken (`message` says why) with the text typed
    /// into it (`KeptInput`) for copying, and the ways on: back to the page, or, with nobody
    /// signed in, the sign-in page in a new window so that this one stays open.
    func keptInputPage(_ message: String, _ form: FormData, user: SignedIn?, _ request: Request, _ context: TenantRequestContext,
                       status: HTTPResponse.Status) throws -> Response {
        Self.refilled()   // the page is the typed text: `render` is not to show it again
        let fields = KeptInput.fields(form).map { f -> [String: Any] in
            ["label": f.label, "value": f.value, "rows": KeptInput.rows(f.value)]
        }
        let referer = request.headers[.referer].flatMap { URLComponents(string: $0)?.path } ?? ""
        let fromPage = referer.hasPrefix(base(context))
        return try render("未保存", "kept", ["has_fields": !fields.isEmpty, "fields": fields, "signed_in": user != nil,
                                          "back": fromPage ? referer : base(context) + "home", "back_label": fromPage ? "返回原页面" : "返回首页"],
                          user: user, context, flash: .error(message), status: status)
    }

    // MARK: Confirmation

    /// What a destructive form asks before it is done, by the path it posts to: nil for forms
    /// that are not asked again. Deletions, password resets, a withdrawal, an expert leaving the
    /// database, the end or the cancellation of a review session, a result put into public notice
    /// (naming it; several at once, counting them), results confirmed at once, a review's 未通过.
    /// A form on a row of a list (删除 of a person, 退出专家库 of an expert …) carries the name
    /// its row shows (`_what`), which the question repeats, so that the right row is confirmed.
    static func confirmation(for path: String, _ form: FormData) -> String? {
        let what = form["_what"].trimmingCharacters(in: .whitespacesAndNewlines)
        func named(_ kind: String) -> String { what.isEmpty ? "该\(kind)" : "\(kind)“\(what.prefix(100))”" }
        let parts = path.split(separator: "/").map(String.init)
        guard parts.count >= 4, parts[0] == "t" else { return nil }
        let route = Array(parts.dropFirst(2))
        func matches(_ pattern: String) -> Bool {
            let want = pattern.split(separator: "/")
            return want.count == route.count && zip(want, route).allSatisfy { $0 == "*" || $0 == $1 }
        }
        switch true {
        case matches("orgs/*/delete"): return "确定删除\(named("机构"))吗？删除后不能恢复，其编号也不再使用。"
        case matches("orgs/*/reset-password"): return "确定初始化\(named("机构"))管理员的密码吗？原密码立即失效，其登录随之结束，需把新的初始密码交给对方。"
        case matches("staff/*/delete"): return "确定删除\(named("人员"))吗？其账户将不能再登录。"
        case matches("applicants/*/delete"): return "确定删除\(named("申报人"))的账户吗？"
        case matches("applicants/*/move"):
            let code = form["unit_code"].trimmingCharacters(in: .whitespacesAndNewlines).prefix(40)
            return "确定将\(named("申报人"))调动到单位编号为 \(code) 的单位吗？对方单位接收后才调动：由该单位管理其账户，其草稿随人调动；已提交的申报仍由本单位审查。"
        case matches("moves/*/accept"): return "确定接收\(named("申报人"))调入本单位吗？接收后由本单位管理其账户，其草稿随人调入，由本单位申报；其已提交的申报仍由原单位审查。"
        case matches("moves/*/decline"): return "确定不接收\(named("申报人"))调入吗？"
        case matches("moves/*/cancel"): return "确定撤销\(named("申报人"))的调动吗？"
        case matches("applications/*/withdraw"): return "确定撤回这份申报吗？撤回后，审查记录仍保留。"
        case matches("experts/*/state") where form["state"] == "retired": return "确定让\(named("专家"))退出专家库吗？"
        case matches("sessions/*/close"): return "确定结束本次评审会吗？结束后不能再投票。"
        case matches("sessions/*/cancel"): return "确定取消本次评审会吗？取消后不能再抽取专家或投票，其申报可另行安排评审或录入评审结果；评审会记录仍保留。"
        case matches("committee/*/*/result"):
            let result = form["result"].trimmingCharacters(in: .whitespacesAndNewlines).prefix(10)
            return result.isEmpty ? "确定录入评审结果并开始公示吗？" : "确定录入评审结果“\(result)”并开始公示吗？"
        // Asked once there is something to ask about (a result chosen, a row ticked): a form without
        // is refused at once, its controls marked.
        case (matches("committee/batch") || matches("committee/interviews")) && form["then"] == "results"
            && !form["result"].trimmingCharacters(in: .whitespacesAndNewlines).isEmpty && !form.all("items").isEmpty:
            let result = form["result"].trimmingCharacters(in: .whitespacesAndNewlines).prefix(10)
            return "确定为所选的 \(form.all("items").count) 份申报录入评审结果“\(result)”并开始公示吗？"
        case matches("committee/confirmations") && !form.all("_confirm_items").isEmpty:
            return "确定确认这 \(form.all("_confirm_items").count) 份申报的评审结果吗？确认后即为最终结果，不能撤销。"
        // 未通过 ends the review for good (no resubmission), unlike 通过 and 退回修改.
        case (matches("reviews/*") || matches("province-reviews/*") || matches("expert-reviews/*")) && form["decision"] == ReviewDecision.reject.rawValue:
            return "确定作出“未通过”的审查决定吗？未通过即审查结束，申报人不能再修改后重新提交。"
        default: return nil
        }
    }

    /// The confirmation page: the form's own fields posted again to the same path, or back.
    func confirmPage(_ message: String, form: FormData, _ request: Request, user: SignedIn, _ context: TenantRequestContext) throws -> Response {
        let fields = form.fields.sorted { $0.key < $1.key }.flatMap { name, values in values.map { ["name": name, "value": $0] } }
        // Back to the page the form was on (same tenant; its query too: the desk's view), else home.
        let from = request.headers[.referer].flatMap { URLComponents(string: $0) }
        let referer = from?.path ?? ""
        let back = referer.hasPrefix(base(context)) ? referer + (from?.percentEncodedQuery.map { "?" + $0 } ?? "") : base(context) + "home"
        // Posted again to the address it came to, its query too (the desk's view: year, 待办, page).
        let action = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
        return try render("请确认", "confirm", ["message": message, "action": action, "fields": fields, "back": back], user: user, context)
    }

    // MARK: Rendering

    func render(_ title: String, _ template: String, _ data: [String: Any], user: SignedIn?, _ context: TenantRequestContext,
                flash: Flash = .none, status: HTTPResponse.Status = .ok, navCurrent: String? = nil, orgName: String? = nil, unapproved: Bool = false) throws -> Response {
        var data = data
        data["base"] = base(context)
        data["api"] = api(context)
        data["csrf"] = user?.csrfToken ?? ""
        data["idle_hint"] = Self.idleHint(idle: services.auth.sessionIdleSeconds, lifetime: services.auth.sessionSeconds)
        guard var body = Templates.library.render(data, withTemplate: template) else { throw Templates.Missing(name: template) }
        // A refused post whose page does not put the typed text back into its fields (the row it
        // was typed in may be gone, or the form is one of many on the page): it is shown above
        // the page for copying, so that nothing typed is lost to a refusal.
        if case .error = flash, let posted = Self.posted, !posted.refilled, let form = posted.form {
            let kept = KeptInput.fields(form).map { f -> [String: Any] in ["label": f.label, "value": f.value, "rows": KeptInput.rows(f.value)] }
            if !kept.isEmpty { body = (Templates.library.render(["fields": kept], withTemplate: "kept_box") ?? "") + body }
        }
        // A refused post: the control its error names, in the form it came from, is marked for
        // screen readers as at fault and described by the message; the page's title says 错误 first.
        var title = title
        if case .error = flash {
            if let posted = Self.posted, let field = posted.faultyField {
                body = FaultyControl.mark(body, path: posted.path, field: field, posted: posted.form)
            }
            if !title.hasPrefix("错误") { title = "错误：" + title }
        }
        var page: [String: Any] = ["title": title, "tenant_name": context.tenant.name, "base": base(context), "body": body, "csrf": user?.csrfToken ?? "",
                                   "error_page": template == "error"]
        if let user {
            let role = Self.roleLabel(user)
            page["user"] = ["name": user.name, "org_name": orgName ?? "", "role_label": role.isEmpty ? false as Any : role]
            let groups = navGroups(user, context, current: navCurrent ?? template, unapproved: unapproved)
            page["nav"] = ["groups": groups]
            page["crumb"] = Self.crumb(groups, title: title) ?? false
        }
        switch flash {
        case .none: if let carried = Self.carriedFlash { page["flash_ok"] = carried }
        case .ok(let message): page["flash_ok"] = message
        case .error(let message): page["flash_error"] = message
        case let .secret(label, login, password):
            page["secret"] = true
            page["secret_label"] = label
            page["secret_login"] = login
            page["secret_password"] = password
        }
        let html = Templates.library.render(page, withTemplate: "layout") ?? ""
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                                                  .init("Content-Security-Policy")!: Self.pagePolicy],
                        body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// What the long forms (an application, a review decision, 单位信息维护) say of the automatic
    /// sign-out, from the configured periods (`auth.session_idle_seconds`; 0: only the lifetime).
    /// Typing on a page sends nothing, so only saving, submitting or opening a page counts.
    static func idleHint(idle: Double, lifetime: Double) -> String {
        if idle > 0 && idle < lifetime {
            return "页面\(duration(idle))无操作将自动退出登录（只输入文字不算操作，保存、提交或打开页面才算），请及时保存。"
        }
        return "登录\(duration(lifetime))后将自动退出，请及时保存。"
    }

    /// A period in words: 2小时, 1小时30分钟, 45秒.
    static func duration(_ seconds: Double) -> String {
        let total = max(0, Int(seconds))
        let (hours, minutes, rest) = (total / 3600, total % 3600 / 60, total % 60)
        let words = (hours > 0 ? "\(hours)小时" : "") + (minutes > 0 ? "\(minutes)分钟" : "") + (rest > 0 ? "\(rest)秒" : "")
        return words.isEmpty ? "0秒" : words
    }

    /// Every UI page's policy (the 地市 picker's too): no script at all, nothing from elsewhere.
    static let pagePolicy = "default-src 'self'; script-src 'none'; style-src 'self' 'unsafe-inline'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

    static func roleLabel(_ user: SignedIn) -> String {
        switch user.kind {
        case .orgAdmin: user.name == "系统管理员" ? "" : "系统管理员"
        case .applicant: "申报人"
        case .staff: user.roles.isEmpty ? "本单位人员" : user.roles.map(\.label).joined(separator: "、")
        }
    }

    func navGroups(_ user: SignedIn, _ context: TenantRequestContext, current: String, unapproved: Bool) -> [[String: Any]] {
        func link(_ label: String, _ path: String) -> [String: Any] { ["label": label, "href": base(context) + path, "current": path == current] }
        var groups: [[String: Any]] = [["title": "首页", "links": [link("首页", "home"), link("修改密码", "password"), link("评审结果公示", "publicity")]]]
        let province = context.tenant.kind == .province
        if user.kind == .applicant { return groups + [["title": "职称申报", "links": [link("我的申报（职称申报、专家推荐）", "applications/mine")]]] }
        if user.kind == .staff {
            // In the province office, staff without review roles are the experts of the database.
            if user.roles.isEmpty { return province ? groups + [["title": "专家评审", "links": [link("我的评审会", "sessions")]]] : groups }
            // One entry per role, as in the manual: 经办人审查 and 负责人审查; in a city then
            // 专家推荐审查 (manual §10), the same queues narrowed to expert recommendations.
            var links = [ReviewStage.handler, .leader].filter { user.roles.contains($0.role) }.map { link($0.label, Self.reviewsPath($0)) }
            if Self.hasExpertQueue(user, context) { links.append(link(Self.expertReviewsLabel, Self.expertReviewsPath)) }
            links.append(link("已审查", "reviewed"))
            if province { links += [link("职称申报审查（各市报送）", "province-reviews"), link("专家推荐审查", "expert-reviews")] }
            return groups + [["title": "审查推荐", "links": links]]
        }
        // Until its parent approves its info, an org sees nothing else (评审结果公示 neither).
        if unapproved { return [["title": "首页", "links": [link("首页", "home"), link("修改密码", "password")]], ["title": "单位管理", "links": [link("单位信息维护", "profile")]]] }
        groups.append(["title": "单位管理", "links": [link("单位管理", "orgs"), link("单位信息维护", "profile"), link("申报计划上传", "plans")]])
        groups.append(["title": "人员管理", "links": [link("本单位人员角色管理", "staff"), link("创建申报人员账户", "applicants"), link("申报人员状态查询", "status")]])
        // Committees, and in the province the review of what the cities hand over and the
        // experts, are the root office's (`OrgRecord.officeID`): a department's or a unit's
        // admin would find each of these pages refused (403).
        let rootOffice = user.orgID == OrgRecord.officeID
        if rootOffice {
            groups.append(["title": "评委会", "links": [link("评委会评审", "committee")]])
        }
        if province && rootOffice {
            groups.append(["title": "职称申报审查", "links": [link("职称申报审查（各市报送）", "province-reviews")]])
            groups.append(["title": "专家管理", "links": [link("专家推荐审查", "expert-reviews"), link("专家信息库", "experts"), link("评审会与专家抽取", "sessions")]])
        }
        groups.append(["title": "系统管理", "links": [link("印章管理", "seal"), link("操作日志", "audit")]])
        return groups
    }

    /// Where the page is, as the manual's screens head it (单位管理 > 单位信息维护): the menu
    /// group and entry of the page's menu link, then the page's own title when it is another
    /// (a detail page: 经办人审查 > 审查：赵老师). Nil for a page that is no menu entry's.
    static func crumb(_ groups: [[String: Any]], title: String) -> String? {
        for group in groups {
            guard let links = group["links"] as? [[String: Any]],
                  let current = links.first(where: { $0["current"] as? Bool == true }),
                  let label = current["label"] as? String, let heading = group["title"] as? String else { continue }
            var parts = heading == label ? [label] : [heading, label]
            let page = title.hasPrefix("错误：") ? String(title.dropFirst(3)) : title
            // The page's own title, when it says more than the entry (我的申报 under 我的申报（职称申报、专家推荐） does not).
            if !page.isEmpty, !label.hasPrefix(page) { parts.append(page) }
            return parts.joined(separator: " > ")
        }
        return nil
    }

    /// The caller's org, for the header and the approval gate.
    func ownOrg(_ user: SignedIn) async throws -> OrgRecord {
        try await services.orgs.profile(of: user.orgID, caller: user)
    }

    func isUnapproved(_ org: OrgRecord) -> Bool { org.parentID != nil && org.profileState != .approved }

    // MARK: Sign-in

    func loginPage(_ context: TenantRequestContext, login: String, error: String?, request: Request, status: HTTPResponse.Status = .ok) -> Response {
        let token = request.cookies[Self.loginCSRFCookie]?.value ?? AuthTokens.random()
        var response = (try? render("登录", "login", ["login": login, "login_csrf": token], user: nil, context, flash: error.map(Flash.error) ?? .none, status: status))
            ?? Response(status: .internalServerError)
        response.headers[.setCookie] = "\(Self.loginCSRFCookie)=\(token); Path=\(base(context)); HttpOnly; SameSite=Strict"
        return response
    }

    func login(_ request: Request, _ context: TenantRequestContext) async throws -> Response {
        let form = try await FormData.parse(request, limit: 64 * 1024)
        guard let expected = request.cookies[Self.loginCSRFCookie]?.value, !expected.isEmpty, form["_csrf"] == expected else {
            return loginPage(context, login: form["login"], error: "页面已过期，请重新登录", request: request, status: .forbidden)
        }
        do {
            let session = try await services.auth.signIn(tenant: context.tenant.id, login: form["login"], password: form["password"], source: context.remoteAddress)
            var response = UIRoutes.redirect(base(context) + (session.account.mustChangePassword ? "password" : "home"))
            response.headers[.setCookie] = APIRoutes.sessionCookie(session.token, tenant: context.tenant.id, maxAge: Int(services.auth.sessionSeconds))
            return response
        } catch let error as ZhichengError {
            return loginPage(context, login: form["login"], error: error.shown(request), request: request, status: error.status)
        }
    }

    func logout(_ request: Request, _ context: TenantRequestContext) async throws -> Response {
        if let (user, _) = try await form(request, context, allowPasswordChange: true), let token = request.cookies[AuthMiddleware.cookieName]?.value {
            try await services.auth.signOut(token: token, caller: user)
        }
        var response = UIRoutes.redirect(base(context) + "login")
        response.headers[.setCookie] = APIRoutes.sessionCookie("", tenant: context.tenant.id, maxAge: 0)
        return response
    }

    func passwordPage(_ user: SignedIn, _ context: TenantRequestContext, error: String?, status: HTTPResponse.Status = .ok) async throws -> Response {
        try render("修改密码", "password", ["must_change": user.mustChangePassword], user: user, context, flash: error.map(Flash.error) ?? .none, status: status)
    }

    func changePassword(_ request: Request, _ context: TenantRequestContext) async throws -> Response {
        guard let (user, form) = try await form(request, context, allowPasswordChange: true) else { return toSignIn(request, context) }
        do {
            guard form["new_password"] == form["new_password2"] else { throw ZhichengError.invalid("两次输入的新密码不一致", field: "new_password2") }
            try await services.auth.changePassword(caller: user, old: form["old_password"], new: form["new_password"], keepToken: request.cookies[AuthMiddleware.cookieName]?.value)
        } catch let error as ZhichengError {
            return try await passwordPage(user, context, error: error.shown(request), status: error.status)
        }
        return done("home", "密码已修改，下次登录请使用新密码", context)
    }

    func homePage(_ user: SignedIn, _ context: TenantRequestContext) async throws -> Response {
        let org = try await ownOrg(user)
        let todo = isUnapproved(org) ? [] : try await todo(user, org: org, province: context.tenant.kind == .province)
        // An applicant's applications and where each stands (an outcome is no to-do, but news).
        let progress = user.kind != .applicant ? [] : try await services.applications.mine(caller: user).map { v -> [String: Any] in
            ["what": "\(v.year)年度 \(v.heading)", "state": v.progressLabel, "href": base(context) + "applications/\(v.id)",
             "interview": v.result == nil ? (v.interview ?? "") : ""]
        }
        return try render("首页", "home", ["progress": progress, "has_progress": !progress.isEmpty, "name": user.name, "org_name": org.name, "org_code": org.code, "unapproved": isUnapproved(org), "state_label": org.profileState.label,
                                         "todo": todo.map { ["text": $0.text, "href": base(context) + $0.path] }, "has_todo": !todo.isEmpty,
                                         "setup_hint": Self.setupHint(user, province: context.tenant.kind == .province) ?? false],
                          user: user, context, orgName: org.name, unapproved: isUnapproved(org))
    }

    /// Why a staff member's screens stay empty, when it is how their account is set up (not
    /// that nothing waits): no review role (outside the province office, where staff without
    /// one are experts), or roles but no series to review. Nil when nothing is missing.
    static func setupHint(_ user: SignedIn, province: Bool) -> String? {
        guard user.kind == .staff else { return nil }
        if user.roles.isEmpty {
            return province ? nil : "您的账户尚未分配审查角色（经办人或负责人），因此没有可审查的申报。请本单位系统管理员在“本单位人员角色管理”中分配。"
        }
        if user.permittedSeries.isEmpty {
            return "您的账户尚未授予可审查的系列，待审查列表因此为空。请本单位系统管理员在“本单位人员角色管理”中勾选系列和可查看的内容。"
        }
        return nil
    }

    /// 首页's 待办事项: what waits for this person, each with the screen to do it on. A
    /// reviewer's queues; an applicant's drafts and returned applications; an admin's
    /// units waiting for their info to be reviewed and people offered to its unit (人员调动);
    /// an office's plans to review and the
    /// applications at its committees that wait for a result or have open objections.
    func todo(_ user: SignedIn, org: OrgRecord, province: Bool) async throws -> [(text: String, path: String)] {
        var todo: [(text: String, path: String)] = []
        if user.kind == .staff {
            // An expert (staff of the province office without review roles): sessions to vote in,
            // the votes they can cast now, and apart those that wait for the session's date or an
            // interview (as the session's page says of each, `SessionTiming`).
            if province, user.roles.isEmpty {
                for session in try await services.sessions.awaitingVotes(caller: user) {
                    let path = "sessions/\(session.id)"
                    if session.castable > 0 { todo.append(("评审会“\(session.name)”：\(session.castable) 份申报待投票", path)) }
                    if session.waitingForDate > 0 {
                        todo.append(("评审会“\(session.name)”：\(session.waitingForDate) 份申报待评审日期（\(session.date ?? "")）到后投票", path))
                    }
                    if session.waitingForInterview > 0 { todo.append(("评审会“\(session.name)”：\(session.waitingForInterview) 份申报待面试开始后投票", path)) }
                    if session.barred > 0 { todo.append(("评审会“\(session.name)”：\(session.barred) 份申报您须回避或暂不能投票", path)) }
                }
            }
            for role in user.roles {
                let stage = ReviewStage(role)
                let waiting = try await services.applications.queueCount(caller: user, stage: stage)
                if waiting > 0 { todo.append(("\(stage.label)：\(waiting) 件待审查", Self.reviewsPath(stage))) }
            }
            // The province office's reviewers also review what the cities hand over.
            if province, org.parentID == nil, !user.roles.isEmpty {
                let titles = try await services.provinceReviews.waiting(caller: user)
                if titles > 0 { todo.append(("职称申报审查（各市报送）：\(titles) 件待审查", "province-reviews")) }
                let experts = try await services.experts.waiting(caller: user)
                if experts > 0 { todo.append(("专家推荐审查：\(experts) 件待审查", "expert-reviews")) }
            }
        }
        if user.kind == .applicant {
            for v in try await services.applications.mine(caller: user) {
                let what = "\(v.year)年度 \(v.series) \(v.level.rawValue) \(v.title)"
                switch v.chain.state {
                case .returned: todo.append(("申报“\(what)”已退回修改，请修改后重新提交", "applications/\(v.id)"))
                case .draft:
                    // Said before the person presses 提交申报: the plan it would be refused by.
                    let refusal = try await services.applications.planPlace(v.id, caller: user)?.refusal
                    todo.append(("申报“\(what)”尚未提交\(refusal.map { "（\($0.message)）" } ?? "")", "applications/\(v.id)"))
                // An interview to attend (until the result is in), a result standing in 公示.
                // (At the city's committee always; waiting for the province until its result enters 公示.)
                case .atCommittee,
                     .awaitingProvince where v.publicity == nil:
                    if let interview = v.interview, v.result == nil { todo.append(("申报“\(what)”面试通知：\(interview)", "applications/\(v.id)")) }
                case .publicity, .awaitingProvince: todo.append(("申报“\(what)”：\(v.stateLabel)（\(v.publicity?.result ?? v.result ?? "")）", "applications/\(v.id)"))
                default: break
                }
            }
        }
        if user.kind == .orgAdmin {
            let waiting = try await services.orgs.childrenAwaitingReview(caller: user)
            if waiting.total > 0 {   // reviewed in 单位管理, on the list of the admin's own org
                let more = waiting.total > waiting.names.count ? "等\(waiting.total)个单位" : ""
                todo.append(("下级单位信息待审核：\(waiting.names.joined(separator: "、"))\(more)", "orgs?selected=\(user.orgID)"))
            }
            // 人员调动 offered to this unit: nothing moves until it accepts or declines.
            let incoming = try await services.people.moves(caller: user).incoming
            if !incoming.isEmpty {
                todo.append(("待接收的调入人员：\(incoming.map { "\($0.name)（\($0.from.name)）" }.joined(separator: "、"))", "applicants"))
            }
            // Its own 申报计划: sent back, not submitted, or missing for a year its applicants draft in.
            for note in try await services.plans.notes(caller: user) { todo.append((note.text, "plans")) }
            // The seal is stamped on the org's leader opinions as they are given (印章管理).
            if org.sealFileID == nil {
                todo.append(("本单位尚未上传印章：此后负责人审查意见在评审表上将不带印章，请在“印章管理”中上传", "seal"))
            }
            // Applications in nobody's queue: only the admin can give the role and the series.
            for step in try await services.applications.strandedSteps(caller: user) {
                let which = "\(step.stepLabel)：\(step.count) 件\(step.series)\(step.subject)无人可审"
                todo.append((step.needsAnotherLeader
                             ? "\(which)（唯一的负责人已作经办人审查），请在“本单位人员角色管理”中再为一位人员分配负责人角色并授予该系列"
                             : "\(which)，请在“本单位人员角色管理”中为人员分配\(step.stage.role.label)角色并授予该系列",
                             "staff"))
            }
            // Sections that no reviewer able to take a step may read: they go up unread.
            for unread in try await services.applications.unreadSections(caller: user) { todo.append((unread.text, "staff")) }
            if org.parentID == nil {   // the city office (or the province's)
                let plans = try await services.plans.waitingCount(caller: user)
                if plans > 0 { todo.append(("待审核的申报计划：\(plans) 份", "plans")) }
                // Counted, not read whole: a province's desk holds tens of thousands.
                let desk = try await services.evaluations.deskCounts(caller: user)
                // Each to the desk showing just those (`CommitteeDeskNeed`, the rule of these counts).
                if desk.awaitingResult > 0 { todo.append(("评委会评审：\(desk.awaitingResult) 件待评审", "committee?need=result")) }
                if desk.openObjections > 0 { todo.append(("评审结果公示：\(desk.openObjections) 条异议待处理", "committee?need=objections")) }
                if desk.toConfirm > 0 { todo.append(("公示期满待确认结果：\(desk.toConfirm) 件", "committee?need=confirm")) }
                if desk.uncovered { todo.append(("有申报已到评委会，但尚无负责的评委会", "committee")) }
            }
        }
        return todo
    }
}

/// Random tokens for the login form's CSRF cookie.
enum AuthTokens {
    static func random() -> String {
        var rng = SystemRandomNumberGenerator()
        return hexString((0..<24).map { _ in UInt8.random(in: 0...255, using: &rng) })
    }
}

extension UI {
    /// Whether `path` is the JSON API's (`/t/<tenant>/api/v1/…`), not a page of the web UI: by
    /// its place after the tenant, so that a tenant named `api` keeps its pages (and
    /// `/t/<tenant>/api/other` is a page not found, not an API path).
    ///
    /// Called by middleware on every request, so it reads the path's bytes in place (no array
    /// of parts). An ASCII path (as every path is once percent-encoded) is cut at each `/`
    /// byte, empty parts skipped; any other goes through `splitIsAPIPath`, which cuts by
    /// `Character` (where a `/` joined by a combining mark is no cut): the same answer.
    static func isAPIPath(_ path: String) -> Bool {
        let slash = UInt8(ascii: "/")
        var utf8 = path.utf8.makeIterator()
        // The first three non-empty parts must be `t`, the tenant, `api`.
        var part = 0          // index of the part being read
        var length = 0        // its length so far
        var matches = true    // whether it still matches what part 0 or 2 must be
        while let byte = utf8.next() {
            guard byte < 0x80 else { return splitIsAPIPath(path) }
            if byte == slash {
                if length > 0 {
                    if !matches || (part == 0 && length != 1) || (part == 2 && length != 3) { return false }
                    part += 1
                    if part == 3 { break }
                }
                length = 0
                matches = true
                continue
            }
            if part == 0 {
                matches = matches && length == 0 && byte == UInt8(ascii: "t")
            } else if part == 2 {
                let expected = length == 0 ? UInt8(ascii: "a") : length == 1 ? UInt8(ascii: "p") : UInt8(ascii: "i")
                matches = matches && length < 3 && byte == expected
            }
            length += 1
        }
        guard part == 3 else { return false }
        // The rest, from just after the `/` that ended `api`: `v1` or `v1/…`.
        guard utf8.next() == UInt8(ascii: "v"), utf8.next() == UInt8(ascii: "1") else { return false }
        guard let next = utf8.next() else { return true }
        guard next < 0x80 else { return splitIsAPIPath(path) }
        guard next == slash else { return false }
        // A combining mark right after that `/` would join it into another `Character`.
        if let after = utf8.next(), after >= 0x80 { return splitIsAPIPath(path) }
        return true
    }

    /// `isAPIPath` by `Character`: the rule itself, for paths that are not all ASCII.
    static func splitIsAPIPath(_ path: String) -> Bool {
        let parts = path.split(separator: "/", maxSplits: 3)
        return parts.count == 4 && parts[0] == "t" && parts[2] == "api" && (parts[3] == "v1" || parts[3].hasPrefix("v1/"))
    }
}

/// A refused form post, answered with a page of the UI rather than the API's JSON error.
extension ZhichengError {
    /// What a page says of this error: its public message, or its `screenMessage` where the
    /// API's words name codes no screen shows (`office`, `national`). An `internal` one is first
    /// written to the log with its cause and the request's method and path (a tenant's
    /// path names the tenant), as the API's answer is: the page tells the user it was.
    /// On a page answering a refused post, the field at fault is noted for that page to mark
    /// (`PostedForm.faultyField`, `FaultyControl`).
    func shown(_ request: Request) -> String {
        UI.posted?.faultyField = field.flatMap { $0.isEmpty ? nil : $0 }
        if code == .internal {
            UI.logger.error("internal error", metadata: ["error": "\(message)", "http.method": "\(request.method)", "path": "\(request.uri.path)"])
        }
        return screenMessage ?? publicMessage
    }
}

struct UIErrorPage: HTTPResponseError {
    let page: Response
    var status: HTTPResponse.Status { page.status }
    func response(from request: Request, context: some RequestContext) throws -> Response { page }
}
