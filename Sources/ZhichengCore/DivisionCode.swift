/// A validated Henan division code (GB/T 2260).
///
/// Accepts the full six-digit form (`410100`) or its significant prefix (`4101`,
/// `41`); `short` is what org codes and the root office's login start with.
public struct DivisionCode: Hashable, Sendable, CustomStringConvertible {
    /// The division this code names.
    public let division: Division

    /// The six-digit code.
    public var full: String { division.code }

    /// The code without trailing `00` pairs: `410000` → `41`, `410100` → `4101`, `410104` → `410104`.
    public var short: String {
        var code = division.code
        while code.count > 2, code.hasSuffix("00") { code.removeLast(2) }
        return code
    }

    public var name: String { division.name }

    /// True for the province itself (`41`).
    public var isProvince: Bool { division.parent == nil }

    /// True for a city (地市) directly under the province, including 济源市, and for 省直
    /// (4199, the office of the units directly under the province: a tenant like a city's).
    public var isCity: Bool { division.parent == Self.provinceCode }

    public var description: String { short }

    static let provinceCode = "410000"

    /// Parses and looks up `raw`; throws `invalid` naming `field` when it is not a known code.
    public init(_ raw: String, field: String = "division_code") throws(ZhichengError) {
        let digits = raw.utf8.allSatisfy { (0x30...0x39).contains($0) }
        guard digits, [2, 4, 6].contains(raw.utf8.count) else {
            throw .invalid("division code \"\(raw.prefix(20))\" must be 2, 4 or 6 digits (GB/T 2260), e.g. 4101 or 410100", field: field)
        }
        let full = raw + String(repeating: "0", count: 6 - raw.utf8.count)
        guard let division = Division.henan.first(where: { $0.code == full }) else {
            throw .invalid("division code \(raw) is not a known Henan division (GB/T 2260)", field: field)
        }
        self.division = division
    }
}
