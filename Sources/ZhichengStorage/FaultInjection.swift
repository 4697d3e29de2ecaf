import Foundation
import Synchronization
import ZhichengCore

/// Crash points for tests of crash safety: when `ZHICHENG_CRASH_AT` names a point
/// (comma-separated), the process exits at once there, as a power cut would stop it.
/// Also failure points, where the process goes on but one step fails once
/// (`ZHICHENG_FAIL_AT`), relay holds for tests of message order
/// (`ZHICHENG_RELAY_HOLD`) and pauses for tests of interleavings (`ZHICHENG_PAUSE_AT`). All are
/// unset in production; reading them costs one
/// dictionary lookup at start.
public enum FaultInjection {
    static let points: Set<String> = Set(
        (ProcessInfo.processInfo.environment["ZHICHENG_CRASH_AT"] ?? "").split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) })

    /// Holds for tests of message order: `ZHICHENG_RELAY_HOLD=kind:path[,kind:path…]` holds
    /// the relay's messages of that kind, and those after them to the same tenant, while a
    /// file exists at path; removing the file lets them go. Unset in production.
    static let relayHolds = pathsByName(environment: "ZHICHENG_RELAY_HOLD")

    /// Pauses for tests of interleavings: `ZHICHENG_PAUSE_AT=point:path[,point:path…]` makes
    /// `pause(point)` wait while a file exists at path. Unset in production.
    static let pauses = pathsByName(environment: "ZHICHENG_PAUSE_AT")

    /// `name:path[,name:path…]` from the environment variable `variable` (the last path of a
    /// name counts); empty when it is unset.
    static func pathsByName(environment variable: String) -> [String: String] {
        Dictionary((ProcessInfo.processInfo.environment[variable] ?? "").split(separator: ",").compactMap { item in
            guard let colon = item.firstIndex(of: ":") else { return nil }
            return (String(item[..<colon]).trimmingCharacters(in: .whitespaces), String(item[item.index(after: colon)...]))
        }, uniquingKeysWith: { _, last in last })
    }

    /// Waits while the file `ZHICHENG_PAUSE_AT` gives `name` exists (see `pauses`); while it
    /// waits, `<path>.reached` exists, so that a test knows the work is held there.
    public static func pause(_ name: String) async {
        guard let path = holding(name) else { return }
        while FileManager.default.fileExists(atPath: path) {
            try? await Task.sleep(for: .milliseconds(20))
        }
        try? FileManager.default.removeItem(atPath: path + ".reached")
    }

    /// `pause` for work on a thread of its own (a dispatch queue), which it blocks.
    public static func pauseBlocking(_ name: String) {
        guard let path = holding(name) else { return }
        while FileManager.default.fileExists(atPath: path) { usleep(20_000) }
        try? FileManager.default.removeItem(atPath: path + ".reached")
    }

    /// The hold file of `name` when one is set, `<path>.reached` made if it is there.
    private static func holding(_ name: String) -> String? {
        guard !pauses.isEmpty, let path = pauses[name] else { return nil }
        // Best effort: a test that waits for the mark and finds none times out and says so.
        if FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path + ".reached", contents: nil) }
        return path
    }

    /// Whether messages of `kind` are held now (see `relayHolds`).
    public static func relayHolds(_ kind: String) -> Bool {
        guard !relayHolds.isEmpty, let path = relayHolds[kind] else { return false }
        return FileManager.default.fileExists(atPath: path)
    }

    /// Failure points not yet reached (`ZHICHENG_FAIL_AT`, comma-separated): each fails once.
    static let failures = Mutex(Set(
        (ProcessInfo.processInfo.environment["ZHICHENG_FAIL_AT"] ?? "").split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }))

    /// Throws the first time `name` is reached when it is armed, as a full disk or a broken
    /// file would make that step fail; later passes go on.
    public static func failure(_ name: String) throws(ZhichengError) {
        guard failures.withLock({ $0.remove(name) }) != nil else { return }
        throw ZhichengError.internal("failure point \(name) reached (ZHICHENG_FAIL_AT)")
    }

    /// Exits with status 86 when `name` is armed.
    public static func point(_ name: String) {
        guard !points.isEmpty, points.contains(name) else { return }
        FileHandle.standardError.write(Data("zhichengd: crash point \(name) reached (ZHICHENG_CRASH_AT); exiting\n".utf8))
        _exit(86)
    }
}
