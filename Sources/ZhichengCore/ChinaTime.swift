import Foundation

/// Times as a person in China reads them. Every time the product shows a person (the web
/// pages, the printed 评审表, the words of the trail) is China time, written by these;
/// the JSON API and the admin protocol answer ISO 8601 in UTC instead.
public enum ChinaTime {
    /// `2026-12-08 14:30`.
    public static func minute(_ at: Double) -> String {
        let c = parts(at)
        return "\(date(c)) \(two(c.hour ?? 0)):\(two(c.minute ?? 0))"
    }

    /// `2026-12-08 14:30:05` (操作日志).
    public static func second(_ at: Double) -> String {
        let c = parts(at)
        return "\(date(c)) \(two(c.hour ?? 0)):\(two(c.minute ?? 0)):\(two(c.second ?? 0))"
    }

    /// The end of a period that ends at `at`. A period that ends at midnight ends with the day
    /// before, and is written so: `2026-12-11 24:00`, which a reader takes to include the
    /// 11th (`2026-12-12 00:00` reads as if the 12th were in it). Any other moment as `minute`.
    public static func end(_ at: Double) -> String {
        let c = parts(at)
        guard c.hour == 0, c.minute == 0, c.second == 0, c.nanosecond ?? 0 < 1_000_000 else { return minute(at) }
        return "\(CalendarDay(Date(timeIntervalSince1970: at - 1))) 24:00"
    }

    private static func parts(_ at: Double) -> DateComponents {
        PublicityCalendar.chinese.dateComponents([.year, .month, .day, .hour, .minute, .second, .nanosecond], from: Date(timeIntervalSince1970: at))
    }

    private static func date(_ c: DateComponents) -> String {
        "\(c.year ?? 1970)-\(two(c.month ?? 1))-\(two(c.day ?? 1))"
    }

    private static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}

extension PublicityCalendar {
    /// Whether a result whose public notice ends at `until` still stands at `now`: until
    /// then anyone signed in may object, and the office may not confirm it; from then on
    /// the reverse. One boundary for both, and for every screen that says which it is.
    public static func isStanding(until: Double?, now: Double) -> Bool { now < (until ?? 0) }

    /// Where a result in public notice stands at `now`, in two words: `公示中` or `公示期满，待确认`.
    public static func stage(until: Double, now: Double) -> String {
        isStanding(until: until, now: now) ? "公示中" : "公示期满，待确认"
    }

    /// The same with the result, and the end of a period that still runs:
    /// `公示中（通过，至 2026-12-11 24:00）`, `公示期满，待确认（通过）`.
    public static func label(result: String, until: Double, now: Double) -> String {
        isStanding(until: until, now: now) ? "公示中（\(result)，至 \(ChinaTime.end(until))）" : "\(stage(until: until, now: now))（\(result)）"
    }
}
