import CZhichengSQLite

/// The transaction counter of a WAL database, read from its wal-index (`-shm` file)
/// without a query: `iChange` of the wal-index header, which every commit of any
/// connection, in this process or another, increments by one, and which checkpoints
/// leave alone (https://www.sqlite.org/walformat.html, 2.2.1). Lets the session cache
/// notice a commit made behind the daemon's back (e.g. `sqlite3` run by an operator)
/// on the next request, at the cost of one memory load.
///
/// It reads SQLite's own mapping of the wal-index, obtained from the writer connection
/// through the VFS (`zc_sqlite_wal_index`), and is valid until that connection closes
/// (`Database.close` closes the session cache first). It opens no descriptor of the
/// `-shm` file: closing one drops every POSIX lock the process holds on the file, and
/// an earlier version that mapped the file itself dropped SQLite's shared lock that way.
/// The next process to open the database (an operator's `sqlite3`, even read-only) then
/// believed itself the first, truncated the wal-index under the daemon's mapping, and
/// the daemon died of SIGBUS inside SQLite.
final class WALChangeCounter: @unchecked Sendable {
    private let base: UnsafeRawPointer
    /// Offset of `iChange` in the first copy of the wal-index header.
    private static let iChangeOffset = 8

    /// The wal-index of `writer`'s database; nil if it is not in WAL mode.
    init?(writer: SQLiteConnection) {
        guard let region = zc_sqlite_wal_index(writer.handle) else { return nil }
        base = UnsafeRawPointer(region)
    }

    /// The current value (the header is native-endian; SQLite writes it with barriers).
    var value: UInt32 {
        base.load(fromByteOffset: Self.iChangeOffset, as: UInt32.self)
    }
}
