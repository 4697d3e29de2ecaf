/// Framing limits of the admin protocol: UTF-8, one JSON object per `\n`-ended line.
public enum AdminFraming {
    /// The longest line accepted, newline excluded (1 MiB).
    public static let maxLineBytes = 1 << 20
    /// The default socket path.
    public static let defaultSocketPath = "/run/zhicheng/admin.sock"
}

/// One request line: `{"id": …, "cmd": "…", "args": {…}}`.
public struct AdminRequest: Sendable {
    /// Echoed in the response; any JSON scalar.
    public var id: JSONValue
    public var cmd: String
    /// Always an object (empty when the line had no `args`).
    public var args: JSONValue

    public init(id: JSONValue, cmd: String, args: JSONValue = .object([])) {
        self.id = id
        self.cmd = cmd
        self.args = args
    }

    /// Parses one line. On failure the error carries the id when it could be read.
    public init(line: some Collection<UInt8>) throws(AdminErrorResponse) {
        let value: JSONValue
        do {
            value = try JSONValue.parse(line)
        } catch {
            throw AdminErrorResponse(id: .null, error: .init(code: .badRequest, message: "not JSON: \(error)"))
        }
        guard case .object = value else {
            throw AdminErrorResponse(id: .null, error: .init(code: .badRequest, message: "a request must be a JSON object"))
        }
        let id = value["id"] ?? .null
        guard id.isScalar else {
            throw AdminErrorResponse(id: .null, error: .init(code: .badRequest, message: "id must be a JSON scalar (string, number, boolean or null)"))
        }
        guard let cmd = value["cmd"]?.stringValue else {
            throw AdminErrorResponse(id: id, error: .init(code: .badRequest, message: "cmd must be a string"))
        }
        let args = value["args"] ?? .object([])
        guard case .object = args else {
            throw AdminErrorResponse(id: id, error: .init(code: .badRequest, message: "args must be a JSON object"))
        }
        self.init(id: id, cmd: cmd, args: args)
    }

    /// The request as one line, newline included.
    public var line: String {
        JSONValue.object([("id", id), ("cmd", .string(cmd)), ("args", args)]).serialized + "\n"
    }
}

/// The error codes of the admin protocol (SPEC §4).
public enum AdminErrorCode: String, Sendable, CaseIterable {
    case badRequest = "bad_request"
    case unknownCommand = "unknown_command"
    case invalid
    case notFound = "not_found"
    case conflict
    case forbidden
    case unavailable
    case lineTooLong = "line_too_long"
    case `internal`
}

/// The `error` member of a failed response.
public struct AdminError: Error, Sendable, Equatable {
    public var code: AdminErrorCode
    public var message: String

    public init(code: AdminErrorCode, message: String) {
        self.code = code
        self.message = message
    }

    public var json: JSONValue { .object([("code", .string(code.rawValue)), ("message", .string(message))]) }
}

/// A failed response with the id it answers.
public struct AdminErrorResponse: Error, Sendable {
    public var id: JSONValue
    public var error: AdminError

    public init(id: JSONValue, error: AdminError) {
        self.id = id
        self.error = error
    }

    public var line: String { AdminResponse.failure(id: id, error).line }
}

/// One response line: `{"id":…, "ok":true, "result":…}` or `{"id":…, "ok":false, "error":{…}}`.
public enum AdminResponse: Sendable {
    case success(id: JSONValue, result: JSONValue)
    case failure(id: JSONValue, AdminError)

    /// The response as one line, newline included.
    public var line: String {
        switch self {
        case let .success(id, result):
            JSONValue.object([("id", id), ("ok", true), ("result", result)]).serialized + "\n"
        case let .failure(id, error):
            JSONValue.object([("id", id), ("ok", false), ("error", error.json)]).serialized + "\n"
        }
    }

    /// Parses a response line (for clients).
    public init(line: some Collection<UInt8>) throws(AdminError) {
        let value: JSONValue
        do { value = try JSONValue.parse(line) } catch {
            throw AdminError(code: .internal, message: "the daemon sent a line that is not JSON: \(error)")
        }
        let id = value["id"] ?? .null
        if value["ok"]?.boolValue == true {
            self = .success(id: id, result: value["result"] ?? .null)
        } else if let error = value["error"], let code = error["code"]?.stringValue {
            self = .failure(id: id, AdminError(code: AdminErrorCode(rawValue: code) ?? .internal, message: error["message"]?.stringValue ?? code))
        } else {
            throw AdminError(code: .internal, message: "the daemon sent a malformed response")
        }
    }
}
