/// What the registry knows about one tenant.
public struct TenantInfo: Sendable, Hashable {
    public var id: TenantID
    public var name: String
    public var divisionCode: DivisionCode
    public var kind: TenantKind
    public var state: TenantState
    /// When it was created, as seconds since 1970 (UTC).
    public var createdAt: Double

    public init(id: TenantID, name: String, divisionCode: DivisionCode, kind: TenantKind, state: TenantState, createdAt: Double) {
        self.id = id
        self.name = name
        self.divisionCode = divisionCode
        self.kind = kind
        self.state = state
        self.createdAt = createdAt
    }

    /// Validates a display name (of a tenant, an org, a person, a committee, a session):
    /// 1–64 characters of at most 256 bytes, trimmed of white space and invisible format
    /// characters, with none inside: no control or format character (a zero-width space
    /// copied from a web page would make a second 郑州一中 that looks the same; a bidi
    /// override would show it backwards) and no line break.
    public static func validateName(_ name: String, field: String = "name") throws(ZhichengError) -> String {
        let trimmed = name.trimmingInvisibles()
        guard !trimmed.isEmpty else { throw .invalid("名称不能为空", field: field) }
        // Bytes too: one Character may carry any number of combining marks.
        guard trimmed.count <= 64 else { throw .invalid("名称不能超过64个字符", field: field) }
        guard trimmed.utf8.count <= 256 else { throw .invalid("名称过长：不能超过256字节（所含组合符号过多）", field: field) }
        guard !trimmed.unicodeScalars.contains(where: { [.control, .format, .lineSeparator, .paragraphSeparator].contains($0.properties.generalCategory) }) else {
            throw .invalid("名称不能含换行、控制字符或不可见字符", field: field)
        }
        return trimmed
    }
}

extension String {
    /// The string without leading and trailing whitespace (Foundation-free).
    func trimmingSpaces() -> String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }),
              let end = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[start...end])
    }
}
