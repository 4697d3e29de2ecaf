import Foundation
import Testing
import ZhichengCore

@Suite("统一社会信用代码 (GB 32100-2015)")
struct CreditCodeTests {
    @Test(arguments: ["91350100M000100Y43", "9144030071526726XG", "914403001922038216", "91110000802100433B", "12100000400000624D", "91350100m000100y43"])
    func acceptsValidCodes(_ raw: String) throws {
        #expect(try CreditCode(raw).rawValue == raw.uppercased())
    }

    @Test func refusesTheManualsSampleForItsCheckCharacter() {
        do {
            _ = try CreditCode("114412365412547896")
            Issue.record("the manual's sample must fail GB 32100")
        } catch {
            #expect(error.code == .invalid)
            #expect(error.field == "credit_code")
            #expect(error.message.contains("校验位错误"))
        }
    }

    @Test(arguments: ["", "91350100M000100Y4", "91350100M000100Y431", "91350100M000100Y44", "9135010OM000100Y43", "91I50100M000100Y43", "91AB0100M000100Y43"])
    func refusesMalformedCodes(_ raw: String) {
        #expect(throws: ZhichengError.self) { try CreditCode(raw) }
    }

    @Test func exposesTheEmbeddedOrganizationCode() throws {
        let code = try CreditCode("91350100M000100Y43")
        #expect(code.organizationCode == "M000100Y4")
        #expect(try OrganizationCode(code.organizationCode).rawValue == "M000100Y4")
    }
}

@Suite("组织机构代码 (GB 11714)")
struct OrganizationCodeTests {
    @Test(arguments: ["M000100Y4", "M000100Y-4", "71526726-X", "19220382-1", "80210043-3", "40000062-4"])
    func acceptsValidCodes(_ raw: String) throws {
        _ = try OrganizationCode(raw)
    }

    @Test(arguments: ["", "12365412-5", "M000100Y5", "M000100Y", "m000100y-44", "M0001@0Y-4", "M000-100Y4"])
    func refusesInvalidCodes(_ raw: String) {
        #expect(throws: ZhichengError.self) { try OrganizationCode(raw) }
    }
}

@Suite("身份证号码 (GB 11643)")
struct IDCardNumberTests {
    @Test(arguments: ["11010519491231002X", "440524188001010014", "11010519491231002x", "410104199003071233"])
    func acceptsValidNumbers(_ raw: String) throws {
        #expect(try IDCardNumber(raw).rawValue == raw.uppercased())
    }

    @Test(arguments: ["", "410104199003071234", "11010519491231002", "1101051949123100X2", "110105194913310027", "110105194902300021", "990105194912310021", "A1010519491231002X"])
    func refusesInvalidNumbers(_ raw: String) {
        #expect(throws: ZhichengError.self) { try IDCardNumber(raw) }
    }

    /// As typed or pasted: full width (an IME in full-width mode, Word), in groups, with a
    /// zero-width space from a web page, a lower-case x: the one number, at every door.
    @Test(arguments: ["１１０１０５１９４９１２３１００２ｘ", "110105 19491231 002x", "\u{200B}11010519491231002X\u{FEFF}", "\t110105\u{3000}19491231002X\r\n"])
    func readsTheNumberAsTyped(_ raw: String) throws {
        #expect(try IDCardNumber(raw).rawValue == "11010519491231002X")
        #expect(Login.normalized(raw) == "11010519491231002X", "sign-in and the sysadmin's reset read it the same")
    }

    @Test func freeTextHoldingANumberReadsItAsTheNumber() {
        #expect(IDCardNumber.normalizedIfOne("１１０１０５ 19491231 002x") == "11010519491231002X")
        #expect(IDCardNumber.normalizedIfOne("郑州市第一中学（东校区）") == "郑州市第一中学（东校区）", "not a number: as it is, widths kept")
        #expect(IDCardNumber.normalizedIfOne("张 三") == "张 三")
    }

    @Test func otherLoginsAreTrimmedAndFoldedOnly() throws {
        #expect(Login.normalized(" ｚｈａｎｇ.ｓａｎ\u{200B}\n") == "zhang.san")
        #expect(Login.normalized("4101040010001 ") == "4101040010001", "an org code")
        #expect(Login.normalized("Zhang San") == "Zhang San", "inner blanks of a non-number are kept (and refused by the validator)")
        #expect(try StaffLogin.validate("ｈａｎｄｌｅｒ１") == "handler1")
        #expect(throws: ZhichengError.self) { try StaffLogin.validate("zhang san") }
    }
}

@Suite("Display names")
struct DisplayNameTests {
    @Test func invisibleCharactersAroundAreTrimmedAndInsideRefused() throws {
        #expect(try TenantInfo.validateName("\u{3000}郑州一中\u{200B} ") == "郑州一中")
        for bad in ["郑州\u{200B}一中", "郑州\u{202E}一中", "郑州\n一中", "郑州\u{2028}一中", "郑州\u{0007}一中", "\u{200B}", " "] {
            #expect(throws: ZhichengError.self, "\(bad.unicodeScalars.map { String($0.value, radix: 16) })") { try TenantInfo.validateName(bad) }
        }
    }

    @Test func aNameIsBoundInBytesToo() throws {
        _ = try TenantInfo.validateName(String(repeating: "郑", count: 64))
        #expect(throws: ZhichengError.self) { try TenantInfo.validateName(String(repeating: "郑", count: 65)) }
        // One Character with 300 combining marks: one "character", 601 bytes.
        #expect(throws: ZhichengError.self) { try TenantInfo.validateName("郑" + String(repeating: "\u{0301}", count: 300)) }
    }

    @Test func theProfileNamesTheOrgByTheSameRule() throws {
        var profile = UnitProfile()
        profile["name"] = String(repeating: "郑", count: 65)
        #expect(throws: ZhichengError.self) { try profile.validated(complete: false) }
        profile["name"] = " 郑州一中\u{200B}"
        #expect(try profile.validated(complete: false)["name"] == "郑州一中")
    }

    /// 机构类别 is the org's kind, which its parent chose: empty takes it, the same is kept,
    /// another (another kind's label, or anything else) is refused naming the field.
    @Test(arguments: OrgKind.allCases)
    func theCategoryIsTheKind(_ kind: OrgKind) throws {
        var profile = UnitProfile()
        #expect(try profile.placed(as: kind).category == kind.label)
        profile.category = kind.label
        #expect(try profile.placed(as: kind) == profile)
        for other in OrgKind.allCases.map(\.label).filter({ $0 != kind.label }) + ["学校", "unit"] {
            profile.category = other
            #expect { try profile.placed(as: kind) } throws: { ($0 as? ZhichengError)?.field == "category" }
        }
    }
}

@Suite("Contact fields")
struct ContactValidationTests {
    @Test(arguments: ["15236547854", "13800138000", "0371-12345678", "037112345678", "010-1234567", "0371-12345678-123", "0379-6543210"])
    func acceptsPhones(_ raw: String) throws {
        _ = try ContactValidation.phone(raw)
    }

    @Test(arguments: ["", "12345678901", "1523654785", "152365478540", "371-12345678", "0371-0123456", "0371-123", "tel:15236547854", "0371-12345678-1234567"])
    func refusesPhones(_ raw: String) {
        #expect(throws: ZhichengError.self) { try ContactValidation.phone(raw) }
    }

    /// As people write them (grouped, bracketed, full width, after +86): stored one way.
    @Test func phonesAreReadAsWrittenAndStoredOneWay() throws {
        for (typed, stored) in [("138-0000-0000", "13800000000"), ("138 0000 0000", "13800000000"), ("+86 138 0000 0000", "13800000000"),
                                ("008613800000000", "13800000000"), ("１３８００００００００", "13800000000"), ("(0371)65881234", "0371-65881234"),
                                ("（0371）6588 1234", "0371-65881234"), ("0371 65881234", "0371-65881234"), ("0371-6588 1234", "0371-65881234"),
                                ("\u{3000}0371-65881234-12 ", "0371-65881234-12"), ("037165881234", "0371-65881234"), ("01012345678", "010-12345678")] {
            #expect(try ContactValidation.phone(typed) == stored, "\(typed)")
        }
        #expect(try ContactValidation.optionalPhone(" \u{3000}") == "", "blank is no phone")
        #expect(throws: ZhichengError.self) { try ContactValidation.optionalPhone("12") }
    }

    @Test func postcodesAndEmails() throws {
        #expect(try ContactValidation.postcode(" 450000 ") == "450000")
        for bad in ["45000", "4500000", "45000a", ""] { #expect(throws: ZhichengError.self) { try ContactValidation.postcode(bad) } }
        for good in ["zhang@example.com", "a.b+c@mail.zz.gov.cn"] { _ = try ContactValidation.email(good) }
        for bad in ["", "a", "a@b", "a@@b.cn", "@b.cn", "a@-b.cn", "a@b..cn", "a b@c.cn", ".a@b.cn", "a@b.c1"] {
            #expect(throws: ZhichengError.self) { try ContactValidation.email(bad) }
        }
    }
}

@Suite("Attachment names")
struct AttachmentNameTests {
    @Test func keepsTheLastPathComponentTrimmed() throws {
        #expect(try AttachmentName.validate("证书.pdf") == "证书.pdf")
        #expect(try AttachmentName.validate(#"C:\Users\x\ 证书.pdf "#) == "证书.pdf")
        #expect(try AttachmentName.validate("a/b/学历.png") == "学历.png")
        #expect(try AttachmentName.validate(String(repeating: "名", count: 200)).count == 200)
        #expect(try AttachmentName.validate("报告..最终版.pdf") == "报告..最终版.pdf")
    }

    /// A path that climbs out of its directory is no name a browser sends: refused, not cut to its last part.
    @Test func refusesAPathThatClimbs() {
        for bad in ["../../x.pdf", #"..\x.pdf"#, "a/../x.pdf", " .. /x.pdf"] {
            do {
                _ = try AttachmentName.validate(bad)
                Issue.record("accepted \(bad.debugDescription)")
            } catch {
                #expect(error.field == "name" && error.message.contains("路径"), "\(bad.debugDescription): \(error.message)")
            }
        }
    }

    @Test func refusesNamesThatHideOrBreakSomething() {
        for bad in ["", "  ", ".", "..", #"..\..\"#, "dir/", "a\u{0}b.pdf", "a\nb.pdf", "a\tb.pdf", "evil\u{202E}fdp.exe", "x\u{2066}.pdf",
                    "zero\u{200B}width.pdf", String(repeating: "名", count: 201)] {
            #expect(throws: ZhichengError.self, "\(bad.debugDescription)") { try AttachmentName.validate(bad) }
        }
        do {
            _ = try AttachmentName.validate("evil\u{202E}fdp.exe")
        } catch {
            #expect(error.field == "name" && error.message.contains("方向控制符"))
        }
    }
}

@Suite("Attachment names fitted to their bytes' type")
struct AttachmentNameFittingTests {
    @Test func aNameWhoseExtensionFitsIsKept() {
        #expect(AttachmentName.fitted("证书.pdf", toType: "application/pdf") == "证书.pdf")
        #expect(AttachmentName.fitted("证书.PDF", toType: "application/pdf") == "证书.PDF")
        #expect(AttachmentName.fitted("扫描.jpeg", toType: "image/jpeg") == "扫描.jpeg")
        #expect(AttachmentName.fitted("扫描.JPG", toType: "image/jpeg") == "扫描.JPG")
        #expect(AttachmentName.fitted("学历.png", toType: "image/png") == "学历.png")
    }

    @Test func anyOtherNameGetsTheTypesExtensionAppended() {
        // A PDF that is also an HTML page must not be saved as a working .html.
        #expect(AttachmentName.fitted("x.html", toType: "application/pdf") == "x.html.pdf")
        #expect(AttachmentName.fitted("x.svg", toType: "image/png") == "x.svg.png")
        #expect(AttachmentName.fitted("证书", toType: "application/pdf") == "证书.pdf")
        #expect(AttachmentName.fitted("photo.png", toType: "image/jpeg") == "photo.png.jpg")
        #expect(AttachmentName.fitted("a.", toType: "application/pdf") == "a..pdf")
        #expect(AttachmentName.fitted("report.pdf.exe", toType: "application/pdf") == "report.pdf.exe.pdf")
    }

    @Test func fittingTwiceChangesNothing() {
        for (name, type) in [("x.html", "application/pdf"), ("证书", "image/png"), ("a.jpg", "image/jpeg"), ("b", "image/jpeg")] {
            let once = AttachmentName.fitted(name, toType: type)
            #expect(AttachmentName.fitted(once, toType: type) == once)
        }
    }

    @Test func aTypeNotListedKeepsItsName() {
        #expect(AttachmentName.fitted("x.html", toType: "application/octet-stream") == "x.html")
    }
}

@Suite("Uploaded documents, told by their bytes")
struct DocumentTypeTests {
    @Test func aWholePDFIsAPDFWhateverFollowsItsMarker() throws {
        #expect(try DocumentType.detect(Array("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n".utf8)) == "application/pdf")
        // Bytes after the marker (an incremental-update tail, padding) within the last 1 KiB.
        #expect(try DocumentType.detect(Array("%PDF-1.7\n%%EOF".utf8) + Array(repeating: 0x20, count: 1000)) == "application/pdf")
    }

    @Test func aPDFCutShortIsRefusedSayingSo() {
        for bytes in [Array("%PDF-1.4\n1 0 obj <<>> endobj\n".utf8), Array("%PDF-".utf8),
                      Array("%PDF-1.7\n%%EOF".utf8) + Array(repeating: 0x20, count: 1100)] {
            #expect(throws: ZhichengError.self) { _ = try DocumentType.detect(bytes) }
            do { _ = try DocumentType.detect(bytes) } catch { #expect(error.message.contains("%%EOF"), "\(error.message)") }
        }
    }

    @Test func imagesAndOtherFiles() throws {
        #expect(try DocumentType.detect(ImageFixtures.png) == "image/png")
        #expect(try DocumentType.detect(ImageFixtures.jpeg) == "image/jpeg")
        #expect(throws: ZhichengError.self) { _ = try DocumentType.detect(Array("plain text".utf8)) }
        #expect(throws: ZhichengError.self) { _ = try DocumentType.detect([UInt8]()) }
    }

    @Test func anImageCutShortIsRefusedAsADocumentSayingSo() {
        for (bytes, marker) in [(Array(ImageFixtures.png.dropLast(12)), "IEND"), (Array(ImageFixtures.jpeg.dropLast(2)), "FFD9")] {
            do { _ = try DocumentType.detect(bytes); Issue.record("accepted a cut image") } catch { #expect(error.message.contains(marker), "\(error.message)") }
        }
    }
}

/// Whole images, structurally: a PNG's signature, IHDR and IEND chunks (CRCs are not
/// checked); a JPEG's start, an APP0 segment, a scan with a stuffed FF 00 and a restart
/// marker in its data, and the end marker.
enum ImageFixtures {
    static let pngIHDR: [UInt8] = [0, 0, 0, 13] + Array("IHDR".utf8) + [0, 0, 0, 2, 0, 0, 0, 2, 8, 2, 0, 0, 0] + [0x90, 0x77, 0x53, 0xDE]
    static let pngIEND: [UInt8] = [0, 0, 0, 0] + Array("IEND".utf8) + [0xAE, 0x42, 0x60, 0x82]
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + pngIHDR + pngIEND
    static let jpegScan: [UInt8] = [0xFF, 0xDA, 0, 8, 1, 1, 0, 0, 0x3F, 0] + [0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56]
    static let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0, 16] + Array("JFIF".utf8) + [0, 1, 1, 0, 0, 1, 0, 1, 0, 0] + jpegScan + [0xFF, 0xD9]
}

struct ImageTypeTests {
    @Test func wholeImagesAreTheirType() throws {
        #expect(try ImageType.detect(ImageFixtures.png) == .png)
        #expect(try ImageType.detect(ImageFixtures.jpeg) == .jpeg)
        // Bytes after the end (a phone's motion-photo video after a JPEG) do not matter.
        #expect(try ImageType.detect(ImageFixtures.png + Array(repeating: 7, count: 3000)) == .png)
        #expect(try ImageType.detect(ImageFixtures.jpeg + Array(repeating: 7, count: 3000)) == .jpeg)
    }

    @Test func everyCutOfAWholeImageIsRefusedAndRandomBytesNeverCrashTheWalk() {
        for image in [ImageFixtures.png, ImageFixtures.jpeg] {
            for length in 0..<image.count {
                #expect(throws: ZhichengError.self) { _ = try ImageType.detect(Array(image.prefix(length))) }
            }
        }
        // Random bodies behind each signature, with random lengths in their headers: the walk
        // stays inside the bytes (a crash would end the test run) and answers either way.
        var rng = ExpertDraw.SplitMix64(seed: 20261129)  // deterministic: a failing input can be found again
        for round in 0..<20_000 {
            let head: [UInt8] = round % 2 == 0 ? [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] : [0xFF, 0xD8, 0xFF]
            let body = (0..<Int(rng.next() % 64)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            _ = try? ImageType.detect(head + body)
        }
    }

    @Test func imagesCutShortAreRefusedNamingTheMissingEnd() {
        let cases: [([UInt8], String)] = [
            (Array(ImageFixtures.png.dropLast(12)), "IEND"),
            (Array(ImageFixtures.png.dropLast(1)), "IEND"),  // the CRC of IEND cut
            (Array(ImageFixtures.png.dropLast(20)), "IEND"),  // inside IHDR
            (Array(ImageFixtures.png.dropLast(12)) + Array(repeating: 0, count: 30), "IEND"),  // zeros where the end was
            (Array(ImageFixtures.jpeg.dropLast(2)), "FFD9"),  // in the compressed data
            (Array(ImageFixtures.jpeg.dropLast(1)), "FFD9"),
            (Array(ImageFixtures.jpeg.prefix(12)), "FFD9"),  // inside APP0
            ([0xFF, 0xD8, 0xFF], "FFD9"),  // the start alone
            (Array(ImageFixtures.png.prefix(8)), "IEND"),  // the signature alone
            ([0xFF, 0xD8, 0xFF, 0xE0, 0, 16, 0x12] + [0xFF, 0xD9], "FFD9"),  // an end inside a segment is not the end
        ]
        for (bytes, marker) in cases {
            do {
                _ = try ImageType.detect(bytes)
                Issue.record("accepted \(bytes)")
            } catch {
                #expect(error.code == .unsupportedMediaType && error.message.contains(marker), "\(error.message)")
            }
        }
    }
}

@Suite("评审日期 (CalendarDate)")
struct CalendarDateTests {
    @Test func theCurrentYearIsChinas() {
        // 2026-12-31 17:00 UTC is 2027-01-01 01:00 in China.
        #expect(CalendarDate.currentYear(now: Date(timeIntervalSince1970: 1_798_736_400)) == 2027)
        #expect(CalendarDate.currentYear(now: Date(timeIntervalSince1970: 1_798_729_200)) == 2026)
    }

    @Test(arguments: [("2026-12-08", "2026-12-08"), (" 2028-02-29 ", "2028-02-29"), ("2000-02-29", "2000-02-29"), ("2026-01-31", "2026-01-31")])
    func acceptsRealDays(_ raw: String, _ written: String) throws {
        #expect(try CalendarDate(raw).description == written)
    }

    @Test(arguments: ["", "2026-2-8", "2026/02/08", "20260208", "2026-02-30", "2026-02-29", "2100-02-28", "1999-12-31", "2026-13-01",
                      "2026-00-10", "2026-04-31", "２０２６-01-01", "2026-01-01T08:00"])
    func refusesWhatIsNoDay(_ raw: String) {
        do {
            _ = try CalendarDate(raw, field: "date")
            Issue.record("\(raw) must be refused")
        } catch {
            #expect(error.code == .invalid)
            #expect(error.field == "date")
        }
    }
}

@Suite("组织机构层级")
struct OrgTreeTests {
    @Test func aTreeHoldsTenLevels() throws {
        try OrgTree.requireRoom(parentLevel: 9, field: "parent_id")             // the 10th level
        try OrgTree.requireRoom(parentLevel: 7, height: 3, field: "parent_id")  // a 3-level subtree ending at 10
        do {
            try OrgTree.requireRoom(parentLevel: 10, field: "parent_id")
            Issue.record("an 11th level was allowed")
        } catch {
            #expect(error.code == .invalid && error.field == "parent_id" && error.message.contains("11级"))
        }
        #expect(throws: ZhichengError.self) { try OrgTree.requireRoom(parentLevel: 8, height: 3, field: "parent_id") }
    }
}

@Suite("Sign-in lock-out rule")
struct SignInLockOutTests {
    typealias L = SignInLockOut

    @Test func countsBeforeTheCheckLocksAtTheFifthAndStartsAgainAfterTheLock() {
        var count: L.Count? = nil
        for n in 1...4 {
            guard case let .counted(failures, locks, keep) = L.attempt(count, now: Double(n), maxFailures: 5, lockSeconds: 900) else {
                Issue.record("attempt \(n) refused"); return
            }
            #expect(failures == n && !locks && keep == L.Count(failures: n, lockedUntil: nil))
            count = keep
        }
        #expect(L.attempt(count, now: 5, maxFailures: 5, lockSeconds: 900) == .counted(failures: 5, locks: true, keep: L.Count(failures: 0, lockedUntil: 905)))
        count = L.Count(failures: 0, lockedUntil: 905)
        #expect(L.attempt(count, now: 904, maxFailures: 5, lockSeconds: 900) == .locked(until: 905), "refused while locked, not counted")
        #expect(L.attempt(count, now: 905, maxFailures: 5, lockSeconds: 900) == .counted(failures: 1, locks: false, keep: L.Count(failures: 1, lockedUntil: nil)),
                "the lock has passed: a new run from one")
    }

    @Test func theRefusalSaysWhenToTryAgainAndNeverThatTheAccountIsLocked() {
        let locking = L.refusal(secondsLeft: 900)
        #expect(locking.code == .tooManyRequests && locking.message == "登录失败次数过多，请在15分钟后再试")
        #expect(!locking.message.contains("锁定") && !locking.message.contains("账户"), "a familiar address may still sign the holder in")
        // Rounded up, never sooner than the lock ends; at least a minute; nothing odd stored breaks it.
        #expect(L.refusal(secondsLeft: 899.5).message == locking.message)
        #expect(L.refusal(secondsLeft: 840.2).message == locking.message)
        #expect(L.refusal(secondsLeft: 840).message == "登录失败次数过多，请在14分钟后再试")
        #expect(L.refusal(secondsLeft: 0.4).message == "登录失败次数过多，请在1分钟后再试")
        #expect(L.refusal(secondsLeft: -5).message == "登录失败次数过多，请在1分钟后再试")
        #expect(L.refusal(secondsLeft: .infinity).message == "登录失败次数过多，请在1分钟后再试")
        #expect(L.refusal(secondsLeft: .nan).message == "登录失败次数过多，请在1分钟后再试")
    }
}

@Suite("A person's number in a login kept for history")
struct PersonNumberTests {
    @Test func aRetiredLoginShowsItsNumberOnly() {
        #expect(IDCardNumber.personNumber(ofLogin: "410104199003071233#deleted-57") == "410104199003071233")
        #expect(IDCardNumber.personNumber(ofLogin: "410104199003071233") == "410104199003071233")
        #expect(IDCardNumber.personNumber(ofLogin: "4101") == "4101")
        #expect(IDCardNumber.masked("410104199003071233#deleted-57") == "410104********1233")
    }
}

@Suite("ID-card numbers in text written to the log")
struct LogMaskingTests {
    @Test func everyNumberInTheTextIsMaskedAndNothingElse() {
        #expect(IDCardNumber.maskingEvery(in: "no account with login 41010219900101111X in zhengzhou") == "no account with login 410102********111X in zhengzhou")
        #expect(IDCardNumber.maskingEvery(in: "账户410104199003071233不存在；11010519491231002x") == "账户410104********1233不存在；110105********002x")
        #expect(IDCardNumber.maskingEvery(in: "SQLite error 26 at id 4101001 (12345678901234567890)") == "SQLite error 26 at id 4101001 (12345678901234567890)")
        #expect(IDCardNumber.maskingEvery(in: "") == "")
    }
}
