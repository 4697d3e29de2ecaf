import Foundation

/// One of the usual items of a section of a 职称 application (基本信息's 性别 and 出生年月,
/// 学历学位's 最高学历 …, `ApplicationSection.standardFields`): a named field of the section
/// like any other, whose value an applicant's save holds to its kind (`SectionFields.validated`),
/// which the application page gives a control of its own and the reading screens show first.
public struct StandardField: Sendable, Hashable {
    /// What the value is.
    public enum Kind: Sendable, Hashable {
        /// One line of text, at most `StandardField.maxTextCharacters` characters.
        case text
        /// A month, kept as `YYYY-MM` (what `<input type="month">` sends).
        case month
        /// One of these, written as here.
        case choice([String])
        /// A whole number of 学时 (class hours), 0 to `maxHours`, kept as its digits.
        case hours
    }

    /// The most 学时 an hours item may hold.
    public static let maxHours = 9999

    /// The most characters of a text item (a 毕业院校's name, a 现任职务).
    public static let maxTextCharacters = 60
    /// The earliest year a month item may be in (the latest is next year).
    public static let earliestYear = 1900

    /// The field's name in the section (its key in the API and the stored section).
    public let name: String
    public let kind: Kind
    /// What the control says while it is empty (its placeholder), in Chinese.
    public let hint: String

    public init(_ name: String, _ kind: Kind, hint: String = "") {
        self.name = name
        self.kind = kind
        self.hint = hint
    }

    /// The value as it is kept, "" when nothing was given (the field is then left out): text
    /// trimmed, one line; a choice one of its choices; a month `YYYY-MM`, written so or as
    /// `YYYY年M月`, `YYYY.M`, `YYYY/M` (full-width digits too), in a year from `earliestYear`
    /// to the year after the current one (China time, at `now`). `section` names the section
    /// in the message.
    public func normalized(_ raw: String, section: String, now: Date = Date()) throws(ZhichengError) -> String {
        let label = "“\(section)”的“\(name)”"
        switch kind {
        case .text:
            return try FreeText(field: name, label: label, maxCharacters: Self.maxTextCharacters, lines: .single).validate(raw)
        case .choice(let choices):
            let text = raw.trimmingInvisibles()
            guard !FreeText.isBlank(text) else { return "" }
            guard choices.contains(text) else { throw .invalid("\(label)应为\(Self.either(choices))", field: name) }
            return text
        case .month:
            let text = raw.foldingFullWidth().trimmingInvisibles()
            guard !FreeText.isBlank(text) else { return "" }
            guard let (year, month) = Self.yearAndMonth(text) else {
                throw .invalid("\(label)应写作年月，如 1985-06（也可写作 1985年6月 或 1985.6）", field: name)
            }
            let latest = CalendarDate.currentYear(now: now) + 1
            guard (Self.earliestYear...latest).contains(year) else {
                throw .invalid("\(label)的年份应在\(Self.earliestYear)至\(latest)年之间", field: name)
            }
            guard (1...12).contains(month) else { throw .invalid("\(label)的月份应为1至12月", field: name) }
            return "\(year)-\(month < 10 ? "0" : "")\(month)"
        case .hours:
            var text = raw.foldingFullWidth().trimmingInvisibles()
            guard !FreeText.isBlank(text) else { return "" }
            if text.hasSuffix("学时") { text = String(text.dropLast(2)).trimmingInvisibles() }
            guard (1...4).contains(text.count), text.allSatisfy({ $0.isASCII && $0.isNumber }), let hours = Int(text), hours <= Self.maxHours else {
                throw .invalid("\(label)应为 0 至 \(Self.maxHours) 的整数学时，如 90", field: name)
            }
            return String(hours)
        }
    }

    /// A kept value as the reading screens write it: 学时 with its unit (`90 学时`), others as kept.
    public func shown(_ value: String) -> String {
        if case .hours = kind, !value.isEmpty, value.allSatisfy({ $0.isASCII && $0.isNumber }) { return "\(value) 学时" }
        return value
    }

    /// The year and month number of `1985-06`, `1985-6`, `1985.6`, `1985/06` or `1985年6月`:
    /// four digits, then one or two; nil for anything else. The month is not yet checked.
    static func yearAndMonth(_ text: String) -> (Int, Int)? {
        let parts: [Substring]
        if text.hasSuffix("月") {
            parts = text.dropLast().split(separator: "年", omittingEmptySubsequences: false)
        } else {
            parts = text.split(omittingEmptySubsequences: false) { "-./".contains($0) }
        }
        guard parts.count == 2, parts[0].count == 4, (1...2).contains(parts[1].count),
              parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let year = Int(parts[0]), let month = Int(parts[1]) else { return nil }
        return (year, month)
    }

    /// “男”或“女”; “博士”、“硕士”、“学士”或“无”.
    static func either(_ choices: [String]) -> String {
        let quoted = choices.map { "“\($0)”" }
        guard quoted.count > 1 else { return quoted.joined() }
        return quoted.dropLast().joined(separator: "、") + "或" + quoted[quoted.count - 1]
    }
}
