import Testing
import ZhichengCore

@Suite("tenant.create warnings")
struct TenantCreationWarningsTests {
    func tenant(_ id: String, _ name: String, _ code: String, _ state: TenantState = .active) throws -> TenantInfo {
        TenantInfo(id: try TenantID(id), name: name, divisionCode: try DivisionCode(code), kind: .city, state: state, createdAt: 0)
    }

    @Test func noneForTheCodesOwnNameAndNoOtherHolder() throws {
        let others = [try tenant("kaifeng", "开封市", "4102")]
        #expect(TenantInfo.creationWarnings(id: try TenantID("zhengzhou"), name: "郑州市", code: try DivisionCode("410100"), others: others) == [])
        #expect(TenantInfo.creationWarnings(id: try TenantID("henan"), name: "河南省", code: try DivisionCode("41"), others: []) == [])
    }

    @Test func aNameThatIsNotTheCodes() throws {
        #expect(TenantInfo.creationWarnings(id: try TenantID("zhengzhou"), name: "郑州市", code: try DivisionCode("4105"), others: [])
                == ["the name 郑州市 does not match division code 4105 (安阳市)"])
    }

    @Test func anotherTenantInServiceWithTheCodeShortOrFullForm() throws {
        let others = [try tenant("anyang", "安阳市", "410500", .suspended), try tenant("kaifeng", "开封市", "4102")]
        #expect(TenantInfo.creationWarnings(id: try TenantID("zhengzhou"), name: "郑州市", code: try DivisionCode("4105"), others: others) == [
            "division code 4105 (安阳市) is held by tenant anyang (安阳市, suspended) already",
            "the name 郑州市 does not match division code 4105 (安阳市)",
        ])
    }

    @Test func theTenantItselfIsNoOther() throws {
        let itself = [try tenant("anyang", "安阳市", "4105")]
        #expect(TenantInfo.creationWarnings(id: try TenantID("anyang"), name: "安阳市", code: try DivisionCode("4105"), others: itself) == [])
    }

    @Test func manyHoldersAreCountedAndTheFirstFiveNamedByID() throws {
        let others = try (1...7).reversed().map { try tenant("t\($0)", "郑州市", "4101") }
        let warnings = TenantInfo.creationWarnings(id: try TenantID("t8"), name: "郑州市", code: try DivisionCode("4101"), others: others)
        #expect(warnings == ["division code 4101 (郑州市) is held by 7 other tenants: t1 (郑州市, active), t2 (郑州市, active), t3 (郑州市, active), "
                             + "t4 (郑州市, active), t5 (郑州市, active) and 2 more already"])
    }
}
