import Foundation

/// When a committee's 面试通知 asks the applicant to come: a real day and minute, China time
/// (as every time in the product; no zone is converted), kept and shown as
/// `2026-12-05 09:30`, the way `ChinaTime.minute` writes every other time a person reads.
///
/// It reads what an office types and what `<input type="datetime-local">` sends:
/// `2026-12-05T09:30` (seconds too, dropped: `09:30:00`, `09:30:00.000`), `2026-12-05 09:30`,
/// `2026/12/5 9:30`, `2026.12.05 9:30`, `2026年12月5日 9:30`, `2026年12月5日9时30分`, in full-width
/// characters as a Chinese IME types them. What it cannot read as one exact minute (`下周三上午`,
/// a day without a time) is refused, as are days and times that do not exist (`2026-02-30`,
/// `24:00`). Notices written before it existed are free text: they are kept and shown as they
/// are (`init?(stored:)` reads one back when it can).
public struct InterviewTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int
    public let hour: Int
    public let minute: Int

    /// What a refused time is told to look like.
    static func format(_ field: String) -> ZhichengError {
        .invalid("面试时间应为 2026-12-05 09:30 这样的日期和时间（年-月-日 时:分）", field: field)
    }

    /// Parses `raw` (full-width characters read as ASCII, surrounding blanks ignored): a real
    /// day of the years 2000–2099 and a minute of it. Says nothing about when it is: a new
    /// notice is checked against now by `notice(_:now:field:)`. `field` names the input in the error.
    public init(_ raw: String, field: String = "time") throws(ZhichengError) {
        let text = raw.foldingFullWidth().trimmingInvisibles()
        guard !text.isEmpty else { throw .invalid("请填写面试时间", field: field) }
        guard text.count <= 40, let read = Self.read(Array(text)) else { throw Self.format(field) }
        let (y, mo, d, h, mi) = read
        guard (2000...2099).contains(y) else { throw .invalid("面试时间的年份应在2000至2099年之间", field: field) }
        guard (1...12).contains(mo), (1...CalendarDate.days(inMonth: mo, of: y)).contains(d) else {
            throw .invalid("面试时间有误：没有 \(y)-\(Self.two(mo))-\(Self.two(d)) 这一天", field: field)
        }
        guard (0...23).contains(h), (0...59).contains(mi) else {
            throw .invalid("面试时间有误：没有 \(Self.two(h)):\(Self.two(mi)) 这一时刻（应在 00:00 至 23:59 之间）", field: field)
        }
        (year, month, day, hour, minute) = (y, mo, d, h, mi)
    }

    /// The minute `date` falls in, China time.
    public init(_ date: Date) {
        let c = PublicityCalendar.chinese.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        (year, month, day, hour, minute) = (c.year ?? 1970, c.month ?? 1, c.day ?? 1, c.hour ?? 0, c.minute ?? 0)
    }

    /// A notice's time as stored, read back: nil for free text written before times were checked
    /// (shown as it is, never refused on reading). No check against now: a notice stays as it was sent.
    public init?(stored: String) {
        guard let time = try? InterviewTime(stored) else { return nil }
        self = time
    }

    /// The time of a 面试通知 being sent at `now`: parsed as `init(_:field:)` does, and not
    /// already past (the minute it is now still counts: a form filled in for "now" is sent a
    /// few seconds later) nor after the end of next year. That is as far ahead as the 年度 of
    /// an application may be (`DeclarationPlan.validateYear`), so that a year mistyped far ahead
    /// (2062 for 2026) is refused rather than sent to applicants who would wait for it.
    public static func notice(_ raw: String, now: Date = Date(), field: String = "time") throws(ZhichengError) -> InterviewTime {
        let time = try InterviewTime(raw, field: field)
        try time.requireAllowed(now: now, field: field)
        return time
    }

    /// Refuses a time a notice sent at `now` may not name (`allowed(now:)`): already past, or
    /// after next year. Only for a notice that changes something: the same notice sent again
    /// after its minute has passed (a retry, a double post) is the notice already given.
    public func requireAllowed(now: Date = Date(), field: String = "time") throws(ZhichengError) {
        let time = self
        let allowed = Self.allowed(now: now)
        guard time >= allowed.lowerBound else {
            throw .invalid("面试时间 \(time) 已过（现在是 \(allowed.lowerBound)），请填写今后的日期和时间", field: field)
        }
        guard time <= allowed.upperBound else { throw .invalid("面试时间不能晚于 \(allowed.upperBound)（最晚为下一年）", field: field) }
    }

    /// The times a notice sent at `now` may name (`notice(_:now:field:)`): from the minute it
    /// is now to the last minute of next year. Also the bounds the web forms' inputs offer.
    public static func allowed(now: Date = Date()) -> ClosedRange<InterviewTime> {
        let current = InterviewTime(now)
        return current...InterviewTime(year: DeclarationPlan.latestYear(now: now), month: 12, day: 31, hour: 23, minute: 59)
    }

    private init(year: Int, month: Int, day: Int, hour: Int, minute: Int) {
        (self.year, self.month, self.day, self.hour, self.minute) = (year, month, day, hour, minute)
    }

    /// `2026-12-05 09:30`: what is stored, sent to the city and shown on every screen.
    public var description: String { "\(year)-\(Self.two(month))-\(Self.two(day)) \(Self.two(hour)):\(Self.two(minute))" }

    /// `2026-12-05T09:30`: the value of an `<input type="datetime-local">`.
    public var inputValue: String { "\(year)-\(Self.two(month))-\(Self.two(day))T\(Self.two(hour)):\(Self.two(minute))" }

    public static func < (a: InterviewTime, b: InterviewTime) -> Bool {
        (a.year, a.month, a.day, a.hour, a.minute) < (b.year, b.month, b.day, b.hour, b.minute)
    }

    private static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    /// The numbers of a date and time written in one of the accepted forms, not yet checked
    /// for being a real day and minute; nil for anything else.
    static func read(_ c: [Character]) -> (Int, Int, Int, Int, Int)? {
        var i = 0
        // A run of ASCII digits of a length within `digits` (a longer run is not cut short).
        func number(_ digits: ClosedRange<Int>) -> Int? {
            var j = i
            while j < c.count, c[j].isASCIIDigit { j += 1 }
            guard digits.contains(j - i), let n = Int(String(c[i..<j])) else { return nil }
            i = j
            return n
        }
        func take(_ options: String) -> Bool {
            guard i < c.count, options.contains(c[i]) else { return false }
            i += 1
            return true
        }
        func blanks() -> Bool {
            let start = i
            while i < c.count, c[i].isWhitespace { i += 1 }
            return i > start
        }

        guard let year = number(4...4) else { return nil }
        let month: Int, day: Int
        let afterYear = i
        _ = blanks()
        if take("年") {
            // 2026年12月5日 9:30, 2026年12月5日9时30分.
            _ = blanks()
            guard let m = number(1...2) else { return nil }
            _ = blanks()
            guard take("月") else { return nil }
            _ = blanks()
            guard let d = number(1...2) else { return nil }
            _ = blanks()
            guard take("日号") else { return nil }
            _ = blanks()
            (month, day) = (m, d)
        } else {
            // 2026-12-05T09:30, 2026-12-05 09:30, 2026/12/5 9:30, 2026.12.05 9:30.
            i = afterYear
            guard i < c.count, "-/.".contains(c[i]) else { return nil }
            let separator = String(c[i])
            i += 1
            guard let m = number(1...2), take(separator), let d = number(1...2) else { return nil }
            guard take("Tt") || blanks() else { return nil }
            (month, day) = (m, d)
        }
        guard let hour = number(1...2) else { return nil }
        var minute = 0
        if take(":") {
            guard let m = number(2...2) else { return nil }
            minute = m
            // Seconds (what a datetime-local input with a step sends), within a minute, dropped.
            if take(":") {
                guard let s = number(2...2), s <= 59 else { return nil }
                if take("."), number(1...3) == nil { return nil }
            }
        } else if take("时点") {
            // 9时, 9时30分, 9点30.
            if let m = number(1...2) {
                minute = m
                _ = take("分")
            }
        } else {
            return nil
        }
        guard i == c.count else { return nil }
        return (year, month, day, hour, minute)
    }
}
