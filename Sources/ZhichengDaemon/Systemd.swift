import CSystemd
import Foundation
import ZhichengCore

/// The daemon's side of systemd: readiness and status notifications, the
/// watchdog, and sockets passed by socket activation. Every call is a no-op when
/// not run by systemd (no NOTIFY_SOCKET, no LISTEN_FDS).
public enum Systemd {
    /// Sends `state` (e.g. `READY=1\nSTATUS=…`) to the service manager.
    public static func notify(_ state: String) {
        _ = sd_notify(0, state)
    }

    public static func ready(status: String) { notify("READY=1\nSTATUS=\(status)") }
    public static func status(_ status: String) { notify("STATUS=\(status)") }
    public static func stopping() { notify("STOPPING=1\nSTATUS=Stopping") }

    /// `RELOADING=1` with the monotonic timestamp newer systemd versions want
    /// (systemd 252 ignores it).
    public static func reloading() {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        notify("RELOADING=1\nMONOTONIC_USEC=\(Int(ts.tv_sec) * 1_000_000 + Int(ts.tv_nsec) / 1000)\nSTATUS=Reloading configuration")
    }

    /// The watchdog interval when the manager asked for keep-alives (WATCHDOG_USEC
    /// set, and WATCHDOG_PID unset or ours).
    public static func watchdogInterval() -> Duration? {
        var usec: UInt64 = 0
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return .microseconds(Int64(usec))
    }

    /// Sockets passed by the manager, in its order, each with its `FileDescriptorName=` (one
    /// unit's sockets share one) and its address family. The environment variables are removed
    /// so child processes do not inherit them, and the descriptors are marked close-on-exec.
    public static func listenFDs() -> [(name: String, fd: Int32, family: PassedSocket.Family)] {
        var names: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        let count = sd_listen_fds_with_names(1, &names)
        guard count > 0 else { return [] }
        var result: [(name: String, fd: Int32, family: PassedSocket.Family)] = []
        for index in 0..<Int(count) {
            let fd = SD_LISTEN_FDS_START + Int32(index)
            let name = names?[index].map { String(cString: $0) } ?? "unknown"
            result.append((name, fd, family(of: fd)))
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            free(names?[index])
        }
        free(names)
        return result
    }

    /// A listening stream socket's address family: Unix, TCP over IPv4 or IPv6, or else.
    static func family(of fd: Int32) -> PassedSocket.Family {
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) == 0 }
        }
        var type: Int32 = 0
        var typeLength = socklen_t(MemoryLayout<Int32>.size)
        guard ok, getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &typeLength) == 0, type == Int32(SOCK_STREAM.rawValue) else { return .other }
        switch Int32(address.ss_family) {
        case AF_UNIX: return .unix
        case AF_INET, AF_INET6: return .inet
        default: return .other
        }
    }
}
