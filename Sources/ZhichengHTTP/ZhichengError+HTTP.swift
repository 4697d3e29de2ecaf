import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ZhichengAdminProtocol
import ZhichengCore

/// Service errors render themselves as `{"error":{"code","message","field"?}}`
/// with a fitting status (SPEC §5).
extension ZhichengError: HTTPResponseError {
    public var status: HTTPResponse.Status {
        switch code {
        case .badRequest, .invalid: .badRequest
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .notFound, .unknownCommand: .notFound
        case .methodNotAllowed: .methodNotAllowed
        case .conflict: .conflict
        case .tooLarge, .lineTooLong: .contentTooLarge
        case .unsupportedMediaType: .unsupportedMediaType
        case .tooManyRequests: .tooManyRequests
        case .unavailable: .serviceUnavailable
        case .internal: .internalServerError
        }
    }

    /// What an `internal` error says over HTTP: its details (paths, SQLite's words, a tenant
    /// file's schema) are for the log (`response` writes them there), not for the caller.
    static let internalMessage = "服务器内部错误，已记入日志，请稍后再试"

    /// The message a person is shown: an `internal` error's own words stay in the log, and
    /// the request's id (`HTTPRequestID`, on the log line too) tells the sysadmin which line.
    var publicMessage: String {
        guard code == .internal else { return message }
        guard let id = HTTPRequestID.current else { return Self.internalMessage }
        return "\(Self.internalMessage)（错误编号: \(id)）"
    }

    /// Whether the request is a browser's navigation to a page (`Sec-Fetch-Mode: navigate`, which
    /// browsers send for a followed link or a typed address, and never for a script's or a
    /// program's request): the API answers its errors there as a page.
    static func isBrowserNavigation(_ request: Request) -> Bool {
        request.method == .get && request.headers[secFetchMode] == "navigate"
    }
    static let secFetchMode = HTTPField.Name("Sec-Fetch-Mode")!

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        if code == .internal {
            context.logger.error("internal error", metadata: ["error": "\(message)", "http.method": "\(request.method)", "path": "\(request.uri.path)"])
        }
        let message = publicMessage
        if Self.isBrowserNavigation(request) {
            // A link of the UI that opens the API in a window (打印评审表, 查看附件, a plan's
            // document) followed after the session ended, or to a file gone since: a page in
            // words with a way back, not the API's JSON, for the person who clicked it.
            let parts = request.uri.path.split(separator: "/")
            let home = parts.count >= 2 && parts[0] == "t" && TenantID.isValid(String(parts[1])) ? "/t/\(parts[1])/home" : "/"
            return StandalonePage.error(status: status, title: code == .unauthorized ? "请重新登录" : "无法打开", message: message, home: home)
        }
        var fields: [(String, JSONValue)] = [("code", .string(code.rawValue)), ("message", .string(message))]
        if let field { fields.append(("field", .string(field))) }
        if code == .internal, let id = HTTPRequestID.current { fields.append(("request_id", .string(id))) }
        let body = JSONValue.object([("error", .object(fields))]).serialized
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

