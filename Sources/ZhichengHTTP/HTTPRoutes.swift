import Hummingbird
import Mustache
import Logging
import NIOCore
import Prometheus
import ZhichengApp
import ZhichengCore

/// Builds the router: health, metrics, and everything under `/t/<tenant>/`.
public enum HTTPRoutes {
    /// The HTTP server for the whole product.
    public static func server(services: AppServices, metrics: PrometheusCollectorRegistry, group: any EventLoopGroup, maxConnections: Int = 4096,
                              timeouts: ClientTimeouts = .init(), cookies: CookieSecurity = .auto, proxies: ProxyTrust = ProxyTrust(),
                              logger: Logger) -> HTTPServer {
        HTTPServer(responder: router(services: services, metrics: metrics, cookies: cookies).buildResponder(), group: group, maxConnections: maxConnections,
                   timeouts: timeouts, proxies: proxies, logger: logger)
    }

    public static func router(services: AppServices, metrics: PrometheusCollectorRegistry, cookies: CookieSecurity = .auto) -> Router<AppRequestContext> {
        let tenants = services.tenants
        // HEAD wherever GET is (a load balancer's health check, `curl -I`); HTTPServer sends no body.
        let router = Router(context: AppRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: RequestMetricsMiddleware())
        router.add(middleware: MethodNotAllowedMiddleware())
        router.add(middleware: SecureCookieMiddleware(security: cookies))

        router.get("healthz") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(staticString: #"{"status":"ok"}"#)))
        }

        let tenantsOpen = metrics.makeGauge(descriptor: .init(namespace: "zhicheng", metricName: "tenants_open", unitName: "", helpText: "Tenant databases open now"))
        let tenantsTotal = metrics.makeGauge(descriptor: .init(namespace: "zhicheng", metricName: "tenants_total", unitName: "", helpText: "Registered tenants"))
        let tenantsSuspended = metrics.makeGauge(descriptor: .init(namespace: "zhicheng", metricName: "tenants_suspended", unitName: "", helpText: "Suspended tenants"))
        let relayPaused = metrics.makeGauge(descriptor: .init(namespace: "zhicheng", metricName: "relay_paused", unitName: "",
                                                              helpText: "Cross-tenant deliveries paused after a failure (targets and sources)"))
        let backups = BackupMetrics(registry: metrics)
        router.get("metrics") { _, _ in
            try await backups.refresh { try await tenants.lastBackupTimes() }
            let counts = try await tenants.counts()
            tenantsOpen.set(Int64(counts.open))
            tenantsTotal.set(Int64(counts.total))
            tenantsSuspended.set(Int64(counts.suspended))
            relayPaused.set(Int64(tenants.relay?.pauses().count ?? 0))
            var bytes: [UInt8] = []
            metrics.emit(into: &bytes)
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }

        // The 地市 picker: every active tenant, linking to its sign-in page. From the registry
        // only: it once counted the rows of every tenant (opening the closed ones) for each
        // anonymous GET /.
        router.get("/") { _, _ in
            let active = try await tenants.registered().filter { $0.state == .active }.map { ["id": $0.id.rawValue, "name": $0.name] }
            return StandalonePage.page(status: .ok, title: "选择地市", body: Templates.library.render(["tenants": active], withTemplate: "picker") ?? "")
        }

        let tenant = router.group("t/{tenant}")
            .add(middleware: TenantMiddleware(tenants: tenants))
            .group(context: TenantRequestContext.self)
            .add(middleware: PostedFormMiddleware())
            .add(middleware: UIFailureMiddleware(ui: UI(services: services)))
        // The API first: its requests are the most frequent, and the router tries a level's
        // constant parts in the order they were added (after sorting by kind, which keeps that
        // order), so `api` is now the first one compared. The order decides nothing else: every
        // UI route's first part after the tenant is a constant other than `api` (no capture or
        // wildcard there), so no path can reach both trees, and 404/405 do not depend on it.
        APIRoutes.add(to: tenant, services: services)
        UIRoutes.add(to: tenant, services: services)
        return router
    }
}

/// HTML escaping for text placed in element content or quoted attributes: every Mustache
/// `{{value}}` of the UI (`Templates`) and the HTML made in Swift.
///
/// By Unicode scalar, not by `Character`: a `"` followed by a combining mark (U+0301) is one
/// grapheme, which is not equal to `"`, so an escaper comparing characters (swift-mustache's
/// own `htmlEscape`, and this one before) left the quote raw, and an org named
/// `X"\u{301} onload=…` broke out of an attribute (a stored script on the 评审表).
enum HTMLText {
    static func escape(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out.append(contentsOf: "&amp;".unicodeScalars)
            case "<": out.append(contentsOf: "&lt;".unicodeScalars)
            case ">": out.append(contentsOf: "&gt;".unicodeScalars)
            case "\"": out.append(contentsOf: "&quot;".unicodeScalars)
            case "'": out.append(contentsOf: "&#39;".unicodeScalars)
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    /// The content type every UI template is rendered with (`Templates.library`).
    struct MustacheHTML: MustacheContentType {
        static let name = "ZHICHENG_HTML"
        func escapeText(_ text: String) -> String { HTMLText.escape(text) }
    }
}

/// The router answers a path it knows, asked with a method it does not take, with a bare
/// 404. Under `/api/v1/` that can only be the case (a catch-all route answers unknown API
/// paths), so there it becomes the API's error shape, naming the method (405). Anywhere
/// else it is a page a browser asked for: a page in Chinese saying so, with a way back.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound && error.body == nil {
            if UI.isAPIPath(request.uri.path) {
                throw ZhichengError(.methodNotAllowed, "该 API 路径不接受 \(request.method.rawValue) 请求")
            }
            // Under /t/<tenant>/ the tenant exists (TenantMiddleware let the request through).
            let parts = request.uri.path.split(separator: "/")
            let home = parts.count >= 2 && parts[0] == "t" && TenantID.isValid(String(parts[1])) ? "/t/\(parts[1])/" : "/"
            return StandalonePage.error(status: .notFound, title: "页面不存在", message: "没有这个页面：\(request.uri.path.prefix(200))", home: home)
        }
    }
}

/// A page in Chinese for a browser's request that reaches no screen: an unknown page, a city
/// that does not exist or is suspended. Standalone (no sign-in, no menu), with a link to
/// `home`: the tenant's home page, or `/` (the 地市 picker).
enum StandalonePage {
    static func error(status: HTTPResponse.Status, title: String, message: String, home: String, tenantName: String = "河南省") -> Response {
        page(status: status, title: title, tenantName: tenantName,
                   body: "<h2>\(HTMLText.escape(message))</h2><p><a href=\"\(HTMLText.escape(home))\" id=\"error-home\">返回\(home == "/" ? "地市选择" : "首页")</a></p>")
    }

    /// A page without the menu (the 地市 picker, these error pages): the layout around `body`
    /// (HTML), headed by the tenant's name when it is one tenant's (a city's refusal page),
    /// else the province's.
    static func page(status: HTTPResponse.Status, title: String, tenantName: String = "河南省", body: String) -> Response {
        let html = Templates.library.render(["title": title, "tenant_name": tenantName, "body": body], withTemplate: "layout") ?? ""
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .init("Content-Security-Policy")!: UI.pagePolicy],
                        body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
