import CSQLite
import CZhichengSQLite

/// One SQLite connection. Not thread-safe: a `Database` confines each connection
/// to its own serial queue, which is why it may be marked `@unchecked Sendable`.
public final class SQLiteConnection: @unchecked Sendable {
    let handle: OpaquePointer
    public let path: String
    private var statementCache: [String: CachedStatement] = [:]
    private var statementUses: UInt64 = 0

    /// How many prepared statements a connection keeps. The code's own statements are a few
    /// hundred (one connection meets only some of them), but a query's text varies with the
    /// length of its `IN (…)` lists (the queue's series, the relay's paused targets): past
    /// this, the least recently used one not running is finalized, and prepared again if it
    /// is needed again.
    public static let statementCacheLimit = 512

    /// How many statements are prepared now (tests).
    var cachedStatementCount: Int { statementCache.count }

    /// Whether `sql` is prepared now (tests).
    func isPrepared(_ sql: String) -> Bool { statementCache[sql] != nil }

    /// A prepared statement, its column names (read once, when it is prepared) and when it
    /// was last used (for the cache's limit).
    private final class CachedStatement {
        let handle: OpaquePointer
        let columns: [String]
        var lastUse: UInt64 = 0
        init(handle: OpaquePointer, columns: [String]) {
            self.handle = handle
            self.columns = columns
        }
    }
    private var isClosed = false
    /// The update hook's context (see `watchChanges(to:)`), kept alive with the connection.
    var changeWatch: ChangeWatch?

    /// How a connection is opened.
    public struct Options: Sendable {
        public var readOnly = false
        public var create = true
        /// Sandbox the connection (defensive, no ATTACH, pragma allow-list, …).
        public var sandboxed = true
        public init(readOnly: Bool = false, create: Bool = true, sandboxed: Bool = true) {
            self.readOnly = readOnly
            self.create = create
            self.sandboxed = sandboxed
        }
    }

    public init(path: String, options: Options = .init()) throws {
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        flags |= options.readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE
        if options.create && !options.readOnly { flags |= SQLITE_OPEN_CREATE }
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(db)
            throw SQLiteError(code: rc, message: message, sql: nil)
        }
        handle = db
        self.path = path
        sqlite3_extended_result_codes(db, 1)
        // Before anything else touches the file: a first statement after a crash may
        // find another connection recovering the WAL and must wait, not fail.
        sqlite3_busy_timeout(db, 5000)
        if options.sandboxed {
            let hardened = zc_sqlite_harden(db)
            guard hardened == SQLITE_OK else {
                sqlite3_close_v2(db)
                throw SQLiteError(code: hardened, message: "cannot sandbox the connection", sql: nil)
            }
        }
    }

    deinit { close() }

    /// Finalizes every statement and closes the handle; later statements throw
    /// SQLITE_MISUSE ("the connection is closed") without touching the freed handle.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        clearStatementCache()
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements that return no rows.
    public func execute(_ sql: String) throws {
        try checkOpen(sql)
        var error: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &error)
        if rc != SQLITE_OK {
            let message = error.map { String(cString: $0) } ?? String(cString: sqlite3_errmsg(handle))
            sqlite3_free(error)
            throw SQLiteError(code: sqlite3_extended_errcode(handle), message: message, sql: sql)
        }
    }

    /// Runs one statement with arguments and returns its rows. Hot statements stay prepared.
    @discardableResult
    public func query(_ sql: String, _ arguments: [any SQLiteBindable] = []) throws -> [SQLiteRow] {
        let cached = try cachedStatement(sql)
        let statement = cached.handle
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        try bind(arguments, to: statement, sql: sql)
        var columns = cached.columns
        var rows: [SQLiteRow] = []
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw lastError(sql: sql) }
            let columnCount = sqlite3_column_count(statement)
            if rows.isEmpty, columnCount != columns.count {
                // Names are read at prepare time; a statement SQLite re-prepared after a
                // schema change (`SELECT *` after a migration elsewhere) may have others.
                columns = (0..<columnCount).map { String(cString: sqlite3_column_name(statement, $0)) }
            }
            rows.append(SQLiteRow(columns: columns, values: (0..<columnCount).map { column(statement, $0) }))
        }
        return rows
    }

    /// Runs one statement and turns each row into a `T` by column position, without
    /// the `SQLiteRow` of every row (for hot, many-row reads). `transform` must not
    /// keep the cursor.
    public func rows<T>(_ sql: String, _ arguments: [any SQLiteBindable] = [], _ transform: (SQLiteCursor) throws -> T) throws -> [T] {
        var out: [T] = []
        try forEachRow(sql, arguments) { out.append(try transform($0)) }
        return out
    }

    /// Runs one statement and calls `body` with each row, in order, read by column
    /// position; nothing is copied out that `body` does not read. `body` must not keep
    /// the cursor.
    public func forEachRow(_ sql: String, _ arguments: [any SQLiteBindable] = [], _ body: (SQLiteCursor) throws -> Void) throws {
        let statement = try cachedStatement(sql).handle
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        try bind(arguments, to: statement, sql: sql)
        let cursor = SQLiteCursor(statement: statement)
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw lastError(sql: sql) }
            try body(cursor)
        }
    }

    /// Runs a statement that changes rows; returns the number of rows changed.
    @discardableResult
    public func run(_ sql: String, _ arguments: [any SQLiteBindable] = []) throws -> Int {
        try query(sql, arguments)
        return Int(sqlite3_changes(handle))
    }

    /// The first column of the first row, or nil.
    public func scalar(_ sql: String, _ arguments: [any SQLiteBindable] = []) throws -> SQLiteValue? {
        try query(sql, arguments).first?.values.first
    }

    /// Rows inserted, updated or deleted by statements of this connection since it
    /// opened (grows with every completed change, also when later rolled back).
    public var totalChanges: Int { Int(sqlite3_total_changes(handle)) }

    /// True while a transaction is open. SQLite ends one by itself on some errors (a full
    /// disk, an I/O error, out of memory), rolling back all of it.
    public var inTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// The rowid of the last insert on this connection.
    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// Whether the database has a table called `name` (an old schema may not).
    public func hasTable(_ name: String) throws -> Bool {
        try scalar("SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = ?", [name])?.int == 1
    }

    /// Whether the index `name` exists (for reads of files of older schema versions).
    public func hasIndex(_ name: String) throws -> Bool {
        try scalar("SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name = ?", [name])?.int == 1
    }

    /// Whether `table` has a column `name` (for reads of files of older schema versions).
    public func hasColumn(_ name: String, in table: String) throws -> Bool {
        try scalar("SELECT count(*) FROM pragma_table_info(?) WHERE name = ?", [table, name])?.int == 1
    }

    /// Runs `body` in one read transaction on a connection of its own to the existing
    /// file at `path`, closed afterwards: for files no `Database` has open (a tenant not
    /// open, a file about to be archived or replaced). Blocks; call it off the pool.
    public static func readOnce<T>(path: String, _ body: (SQLiteConnection) throws -> T) throws -> T {
        let conn = try SQLiteConnection(path: path, options: .init(create: false))
        defer { conn.close() }
        try conn.execute("PRAGMA busy_timeout = 5000")
        return try conn.transaction(immediate: false) { try body(conn) }
    }

    /// Opens the existing database at `path`, runs `body` in one write transaction with
    /// foreign keys on and `synchronous=FULL` (as a tenant's `Database` writes), and closes
    /// it: for the one write a tenant's file gets while the store holds it closed (the audit
    /// row of an archive, made only once nothing else uses it).
    public static func writeOnce<T>(path: String, _ body: (SQLiteConnection) throws -> T) throws -> T {
        let conn = try SQLiteConnection(path: path, options: .init(create: false))
        defer { conn.close() }
        try conn.execute("PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL")
        return try conn.transaction(immediate: true) { try body(conn) }
    }

    /// Runs `body` in one transaction; commits when it returns, rolls back when it throws.
    public func transaction<T>(immediate: Bool = true, _ body: () throws -> T) throws -> T {
        // Prepared once (not `execute`, which compiles the text every time): every read runs these.
        try run(immediate ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED")
        do {
            let value = try body()
            try run("COMMIT")
            return value
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Drops every prepared statement (before a schema change by another connection, or close).
    public func clearStatementCache() {
        for statement in statementCache.values { sqlite3_finalize(statement.handle) }
        statementCache.removeAll()
    }

    private func cachedStatement(_ sql: String) throws -> CachedStatement {
        statementUses &+= 1
        if let cached = statementCache[sql] {
            cached.lastUse = statementUses
            return cached
        }
        try checkOpen(sql)
        if statementCache.count >= Self.statementCacheLimit { evictLeastRecentlyUsedStatement() }
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard rc == SQLITE_OK, let statement else { throw lastError(sql: sql) }
        let cached = CachedStatement(handle: statement, columns: (0..<sqlite3_column_count(statement)).map { String(cString: sqlite3_column_name(statement, $0)) })
        cached.lastUse = statementUses
        statementCache[sql] = cached
        return cached
    }

    /// Finalizes the statement used longest ago that is not running now (a row loop's
    /// `body` may run other statements while its own is stepped part way).
    private func evictLeastRecentlyUsedStatement() {
        guard let (sql, oldest) = statementCache.lazy.filter({ sqlite3_stmt_busy($0.value.handle) == 0 }).min(by: { $0.value.lastUse < $1.value.lastUse }) else { return }
        sqlite3_finalize(oldest.handle)
        statementCache[sql] = nil
    }

    private func checkOpen(_ sql: String) throws {
        if isClosed { throw SQLiteError(code: SQLITE_MISUSE, message: "the connection is closed", sql: sql) }
    }

    private func bind(_ arguments: [any SQLiteBindable], to statement: OpaquePointer, sql: String) throws {
        for (offset, argument) in arguments.enumerated() {
            let index = Int32(offset + 1)
            let rc: Int32
            switch argument.sqliteValue {
            case .null: rc = sqlite3_bind_null(statement, index)
            case .integer(let v): rc = sqlite3_bind_int64(statement, index, v)
            case .real(let v): rc = sqlite3_bind_double(statement, index, v)
            case .text(let v):
                rc = v.utf8CString.withUnsafeBufferPointer {
                    zc_sqlite_bind_text(statement, index, $0.baseAddress, Int32($0.count - 1))
                }
            case .blob(let v):
                rc = v.withUnsafeBytes { zc_sqlite_bind_blob(statement, index, $0.baseAddress, Int32($0.count)) }
            }
            guard rc == SQLITE_OK else { throw lastError(sql: sql) }
        }
    }

    private func column(_ statement: OpaquePointer, _ index: Int32) -> SQLiteValue {
        switch sqlite3_column_type(statement, index) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(statement, index))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(statement, index))
        case SQLITE_TEXT:
            return .text(SQLiteCursor.text(statement, index))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(statement, index))
            guard count > 0, let bytes = sqlite3_column_blob(statement, index) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: bytes, count: count)))
        default: return .null
        }
    }

    func lastError(sql: String?) -> SQLiteError {
        SQLiteError(code: sqlite3_extended_errcode(handle), message: String(cString: sqlite3_errmsg(handle)), sql: sql)
    }
}
