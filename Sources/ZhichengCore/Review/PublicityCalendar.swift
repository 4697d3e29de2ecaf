import Foundation

/// A day of the calendar in China (the date a person reads, no time of day).
public struct CalendarDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    /// A real date: `2026-02-30` is refused.
    public init?(year: Int, month: Int, day: Int) {
        guard (1970...9999).contains(year), (1...12).contains(month), (1...31).contains(day) else { return nil }
        var c = DateComponents()
        (c.year, c.month, c.day) = (year, month, day)
        guard let date = PublicityCalendar.chinese.date(from: c) else { return nil }
        let back = PublicityCalendar.chinese.dateComponents([.year, .month, .day], from: date)
        guard back.year == year, back.month == month, back.day == day else { return nil }
        (self.year, self.month, self.day) = (year, month, day)
    }

    /// `YYYY-MM-DD`.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// The day `date` falls on in China.
    public init(_ date: Date) {
        let c = PublicityCalendar.chinese.dateComponents([.year, .month, .day], from: date)
        (year, month, day) = (c.year ?? 1970, c.month ?? 1, c.day ?? 1)
    }

    /// Midnight at its start, China time.
    public var start: Date {
        var c = DateComponents()
        (c.year, c.month, c.day) = (year, month, day)
        return PublicityCalendar.chinese.date(from: c) ?? Date(timeIntervalSince1970: 0)
    }

    public var next: CalendarDay { CalendarDay(PublicityCalendar.chinese.date(byAdding: .day, value: 1, to: start) ?? start) }

    /// Saturday or Sunday.
    public var isWeekend: Bool {
        let weekday = PublicityCalendar.chinese.component(.weekday, from: start)
        return weekday == 1 || weekday == 7
    }

    public var description: String { String(format: "%04d-%02d-%02d", year, month, day) }

    public static func < (a: CalendarDay, b: CalendarDay) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }
}

/// How long a committee's result stands in public notice (公示): a number of working days,
/// counted from the day after the result was recorded, the period ending at midnight (China
/// time) after the last of them. Working days are Monday to Friday, except the statutory
/// holidays the sysadmin lists, plus the weekend days made working days (调休上班) they list.
public struct PublicityCalendar: Sendable, Equatable {
    public var workingDays: Int
    public var holidays: Set<CalendarDay>
    public var workingWeekends: Set<CalendarDay>

    /// Every date in the product is read in China time.
    static let chinese: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        return calendar
    }()

    public enum Problem: Error, Equatable, CustomStringConvertible {
        case bothHolidayAndWorkingDay(CalendarDay)
        case workingWeekendOnAWeekday(CalendarDay)

        public var description: String {
            switch self {
            case .bothHolidayAndWorkingDay(let d): "\(d) is listed both as a holiday and as a working weekend day"
            case .workingWeekendOnAWeekday(let d): "\(d) is not a Saturday or Sunday; only a weekend day can be made a working day"
            }
        }
    }

    public init(workingDays: Int = 5, holidays: Set<CalendarDay> = [], workingWeekends: Set<CalendarDay> = []) throws(Problem) {
        if let both = holidays.intersection(workingWeekends).min() { throw .bothHolidayAndWorkingDay(both) }
        if let weekday = workingWeekends.filter({ !$0.isWeekend }).min() { throw .workingWeekendOnAWeekday(weekday) }
        self.workingDays = workingDays
        self.holidays = holidays
        self.workingWeekends = workingWeekends
    }

    /// The default: 5 working days, Monday to Friday.
    public static let standard = try! PublicityCalendar()

    public func isWorkingDay(_ day: CalendarDay) -> Bool {
        if holidays.contains(day) { return false }
        return !day.isWeekend || workingWeekends.contains(day)
    }

    /// When public notice of a result recorded at `recorded` ends: midnight after the
    /// `workingDays`-th working day after that day; at once when the count is 0.
    public func end(ofNoticeRecordedAt recorded: Date) -> Date {
        guard workingDays > 0 else { return recorded }
        var day = CalendarDay(recorded)
        var left = workingDays
        while left > 0 {
            day = day.next
            if isWorkingDay(day) { left -= 1 }
        }
        return day.next.start
    }
}
