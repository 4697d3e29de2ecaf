import Foundation

/// Crash points for tests of crash safety: when `ZHICHENG_CRASH_AT` names a point
/// (comma-separated), the process exits at once there, as a power cut would stop it.
/// Unset in production; reading it costs one dictionary lookup at start.
public enum FaultInjection {
    static let points: Set<String> = Set(
        (ProcessInfo.processInfo.environment["ZHICHENG_CRASH_AT"] ?? "").split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) })

    /// Exits with status 86 when `name` is armed.
    public static func point(_ name: String) {
        guard !points.isEmpty, points.contains(name) else { return }
        FileHandle.standardError.write(Data("zhichengd: crash point \(name) reached (ZHICHENG_CRASH_AT); exiting\n".utf8))
        _exit(86)
    }
}
