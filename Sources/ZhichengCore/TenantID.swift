/// A validated tenant identifier: `^[a-z][a-z0-9-]{1,31}$`.
///
/// It is the only value ever used to build a tenant's path, so a tenant id that
/// exists as a `TenantID` can never escape the data directory.
public struct TenantID: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    public let rawValue: String

    /// Validates `raw`; throws `invalid` naming the rule when it does not match.
    public init(_ raw: String) throws(ZhichengError) {
        guard Self.isValid(raw) else {
            throw .invalid(
                "invalid tenant id \(Self.quoted(raw)): it must start with a lowercase letter and contain 2 to 32 characters from a-z, 0-9 and '-'",
                field: "id")
        }
        rawValue = raw
    }

    /// True when `raw` is a well-formed tenant id.
    public static func isValid(_ raw: String) -> Bool {
        let bytes = Array(raw.utf8)
        guard (2...32).contains(bytes.count), let first = bytes.first, (0x61...0x7A).contains(first) else { return false }
        return bytes.dropFirst().allSatisfy { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) || $0 == 0x2D }
    }

    public var description: String { rawValue }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        let raw = try decoder.singleValueContainer().decode(String.self)
        self = try Self(raw)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// Quotes untrusted input for an error message, cut short so a huge value stays readable.
    static func quoted(_ raw: String) -> String {
        let cut = raw.count > 40 ? String(raw.prefix(40)) + "…" : raw
        return "\"\(cut)\""
    }
}
