/// Sizes and durations as a person reads them: zhichengctl's tables show `403.0 MiB` and
/// `4m13s` where the protocol carries bytes and seconds (`--json` keeps the raw numbers).
public enum HumanReadable {
    static let sizeUnits = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]

    /// A byte count: `512 B` below 1 KiB, else binary units with one decimal (`1.5 KiB`,
    /// `403.0 MiB`), the unit chosen after rounding (1,048,575 bytes is `1.0 MiB`, not `1024.0 KiB`).
    public static func bytes(_ count: Int) -> String {
        guard count >= 0 else { return "-" + bytes(count == Int.min ? Int.max : -count) }
        guard count >= 1024 else { return "\(count) B" }
        var value = Double(count) / 1024
        var unit = 0
        // In tenths, rounded: the unit goes up while the rounded value would read 1024.0 or more.
        while unit < sizeUnits.count - 1, (value * 10).rounded() >= 10_240 {
            value /= 1024
            unit += 1
        }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(sizeUnits[unit])"
    }

    /// A length of time, to the second, in its two largest units: `0s`, `53s`, `4m13s`,
    /// `3h05m`, `2d04h` (the smaller unit two digits wide, so that a column of them lines up).
    /// Cut, not rounded: an uptime of 59.9 s is `59s`. A negative one (a clock that went back) is `0s`.
    public static func duration(seconds: Double) -> String {
        guard seconds.isFinite, seconds >= 1 else { return "0s" }
        let total = seconds >= Double(Int.max) ? Int.max : Int(seconds)
        let (days, hours, minutes, secs) = (total / 86_400, total / 3_600 % 24, total / 60 % 60, total % 60)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        if days > 0 { return "\(days)d\(two(hours))h" }
        if hours > 0 { return "\(hours)h\(two(minutes))m" }
        if minutes > 0 { return "\(minutes)m\(two(secs))s" }
        return "\(secs)s"
    }
}
