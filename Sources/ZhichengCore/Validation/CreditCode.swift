/// A 统一社会信用代码 (unified social credit code) checked per GB 32100-2015:
/// 18 characters from the code's 31-character set, a GB/T 2260-shaped division
/// part, an embedded GB 11714 organization code, and the check character.
public struct CreditCode: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public var description: String { rawValue }

    /// The characters of the code in value order (no I, O, Z, S, V).
    static let alphabet = Array("0123456789ABCDEFGHJKLMNPQRTUWXY")
    static let weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]

    /// The embedded 组织机构代码 (positions 9–17).
    public var organizationCode: String { String(rawValue.dropFirst(8).prefix(9)) }

    public init(_ raw: String, field: String = "credit_code") throws(ZhichengError) {
        let code = raw.trimmingSpaces().uppercased()
        let chars = Array(code)
        guard chars.count == 18 else {
            throw .invalid("统一社会信用代码应为18位，当前为\(chars.count)位", field: field)
        }
        var values: [Int] = []
        for (index, character) in chars.enumerated() {
            guard let value = Self.alphabet.firstIndex(of: character) else {
                throw .invalid("统一社会信用代码第\(index + 1)位“\(character)”不是允许的字符（不含 I、O、Z、S、V）", field: field)
            }
            values.append(value)
        }
        guard chars[2..<8].allSatisfy(\.isASCIIDigit) else {
            throw .invalid("统一社会信用代码第3至8位应为登记管理机关行政区划码（6位数字）", field: field)
        }
        let sum = zip(values.prefix(17), Self.weights).reduce(0) { $0 + $1.0 * $1.1 }
        let check = (31 - sum % 31) % 31
        guard values[17] == check else {
            throw .invalid("统一社会信用代码校验位错误：第18位“\(chars[17])”与前17位计算出的校验码不符（GB 32100-2015）", field: field)
        }
        rawValue = code
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
