import Hummingbird
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

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields: [(String, JSONValue)] = [("code", .string(code.rawValue)), ("message", .string(message))]
        if let field { fields.append(("field", .string(field))) }
        let body = JSONValue.object([("error", .object(fields))]).serialized
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
            body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

