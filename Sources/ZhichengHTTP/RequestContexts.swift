import Hummingbird
import Logging
import ZhichengApp
import ZhichengCore

/// The context every request starts with; middleware fills in what it resolves.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `TenantMiddleware` for paths under `/t/<tenant>/`.
    public var tenant: TenantInfo?
    /// The client's address, recorded in audit entries and sessions: the connection's peer,
    /// or behind a trusted proxy the address it forwarded (`TrustedProxies`).
    public let remoteAddress: String
    /// Whether what a proxy says of the request (`X-Forwarded-Proto`) may be believed: from
    /// anyone while no proxies are listed (`http.trusted_proxies`), else only from a listed one.
    public let forwardingBelieved: Bool

    public init(source: ApplicationRequestContextSource) {
        self.init(source: source, remoteAddress: IPAddress.recorded(source.channel.remoteAddress), forwardingBelieved: true)
    }

    public init(source: ApplicationRequestContextSource, remoteAddress: String, forwardingBelieved: Bool) {
        coreContext = .init(source: source)
        self.remoteAddress = remoteAddress
        self.forwardingBelieved = forwardingBelieved
    }
}

/// A request that is known to address an active tenant: routes that take it
/// cannot run without one, by construction.
public struct TenantRequestContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let tenant: TenantInfo
    public let remoteAddress: String
    /// Set by `AuthMiddleware`.
    public var caller: SignedIn?
    public var token: String?

    public init(context: AppRequestContext) throws {
        guard let tenant = context.tenant else { throw ZhichengError.notFound("no such tenant") }
        coreContext = context.coreContext
        self.tenant = tenant
        remoteAddress = context.remoteAddress
    }
}

/// A request by a signed-in account of the addressed tenant.
public struct AccountRequestContext: ChildRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let tenant: TenantInfo
    public let caller: SignedIn
    public let token: String

    public init(context: TenantRequestContext) throws {
        guard let caller = context.caller, let token = context.token else { throw ZhichengError(.unauthorized, "请先登录") }
        coreContext = context.coreContext
        tenant = context.tenant
        self.caller = caller
        self.token = token
    }
}
