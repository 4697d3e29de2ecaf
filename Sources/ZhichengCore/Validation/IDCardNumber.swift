/// A 公民身份号码 checked per GB 11643-1999: 17 digits (6-digit address code,
/// 8-digit birth date, 3-digit sequence) and an ISO 7064 MOD 11-2 check
/// character (0–9 or X). Applicants sign in with it.
public struct IDCardNumber: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public var description: String { rawValue }

    static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    static let checks = Array("10X98765432")

    public init(_ raw: String, field: String = "id_number") throws(ZhichengError) {
        let number = Self.normalized(raw)
        let chars = Array(number)
        guard chars.count == 18 else { throw .invalid("身份证号码应为18位，当前为\(chars.count)位", field: field) }
        guard chars.prefix(17).allSatisfy(\.isASCIIDigit) else { throw .invalid("身份证号码前17位应为数字", field: field) }
        let digits = chars.prefix(17).map { $0.wholeNumberValue! }
        guard (11...82).contains(digits[0] * 10 + digits[1]) else {
            throw .invalid("身份证号码前两位不是有效的省级行政区划代码", field: field)
        }
        let year = digits[6...9].reduce(0) { $0 * 10 + $1 }
        let month = digits[10] * 10 + digits[11]
        let day = digits[12] * 10 + digits[13]
        guard Self.isValidDate(year: year, month: month, day: day) else {
            throw .invalid("身份证号码中的出生日期 \(year)-\(month)-\(day) 无效", field: field)
        }
        let sum = zip(digits, Self.weights).reduce(0) { $0 + $1.0 * $1.1 }
        guard chars[17] == Self.checks[sum % 11] else {
            throw .invalid("身份证号码校验码错误：第18位“\(chars[17])”与前17位计算出的校验码不符（GB 11643）", field: field)
        }
        rawValue = number
    }

    /// The person's number in an applicant's login: the login itself, or, for an account
    /// deleted since (a person moved to another unit), the number its retired login
    /// `<number>#deleted-<id>` keeps. Nobody is shown the suffix.
    public static func personNumber(ofLogin login: String) -> String {
        login.split(separator: "#", maxSplits: 1).first.map(String.init) ?? login
    }

    /// The number as shown to someone who only needs to tell people apart (an audit entry, a
    /// higher org's list): the address code and the last four kept, the birth date and the
    /// rest starred, `410104********123X`. Anything that is not 18 characters is starred whole.
    /// A login kept for history after its account was removed (`<number>#deleted-<id>`) is
    /// masked as its number.
    public static func masked(_ text: String) -> String {
        let chars = Array(personNumber(ofLogin: text))
        guard chars.count == 18 else { return String(repeating: "*", count: min(chars.count, 18)) }
        return String(chars.prefix(6)) + String(repeating: "*", count: 8) + String(chars.suffix(4))
    }

    /// `text` with every ID-card number in it masked (`masked`): for every line the daemon's
    /// log handler writes, which the people whose numbers they are never agreed to be in (an
    /// admin command's error naming the login it could not find, say).
    public static func maskingEvery(in text: String) -> String {
        var out = "", run = ""
        func flush() {
            // A run of 17 digits and a digit or an X is a number; anything else stays as it was.
            let digits = run.unicodeScalars.dropLast().allSatisfy { ("0"..."9").contains($0) }
            out += run.count == 18 && digits && run.last.map { $0.isASCII && ($0.isNumber || $0 == "X" || $0 == "x") } == true ? masked(run) : run
            run = ""
        }
        for character in text {
            if character.isASCII && (character.isNumber || character == "X" || character == "x") { run.append(character) } else { flush(); out.append(character) }
        }
        flush()
        return out
    }

    /// A login as the audit log names it: masked when it is an ID-card number (an
    /// applicant's or an expert's), since every admin above the person's org reads the log.
    public static func maskedIfOne(_ login: String) -> String {
        let number = personNumber(ofLogin: login)
        return (try? IDCardNumber(number)) != nil ? masked(login) : login
    }

    /// What a person typed, as the number it means: full-width digits and letters read as
    /// ASCII, blanks and invisible characters anywhere dropped (a number copied from a table
    /// written in groups, `410104 19900101 1234`), the check character upper-case. Every door
    /// that takes a number reads it so (`Login.normalized`): creation, sign-in, the
    /// sysadmin's reset, the status search.
    public static func normalized(_ raw: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in raw.foldingFullWidth().unicodeScalars where !scalar.properties.isWhitespace && scalar.properties.generalCategory != .format {
            out.append(scalar)
        }
        return String(out).uppercased()
    }

    /// `text` as the number it is when it has the shape of one (`normalized`), else as it is:
    /// for free text that may hold a number (a 回避 relation: a number, a name or a unit).
    public static func normalizedIfOne(_ text: String) -> String {
        let number = normalized(text)
        return hasShape(number) ? number : text
    }

    /// Whether `text` has the shape of a number (17 digits and a digit or X), checked or not.
    static func hasShape(_ text: String) -> Bool {
        let chars = Array(text)
        return chars.count == 18 && chars.prefix(17).allSatisfy(\.isASCIIDigit) && (chars[17].isASCIIDigit || chars[17] == "X")
    }

    static func isValidDate(year: Int, month: Int, day: Int) -> Bool {
        guard (1850...2100).contains(year), (1...12).contains(month), day >= 1 else { return false }
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return day <= days[month - 1]
    }
}
