import Foundation

/// An application's sections as a hand-over carries them and the province keeps them
/// (`ApplicationService.sectionsJSON` writes it): a JSON object of section name → that
/// section's fields as JSON text, with 附件's files appended as `|files:<name>:<sha256>,…`.
public enum SectionSnapshot {
    /// The field 附件's files are listed under (not one the applicant typed: not held to the
    /// section's size, which is the typed fields').
    public static let filesField = "文件"

    /// A file a snapshot names: its name as uploaded and the SHA-256 of its bytes (64 hex
    /// digits, lower case), by which the province finds the bytes the relay copied over.
    public struct File: Sendable, Equatable, Hashable {
        public var name: String
        public var sha256: String

        public init(name: String, sha256: String) {
            self.name = name
            self.sha256 = sha256
        }
    }

    /// section → fields; 附件's files as one field 文件 with their names (、 between them).
    /// What is not such an object reads as no sections, a section that is not such fields as
    /// none.
    public static func sections(_ text: String) -> [String: [String: String]] {
        guard let outer = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String] else { return [:] }
        var sections: [String: [String: String]] = [:]
        for (name, content) in outer {
            let (body, files) = split(content)
            var fields = (try? JSONDecoder().decode([String: String].self, from: Data(body.utf8))) ?? [:]
            if let files { fields[filesField] = files.map(\.name).joined(separator: "、") }
            sections[name] = fields
        }
        return sections
    }

    /// The files the snapshot's 附件 section names, in its order: none when it names none, or
    /// the text is no snapshot. An entry that is not `<name>:<64 lower-case hex digits>` is
    /// left out (nothing could be found by it).
    public static func files(_ text: String) -> [File] {
        guard let outer = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String],
              let content = outer[ApplicationSection.attachments.rawValue] else { return [] }
        return split(content).files ?? []
    }

    /// A section's content cut into its typed fields (JSON text) and its files (nil when it
    /// lists none). The list starts at the first `|files:` that follows the whole JSON object
    /// of the fields (or starts the content, for a 附件 section with files only): one inside a
    /// typed field's text is within that object, so it is never taken for the list.
    static func split(_ content: String) -> (body: String, files: [File]?) {
        let marker = "|files:"
        var from = content.startIndex
        while let range = content.range(of: marker, range: from..<content.endIndex) {
            let body = String(content[..<range.lowerBound])
            if body.isEmpty || (try? JSONSerialization.jsonObject(with: Data(body.utf8))) is [String: Any] {
                return (body, list(content[range.upperBound...]))
            }
            from = range.upperBound
        }
        return (content, nil)
    }

    /// `<name>:<sha256>,…` read into files. A name may itself hold `:` and `,` (an upload's
    /// name may): an entry ends only where `:` and 64 hex digits are followed by `,` or the end.
    static func list(_ text: Substring) -> [File] {
        let bytes = Array(text.utf8)
        let hexLength = 64
        var files: [File] = []
        var start = 0
        var i = 0
        func isHex(_ b: UInt8) -> Bool { (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66) }
        while i < bytes.count {
            let end = i + 1 + hexLength
            if bytes[i] == UInt8(ascii: ":"), end <= bytes.count, (end == bytes.count || bytes[end] == UInt8(ascii: ",")),
               bytes[(i + 1)..<end].allSatisfy(isHex) {
                files.append(File(name: String(decoding: bytes[start..<i], as: UTF8.self),
                                  sha256: String(decoding: bytes[(i + 1)..<end], as: UTF8.self)))
                start = end + 1
                i = start
            } else {
                i += 1
            }
        }
        return files
    }
}
