import Testing
import ZhichengCore

@Suite("Tenant ids")
struct TenantIDTests {
    @Test(arguments: ["zhengzhou", "province", "ab", "a1", "luo-yang", "x" + String(repeating: "y", count: 31)])
    func acceptsWellFormedIDs(_ raw: String) throws {
        #expect(try TenantID(raw).rawValue == raw)
    }

    @Test(arguments: ["", "a", "A", "Zhengzhou", "1abc", "-abc", "../etc", "a/b", "a.b", "a b", "a_b", "郑州",
                      "x" + String(repeating: "y", count: 32), "abc\u{0}", "abc\n", "%2e%2e"])
    func refusesEverythingElse(_ raw: String) {
        #expect(throws: ZhichengError.self) { try TenantID(raw) }
        #expect(!TenantID.isValid(raw))
    }

    @Test func errorNamesTheRuleAndField() {
        do {
            _ = try TenantID("../etc")
            Issue.record("accepted ../etc")
        } catch {
            #expect(error.code == .invalid)
            #expect(error.field == "id")
            #expect(error.message.contains("lowercase letter"))
        }
    }
}

@Suite("Division codes (GB/T 2260)")
struct DivisionCodeTests {
    @Test(arguments: [("4101", "410100", "4101", "郑州市"), ("410100", "410100", "4101", "郑州市"), ("41", "410000", "41", "河南省"),
                      ("410104", "410104", "410104", "管城回族区"), ("419001", "419001", "419001", "济源市"), ("4117", "411700", "4117", "驻马店市"),
                      ("4199", "419900", "4199", "省直")])
    func parsesKnownCodes(raw: String, full: String, short: String, name: String) throws {
        let code = try DivisionCode(raw)
        #expect(code.full == full)
        #expect(code.short == short)
        #expect(code.name == name)
    }

    @Test(arguments: ["", "4", "410", "4198", "419002", "110000", "41010", "abcd", "4101x", "41010400"])
    func refusesUnknownOrMalformedCodes(_ raw: String) {
        #expect(throws: ZhichengError.self) { try DivisionCode(raw) }
    }

    @Test func cityAndProvinceKinds() throws {
        #expect(try DivisionCode("4101").isCity)
        #expect(try DivisionCode("419001").isCity)
        #expect(try DivisionCode("4199").isCity)
        try TenantKind.city.validate(DivisionCode("4199"))
        #expect(!(try DivisionCode("410104").isCity))
        #expect(try DivisionCode("41").isProvince)
        try TenantKind.city.validate(DivisionCode("4101"))
        try TenantKind.province.validate(DivisionCode("410000"))
        #expect(throws: ZhichengError.self) { try TenantKind.province.validate(DivisionCode("4101")) }
        #expect(throws: ZhichengError.self) { try TenantKind.city.validate(DivisionCode("410104")) }
        #expect(throws: ZhichengError.self) { try TenantKind(parsing: "town") }
    }

    @Test func namesAreTrimmedAndBounded() throws {
        #expect(try TenantInfo.validateName("  郑州市 ") == "郑州市")
        #expect(throws: ZhichengError.self) { try TenantInfo.validateName("   ") }
        #expect(throws: ZhichengError.self) { try TenantInfo.validateName(String(repeating: "郑", count: 65)) }
        #expect(throws: ZhichengError.self) { try TenantInfo.validateName("a\u{7}b") }
    }
}
