/// The levels of a city's title applications whose final authority is the province: their
/// review climbs the city and is handed over to the `province` tenant (`tenant.configure`).
///
/// SPEC §7 makes the province the final authority for 副高级 and 正高级 and the city office for
/// 初级 and 中级. The province's part is held to: a city may not be configured to decide a
/// senior title itself (an empty list would silently stop every hand-over). A city may hand a
/// lower level on as well, to the higher authority, which takes nothing from the rule.
public enum ProvinceLevels {
    /// The levels the province decides, whatever a city is configured to hand over.
    public static let required: [TitleLevel] = [.associateSenior, .senior]

    /// The levels a city hands over unless configured otherwise.
    public static let standard: [TitleLevel] = required

    /// `names` as `tenant.configure` is given them, checked, in the catalog's order: refused
    /// (`invalid`, field `province_levels`) when empty, when a name is no level or is given
    /// twice, or when 副高级 or 正高级 is missing.
    public static func parse(_ names: [String]) throws(ZhichengError) -> [TitleLevel] {
        let all = TitleLevel.allCases.map(\.rawValue).joined(separator: ", ")
        guard !names.isEmpty else {
            throw .invalid("province_levels is empty: it must name at least \(listed(required)), which the province decides (an empty list would hand nothing to the province)",
                           field: "province_levels")
        }
        var levels: [TitleLevel] = []
        for name in names {
            guard let level = TitleLevel(rawValue: name) else {
                throw .invalid("province_levels takes \(all); not \(name.isEmpty ? "an empty name" : String(name.prefix(20)))", field: "province_levels")
            }
            guard !levels.contains(level) else { throw .invalid("province_levels names \(name) twice", field: "province_levels") }
            levels.append(level)
        }
        let missing = required.filter { !levels.contains($0) }
        guard missing.isEmpty else {
            throw .invalid("province_levels must include \(listed(required)): the province is their final authority; missing \(listed(missing))",
                           field: "province_levels")
        }
        return TitleLevel.allCases.filter(levels.contains)
    }

    private static func listed(_ levels: [TitleLevel]) -> String {
        levels.map(\.rawValue).joined(separator: " and ")
    }
}
