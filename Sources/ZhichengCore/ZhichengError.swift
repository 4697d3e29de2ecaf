/// The one error type of the product: a machine-readable code, a message for people,
/// and the field at fault when there is one. Each transport maps it once
/// (admin protocol → `{"code","message"}`, HTTP → status + `{"error":{…}}`).
public struct ZhichengError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure this is; stable strings that clients rely on.
    public enum Code: String, Sendable, Codable, CaseIterable {
        case badRequest = "bad_request"
        case unknownCommand = "unknown_command"
        case invalid
        case notFound = "not_found"
        /// The path exists, but not for this HTTP method.
        case methodNotAllowed = "method_not_allowed"
        case conflict
        case forbidden
        case unauthorized
        case unavailable
        case tooLarge = "too_large"
        case unsupportedMediaType = "unsupported_media_type"
        case tooManyRequests = "too_many_requests"
        case lineTooLong = "line_too_long"
        case `internal`
    }

    public var code: Code
    public var message: String
    /// The request field at fault, e.g. `division_code`.
    public var field: String?

    public init(_ code: Code, _ message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    public var description: String { "\(code.rawValue): \(message)" }

    public static func invalid(_ message: String, field: String? = nil) -> Self { .init(.invalid, message, field: field) }
    public static func notFound(_ message: String) -> Self { .init(.notFound, message) }
    public static func conflict(_ message: String) -> Self { .init(.conflict, message) }
    public static func badRequest(_ message: String, field: String? = nil) -> Self { .init(.badRequest, message, field: field) }
    public static func unavailable(_ message: String) -> Self { .init(.unavailable, message) }
    public static func `internal`(_ message: String) -> Self { .init(.internal, message) }
}
