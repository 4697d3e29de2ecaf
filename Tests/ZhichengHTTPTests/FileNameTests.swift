import Testing
@testable import ZhichengHTTP

/// The file name of an uploaded part, as browsers and other clients write it.
@Suite("Uploaded file names")
struct FileNameTests {
    @Test func quotedNamesKeepTheirSemicolonsAndEscapes() {
        #expect(FormData.fileName(disposition: #"form-data; name="file"; filename="年度考核;优秀.pdf""#) == "年度考核;优秀.pdf")
        // Chrome and Firefox write a quote in a name as %22 (the HTML standard's form encoding).
        #expect(FormData.fileName(disposition: #"form-data; name="file"; filename="“优秀”%22教师%22.pdf""#) == "“优秀”\"教师\".pdf")
        #expect(FormData.fileName(disposition: #"form-data; name="file"; filename="a\"b.pdf""#) == "a\"b.pdf", "a backslash escape")
        #expect(FormData.fileName(disposition: #"form-data; filename=plain.pdf; name=file"#) == "plain.pdf", "unquoted, not last")
        // An old browser's whole Windows path: its backslashes are kept (AttachmentName cuts the path off).
        #expect(FormData.fileName(disposition: #"form-data; name="file"; filename="C:\Users\张三\Desktop\证书.pdf""#) == #"C:\Users\张三\Desktop\证书.pdf"#)
    }

    @Test func theExtendedNameWinsAndNothingIsMadeUp() {
        #expect(FormData.fileName(disposition: #"form-data; name="file"; filename="x.pdf"; filename*=UTF-8''%E8%AF%81%E4%B9%A6.pdf"#) == "证书.pdf")
        #expect(FormData.fileName(disposition: #"form-data; name="file""#) == nil)
        #expect(FormData.fileName(disposition: "form-data") == nil)
        #expect(FormData.fileName(disposition: #"form-data; filename=""#) == "", "an unterminated quote ends the value")
    }
}
