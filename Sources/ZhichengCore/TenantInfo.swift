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

    /// Validates a display name: 1–64 characters, no control characters.
    public static func validateName(_ name: String, field: String = "name") throws(ZhichengError) -> String {
        let trimmed = name.trimmingSpaces()
        guard !trimmed.isEmpty else { throw .invalid("名称不能为空", field: field) }
        guard trimmed.count <= 64 else { throw .invalid("名称不能超过64个字符", field: field) }
        guard !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw .invalid("名称不能含控制字符", field: field)
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
