import Testing
import ZhichengCore

@Suite("Which levels a city hands to the province (SPEC §7)")
struct ProvinceLevelsTests {
    @Test func theProvinceDecidesTheSeniorLevelsAndMayTakeALowerOneToo() throws {
        #expect(ProvinceLevels.standard == [.associateSenior, .senior])
        #expect(try ProvinceLevels.parse(["正高级", "副高级"]) == [.associateSenior, .senior], "in the catalog's order")
        #expect(try ProvinceLevels.parse(["中级", "副高级", "正高级"]) == [.intermediate, .associateSenior, .senior])
        #expect(try ProvinceLevels.parse(["正高级", "初级", "副高级", "中级"]) == TitleLevel.allCases)
    }

    @Test(arguments: [
        ([], "province_levels is empty: it must name at least 副高级 and 正高级, which the province decides (an empty list would hand nothing to the province)"),
        (["初级", "初级"], "province_levels names 初级 twice"),
        (["副高级", "正高级", "副高级"], "province_levels names 副高级 twice"),
        (["正高级"], "province_levels must include 副高级 and 正高级: the province is their final authority; missing 副高级"),
        (["初级", "中级"], "province_levels must include 副高级 and 正高级: the province is their final authority; missing 副高级 and 正高级"),
        (["特级"], "province_levels takes 初级, 中级, 副高级, 正高级; not 特级"),
        (["副高级", ""], "province_levels takes 初级, 中级, 副高级, 正高级; not an empty name"),
        (["副高级 ", "正高级"], "province_levels takes 初级, 中级, 副高级, 正高级; not 副高级 "),
        (["\u{202E}正高级"], "province_levels takes 初级, 中级, 副高级, 正高级; not <U+202E>正高级"),
    ])
    func aListThatWouldLetACityDecideASeniorTitleOrSaysNothingClearIsRefused(names: [String], message: String) {
        #expect(throws: ZhichengError.invalid(message, field: "province_levels")) { try ProvinceLevels.parse(names) }
    }
}
