import CSQLite
import ZhichengCore

/// A failed SQLite call: the extended result code and SQLite's message.
public struct SQLiteError: Error, Sendable, CustomStringConvertible {
    public let code: Int32
    public let message: String
    public let sql: String?

    public var description: String {
        if let sql { return "SQLite error \(code): \(message) (in \(sql.prefix(120)))" }
        return "SQLite error \(code): \(message)"
    }

    /// True for SQLITE_CONSTRAINT and its extended codes.
    public var isConstraint: Bool { code & 0xFF == SQLITE_CONSTRAINT }
    /// True when the authorizer refused the statement.
    public var isAuthorization: Bool { code & 0xFF == SQLITE_AUTH }
    /// True when another connection holds a lock this call needed.
    public var isBusy: Bool { code & 0xFF == SQLITE_BUSY || code & 0xFF == SQLITE_LOCKED }
    /// True when the file is not a database or is damaged.
    public var isCorrupt: Bool { code & 0xFF == SQLITE_CORRUPT || code & 0xFF == SQLITE_NOTADB }
}

extension ZhichengError {
    /// Maps a storage failure to the product's error; constraint failures become `conflict`.
    public init(storage error: any Error, context: String) {
        if let error = error as? ZhichengError {
            self = error
        } else if let error = error as? SQLiteError, error.isConstraint {
            self = .conflict("\(context): \(error.message)")
        } else {
            self = .internal("\(context): \(error)")
        }
    }
}
