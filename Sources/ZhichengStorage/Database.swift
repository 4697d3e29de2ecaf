import CSQLite
import Dispatch
import Foundation
import Synchronization

/// One SQLite file, held open for its whole life: a writer connection and
/// `readerCount` reader connections, each confined to its own serial queue so that no
/// SQLite call ever runs on a Swift concurrency thread or an event loop.
///
/// Every connection is sandboxed (see `zc_sqlite_harden`), the file is in WAL mode
/// with `synchronous=FULL` (an acknowledged write survives power loss) and foreign
/// keys on. Files are created with mode 0600.
public final class Database: @unchecked Sendable {
    public let path: String
    private let writer: SQLiteConnection
    /// Readers, each on its own queue: reads run in parallel with each other and with
    /// the writer (WAL). A read goes to the reader with the fewest reads in flight (`Reader`).
    private let readers: [Reader]
    /// The reader chosen last: the one a tie goes to, its thread likely still awake.
    private let lastReader = Atomic<Int>(0)
    private let writerQueue: DispatchQueue
    /// Writes waiting for the writer; drained in batches that share one commit.
    private let pending = Mutex(PendingWrites())
    /// Writes queued behind the running batch (tests: to know a batch has formed).
    var queuedWrites: Int { pending.withLock { $0.items.count } }
    /// At most this many writes share one transaction.
    static let maxBatch = 64
    /// Sessions checked recently; emptied by every commit that changed one of the
    /// `sessionTables` given at open, and by any commit from outside this `Database`
    /// (unused without session tables; see `SessionCache`).
    public let sessions: SessionCache
    /// What the services learned about this database while it is open (`OpenFacts`).
    public let facts = OpenFacts()
    /// Row changes of the session tables made through the writer since the last commit.
    private let sessionTablesChanged: ChangeWatch?

    private struct PendingWrites: ~Copyable {
        var items: [PendingWrite] = []
        var draining = false
    }

    private struct PendingWrite: Sendable {
        let run: @Sendable (SQLiteConnection) throws -> any Sendable
        let finish: @Sendable (Result<any Sendable, any Error>) -> Void
    }

    /// What the `-wal` file is cut back to after a checkpoint resets it: a burst of large
    /// writes (a batch of uploads) no longer leaves it at its high-water size while the
    /// tenant stays open.
    static let walSizeLimit = 16 << 20

    /// Opens (creating if needed) the file at `path` and migrates it. `sessionTables`
    /// are the tables whose changes empty `sessions` (see `SessionCache`).
    public init(path: String, migrations: [Migration], cacheKiB: Int = 1024, readerCount: Int = 2, sessionTables: Set<String> = []) throws {
        self.path = path
        let existed = FileManager.default.fileExists(atPath: path)
        let writer = try SQLiteConnection(path: path)
        if !existed { chmod(path, 0o600) }
        // WAL first, then durability: GRDB-style wrappers reset synchronous after
        // their own setup; we set it last and read it back in tests.
        try writer.execute("""
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = FULL;
            PRAGMA foreign_keys = ON;
            PRAGMA busy_timeout = 5000;
            PRAGMA cache_size = -\(cacheKiB);
            PRAGMA journal_size_limit = \(Self.walSizeLimit);
            """)
        try writer.migrate(migrations)
        let label = "zhicheng.db.\(URL(fileURLWithPath: path).deletingLastPathComponent().lastPathComponent)"
        var readers: [Reader] = []
        for index in 0..<max(1, readerCount) {
            let reader = try SQLiteConnection(path: path, options: .init(create: false))
            try reader.execute("""
                PRAGMA foreign_keys = ON;
                PRAGMA busy_timeout = 5000;
                PRAGMA cache_size = -\(cacheKiB);
                """)
            readers.append(Reader(connection: reader, queue: DispatchQueue(label: label + ".reader\(index)")))
        }
        self.writer = writer
        self.readers = readers
        // Installed after the migrations: from here on every change goes through `write`.
        sessionTablesChanged = sessionTables.isEmpty ? nil : writer.watchChanges(to: sessionTables)
        sessions = SessionCache(counter: sessionTables.isEmpty ? nil : WALChangeCounter(writer: writer))
        writerQueue = DispatchQueue(label: label + ".writer")
    }

    /// Runs `body` as one atomic unit of work on the writer and returns once it is
    /// durably committed.
    ///
    /// Group commit: writes that arrive while the writer is busy are run together in
    /// one transaction, each inside its own savepoint (a failing body is rolled back
    /// alone and gets its error), and share one `COMMIT` — one fsync for the batch.
    /// Nobody is answered before that commit, so an acknowledged write survives a
    /// crash exactly as with one transaction per write.
    public func write<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let item = PendingWrite(run: { conn in try body(conn) }, finish: { result in
                continuation.resume(with: result.map { $0 as! T })
            })
            let start = pending.withLock { state -> Bool in
                state.items.append(item)
                guard !state.draining else { return false }
                state.draining = true
                return true
            }
            if start { writerQueue.async { [self] in drainWrites() } }
        }
    }

    /// Runs batches of pending writes until none is left (on the writer queue).
    private func drainWrites() {
        while true {
            let batch = pending.withLock { state -> [PendingWrite] in
                let batch = Array(state.items.prefix(Self.maxBatch))
                state.items.removeFirst(batch.count)
                if batch.isEmpty { state.draining = false }
                return batch
            }
            guard !batch.isEmpty else { return }
            var results: [Result<any Sendable, any Error>] = []
            var committed = false
            let changesBefore = writer.totalChanges
            do {
                try writer.run("BEGIN IMMEDIATE")
                sessions.beginWrite()
                for item in batch {
                    do {
                        try writer.run("SAVEPOINT unit")
                        let value = try item.run(writer)
                        try writer.run("RELEASE unit")
                        results.append(.success(value))
                    } catch {
                        // An error that made SQLite roll back the whole transaction took the
                        // units before this one with it, and a unit after it would run (and
                        // commit) on its own: the batch fails whole.
                        guard writer.inTransaction else { throw error }
                        _ = try? writer.run("ROLLBACK TO unit")
                        _ = try? writer.run("RELEASE unit")
                        results.append(.failure(error))
                    }
                }
                try writer.run("COMMIT")
                committed = true
            } catch {
                try? writer.execute("ROLLBACK")
                results = batch.map { _ in .failure(error) }
            }
            // Before anyone is answered: a request that follows an acknowledged
            // sign-out or role change must not find the old session in the cache.
            sessions.endWrite(wrote: committed && writer.totalChanges != changesBefore,
                              sessionTablesChanged: sessionTablesChanged?.consume() == true)
            for (item, result) in zip(batch, results) { item.finish(result) }
        }
    }

    /// Runs `body` on the writer outside any transaction (PRAGMAs, checkpoints).
    public func writeWithoutTransaction<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await writerQueue.perform { [self] in
            defer { invalidateSessionsIfChanged() }
            return try body(writer)
        }
    }

    /// Empties the session cache if the writer changed a session table outside a batch
    /// (on the writer queue). A commit made here moves the wal-index counter without
    /// `beginWrite`, so lookups treat it as someone else's and empty the cache anyway.
    private func invalidateSessionsIfChanged() {
        if sessionTablesChanged?.consume() == true { sessions.invalidateAll() }
    }

    /// Runs `body` in one read transaction: a consistent snapshot, never blocking writers.
    /// It goes to the reader with the fewest reads queued or running, a tie to the one
    /// chosen last: a reader's thread that is busy or just finished is awake, and handing
    /// it the read spares waking a parked one (taking turns woke one for about every other
    /// read). Two reads at once still go to two readers.
    public func read<T: Sendable>(_ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        let reader = readers[claimReader()]
        return try await reader.queue.perform {
            defer { reader.inFlight.subtract(1, ordering: .relaxed) }
            return try reader.connection.transaction(immediate: false) { try body(reader.connection) }
        }
    }

    /// The index of the reader `read` would hand its work to now (see there), and how many
    /// reads it has queued or running.
    func chooseReader() -> Int { choice().index }

    private func choice() -> (index: Int, count: Int) {
        let last = lastReader.load(ordering: .relaxed)
        var best = last < readers.count ? last : 0
        var fewest = readers[best].inFlight.load(ordering: .relaxed)
        for index in readers.indices where fewest > 0 && index != best {
            let count = readers[index].inFlight.load(ordering: .relaxed)
            if count < fewest { best = index; fewest = count }
        }
        return (best, fewest)
    }

    /// Chooses a reader and counts the read on it in one step: the count is raised only if
    /// it is still the one the choice saw, else the choice is made again, so that two reads
    /// arriving at once never both take the same idle reader.
    private func claimReader() -> Int {
        while true {
            let (index, count) = choice()
            if readers[index].inFlight.compareExchange(expected: count, desired: count + 1, ordering: .relaxed).exchanged {
                if index != lastReader.load(ordering: .relaxed) { lastReader.store(index, ordering: .relaxed) }
                return index
            }
        }
    }

    /// Reads queued or running on each reader, in order (tests).
    var readsInFlight: [Int] { readers.map { $0.inFlight.load(ordering: .relaxed) } }

    /// `read`, waited for on the calling thread: for a small read while a file is being opened
    /// (the registry's tenant states), never on a request's path.
    func readNow<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        let reader = readers[0]
        return try reader.queue.sync { try reader.connection.transaction(immediate: false) { try body(reader.connection) } }
    }

    /// Runs `body` in one read transaction through a connection and a queue of its own: for a
    /// long read of the whole file (`tenant.check`), which on one of the tenant's readers would
    /// hold every read handed to that reader for as long as it takes.
    public func readAlone<T: Sendable>(label: String, _ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        let path = self.path
        return try await DispatchQueue(label: label).perform {
            let connection = try SQLiteConnection(path: path, options: .init(create: false))
            defer { connection.close() }
            return try connection.transaction(immediate: false) { try body(connection) }
        }
    }

    /// Checkpoints the WAL into the main file and truncates it; run before close. False when
    /// a reader (another process) kept it from copying every page back: the rest stays in
    /// the `-wal` file, safe, but that file must then go with the database when it is copied.
    @discardableResult
    public func checkpoint() async throws -> Bool {
        try await writeWithoutTransaction { conn in
            try conn.query("PRAGMA wal_checkpoint(TRUNCATE)").first.map { $0["busy"].int == 0 } ?? true
        }
    }

    /// Finishes queued work, checkpoints, and closes both connections. Why the checkpoint
    /// did not finish, if it did not (`checkpoint`); nil when it did.
    @discardableResult
    public func close() async -> String? {
        var unfinished: String?
        do {
            if try await !checkpoint() { unfinished = "another process is reading the database; the rest of its log stays in the -wal file" }
        } catch {
            unfinished = "\(error)"
        }
        sessions.close()
        for reader in readers { await reader.queue.perform { reader.connection.close() } }
        await writerQueue.perform { [writer] in writer.close() }
        return unfinished
    }

    /// Copies a consistent snapshot of the database to `destination` with SQLite's
    /// online backup API (writers go on meanwhile), as one self-contained
    /// rollback-journal file, fsynced. Returns its size in bytes. It reads through a
    /// connection and a queue of its own: a reader's would hold every other read handed to
    /// that reader for the whole copy.
    public func backup(to destination: String) async throws -> Int {
        let path = self.path
        return try await DispatchQueue(label: "zhicheng.backup").perform {
            let source = try SQLiteConnection(path: path, options: .init(create: false))
            defer { source.close() }
            let target = try SQLiteConnection(path: destination, options: .init(sandboxed: false))
            guard let backup = sqlite3_backup_init(target.handle, "main", source.handle, "main") else {
                throw target.lastError(sql: nil)
            }
            // One page first, then the rest: the same copy, with a point between at which the
            // target is half written (its `-journal` beside it) for tests of a stop or a wait there.
            var rc = sqlite3_backup_step(backup, 1)
            if rc == SQLITE_OK {
                FaultInjection.point("tenant.backup.copying")
                FaultInjection.pauseBlocking("backup.copying")
                rc = sqlite3_backup_step(backup, -1)
            }
            sqlite3_backup_finish(backup)
            guard rc == SQLITE_DONE else { throw SQLiteError(code: rc, message: "backup failed", sql: nil) }
            try target.execute("PRAGMA journal_mode = DELETE; PRAGMA synchronous = FULL;")
            chmod(destination, 0o600)
            let attributes = try FileManager.default.attributesOfItem(atPath: destination)
            return (attributes[.size] as? Int) ?? 0
        }
    }
}

extension Database {
    /// A reader connection, the serial queue it is confined to, and how many reads are
    /// queued or running on that queue (counted by `read`, for `chooseReader`).
    final class Reader: Sendable {
        let connection: SQLiteConnection
        let queue: DispatchQueue
        let inFlight = Atomic<Int>(0)

        init(connection: SQLiteConnection, queue: DispatchQueue) {
            self.connection = connection
            self.queue = queue
        }
    }
}
