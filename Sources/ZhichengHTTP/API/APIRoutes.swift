import Foundation
import Hummingbird
import NIOCore
import ZhichengApp
import ZhichengCore
import ZhichengStorage

/// The services the HTTP layer calls; the admin protocol calls the same ones.
public struct AppServices: Sendable {
    public let tenants: TenantService
    public let auth: AuthService
    public let orgs: OrgService
    public let people: PeopleService
    public let plans: PlanService
    public let applications: ApplicationService
    public let evaluations: EvaluationService
    public let experts: ExpertService
    public let sessions: SessionService
    public let provinceReviews: ProvinceReviewService

    public init(tenants: TenantService, auth: AuthService, orgs: OrgService, people: PeopleService, plans: PlanService,
                applications: ApplicationService, evaluations: EvaluationService, experts: ExpertService, sessions: SessionService,
                provinceReviews: ProvinceReviewService) {
        self.provinceReviews = provinceReviews
        self.tenants = tenants
        self.auth = auth
        self.orgs = orgs
        self.people = people
        self.plans = plans
        self.applications = applications
        self.evaluations = evaluations
        self.experts = experts
        self.sessions = sessions
    }
}

/// `/t/<tenant>/api/v1/…` (SPEC §5.1): sign-in, orgs, unit info, staff,
/// applicants, seals, audit. Each handler decodes, calls one service method and
/// encodes; the rules are in the services.
enum APIRoutes {
    static func add(to tenant: RouterGroup<TenantRequestContext>, services s: AppServices) {
        let api = tenant.group("api/v1")

        api.post("session") { request, context in
            let body = try await APIJSON.decode(SignInBody.self, from: request)
            let session = try await s.auth.signIn(tenant: context.tenant.id, login: body.login, password: body.password, source: context.remoteAddress)
            var response = try APIJSON.response(SessionDTO(token: session.token, csrfToken: session.account.csrfToken, account: SignedInDTO(session.account)))
            response.headers[.setCookie] = sessionCookie(session.token, tenant: context.tenant.id, maxAge: Int(s.auth.sessionSeconds))
            return response
        }

        api.get("tenant") { _, context in
            let t = context.tenant
            return try APIJSON.response(["id": t.id.rawValue, "name": t.name, "division_code": t.divisionCode.short, "kind": t.kind.rawValue])
        }

        api.get("catalog") { _, _ in try APIJSON.response(CatalogDTO()) }
        // Unknown API paths are 404 for everyone (registered before the sign-in middleware).
        for method in [HTTPRequest.Method.get, .post, .put, .patch, .delete] {
            api.on("**", method: method) { _, _ -> Response in throw ZhichengError.notFound("没有这个 API 路径") }
        }

        let signedIn = api
            .add(middleware: AuthMiddleware(auth: s.auth, passwordChangeAllowed: ["/api/v1/account/password", "/api/v1/account", "/api/v1/session"]))
            .group(context: AccountRequestContext.self)

        signedIn.delete("session") { _, context in
            try await s.auth.signOut(token: context.token, caller: context.caller)
            var response = APIJSON.noContent()
            response.headers[.setCookie] = sessionCookie("", tenant: context.tenant.id, maxAge: 0)
            return response
        }
        signedIn.get("account") { _, context in try APIJSON.response(SignedInDTO(context.caller)) }
        signedIn.post("account/password") { request, context in
            let body = try await APIJSON.decode(PasswordBody.self, from: request)
            try await s.auth.changePassword(caller: context.caller, old: body.oldPassword, new: body.newPassword, keepToken: context.token)
            return APIJSON.noContent()
        }

        // Org tree (单位管理)
        signedIn.get("orgs/{id}") { _, context in try APIJSON.response(OrgDTO(try await s.orgs.org(try id(context), caller: context.caller))) }
        signedIn.get("orgs/{id}/children") { request, context in
            // Every child, or with `limit` one page in code order: `after` the `next` of the page before.
            guard let limit = try APIJSON.integer("limit", in: request) else {
                return try APIJSON.response(["orgs": try await s.orgs.children(of: try id(context), caller: context.caller).map(SubOrgDTO.init)])
            }
            let after = request.uri.queryParameters.get("after").map { String($0) } ?? ""
            guard after.isEmpty || after.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
                throw ZhichengError.badRequest("查询参数 after 应为上一页的 next（单位编号）", field: "after")
            }
            let page = try await s.orgs.childrenPage(of: try id(context), from: after.isEmpty ? .first : .after(after), limit: limit,
                                                     restartPastEnd: false, caller: context.caller)
            return try APIJSON.response(ChildrenPageDTO(orgs: page.rows.map(SubOrgDTO.init), total: page.total, next: page.next))
        }
        signedIn.post("orgs/{id}/children") { request, context in
            let body = try await APIJSON.decode(NewOrgBody.self, from: request)
            let created = try await s.orgs.createChild(of: try id(context), name: body.name, kind: body.kind, caller: context.caller)
            return try APIJSON.response(CreatedOrgDTO(org: OrgDTO(created.org), admin: .init(login: created.adminLogin, password: created.adminPassword)), status: .created)
        }
        signedIn.patch("orgs/{id}") { request, context in
            let body = try await APIJSON.decode(OrgPatchBody.self, from: request)
            return try APIJSON.response(OrgDTO(try await s.orgs.update(try id(context), name: body.name, parentID: body.parentId, caller: context.caller)))
        }
        signedIn.delete("orgs/{id}") { _, context in
            try await s.orgs.delete(try id(context), caller: context.caller)
            return APIJSON.noContent()
        }

        // Unit info (单位信息维护) and review (审核)
        signedIn.get("orgs/{id}/profile") { _, context in try APIJSON.response(ProfileDTO(try await s.orgs.profile(of: try id(context), caller: context.caller))) }
        signedIn.put("orgs/{id}/profile") { request, context in
            let body = try await APIJSON.decode(ProfileBody.self, from: request)
            return try APIJSON.response(ProfileDTO(try await s.orgs.saveProfile(of: try id(context), body.profile, caller: context.caller)))
        }
        signedIn.post("orgs/{id}/profile/submit") { _, context in
            try APIJSON.response(ProfileDTO(try await s.orgs.submitProfile(of: try id(context), caller: context.caller)))
        }
        signedIn.post("orgs/{id}/profile/review") { request, context in
            let body = try await APIJSON.decode(ReviewBody.self, from: request)
            let approve = try Approval(parsing: body.decision) == .approve
            return try APIJSON.response(ProfileDTO(try await s.orgs.reviewProfile(of: try id(context), approve: approve, reason: body.reason, caller: context.caller)))
        }
        for purpose in [OrgService.ImagePurpose.certificate, .seal] {
            signedIn.put("orgs/{id}/\(purpose.rawValue)") { request, context in
                let bytes = try await APIJSON.body(of: request, limit: s.orgs.maxUploadBytes)
                try await s.orgs.upload(purpose, of: try id(context), bytes: Array(buffer: bytes), caller: context.caller)
                return APIJSON.noContent()
            }
            signedIn.get("orgs/{id}/\(purpose.rawValue)") { _, context in
                let file = try await s.orgs.image(purpose, of: try id(context), caller: context.caller)
                return Response(status: .ok, headers: [.contentType: file.mime, .cacheControl: "private, no-store", .init("X-Content-Type-Options")!: "nosniff"],
                                body: .init(byteBuffer: ByteBuffer(bytes: file.bytes)))
            }
        }

        // Sub-org admin (编辑信息, 初始化密码)
        signedIn.patch("orgs/{id}/admin") { request, context in
            let body = try await APIJSON.decode(AdminPatchBody.self, from: request)
            return try APIJSON.response(AccountDTO(try await s.orgs.updateAdmin(of: try id(context), name: body.name, phone: body.phone, email: body.email, caller: context.caller)))
        }
        signedIn.post("orgs/{id}/admin/reset-password") { _, context in
            let (login, password) = try await s.orgs.resetAdminPassword(of: try id(context), caller: context.caller)
            return try APIJSON.response(["login": login, "password": password])
        }

        // Staff (本单位人员角色管理)
        signedIn.get("orgs/{id}/staff") { request, context in
            // Every one unless `limit` asks for a page (`after=next` for the next).
            let page = try await s.people.staff(of: try id(context), search: request.textQuery("q"),
                                                limit: try APIJSON.integer("limit", in: request), after: try APIJSON.integer("after", in: request),
                                                caller: context.caller)
            return try APIJSON.response(StaffPageDTO(staff: page.accounts.map(AccountDTO.init), total: page.total, next: page.next))
        }
        signedIn.post("orgs/{id}/staff") { request, context in
            let body = try await APIJSON.decode(NewStaffBody.self, from: request)
            let created = try await s.people.addStaff(to: try id(context), login: body.login, name: body.name, phone: body.phone ?? "", caller: context.caller)
            return try APIJSON.response(CreatedAccountDTO(account: AccountDTO(created.account), password: created.password), status: .created)
        }
        signedIn.patch("staff/{id}") { request, context in
            let body = try await APIJSON.decode(PersonPatchBody.self, from: request)
            return try APIJSON.response(AccountDTO(try await s.people.updateStaff(try id(context), name: body.name, phone: body.phone, caller: context.caller)))
        }
        signedIn.delete("staff/{id}") { _, context in
            try await s.people.deleteStaff(try id(context), caller: context.caller)
            return APIJSON.noContent()
        }
        signedIn.post("staff/{id}/enable") { _, context in try APIJSON.response(AccountDTO(try await s.people.setEnabled(try id(context), true, caller: context.caller))) }
        signedIn.post("staff/{id}/disable") { _, context in try APIJSON.response(AccountDTO(try await s.people.setEnabled(try id(context), false, caller: context.caller))) }
        signedIn.put("staff/{id}/roles") { request, context in
            let body = try await APIJSON.decode(RolesBody.self, from: request)
            return try APIJSON.response(AccountDTO(try await s.people.setRoles(try id(context), body.roles, caller: context.caller)))
        }
        signedIn.put("staff/{id}/permissions") { request, context in
            let body = try await APIJSON.decode(PermissionsBody.self, from: request)
            return try APIJSON.response(AccountDTO(try await s.people.setPermissions(try id(context), series: body.series, sections: body.sections, caller: context.caller)))
        }

        // Applicants (创建申报人员账户)
        signedIn.get("orgs/{id}/applicants") { request, context in
            // Every one unless `limit` asks for a page (`after=next` for the next).
            let page = try await s.people.applicants(of: try id(context), search: request.textQuery("q"),
                                                     limit: try APIJSON.integer("limit", in: request), after: try APIJSON.integer("after", in: request),
                                                     caller: context.caller)
            return try APIJSON.response(ApplicantPageDTO(applicants: page.accounts.map(AccountDTO.init), total: page.total, next: page.next))
        }
        signedIn.post("orgs/{id}/applicants") { request, context in
            let body = try await APIJSON.decode(NewApplicantBody.self, from: request)
            let created = try await s.people.addApplicant(to: try id(context), idNumber: body.idNumber, name: body.name, phone: body.phone ?? "", caller: context.caller)
            return try APIJSON.response(CreatedAccountDTO(account: AccountDTO(created.account), password: created.password), status: .created)
        }
        signedIn.post("orgs/{id}/applicants/import") { request, context in
            if let type = request.headers[.contentType], !type.lowercased().hasPrefix("text/csv") {
                throw ZhichengError(.unsupportedMediaType, "导入文件应为 text/csv（UTF-8 或 GBK 编码）")
            }
            let buffer = try await APIJSON.body(of: request, limit: APIJSON.maxBody)
            guard let csv = CSVTable.text(of: Array(buffer.readableBytesView)) else {
                throw ZhichengError.badRequest("CSV 文件应为 UTF-8 或 GBK（GB18030）编码的文本")
            }
            let result = try await s.people.importApplicants(to: try id(context), csv: csv, caller: context.caller)
            return try APIJSON.response(ImportDTO(
                created: result.created.map { CreatedAccountDTO(account: AccountDTO($0.account), password: $0.password) },
                errors: result.problems.map { .init(row: $0.row, message: $0.message) }))
        }
        signedIn.patch("applicants/{id}") { request, context in
            let body = try await APIJSON.decode(PersonPatchBody.self, from: request)
            return try APIJSON.response(AccountDTO(try await s.people.updateApplicant(try id(context), name: body.name, phone: body.phone, caller: context.caller)))
        }
        // 人员调动: offered by the unit the person is in, accepted or declined by the other.
        signedIn.post("applicants/{id}/move") { request, context in
            let body = try await APIJSON.decode(MoveApplicantBody.self, from: request)
            return try APIJSON.response(MoveDTO(try await s.people.offerMove(try id(context), toUnit: body.unitCode, caller: context.caller)), status: .created)
        }
        signedIn.get("moves") { _, context in
            let moves = try await s.people.moves(caller: context.caller)
            return try APIJSON.response(MovesDTO(outgoing: moves.outgoing.map(MoveDTO.init), incoming: moves.incoming.map(MoveDTO.init)))
        }
        signedIn.post("moves/{id}/accept") { _, context in
            let moved = try await s.people.acceptMove(try id(context), caller: context.caller)
            return try APIJSON.response(MovedApplicantDTO(move: MoveDTO(moved.offer), account: AccountDTO(moved.account),
                                                          draftsMoved: moved.draftsMoved, stayingUnderWay: moved.stayingUnderWay))
        }
        signedIn.post("moves/{id}/decline") { _, context in
            try APIJSON.response(MoveDTO(try await s.people.declineMove(try id(context), caller: context.caller)))
        }
        signedIn.post("moves/{id}/cancel") { _, context in
            try APIJSON.response(MoveDTO(try await s.people.cancelMove(try id(context), caller: context.caller)))
        }
        signedIn.delete("applicants/{id}") { _, context in
            try await s.people.deleteApplicant(try id(context), caller: context.caller)
            return APIJSON.noContent()
        }

        // Audit
        signedIn.get("audit") { request, context in
            let limit = try APIJSON.integer("limit", in: request) ?? 100
            let before = try APIJSON.integer("before", in: request)
            return try APIJSON.response(["entries": try await s.orgs.audit(caller: context.caller, limit: limit, before: before).map(AuditDTO.init)])
        }

        addReview(to: signedIn, services: s)
        addExperts(to: signedIn, services: s)

    }

    /// The `{id}` path parameter as a positive integer; anything else is 404.
    static func id(_ context: AccountRequestContext) throws -> Int {
        guard let raw = context.parameters.get("id"), let value = Int(raw), value > 0 else { throw ZhichengError.notFound("没有这个对象") }
        return value
    }

    static func sessionCookie(_ token: String, tenant: TenantID, maxAge: Int) -> String {
        "\(AuthMiddleware.cookieName)=\(token); Path=/t/\(tenant.rawValue)/; Max-Age=\(maxAge); HttpOnly; SameSite=Strict"
    }
}

struct SessionDTO: Encodable { var token: String; var csrfToken: String; var account: SignedInDTO }
struct CreatedOrgDTO: Encodable {
    struct Admin: Encodable { var login: String; var password: String }
    var org: OrgDTO
    var admin: Admin
}
struct CreatedAccountDTO: Encodable { var account: AccountDTO; var password: String }

/// A move between two units (`POST applicants/<id>/move`, `GET moves`): the person (the ID-card
/// number whole for the unit they are in, masked for the other), both units, where it stands.
struct MoveDTO: Encodable {
    struct Unit: Encodable { var id: Int; var code: String; var name: String }
    var id: Int
    var accountId: Int
    var name: String
    var login: String
    var fromUnit: Unit
    var toUnit: Unit
    var state: String
    var stateLabel: String
    var offeredAt: String

    init(_ m: PeopleService.MoveOffer) {
        id = m.id
        accountId = m.accountID
        name = m.name
        login = m.login
        fromUnit = Unit(id: m.from.id, code: m.from.code, name: m.from.name)
        toUnit = Unit(id: m.to.id, code: m.to.code, name: m.to.name)
        state = m.state.rawValue
        stateLabel = m.state.label
        offeredAt = WireTime.iso8601(m.offeredAt)
    }
}

struct MovesDTO: Encodable { var outgoing: [MoveDTO]; var incoming: [MoveDTO] }

/// `POST moves/<id>/accept`: the move, the account (of its new unit now), how many drafts went
/// with the person and how many submitted applications stay with their old unit's route.
struct MovedApplicantDTO: Encodable {
    var move: MoveDTO
    var account: AccountDTO
    var draftsMoved: Int
    var stayingUnderWay: Int
}
struct ImportDTO: Encodable {
    struct Problem: Encodable { var row: Int; var message: String }
    var created: [CreatedAccountDTO]
    var errors: [Problem]
}

struct CatalogDTO: Encodable {
    struct Series: Encodable { var name: String; var titles: [String: [String]] }
    var series: [Series] = TitleCatalog.henan.series.map { s in
        Series(name: s.name, titles: Dictionary(uniqueKeysWithValues: TitleLevel.allCases.map { ($0.rawValue, s.titles(at: $0)) }))
    }
    var levels: [String] = TitleLevel.allCases.map(\.rawValue)
    var sections: [String] = ApplicationSection.allCases.map(\.rawValue)
}

/// `GET orgs/<id>/applicants`: the applicants (a page of them when `limit` is given), how many
/// match in all, and the `after` of the next page.
struct ApplicantPageDTO: Encodable {
    var applicants: [AccountDTO]
    var total: Int
    var next: Int?
}

/// `GET orgs/<id>/staff`: as `ApplicantPageDTO`, for staff.
struct StaffPageDTO: Encodable {
    var staff: [AccountDTO]
    var total: Int
    var next: Int?
}
