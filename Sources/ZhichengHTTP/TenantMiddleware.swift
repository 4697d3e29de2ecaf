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
        context.tenant = try await tenants.resolveForRequest(raw)
        return try await next(request, context)
    }
}
