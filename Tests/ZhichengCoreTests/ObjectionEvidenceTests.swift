import Testing
import ZhichengCore

/// An objection's evidence files (证据材料), checked as attachments are, every fault naming `file`.
@Suite("Objection evidence files")
struct ObjectionEvidenceTests {
    static let pdf = Array("%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n".utf8)

    static func refusal(_ uploads: [ObjectionEvidence.Upload], maxBytes: Int = 1024) -> ZhichengError? {
        do {
            _ = try ObjectionEvidence.validate(uploads, maxBytes: maxBytes)
            return nil
        } catch {
            return error
        }
    }

    @Test func upToThreeFilesOfTheAcceptedTypesAreKeptInOrderNamedAsTheirBytesSay() throws {
        let files = try ObjectionEvidence.validate([.init(name: "比对报告", bytes: Self.pdf), .init(name: #"C:\扫描\首页.PNG"#, bytes: ImageFixtures.png),
                                                    .init(name: "照片.jpeg", bytes: ImageFixtures.jpeg)], maxBytes: 1024)
        #expect(files.map(\.name) == ["比对报告.pdf", "首页.PNG", "照片.jpeg"])
        #expect(files.map(\.mime) == ["application/pdf", "image/png", "image/jpeg"])
        #expect(files[1].bytes == ImageFixtures.png)
        #expect(try ObjectionEvidence.validate([], maxBytes: 1024).isEmpty)
    }

    @Test(arguments: [
        ("four files", [ObjectionEvidence.Upload](repeating: .init(name: "a.pdf", bytes: pdf), count: 4), "最多3个"),
        ("an empty file", [.init(name: "空.pdf", bytes: [])], "空文件"),
        ("one byte over the limit", [.init(name: "大.pdf", bytes: pdf + Array(repeating: 0x20, count: 1025 - pdf.count))], "不能超过 1 KB"),
        ("a program named .pdf", [.init(name: "证据.pdf", bytes: [0x4D, 0x5A, 0x90, 0x00] + Array(repeating: 0, count: 60))], "PDF、PNG 或 JPEG"),
        ("text named .pdf", [.init(name: "证据.pdf", bytes: Array("这是一段文字".utf8))], "PDF、PNG 或 JPEG"),
        ("a PDF cut short", [.init(name: "半截.pdf", bytes: Array("%PDF-1.4\n1 0 obj".utf8))], "%%EOF"),
        ("a path that climbs", [.init(name: "../../x.pdf", bytes: pdf)], "路径"),
        ("a bidi override", [.init(name: "evil\u{202E}fdp.exe", bytes: pdf)], "方向控制符"),
        ("no name", [.init(name: "  ", bytes: pdf)], "文件名"),
    ] as [(String, [ObjectionEvidence.Upload], String)])
    func aFaultIsRefusedNamingTheFileInput(_ what: String, _ uploads: [ObjectionEvidence.Upload], _ says: String) {
        let error = Self.refusal(uploads)
        #expect(error?.code == .invalid && error?.field == "file", "\(what): \(String(describing: error))")
        #expect(error?.message.contains(says) == true, "\(what): \(error?.message ?? "accepted")")
    }

    /// A file at the limit is taken; the limit is the upload limit, never above what one relay message carries.
    @Test func theLimitIsTheUploadLimitWithinTheRelaysBound() throws {
        let padded = Self.pdf + Array(repeating: 0x20, count: 1024 - Self.pdf.count)
        #expect(try ObjectionEvidence.validate([.init(name: "a.pdf", bytes: padded)], maxBytes: 1024).count == 1)
        #expect(ObjectionEvidence.maxFileBytes(uploadLimit: 5 << 20) == 5 << 20)
        #expect(ObjectionEvidence.maxFileBytes(uploadLimit: 1 << 30) == ObjectionEvidence.relayCap)
    }
}
