import Foundation
import ZhichengAdminProtocol

/// A blocking admin-socket client: one request, one response line.
struct AdminClient {
    let path: String
    let timeoutSeconds: Int

    /// Why a command could not be carried out, with the exit status it maps to.
    struct Failure: Error {
        var message: String
        var status: Int32
        /// zhichengctl itself was told to stop (SIGINT, SIGTERM): nothing more is to be sent.
        var interrupted = false
    }

    func send(_ request: AdminRequest) throws(Failure) -> AdminResponse {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(message: "cannot create a socket: \(String(cString: strerror(errno)))", status: 71) }
        defer { close(fd) }

        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity else { throw Failure(message: "socket path is too long: \(path)", status: 64) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: path.utf8)
            raw[path.utf8.count] = 0
        }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        if connected != 0 {
            let code = errno
            switch code {
            case ENOENT, ECONNREFUSED:
                throw Failure(message: "zhichengd is not running (cannot connect to \(path): \(String(cString: strerror(code))))", status: 69)
            case EACCES, EPERM:
                throw Failure(message: "permission denied on \(path): join the socket's group (zhicheng-admin), and have the sysadmin list your uid or "
                              + "group in [admin] allowed_uids / allowed_gids of zhichengd.toml (then `zhichengctl config reload`), or run as root", status: 77)
            default:
                throw Failure(message: "cannot connect to \(path): \(String(cString: strerror(code)))", status: 69)
            }
        }

        // A refusing daemon writes `forbidden` and closes before reading: a failed
        // send is not the end, the answer may already be waiting.
        signal(SIGPIPE, SIG_IGN)
        // Ctrl-C (or a SIGTERM) while the daemon works does not stop the work: said, not
        // left to the shell's silent death (see `Interruption`).
        let interruption = Interruption()
        defer { interruption.end() }
        let line = Array(request.line.utf8)
        var sent = 0
        var sendError: Int32 = 0
        while sent < line.count {
            // Not all of the line went: the daemon acts on a whole line only (a part is dropped).
            if let signal = interruption.caught {
                throw Failure(message: "interrupted (\(Interruption.name(signal))) before the command was sent; nothing was done", status: 128 + signal, interrupted: true)
            }
            let n = line[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { sendError = errno; break }
            sent += n
        }

        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            if let newline = received.firstIndex(of: UInt8(ascii: "\n")) {
                do {
                    return try AdminResponse(line: received[..<newline])
                } catch {
                    throw Failure(message: error.message, status: 76)
                }
            }
            // The socket and the signal pipe at once: the answer, a signal, or neither within the timeout.
            var waiting = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0), pollfd(fd: interruption.wake, events: Int16(POLLIN), revents: 0)]
            let ready = poll(&waiting, nfds_t(waiting.count), Int32(clamping: timeoutSeconds * 1000))
            if let signal = interruption.caught {
                throw Failure(message: "interrupted (\(Interruption.name(signal))) before zhichengd answered. " + Self.mayStillFinish, status: 128 + signal, interrupted: true)
            }
            if ready < 0 && errno == EINTR { continue }
            if ready == 0 {
                throw Failure(message: "zhichengd did not answer within \(timeoutSeconds) s (--timeout). " + Self.mayStillFinish, status: 75)
            }
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            guard n > 0 else {
                let why = sendError != 0 ? "cannot send to zhichengd: \(String(cString: strerror(sendError)))" : "zhichengd closed the connection without answering"
                throw Failure(message: why, status: 76)
            }
            received.append(contentsOf: chunk[..<n])
        }
    }

    /// What a sysadmin must know when zhichengctl stops waiting (`--timeout`, Ctrl-C): the
    /// daemon goes on with the command regardless.
    static let mayStillFinish = "The command was not cancelled and may still finish: see `zhichengctl tenant show` "
        + "or the daemon's journal before running it again"
}
