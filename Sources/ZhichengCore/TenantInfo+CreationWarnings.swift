extension TenantInfo {
    /// How many other tenants a warning about a shared division code names; the rest are counted.
    static let warningNamesAtMost = 5

    /// What `tenant.create` points out about a new tenant without refusing it (tests and
    /// benchmarks make many tenants of one code, and Henan has about 19 codes): other tenants
    /// in service, `others` (active or suspended: an archived one is out of service), that
    /// hold its division code already, and a name that is not the one the division table
    /// gives the code (郑州市 for 4105, which is 安阳市). Empty when neither applies.
    public static func creationWarnings(id: TenantID, name: String, code: DivisionCode, others: [TenantInfo]) -> [String] {
        var warnings: [String] = []
        let sharing = others.filter { $0.divisionCode == code && $0.id != id }.sorted { $0.id.rawValue < $1.id.rawValue }
        if !sharing.isEmpty {
            let named = sharing.prefix(warningNamesAtMost).map { "\($0.id) (\($0.name), \($0.state.rawValue))" }.joined(separator: ", ")
            let more = sharing.count > warningNamesAtMost ? " and \(sharing.count - warningNamesAtMost) more" : ""
            let who = sharing.count == 1 ? "tenant \(named)" : "\(sharing.count) other tenants: \(named)\(more)"
            warnings.append("division code \(code.short) (\(code.name)) is held by \(who) already")
        }
        if name != code.name {
            warnings.append("the name \(name) does not match division code \(code.short) (\(code.name))")
        }
        return warnings
    }
}
