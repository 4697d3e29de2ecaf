import Foundation
import Testing
import ZhichengCore

/// The files a hand-over's 附件 names (`SectionSnapshot.files`), by which the province finds
/// the bytes the relay copied and serves them under the applicant's names; and the names line
/// (文件) the screens read from the same list.
@Suite("Section snapshot files")
struct SectionSnapshotTests {
    static let a = String(repeating: "0123456789abcdef", count: 4)
    static let b = String(repeating: "fedcba9876543210", count: 4)

    /// A snapshot as `ApplicationService.sectionsJSON` writes it: the 附件 section's typed fields
    /// (JSON), then `|files:` and the list.
    static func snapshot(fields: [String: String]? = ["内容": "证书两份"], list: String?, others: [String: [String: String]] = [:]) throws -> String {
        var outer: [String: String] = [:]
        for (section, values) in others {
            outer[section] = String(decoding: try JSONSerialization.data(withJSONObject: values, options: [.sortedKeys]), as: UTF8.self)
        }
        var attachments = try fields.map { String(decoding: try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]), as: UTF8.self) } ?? ""
        if let list { attachments += "|files:" + list }
        if fields != nil || list != nil { outer["附件"] = attachments }
        return String(decoding: try JSONSerialization.data(withJSONObject: outer, options: [.sortedKeys]), as: UTF8.self)
    }

    @Test func filesAreReadInTheirOrderWithTheirDigests() throws {
        let text = try Self.snapshot(list: "职称证书.pdf:\(Self.a),论文.png:\(Self.b)")
        #expect(SectionSnapshot.files(text) == [.init(name: "职称证书.pdf", sha256: Self.a), .init(name: "论文.png", sha256: Self.b)])
        #expect(SectionSnapshot.sections(text)["附件"] == ["内容": "证书两份", "文件": "职称证书.pdf、论文.png"])
    }

    /// An upload's name may hold `:`, `,`, `|files:`, a quote, a backslash, an emoji: none of
    /// them ends the entry, which ends only at `:` and 64 hex digits followed by `,` or the end.
    @Test(arguments: ["a,b:c.pdf", "x:\(String(repeating: "0", count: 63)).pdf", "证书|files:副本.pdf", "引号\"与\\反斜杠.png",
                      "🎓 学位,证书.jpg", "：全角冒号，逗号.pdf", "a:\(String(repeating: "1", count: 64))x.pdf"])
    func aNameWithOddCharactersIsReadWhole(name: String) throws {
        let text = try Self.snapshot(list: "\(name):\(Self.a),第二个.pdf:\(Self.b)")
        #expect(SectionSnapshot.files(text) == [.init(name: name, sha256: Self.a), .init(name: "第二个.pdf", sha256: Self.b)])
        #expect(SectionSnapshot.sections(text)["附件"]?["文件"] == "\(name)、第二个.pdf")
    }

    /// `|files:` typed into the section's own text is inside its JSON: never taken for the list.
    @Test func theMarkerTypedInTheSectionIsNotTheList() throws {
        let typed = "见附件|files:伪造.pdf:\(Self.b)"
        let text = try Self.snapshot(fields: ["内容": typed], list: "真.pdf:\(Self.a)")
        #expect(SectionSnapshot.files(text) == [.init(name: "真.pdf", sha256: Self.a)])
        #expect(SectionSnapshot.sections(text)["附件"] == ["内容": typed, "文件": "真.pdf"])
        // Typed, with no files at all: none.
        #expect(SectionSnapshot.files(try Self.snapshot(fields: ["内容": typed], list: nil)).isEmpty)
    }

    /// A 附件 section with files only (nothing typed) starts with the list.
    @Test func filesWithoutTypedFields() throws {
        let text = try Self.snapshot(fields: nil, list: "a.pdf:\(Self.a)")
        #expect(SectionSnapshot.files(text) == [.init(name: "a.pdf", sha256: Self.a)])
        #expect(SectionSnapshot.sections(text)["附件"] == ["文件": "a.pdf"])
    }

    @Test func noFilesIsAnEmptyList() throws {
        #expect(SectionSnapshot.files(try Self.snapshot(list: nil)).isEmpty)
        #expect(SectionSnapshot.files(try Self.snapshot(list: "")).isEmpty)
        #expect(SectionSnapshot.files(try Self.snapshot(fields: nil, list: nil, others: ["业绩成果": ["内容": "甲"]])).isEmpty)
        #expect(SectionSnapshot.files("{}").isEmpty)
        // Only 附件's list counts: another section naming files is no file of the application.
        let elsewhere = #"{"业绩成果":"{}|files:a.pdf:\#(Self.a)"}"#
        #expect(SectionSnapshot.files(elsewhere).isEmpty)
    }

    /// What is not a snapshot, or an entry that is not `<name>:<sha256>`, names no file: a
    /// digest too short or too long, in upper case, not hex, or without a name's colon.
    @Test(arguments: ["a.pdf:\(String(a.prefix(63)))", "a.pdf:\(a)0", "a.pdf:\(a.uppercased())", "a.pdf:\(String(repeating: "g", count: 64))",
                      "a.pdf", "a.pdf:", ":::", ",,,"])
    func aMalformedEntryIsLeftOut(entry: String) throws {
        #expect(SectionSnapshot.files(try Self.snapshot(list: entry)).isEmpty)
        // The good entries around it are still read.
        let mixed = try Self.snapshot(list: "好.pdf:\(Self.b),\(entry)")
        #expect(SectionSnapshot.files(mixed).map(\.sha256).first == Self.b)
    }

    @Test(arguments: ["", "{not json", "[]", #"{"附件": 7}"#, #"{"附件": ["a"]}"#, "null"])
    func notASnapshotNamesNoFile(text: String) {
        #expect(SectionSnapshot.files(text).isEmpty)
    }

    /// The same bytes named twice (two names, one certificate uploaded twice) are listed twice:
    /// the list is the application's, the province keeps the bytes once.
    @Test func theSameDigestUnderTwoNames() throws {
        let text = try Self.snapshot(list: "一.pdf:\(Self.a),二.pdf:\(Self.a)")
        #expect(SectionSnapshot.files(text).map(\.name) == ["一.pdf", "二.pdf"])
        #expect(Set(SectionSnapshot.files(text).map(\.sha256)) == [Self.a])
    }
}
