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
    /// What a person reads. Anything it quotes of a request shows its control and format
    /// characters by code point (`showingInvisibles`): a NUL, an escape sequence or a bidi
    /// override sent in a value never reaches a page, a terminal or a log line raw.
    public var message: String { didSet { message = message.showingInvisibles() } }
    /// What a page of the web UI says instead of `message`, where the API's words name the
    /// codes it takes (`office`, `national`) that no screen shows; nil when both say the same.
    public var screenMessage: String? { didSet { screenMessage = screenMessage?.showingInvisibles() } }
    /// The request field at fault, e.g. `division_code`.
    public var field: String?

    public init(_ code: Code, _ message: String, field: String? = nil, screen screenMessage: String? = nil) {
        self.code = code
        self.message = message.showingInvisibles()
        self.screenMessage = screenMessage?.showingInvisibles()
        self.field = field
    }

    public var description: String { "\(code.rawValue): \(message)" }

    public static func invalid(_ message: String, field: String? = nil, screen: String? = nil) -> Self {
        .init(.invalid, message, field: field, screen: screen)
    }
    public static func notFound(_ message: String) -> Self { .init(.notFound, message) }
    public static func conflict(_ message: String) -> Self { .init(.conflict, message) }
    public static func badRequest(_ message: String, field: String? = nil) -> Self { .init(.badRequest, message, field: field) }
    public static func unavailable(_ message: String) -> Self { .init(.unavailable, message) }
    public static func `internal`(_ message: String) -> Self { .init(.internal, message) }
}
