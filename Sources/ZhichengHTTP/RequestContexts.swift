import Hummingbird
import Logging
import ZhichengCore

/// The context every request starts with; middleware fills in what it resolves.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `TenantMiddleware` for paths under `/t/<tenant>/`.
    public var tenant: TenantInfo?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}

/// A request that is known to address an active tenant: routes that take it
/// cannot run without one, by construction.
public struct TenantRequestContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let tenant: TenantInfo

    public init(context: AppRequestContext) throws {
        guard let tenant = context.tenant else { throw ZhichengError.notFound("no such tenant") }
        coreContext = context.coreContext
        self.tenant = tenant
    }
}
