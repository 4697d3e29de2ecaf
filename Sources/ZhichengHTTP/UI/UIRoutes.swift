import Foundation
import Hummingbird
import Mustache
import NIOCore
import ZhichengApp
import ZhichengCore
import ZhichengStorage

/// The Chinese web UI under `/t/<tenant>/` (manual chapters 一–三): server-rendered
/// pages, cookie sessions, CSRF tokens on every form. Each handler calls the same
/// service methods as the JSON API.
enum UIRoutes {
    static func add(to tenant: RouterGroup<TenantRequestContext>, services s: AppServices) {
        let ui = UI(services: s)

        tenant.get { request, context in
            guard let user = try await ui.user(request, context) else { return ui.toSignIn(request, context) }
            return redirect(ui.base(context) + (user.mustChangePassword ? "password" : "home"))
        }
        tenant.get("login") { request, context in
            ui.loginPage(context, login: "", error: request.uri.queryParameters.get("ended") == "1" ? UI.sessionEnded : nil, request: request)
        }
        tenant.post("login") { request, context in try await ui.login(request, context) }
        tenant.post("logout") { request, context in try await ui.logout(request, context) }
        tenant.get("password") { request, context in try await ui.page(request, context, allowPasswordChange: true) { user in try await ui.passwordPage(user, context, error: nil) } }
        tenant.post("password") { request, context in try await ui.changePassword(request, context) }
        tenant.get("home") { request, context in try await ui.page(request, context) { user in try await ui.homePage(user, context) } }

        tenant.get("orgs") { request, context in
            try await ui.page(request, context) { user in
                let query = request.uri.queryParameters
                return try await ui.orgsPage(user, context, selected: query.get("selected", as: Int.self),
                                             start: UI.childrenStart(after: query.get("after"), before: query.get("before")), flash: .none)
            }
        }
        for action in ["children", "rename", "move", "delete", "review", "admin", "reset-password"] {
            tenant.post("orgs/{id}/\(action)") { request, context in try await ui.orgAction(action, request, context) }
        }
        tenant.get("orgs/{id}/profile") { request, context in
            try await ui.page(request, context) { user in try await ui.profilePage(user, context, orgID: try ui.id(context), flash: .none) }
        }

        tenant.get("profile") { request, context in try await ui.page(request, context, allowUnapproved: true) { user in try await ui.profilePage(user, context, orgID: user.orgID, flash: .none) } }
        tenant.post("profile") { request, context in try await ui.profileAction(request, context) }

        tenant.get("staff") { request, context in
            try await ui.page(request, context) { user in
                try await ui.staffPage(user, context, flash: .none, search: request.textQuery("q") ?? "", after: try APIJSON.integer("after", in: request))
            }
        }
        tenant.post("staff") { request, context in try await ui.staffAction("add", request, context) }
        for action in ["enable", "disable", "roles", "permissions", "access", "edit", "delete"] {
            tenant.post("staff/{id}/\(action)") { request, context in try await ui.staffAction(action, request, context) }
        }

        tenant.get("applicants") { request, context in
            try await ui.page(request, context) { user in
                try await ui.applicantsPage(user, context, flash: .none, search: request.textQuery("q") ?? "",
                                            after: try APIJSON.integer("after", in: request))
            }
        }
        tenant.post("applicants") { request, context in try await ui.applicantAction("add", request, context) }
        tenant.post("applicants/import") { request, context in try await ui.applicantAction("import", request, context) }
        for action in ["edit", "move", "delete"] {
            tenant.post("applicants/{id}/\(action)") { request, context in try await ui.applicantAction(action, request, context) }
        }
        for action in ["accept", "decline", "cancel"] {
            tenant.post("moves/{id}/\(action)") { request, context in try await ui.applicantAction(action, request, context) }
        }

        tenant.get("seal") { request, context in try await ui.page(request, context) { user in try await ui.sealPage(user, context, flash: .none) } }
        tenant.post("seal") { request, context in try await ui.sealAction(request, context) }
        tenant.get("audit") { request, context in
            try await ui.page(request, context) { user in
                try await ui.auditPage(user, context, before: try APIJSON.integer("before", in: request), limit: try APIJSON.integer("limit", in: request) ?? UI.auditPageSize)
            }
        }

        tenant.get("plans") { request, context in
            try await ui.page(request, context) { user in
                // No `year` at all: the current 年度; `year=` (the field cleared): every year.
                let year = request.uri.queryParameters.get("year") == nil ? CalendarDate.currentYear() : try APIJSON.year(in: request)
                return try await ui.plansPage(user, context, flash: .none, view: UI.PlansView(year: year, after: try APIJSON.planCursor("after", in: request),
                                                                                             pendingAfter: try APIJSON.planCursor("pending_after", in: request)))
            }
        }
        tenant.post("plans") { request, context in try await ui.planAction("save", request, context) }
        for action in ["document", "submit", "review"] {
            tenant.post("plans/{id}/\(action)") { request, context in try await ui.planAction(action, request, context) }
        }
        tenant.get("applications/mine") { request, context in try await ui.page(request, context) { user in try await ui.applicationsPage(user, context, flash: .none) } }
        tenant.post("applications") { request, context in try await ui.applicationAction("create", request, context) }
        tenant.get("applications/{id}") { request, context in
            try await ui.page(request, context) { user in try await ui.applicationPage(user, context, id: try ui.id(context), flash: .none) }
        }
        // The application page is one form (`sections`, its buttons saying what else to do).
        for action in ["sections", "withdraw", "heading"] {
            tenant.post("applications/{id}/\(action)") { request, context in try await ui.applicationAction(action, request, context) }
        }
        tenant.get("reviews") { request, context in
            try await ui.page(request, context) { user in
                try await ui.reviewsPage(user, context, stage: try queueStage(request), after: try APIJSON.integer("after", in: request),
                                         limit: try APIJSON.integer("limit", in: request) ?? UI.queuePageSize,
                                         search: try QueueSearch(text: request.textQuery("q"), level: request.textQuery("level"), kind: request.textQuery("kind"),
                                                                 series: request.textQuery("series")),
                                         flash: .none)
            }
        }
        tenant.get("reviewed") { request, context in
            try await ui.page(request, context) { user in
                try await ui.reviewedPage(user, context, before: try APIJSON.integer("before", in: request),
                                          beforeProvince: try APIJSON.integer("before_province", in: request),
                                          limit: try APIJSON.integer("limit", in: request) ?? UI.reviewedPageSize)
            }
        }
        tenant.get("reviews/{id}") { request, context in
            try await ui.page(request, context) { user in try await ui.reviewPage(user, context, id: try ui.id(context), flash: .none) }
        }
        tenant.post("reviews/{id}") { request, context in try await ui.decide(request, context) }
        tenant.get("expert-reviews") { request, context in
            try await ui.page(request, context) { user in
                try await ui.expertReviewsPage(user, context, before: try APIJSON.integer("before", in: request), search: request.textQuery("q") ?? "", flash: .none)
            }
        }
        tenant.get("expert-reviews/{id}") { request, context in
            try await ui.page(request, context) { user in try await ui.expertReviewPage(user, context, id: try ui.id(context), flash: .none) }
        }
        tenant.post("expert-reviews/{id}") { request, context in try await ui.expertDecide(request, context) }
        tenant.get("province-reviews") { request, context in
            try await ui.page(request, context) { user in
                try await ui.provinceReviewsPage(user, context, before: try APIJSON.integer("before", in: request), search: request.textQuery("q") ?? "", flash: .none)
            }
        }
        tenant.get("province-reviews/{id}") { request, context in
            try await ui.page(request, context) { user in try await ui.provinceReviewPage(user, context, id: try ui.id(context), flash: .none) }
        }
        tenant.post("province-reviews/{id}") { request, context in try await ui.provinceDecide(request, context) }
        tenant.get("experts") { request, context in
            try await ui.page(request, context) { user in
                var query: [String: String] = [:]
                for name in ["series", "specialty", "state", "after"] { query[name] = request.textQuery(name) ?? "" }
                return try await ui.expertsPage(user, context, query: query, flash: .none)
            }
        }
        for action in ["state", "relations"] {
            tenant.post("experts/{id}/\(action)") { request, context in try await ui.expertAction(action, request, context) }
        }
        tenant.get("sessions") { request, context in try await ui.page(request, context) { user in try await ui.sessionsPage(user, context, flash: .none) } }
        tenant.post("sessions") { request, context in try await ui.sessionAction("create", request, context) }
        tenant.post("committees") { request, context in try await ui.sessionAction("committee", request, context) }
        tenant.get("sessions/{id}") { request, context in
            try await ui.page(request, context) { user in try await ui.sessionPage(user, context, id: try ui.id(context), flash: .none) }
        }
        for action in ["draw", "verify", "replace", "vote", "close", "cancel"] {
            tenant.post("sessions/{id}/\(action)") { request, context in try await ui.sessionAction(action, request, context) }
        }
        tenant.get("committee") { request, context in
            try await ui.page(request, context) { user in
                try await ui.committeePage(user, context, view: try UI.DeskView(request), flash: .none)
            }
        }
        tenant.post("committee/new") { request, context in try await ui.committeeAction("new", request, context) }
        // The desk's batch form (面试通知, or 评审结果 with `then=results`); `committee/interviews`,
        // its address before results were entered in a batch, for a page left open across an upgrade.
        for path in ["committee/batch", "committee/interviews"] {
            tenant.post("\(path)") { request, context in try await ui.committeeAction("batch", request, context) }
        }
        tenant.post("committee/confirmations") { request, context in try await ui.committeeAction("confirmations", request, context) }
        tenant.post("committee/settings/{id}") { request, context in try await ui.committeeAction("settings", request, context) }
        tenant.get("committee/{kind}/{id}") { request, context in
            try await ui.page(request, context) { user in try await ui.committeeItemPage(user, context, target: try ui.target(context), flash: .none) }
        }
        for action in ["interview", "result", "confirm"] {
            tenant.post("committee/{kind}/{id}/\(action)") { request, context in try await ui.committeeAction(action, request, context) }
        }
        tenant.post("committee/{kind}/{id}/objections/{objection}/resolve") { request, context in try await ui.committeeAction("resolve", request, context) }
        tenant.get("publicity") { request, context in
            try await ui.page(request, context) { user in
                try await ui.publicityPage(user, context, flash: .none, search: request.textQuery("q") ?? "", after: try APIJSON.noticeCursor(in: request))
            }
        }
        tenant.post("publicity/{kind}/{id}/objection") { request, context in try await ui.objectionAction(request, context) }
        tenant.get("status") { request, context in try await ui.page(request, context) { user in try await ui.statusPage(user, request, context) } }
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location])
    }

    private static let cookieSafe = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

    /// A redirect after a successful form (303), whose page then says `message` once.
    static func redirect(_ location: String, flash message: String, tenantBase: String) -> Response {
        var response = redirect(location)
        // ASCII letters and digits only (`.alphanumerics` would let Chinese through): a cookie value is ASCII.
        let encoded = message.addingPercentEncoding(withAllowedCharacters: Self.cookieSafe) ?? ""
        response.headers[.setCookie] = "\(UI.flashCookie)=\(encoded); Path=\(tenantBase); HttpOnly; SameSite=Strict; Max-Age=60"
        return response
    }
}
