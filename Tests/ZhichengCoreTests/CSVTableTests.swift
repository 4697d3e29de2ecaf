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

    /// Excel in Chinese saves "CSV (逗号分隔)" in GBK; GB18030 includes it (张㑇: a GBK
    /// extension character; 𠀀: a four-byte GB18030 one).
    @Test func readsUTF8OrElseGB18030() throws {
        let gbk: [UInt8] = [0xC9, 0xED, 0xB7, 0xDD, 0xD6, 0xA4, 0xBA, 0xC5, 0x2C, 0xD5, 0xC5, 0xFE, 0x56, 0x0A]  // 身份证号,张㑇\n
        #expect(CSVTable.text(of: gbk) == "身份证号,张㑇\n")
        #expect(CSVTable.text(of: [0x95, 0x32, 0x82, 0x36]) == "𠀀")
        #expect(CSVTable.text(of: Array("\u{FEFF}身份证号,姓名".utf8)) == "\u{FEFF}身份证号,姓名", "UTF-8 first, as it is")
        #expect(CSVTable.text(of: []) == "")
        #expect(CSVTable.text(of: [0x50, 0x4B, 0x03, 0x04, 0xFF, 0xFE]) == nil, "no GB18030 sequence starts with 0xFF")
        #expect(CSVTable.text(of: [0x41, 0xC9]) == nil, "a cut two-byte character")
    }

    @Test func districtOfficesFindTheirCode() {
        #expect(OrgCode.districtCode(under: "4101", named: "管城回族区职改办") == "410104")
        #expect(OrgCode.districtCode(under: "4101", named: "管城区职改办") == "410104")
        #expect(OrgCode.districtCode(under: "4101", named: "航空港区职改办") == nil)
        #expect(OrgCode.districtCode(under: "410104", named: "管城回族区职改办") == nil)
    }
}
