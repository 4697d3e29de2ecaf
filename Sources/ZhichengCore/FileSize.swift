/// A size in bytes as Chinese users read one (as their file manager shows it): under 1 KB in
/// 字节, then KB, MB, GB of 1,024 each, with one decimal that is left out when it is 0:
/// `800 字节`, `12.3 KB`, `64 KB`, `1.5 MB`. The one way every screen and message states a
/// file's size or a limit.
public enum FileSize {
    /// `bytes` in words. A limit is rounded down (`roundingDown`), so that what it says is
    /// never more than is allowed (a limit of 1,535 bytes is `1.4 KB`, not `1.5 KB`); a file's
    /// size, to the nearest tenth.
    public static func text(_ bytes: Int, roundingDown: Bool = false) -> String {
        guard bytes >= 1024 else { return "\(max(0, bytes)) 字节" }
        var unit = 1024
        for name in ["KB", "MB", "GB"] {
            let tenths = (bytes * 10 + (roundingDown ? 0 : unit / 2)) / unit
            // 1,023.96 KB reads as 1 MB, not 1024 KB; the last unit takes any number.
            if tenths < 10 * 1024 || name == "GB" {
                return (tenths % 10 == 0 ? "\(tenths / 10)" : "\(tenths / 10).\(tenths % 10)") + " " + name
            }
            unit *= 1024
        }
        return "\(bytes) 字节"
    }
}
