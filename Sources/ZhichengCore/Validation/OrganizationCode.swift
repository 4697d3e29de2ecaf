/// A 组织机构代码 checked per GB 11714-1997: 8 body characters (digits or
/// capital letters) and a check character (0–9 or X), written with or without
/// a hyphen before the check character (`12345678-9`).
public struct OrganizationCode: Hashable, Sendable, CustomStringConvertible {
    /// The nine characters without the hyphen.
    public let rawValue: String
    public var description: String { String(rawValue.prefix(8)) + "-" + String(rawValue.suffix(1)) }

    static let weights = [3, 7, 9, 10, 5, 8, 4, 2]

    public init(_ raw: String, field: String = "org_code") throws(ZhichengError) {
        var code = raw.trimmingSpaces().uppercased()
        if code.count == 10, Array(code)[8] == "-" { code.remove(at: code.index(code.startIndex, offsetBy: 8)) }
        let chars = Array(code)
        guard chars.count == 9 else { throw .invalid("组织机构代码应为9位（如 12345678-9），当前为\(chars.count)位", field: field) }
        var sum = 0
        for (index, character) in chars.prefix(8).enumerated() {
            guard character.isASCII, let value = Self.value(of: character) else {
                throw .invalid("组织机构代码第\(index + 1)位应为数字或大写字母", field: field)
            }
            sum += value * Self.weights[index]
        }
        let check = 11 - sum % 11
        let expected: Character = check == 10 ? "X" : check == 11 ? "0" : Character(String(check))
        guard chars[8] == expected else {
            throw .invalid("组织机构代码校验码错误：最后一位“\(chars[8])”与本体代码计算出的校验码不符（GB 11714）", field: field)
        }
        rawValue = code
    }

    static func value(of character: Character) -> Int? {
        if let digit = character.wholeNumberValue, character.isASCIIDigit { return digit }
        guard let ascii = character.asciiValue, (65...90).contains(ascii) else { return nil }
        return Int(ascii) - 55
    }
}
