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

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        if code == .internal {
            context.logger.error("internal error", metadata: ["error": "\(message)", "http.method": "\(request.method)", "path": "\(request.uri.path)"])
        }
        let message = publicMessage
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

