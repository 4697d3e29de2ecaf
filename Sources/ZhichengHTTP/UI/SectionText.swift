import ZhichengCore

/// A section's fields as the read-only screens show them (the application once submitted, a
/// reviewer's page, the province's, a review session's): its standard fields first, in their
/// order (`ApplicationSection.standardFields`: 性别, 出生年月 …), then the free text (内容) as it
/// was written, then every other field, by name; every field on its own line as "名称：值"
/// (从业年限 with its unit), so that no value stands without its name. Shown with
/// `white-space: pre-line`.
enum SectionText {
    static func text(_ fields: [String: String], section: String) -> String {
        var lines: [String] = []
        let standard = ApplicationSection.standardFields(of: section)
        for field in standard {
            if let value = fields[field.name], !value.isEmpty { lines.append("\(field.name)：\(field.shown(value))") }
        }
        if let content = fields[SectionFields.text], !content.isEmpty { lines.append(content) }
        let named = Set(standard.map(\.name) + [SectionFields.text])
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) where !named.contains(key) && !value.isEmpty {
            lines.append(key == SectionFields.yearsInProfession && value.allSatisfy { $0.isASCII && $0.isNumber } ? "\(key)：\(value) 年" : "\(key)：\(value)")
        }
        return lines.joined(separator: "\n")
    }
}
