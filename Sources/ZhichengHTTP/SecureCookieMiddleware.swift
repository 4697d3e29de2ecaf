import Foundation
import HTTPTypes
import Hummingbird

/// When cookies get the `Secure` attribute (`http.secure_cookies`). The daemon itself
/// speaks plain HTTP; in production a TLS proxy sits in front of it, and a cookie without
/// `Secure` would also be sent to the same host over plain `http://` (a session stolen on
/// the network path, or a cookie planted there).
public enum CookieSecurity: String, Sendable, CaseIterable {
    /// `Secure` when the proxy says the request came over HTTPS (`X-Forwarded-Proto: https`
    /// or `Forwarded: proto=https`): any peer's word while `http.trusted_proxies` lists none
    /// (a client that sends the header itself only makes its own cookies stricter), else only
    /// a listed proxy's.
    case auto
    case always
    case never

    /// `believed`: whether the peer's word on how the request came may be taken
    /// (`AppRequestContext.forwardingBelieved`).
    func secure(_ request: Request, believed: Bool) -> Bool {
        switch self {
        case .always: return true
        case .never: return false
        case .auto:
            guard believed else { return false }
            if let proto = request.headers[.xForwardedProto],
               proto.split(separator: ",").first?.trimmingCharacters(in: .whitespaces).lowercased() == "https" {
                return true
            }
            // RFC 7239: `Forwarded: for=…;proto=https, for=…` (the first hop is the client's).
            if let forwarded = request.headers[.forwarded]?.split(separator: ",").first {
                return forwarded.split(separator: ";").contains { $0.trimmingCharacters(in: .whitespaces).lowercased() == "proto=https" }
            }
            return false
        }
    }
}

extension HTTPField.Name {
    static let xForwardedProto = Self("X-Forwarded-Proto")!
    static let forwarded = Self("Forwarded")!
}

/// Adds `Secure` to every cookie a response sets, when `CookieSecurity` says so: one place
/// for the session, sign-in and message cookies of the API and the web UI.
/// With proxies listed (`http.trusted_proxies`), only theirs say a request came over HTTPS.
struct SecureCookieMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let security: CookieSecurity

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        guard response.headers[.setCookie] != nil, security.secure(request, believed: context.forwardingBelieved) else { return response }
        let cookies = response.headers[values: .setCookie]
        response.headers[values: .setCookie] = cookies.map { $0.localizedCaseInsensitiveContains("; Secure") ? $0 : $0 + "; Secure" }
        return response
    }
}
