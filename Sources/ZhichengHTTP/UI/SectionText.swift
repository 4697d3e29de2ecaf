import ZhichengCore

/// A section's fields as the read-only screens show them (the application once submitted, a
/// reviewer's page, the province's, a review session's): the free text (内容) first, as it was
/// written, then every other field on its own line as "名称：值" (从业年限 with its unit), so
/// that no value stands without its name. Shown with `white-space: pre-line`.
enum SectionText {
    static func text(_ fields: [String: String]) -> String {
        var lines: [String] = []
        if let content = fields[SectionFields.text], !content.isEmpty { lines.append(content) }
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) where key != SectionFields.text && !value.isEmpty {
            lines.append(key == SectionFields.yearsInProfession && value.allSatisfy { $0.isASCII && $0.isNumber } ? "\(key)：\(value) 年" : "\(key)：\(value)")
        }
        return lines.joined(separator: "\n")
    }
}
