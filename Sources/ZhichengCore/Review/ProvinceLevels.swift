/// The levels of a city's title applications whose final authority is the province: their
/// review climbs the city and is handed over to the `province` tenant (`tenant.configure`).
///
/// SPEC §7 makes the province the final authority for 副高级 and 正高级 and the city office for
/// 初级 and 中级, and issue 4 makes it configurable per tenant: a city the province has given
/// the 副高级 评审权 (下放评审权, as provinces do for some cities) decides them itself, and a
/// lower level may be handed on to the province too. What is refused is a list that says
/// nothing clear: an empty one (every senior title would stop at the city's committee without
/// a word), a name that is no level, or one given twice.
public enum ProvinceLevels {
    /// The levels a city hands over unless configured otherwise (SPEC §7).
    public static let standard: [TitleLevel] = [.associateSenior, .senior]

    /// `names` as `tenant.configure` is given them, checked, in the catalog's order: refused
    /// (`invalid`, field `province_levels`) when empty, or when a name is no level or is
    /// given twice.
    public static func parse(_ names: [String]) throws(ZhichengError) -> [TitleLevel] {
        let all = TitleLevel.allCases.map(\.rawValue).joined(separator: ", ")
        guard !names.isEmpty else {
            throw .invalid("province_levels is empty: name the levels the province decides (\(listed(standard)) unless it has given the city their 评审权); an empty list would hand nothing to the province",
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
        return TitleLevel.allCases.filter(levels.contains)
    }

    private static func listed(_ levels: [TitleLevel]) -> String {
        levels.map(\.rawValue).joined(separator: " and ")
    }
}
