import Testing
import ZhichengCore

/// What 所属地市(或省直) starts with in the 单位信息 form of an org that has not filled it in
/// (`UnitProfile.suggestedCity`): the tenant's city and the district the org's code falls in,
/// confirmed by the code of the district's office among the org and its ancestors.
@Suite("所属地市(或省直) suggested from the org's code (UnitProfile.suggestedCity)")
struct UnitCitySuggestionTests {
    static let zhengzhou = try! DivisionCode("4101")

    @Test func theManualsLabel() {
        #expect(UnitProfile.fields.first { $0.key == "city" }?.label == "所属地市(或省直)")
    }

    @Test(arguments: [
        // The manual's tree: 管城回族区职改办 (410104) → 管城区教育局 → 逸夫小学.
        ("4101040010001", ["410104001", "410104", "4101"], "郑州市 管城回族区"),
        ("410104001", ["410104", "4101"], "郑州市 管城回族区"),
        ("410104", ["4101"], "郑州市 管城回族区"),
        ("410122", ["4101"], "郑州市 中牟县"),
        ("4101850010001", ["410185001", "410185", "4101"], "郑州市 登封市"),
        // The city office itself, and a development zone's office (71 on: no division's code).
        ("4101", [], "郑州市"),
        ("410171001", ["410171", "4101"], "郑州市"),
        // A department directly under the city office, its 21st: its code begins with 410102
        // (中原区) but it is no part of that district, and its unit neither.
        ("4101021", ["4101"], "郑州市"),
        ("41010210001", ["4101021", "4101"], "郑州市"),
        // A unit moved from 管城回族区 under 金水区 keeps its code: neither district is told.
        ("4101040010002", ["410105001", "410105", "4101"], "郑州市"),
    ])
    func theCityAndTheDistrictOfTheCode(_ code: String, ancestors: [String], suggested: String) {
        #expect(UnitProfile.suggestedCity(tenant: Self.zhengzhou, code: code, ancestorCodes: ancestors) == suggested)
    }

    @Test func anotherCitysDistrictIsNotThisCitys() throws {
        // 410104 is 郑州市's; in 开封市's tenant nothing is made of it.
        #expect(UnitProfile.suggestedCity(tenant: try DivisionCode("4102"), code: "410104", ancestorCodes: ["4102"]) == "开封市")
    }

    @Test func provinceDirectAndTheProvince() throws {
        #expect(UnitProfile.suggestedCity(tenant: try DivisionCode("4199"), code: "4199001", ancestorCodes: ["4199"]) == "省直")
        #expect(UnitProfile.suggestedCity(tenant: try DivisionCode("419001"), code: "4190010001", ancestorCodes: ["419001"]) == "济源市")
        #expect(UnitProfile.suggestedCity(tenant: try DivisionCode("41"), code: "41", ancestorCodes: []) == nil)
    }
}
