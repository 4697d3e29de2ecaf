import Testing
import ZhichengCore

/// Every section of the application form says what goes in it, passes the free-text rule the
/// form's own text must pass, and only 附件 is headed otherwise on the form (附件说明, beside
/// the upload of the files).
@Suite struct SectionGuidanceTests {
    @Test(arguments: ApplicationSection.allCases)
    func eachSectionHasGuidance(_ section: ApplicationSection) throws {
        #expect(section.guidance.count >= 10)
        #expect(section.guidance.hasSuffix("。"))
        #expect(try FreeText(field: "guidance", label: "说明", maxCharacters: 200, lines: .single).validate(section.guidance) == section.guidance)
    }

    @Test func onlyTheAttachmentListIsHeadedOtherwise() {
        let renamed = ApplicationSection.allCases.filter { $0.formHeading != $0.rawValue }
        #expect(renamed == [.attachments])
        #expect(ApplicationSection.attachments.formHeading == "附件说明")
        #expect(ApplicationSection.attachments.guidance.contains("上传附件文件"))
    }
}
