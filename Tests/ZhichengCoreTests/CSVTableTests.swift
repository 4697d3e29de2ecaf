import Testing
import ZhichengCore

@Suite("CSV import reader (RFC 4180)")
struct CSVTableTests {
    @Test func readsQuotedCellsBOMAndCRLF() throws {
        let text = "\u{FEFF}身份证号,姓名\r\n\"410104199003071233\",\"王, 五\"\r\n440524188001010014,\"李\"\"四\"\"\"\n\n\"多\n行\",x"
        let rows = try CSVTable.parse(text)
        #expect(rows.map(\.cells) == [["身份证号", "姓名"], ["410104199003071233", "王, 五"], ["440524188001010014", "李\"四\""], ["多\n行", "x"]])
        #expect(rows.map(\.line) == [1, 2, 3, 5])
    }

    @Test func refusesBrokenQuoting() {
        #expect(throws: ZhichengError.self) { try CSVTable.parse("\"open,1\n") }
        #expect(throws: ZhichengError.self) { try CSVTable.parse("\"a\"b,1\n") }
    }

    @Test func stopsReadingAfterTheRowsAskedFor() throws {
        let rows = try CSVTable.parse("a,1\nb,2\n\"c\n,3\n\"open", stopAfter: 2)
        #expect(rows.map(\.cells) == [["a", "1"], ["b", "2"]], "the broken quoting after them is not read")
        #expect(try CSVTable.parse("a\nb\n", stopAfter: 2).count == 2)
        #expect(try CSVTable.parse("a\nb", stopAfter: 3).map(\.line) == [1, 2])
    }

    @Test func districtOfficesFindTheirCode() {
        #expect(OrgCode.districtCode(under: "4101", named: "管城回族区职改办") == "410104")
        #expect(OrgCode.districtCode(under: "4101", named: "管城区职改办") == "410104")
        #expect(OrgCode.districtCode(under: "4101", named: "航空港区职改办") == nil)
        #expect(OrgCode.districtCode(under: "410104", named: "管城回族区职改办") == nil)
    }
}
