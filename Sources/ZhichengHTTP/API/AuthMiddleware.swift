import Foundation
import HTTPTypes
import Hummingbird
import ZhichengApp
import ZhichengCore

/// Resolves the session from `Authorization: Bearer …` or the session cookie.
/// Cookie-authenticated writes must carry the session's CSRF token
/// (`X-CSRF-Token` header or `_csrf` form field, checked by the UI routes).
/// Until a one-time password is changed, only the password change, the
/// account itself and sign-out are allowed.
struct AuthMiddleware: RouterMiddleware {
    typealias Context = TenantRequestContext
    let auth: AuthService
    /// Paths (relative, after the tenant prefix) open to an account that must change its password.
    let passwordChangeAllowed: Set<String>

    static let cookieName = "zc_session"
    static let csrfHeader = HTTPField.Name("X-CSRF-Token")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let (token, viaCookie) = Self.token(in: request)
        guard let token else { throw ZhichengError(.unauthorized, "请先登录") }
        let caller = try await auth.authenticate(tenant: context.tenant.id, token: token, source: context.remoteAddress)
        if viaCookie, ![.get, .head, .options].contains(request.method), request.headers[Self.csrfHeader] != caller.csrfToken {
            throw ZhichengError(.forbidden, "缺少或错误的 CSRF 令牌")
        }
        if caller.mustChangePassword, !passwordChangeAllowed.contains(where: { request.uri.path.hasSuffix($0) }) {
            throw ZhichengError(.forbidden, "请先修改初始密码（POST account/password）", field: "password")
        }
        context.caller = caller
        context.token = token
        return try await next(request, context)
    }

    /// The bearer token, else the session cookie (and whether it came from the cookie).
    static func token(in request: Request) -> (String?, Bool) {
        if let header = request.headers[.authorization], header.hasPrefix("Bearer ") {
            return (header.dropFirst(7).trimmingBlanks(), false)
        }
        if let cookie = request.cookies[cookieName]?.value, !cookie.isEmpty { return (cookie, true) }
        return (nil, false)
    }
}
