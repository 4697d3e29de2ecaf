/// Validators for the contact fields of 单位信息维护 and account forms.
public enum ContactValidation {
    /// A mainland mobile number (11 digits starting 13–19) or a landline with
    /// area code (`0371-12345678`, `037112345678`, optional `-extension`).
    /// Written as people write them, and stored one way: full-width digits read as ASCII; a
    /// mobile grouped with blanks or hyphens (`138 0000 0000`, `138-0000-0000`) or after +86
    /// as its 11 digits; a landline, its area code in brackets, before a blank or run into
    /// the number, as `0371-65881234[-ext]`.
    public static func phone(_ raw: String, field: String = "phone") throws(ZhichengError) -> String {
        var text = raw.foldingFullWidth().trimmingInvisibles()
        var mobile = text.filter { !$0.isWhitespace && $0 != "-" }
        for prefix in ["+86", "0086"] where mobile.hasPrefix(prefix) { mobile.removeFirst(prefix.count) }
        let chars = Array(mobile)
        if chars.count == 11, chars[0] == "1", let second = chars[1].wholeNumberValue, (3...9).contains(second), chars.allSatisfy(\.isASCIIDigit) {
            return mobile
        }
        // (0371)65881234, （0371）6588 1234, 0371 65881234 → 0371-65881234.
        if text.hasPrefix("("), let close = text.firstIndex(of: ")") {
            text = String(text[text.index(after: text.startIndex)..<close]) + "-" + text[text.index(after: close)...].trimmingInvisibles()
        }
        let groups = text.split(whereSeparator: \.isWhitespace)
        if groups.count > 1, !text.contains("-"), groups[0].hasPrefix("0"), (3...4).contains(groups[0].count) {
            text = groups[0] + "-" + groups.dropFirst().joined()
        } else {
            text = groups.joined()
        }
        let parts = text.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        guard parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCIIDigit) }) else {
            throw .invalid("电话号码格式不正确：请填写11位手机号或带区号的固定电话（如 0371-12345678）", field: field)
        }
        var digits = parts
        let ext = digits.count == 3 || (digits.count == 2 && digits[0].count >= 10) ? digits.removeLast() : nil
        if let ext, !(1...6).contains(ext.count) { throw .invalid("分机号应为1至6位数字", field: field) }
        let area: String, local: String
        if digits.count == 2 {
            (area, local) = (digits[0], digits[1])
        } else if digits.count == 1, digits[0].hasPrefix("0"), (10...12).contains(digits[0].count) {
            let areaLength = digits[0].hasPrefix("01") || digits[0].hasPrefix("02") ? 3 : 4
            (area, local) = (String(digits[0].prefix(areaLength)), String(digits[0].dropFirst(areaLength)))
        } else {
            throw .invalid("电话号码格式不正确：请填写11位手机号或带区号的固定电话（如 0371-12345678）", field: field)
        }
        guard area.hasPrefix("0"), (3...4).contains(area.count), (7...8).contains(local.count), !local.hasPrefix("0") else {
            throw .invalid("固定电话格式不正确：区号3至4位且以0开头，号码7至8位（如 0371-12345678）", field: field)
        }
        return "\(area)-\(local)" + (ext.map { "-\($0)" } ?? "")
    }

    /// A phone that may be left blank: "" when nothing but blanks was typed.
    public static func optionalPhone(_ raw: String, field: String = "phone") throws(ZhichengError) -> String {
        raw.trimmingInvisibles().isEmpty ? "" : try phone(raw, field: field)
    }

    /// A six-digit postcode (邮政编码).
    public static func postcode(_ raw: String, field: String = "postcode") throws(ZhichengError) -> String {
        let text = raw.trimmingSpaces()
        guard text.count == 6, text.allSatisfy(\.isASCIIDigit) else { throw .invalid("邮政编码应为6位数字", field: field) }
        return text
    }

    /// An e-mail address: one `@`, a non-empty local part, a dotted domain of letters, digits and hyphens.
    public static func email(_ raw: String, field: String = "email") throws(ZhichengError) -> String {
        let text = raw.trimmingSpaces()
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        let localAllowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.!#$%&'*+/=?^_`{|}~-")
        guard text.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64, parts[0].allSatisfy(localAllowed.contains),
              !parts[0].hasPrefix("."), !parts[0].hasSuffix("."), !parts[0].contains("..") else {
            throw .invalid("电子邮箱格式不正确（如 name@example.com）", field: field)
        }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ label in
            !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
        }), labels.last!.count >= 2, labels.last!.allSatisfy(\.isLetter) else {
            throw .invalid("电子邮箱格式不正确（如 name@example.com）", field: field)
        }
        return text
    }
}
