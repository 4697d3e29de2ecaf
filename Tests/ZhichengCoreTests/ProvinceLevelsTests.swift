import Testing
import ZhichengCore

@Suite("Which levels a city hands to the province (SPEC §7)")
struct ProvinceLevelsTests {
    @Test func theProvinceDecidesTheSeniorLevelsUnlessConfiguredOtherwise() throws {
        #expect(ProvinceLevels.standard == [.associateSenior, .senior])
        #expect(try ProvinceLevels.parse(["正高级", "副高级"]) == [.associateSenior, .senior], "in the catalog's order")
        #expect(try ProvinceLevels.parse(["中级", "副高级", "正高级"]) == [.intermediate, .associateSenior, .senior])
        #expect(try ProvinceLevels.parse(["正高级", "初级", "副高级", "中级"]) == TitleLevel.allCases)
        // A city given the 副高级 评审权 decides them itself (configurable per tenant, issue 4).
        #expect(try ProvinceLevels.parse(["正高级"]) == [.senior])
    }

    @Test(arguments: [
        ([], "province_levels is empty: name the levels the province decides (副高级 and 正高级 unless it has given the city their 评审权); an empty list would hand nothing to the province"),
        (["初级", "初级"], "province_levels names 初级 twice"),
        (["副高级", "正高级", "副高级"], "province_levels names 副高级 twice"),
        (["特级"], "province_levels takes 初级, 中级, 副高级, 正高级; not 特级"),
        (["副高级", ""], "province_levels takes 初级, 中级, 副高级, 正高级; not an empty name"),
        (["副高级 ", "正高级"], "province_levels takes 初级, 中级, 副高级, 正高级; not 副高级 "),
        (["\u{202E}正高级"], "province_levels takes 初级, 中级, 副高级, 正高级; not <U+202E>正高级"),
    ])
    func aListThatSaysNothingClearIsRefused(names: [String], message: String) {
        #expect(throws: ZhichengError.invalid(message, field: "province_levels")) { try ProvinceLevels.parse(names) }
    }
}
