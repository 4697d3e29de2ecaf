import Foundation

/// An application's sections as a hand-over carries them and the province keeps them
/// (`ApplicationService.sectionsJSON` writes it): a JSON object of section name → that
/// section's fields as JSON text, with 附件's files appended as `|files:<name>:<sha256>,…`.
public enum SectionSnapshot {
    /// The field 附件's files are listed under (not one the applicant typed: not held to the
    /// section's size, which is the typed fields').
    public static let filesField = "文件"

    /// section → fields; 附件's files as one field 文件 with their names (、 between them).
    /// What is not such an object reads as no sections, a section that is not such fields as
    /// none.
    public static func sections(_ text: String) -> [String: [String: String]] {
        guard let outer = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String] else { return [:] }
        var sections: [String: [String: String]] = [:]
        for (name, content) in outer {
            var body = content
            var files: String?
            if let range = content.range(of: "|files:") {
                files = String(content[range.upperBound...])
                body = String(content[..<range.lowerBound])
            }
            var fields = (try? JSONDecoder().decode([String: String].self, from: Data(body.utf8))) ?? [:]
            if let files { fields[filesField] = files.split(separator: ",").map { $0.split(separator: ":").first.map(String.init) ?? "" }.joined(separator: "、") }
            sections[name] = fields
        }
        return sections
    }
}
