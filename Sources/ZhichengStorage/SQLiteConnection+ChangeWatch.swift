import CSQLite
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// Remembers whether rows of some tables were updated or deleted through one
/// connection (SQLite's update hook), until `consume()` is called. Insertions are not
/// noted: what the watch guards (the `SessionCache`) holds only rows that already
/// existed, which an insertion does not change.
///
/// The hook sees every row change of rowid tables made by statements, triggers and
/// foreign-key actions. It does not see WITHOUT ROWID tables, rows removed by the
/// truncate optimization (a `DELETE` without `WHERE` on a table that no trigger or
/// foreign key involves) or rows replaced by `ON CONFLICT REPLACE`; the tables a
/// cache depends on must avoid those (the tenant's `accounts`, `sessions` and `orgs`
/// do: all take part in foreign keys, none is WITHOUT ROWID, nothing replaces
/// rows in them — `SessionCacheTests` checks each kind of change).
public final class ChangeWatch: Sendable {
    /// NUL-terminated names, compared with the C string the hook passes.
    private let tables: [[CChar]]
    private let changed = Atomic<Bool>(false)
    /// Set on the connection's own thread while `SQLiteConnection.unwatched` runs.
    fileprivate let paused = Atomic<Bool>(false)

    init(tables: Set<String>) {
        self.tables = tables.sorted().map { Array($0.utf8CString) }
    }

    /// True if a watched table changed since the last call; resets.
    public func consume() -> Bool {
        changed.exchange(false, ordering: .acquiringAndReleasing)
    }

    fileprivate func note(_ operation: Int32, _ table: UnsafePointer<CChar>) {
        guard operation != SQLITE_INSERT, !paused.load(ordering: .relaxed) else { return }
        for name in tables where strcmp(name, table) == 0 {
            changed.store(true, ordering: .releasing)
            return
        }
    }
}

extension SQLiteConnection {
    /// Starts watching row changes to `tables` made through this connection. One
    /// watch per connection (SQLite keeps one update hook); the connection holds it.
    func watchChanges(to tables: Set<String>) -> ChangeWatch {
        let watch = ChangeWatch(tables: tables)
        changeWatch = watch
        sqlite3_update_hook(handle, { context, operation, _, table, _ in
            guard let context, let table else { return }
            Unmanaged<ChangeWatch>.fromOpaque(context).takeUnretainedValue().note(operation, table)
        }, Unmanaged.passUnretained(watch).toOpaque())
        return watch
    }

    /// Runs `body` without noting its row changes: only for changes that cannot make a
    /// watched cache disagree with the database (see `purgeExpiredSessions`). The
    /// caller is on the connection's queue, as for every statement.
    func unwatched<T>(_ body: () throws -> T) rethrows -> T {
        guard let watch = changeWatch else { return try body() }
        watch.paused.store(true, ordering: .relaxed)
        defer { watch.paused.store(false, ordering: .relaxed) }
        return try body()
    }
}
