import CSQLite

/// The current row of a statement being stepped by `SQLiteConnection.rows`, read by
/// column position (0-based). Valid only inside the transform it is passed to.
public struct SQLiteCursor {
    let statement: OpaquePointer

    /// The column as an integer (0 for NULL).
    public func int(_ index: Int32) -> Int { Int(sqlite3_column_int64(statement, index)) }
    /// The column as a double (0 for NULL).
    public func double(_ index: Int32) -> Double { sqlite3_column_double(statement, index) }
    /// Whether the column is NULL.
    public func isNull(_ index: Int32) -> Bool { sqlite3_column_type(statement, index) == SQLITE_NULL }
    /// The column as text ("" for NULL).
    public func string(_ index: Int32) -> String { Self.text(statement, index) }

    /// The column's text bytes as SQLite holds them (empty for NULL), without making a
    /// `String`: valid only inside `body`. SQLite does not check that text is UTF-8;
    /// whoever writes the bytes out must (`JSONWriter.string(utf8:)` does).
    public func withText<R>(_ index: Int32, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        let text = sqlite3_column_text(statement, index)
        let count = text == nil ? 0 : Int(sqlite3_column_bytes(statement, index))
        return try body(UnsafeBufferPointer(start: text, count: count))
    }

    /// Text with its byte count from SQLite (no `strlen`; invalid UTF-8 is repaired).
    static func text(_ statement: OpaquePointer, _ index: Int32) -> String {
        guard let text = sqlite3_column_text(statement, index) else { return "" }
        let count = Int(sqlite3_column_bytes(statement, index))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }
}
