import Foundation

/// A day on the calendar written `YYYY-MM-DD` (a review session's 评审日期): a real
/// date, February 29th only in a leap year, years 2000–2099.
public struct CalendarDate: Sendable, Hashable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Parses `raw` (surrounding spaces ignored); `field` names the input in the error.
    public init(_ raw: String, field: String = "date") throws(ZhichengError) {
        let text = raw.trimmingWhitespaceAndNewlines()
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, [4, 2, 2] == parts.map(\.count), parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]) else {
            throw .invalid("日期应写作 YYYY-MM-DD，如 2026-12-08", field: field)
        }
        guard (2000...2099).contains(year) else { throw .invalid("日期的年份应在2000至2099年之间", field: field) }
        guard (1...12).contains(month), (1...Self.days(inMonth: month, of: year)).contains(day) else {
            throw .invalid("没有 \(text) 这一天", field: field)
        }
        (self.year, self.month, self.day) = (year, month, day)
    }

    /// The year it is now in China (every date in the product is read in China time): what
    /// a plan or application form offers, also between midnight and 08:00 on 1 January.
    public static func currentYear(now: Date = Date()) -> Int { PublicityCalendar.chinese.component(.year, from: now) }

    public var description: String {
        "\(year)-\(month < 10 ? "0" : "")\(month)-\(day < 10 ? "0" : "")\(day)"
    }

    /// The same day as the calendar's days are compared and counted (`CalendarDay`, China
    /// time): a date typed in is always one of them.
    public var calendarDay: CalendarDay { CalendarDay(year: year, month: month, day: day)! }

    static func days(inMonth month: Int, of year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
