import Foundation

/// Whether a Unix-socket path the daemon is about to bind is free to take.
///
/// Binding with `cleanupExistingSocketFile` removes whatever socket is at the path, even
/// one another running zhichengd (with another data dir) listens on; and that daemon's
/// exit then removes the path again, leaving the first one unreachable. So before binding,
/// the path is tried: a socket somebody accepts on is in use and refused; a socket nobody
/// listens on (a crash left it) is stale and may be replaced.
public enum SocketPathCheck {
    public enum State: Equatable, Sendable {
        /// Nothing at the path.
        case absent
        /// A socket file nobody listens on (`ECONNREFUSED`): safe to replace.
        case stale
        /// Something accepted a connection there.
        case inUse
        /// A socket that could not be tried (errno), e.g. one of another user's: left alone.
        case unknown(errno: Int32)
        /// A file that is not a socket.
        case notASocket
    }

    /// What is at `path` (a connect attempt, closed at once; never blocks for long: a
    /// Unix-socket connect either succeeds, is refused or finds a full backlog).
    public static func state(of path: String) -> State {
        var info = stat()
        guard lstat(path, &info) == 0 else { return .absent }
        guard info.st_mode & S_IFMT == S_IFSOCK else { return .notASocket }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { return .unknown(errno: errno) }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return .unknown(errno: ENAMETOOLONG) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if rc == 0 { return .inUse }
        switch errno {
        case ECONNREFUSED: return .stale
        case EAGAIN, EINPROGRESS: return .inUse  // a listener whose backlog is full
        case ENOENT: return .absent
        case let code: return .unknown(errno: code)
        }
    }

    /// Throws unless `path` is absent or a stale socket (which the bind then replaces).
    public static func requireFree(_ path: String, purpose: String) throws(SocketPathInUse) {
        switch state(of: path) {
        case .absent, .stale: return
        case .inUse: throw SocketPathInUse(path: path, purpose: purpose, reason: "another process (a running zhichengd?) is listening on it; stop that one or choose another path")
        case .notASocket: throw SocketPathInUse(path: path, purpose: purpose, reason: "a file that is not a socket is there; remove it or choose another path")
        case .unknown(let code): throw SocketPathInUse(path: path, purpose: purpose, reason: "it cannot be tried (\(String(cString: strerror(code)))); it is left as it is")
        }
    }
}
