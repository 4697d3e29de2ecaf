#if canImport(Glibc)
import Glibc
#endif

/// The transaction counter of a WAL database, read from its wal-index (`-shm` file)
/// without a connection: `iChange` of the wal-index header, which every commit of
/// any connection, in this process or another, increments by one, and which
/// checkpoints leave alone (https://www.sqlite.org/walformat.html, 2.2.1). Lets the
/// session cache notice a commit made behind the daemon's back (e.g. `sqlite3` run
/// by an operator) on the next request, at the cost of one memory load.
///
/// Valid while a connection of this process keeps the database open in WAL mode:
/// SQLite only truncates the `-shm` file when its first connection opens it.
///
/// The descriptor stays open as long as the mapping, and must outlive the process's
/// SQLite connections to the database (`Database.close` closes them first): closing
/// any descriptor of a file drops every POSIX lock the process holds on it. Closing
/// it right after `mmap`, as this did before, dropped SQLite's own shared lock on the
/// `-shm` file; another process opening the database (an operator's `sqlite3`, even
/// read-only) then believed itself the first, truncated the wal-index under the
/// daemon's mapping, and the daemon died of SIGBUS inside SQLite.
final class WALChangeCounter: @unchecked Sendable {
    private let fd: Int32
    private let base: UnsafeMutableRawPointer
    private static let length = 4096
    /// Offset of `iChange` in the first copy of the wal-index header.
    private static let iChangeOffset = 8

    /// Maps the wal-index of the database at `path`; nil if it is missing or too short.
    init?(databasePath path: String) {
        let fd = open(path + "-shm", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size >= Self.length,
              let mapped = mmap(nil, Self.length, PROT_READ, MAP_SHARED, fd, 0), mapped != MAP_FAILED else {
            // Not closed, for the reason above: the writer holds its locks already. A
            // wal-index that cannot be mapped has never been seen (SQLite maps 32 KiB on
            // the first read); the session cache then works without the counter.
            return nil
        }
        self.fd = fd
        base = mapped
    }

    deinit {
        munmap(base, Self.length)
        close(fd)
    }

    /// The current value (the header is native-endian; SQLite writes it with barriers).
    var value: UInt32 {
        base.load(fromByteOffset: Self.iChangeOffset, as: UInt32.self)
    }
}
