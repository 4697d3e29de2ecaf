#if canImport(Glibc)
import Glibc
#endif
import ZhichengCore

/// One daemon per data directory: an exclusive `flock` on `<data_dir>/zhichengd.lock`, held
/// for the life of the process (the descriptor is close-on-exec, so plugin helpers do not
/// inherit it).
///
/// Without it, a second `zhichengd` started on the same data (by hand beside the service, or
/// a unit and a test run) ran its start-up before failing on the port: `reconcile` moved a
/// create in progress to `archive/incomplete-…`, and finishing "interrupted" restores deleted
/// a running restore's staged file.
final class DataDirLock: Sendable {
    let path: String
    private let fd: Int32

    init(dataDir: String) throws(ZhichengError) {
        path = dataDir + "/zhichengd.lock"
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw .unavailable("cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            close(fd)
            if code == EWOULDBLOCK {
                throw .unavailable("another zhichengd is running on \(dataDir) (it holds \(path)); nothing was changed")
            }
            throw .unavailable("cannot lock \(path): \(String(cString: strerror(code)))")
        }
        self.fd = fd
    }

    deinit { close(fd) }
}
