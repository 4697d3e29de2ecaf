import Hummingbird
import ZhichengApp
import ZhichengCore

/// Resolves the `{tenant}` path parameter through the tenant service: unknown or
/// malformed ids answer 404, suspended tenants 503, before any route runs.
struct TenantMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let tenants: TenantService

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let raw = context.parameters.get("tenant") ?? ""
        do {
            context.tenant = try await tenants.resolveForRequest(raw)
        } catch let error as ZhichengError where !UI.isAPIPath(request.uri.path) || ZhichengError.isBrowserNavigation(request) {
            // A browser's page (or a link into the API it followed): said in a page, not in the API's JSON.
            return StandalonePage.error(status: error.status, title: error.status == .notFound ? "地市不存在" : "暂停服务", message: error.publicMessage, home: "/")
        }
        return try await next(request, context)
    }
}
