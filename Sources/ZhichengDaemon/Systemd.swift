import CSystemd
import Foundation

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

    /// Sockets passed by the manager, by their `FileDescriptorName=`. The
    /// environment variables are removed so child processes do not inherit them,
    /// and the descriptors are marked close-on-exec.
    public static func listenFDs() -> [String: Int32] {
        var names: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        let count = sd_listen_fds_with_names(1, &names)
        guard count > 0 else { return [:] }
        var result: [String: Int32] = [:]
        for index in 0..<Int(count) {
            let fd = SD_LISTEN_FDS_START + Int32(index)
            let name = names?[index].map { String(cString: $0) } ?? "unknown"
            result[name] = fd
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            free(names?[index])
        }
        free(names)
        return result
    }
}
