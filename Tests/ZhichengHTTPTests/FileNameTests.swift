import Testing
import NIOCore
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

/// The files of a multipart form's file input `file` (`multiple`): every one, in order, and not
/// the empty part a browser sends for an input left without a file.
@Suite("Uploaded files of a form")
struct FormFilesTests {
    static func part(_ disposition: String, _ body: String) -> String {
        "--b\r\nContent-Disposition: form-data; \(disposition)\r\nContent-Type: application/octet-stream\r\n\r\n\(body)\r\n"
    }

    @Test func everyFileOfTheInputInOrderAndNoneForAnInputLeftEmpty() throws {
        let body = Self.part(#"name="text""#, "异议") + Self.part(#"name="file"; filename="a.pdf""#, "AAA")
            + Self.part(#"name="file"; filename="扫描.png""#, "BB") + Self.part(#"name="file"; filename="""#, "") + "--b--\r\n"
        let form = try FormData.multipart(ByteBuffer(string: body), boundary: "b")
        #expect(form["text"] == "异议")
        #expect(form.files.map(\.name) == ["a.pdf", "扫描.png"] && form.files.map { String(decoding: $0.bytes, as: UTF8.self) } == ["AAA", "BB"])
        // An input left without a file and nothing else: no files.
        let none = try FormData.multipart(ByteBuffer(string: Self.part(#"name="file"; filename="""#, "") + "--b--\r\n"), boundary: "b")
        #expect(none.files.isEmpty && none.file == [])
        // A file part without a name still counts (the service refuses it, naming the input).
        let unnamed = try FormData.multipart(ByteBuffer(string: Self.part(#"name="file""#, "C") + "--b--\r\n"), boundary: "b")
        #expect(unnamed.files.count == 1 && unnamed.files[0].name == nil)
    }
}
