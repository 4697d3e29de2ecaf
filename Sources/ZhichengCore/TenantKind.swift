/// Whether a tenant is a city title office or the single provincial one.
public enum TenantKind: String, Sendable, Codable, CaseIterable {
    case city
    case province

    /// Parses the wire value; throws `invalid` for anything else.
    public init(parsing raw: String) throws(ZhichengError) {
        guard let kind = Self(rawValue: raw) else {
            throw .invalid("kind must be \"city\" or \"province\", not \"\(raw.prefix(20))\"", field: "kind")
        }
        self = kind
    }

    /// Checks that `code` fits this kind: a city tenant needs a city (地市) code, or 省直's;
    /// the province tenant needs the province code.
    public func validate(_ code: DivisionCode) throws(ZhichengError) {
        switch self {
        case .province where !code.isProvince:
            throw .invalid("the province tenant needs the province's division code 41 (410000), not \(code.short)", field: "division_code")
        case .city where !code.isCity:
            throw .invalid("a city tenant needs a city's division code (4101 … 4117, 419001) or 省直's (4199), not \(code.short) (\(code.name))", field: "division_code")
        default:
            return
        }
    }

    /// The name `tenant.create` gives the tenant's root office (职改办) from the tenant's name:
    /// 郑州市职改办, 河南省职称改革工作领导小组办公室. `tenant.rename` renames an office that still
    /// has the name derived from the old one, and leaves one its admin has named otherwise.
    public func officeName(of tenantName: String) -> String {
        self == .province ? "\(tenantName)职称改革工作领导小组办公室" : "\(tenantName)职改办"
    }
}

/// The life-cycle state of a tenant as the registry records it.
public enum TenantState: String, Sendable, Codable {
    case active
    case suspended
}
