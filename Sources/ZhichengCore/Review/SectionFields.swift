import Foundation

/// The fields of one section of an application (`PUT applications/<id>/sections/<section>`,
/// the application page): named text fields, `内容` the section's text, others as an API
/// client or a plugin names them (`从业年限`, `专业`), and a section's standard fields
/// (`ApplicationSection.standardFields`: 基本信息's 性别, 学历学位's 毕业时间 …), held to their kind.
/// Every field is shown again: in the application page's form (`field:<section>:<name>`) and
/// to reviewers as "名称：值".
public enum SectionFields {
    /// The most a section may hold: its field names and values, in UTF-8 bytes (line breaks
    /// as LF). About 21,000 Chinese characters (3 bytes each) or 65,000 letters and digits.
    public static let maxBytes = 64 * 1024
    /// The longest field name.
    public static let maxNameCharacters = 40
    /// The field of 工作经历 where an expert recommendation states the years in the profession
    /// (从业年限): the application page gives it an input of its own (in 年), reviewers read it
    /// as "从业年限：N 年", and the ExpertRecommendation plugin's eligibility check reads it.
    public static let yearsInProfession = "从业年限"
    /// The field that holds a section's text as typed in its one box on the application page.
    public static let text = "内容"

    /// The fields as they are kept: each name one line of at most `maxNameCharacters`
    /// characters, trimmed, not empty and not given twice; each value text of any number of
    /// lines, kept as typed (line breaks as LF), both held to `FreeText`'s rule (no control,
    /// format or bidi character); all of them together at most `maxBytes`, refused as one
    /// section too long (`tooLong`) however the excess is made up, many characters or wide ones.
    /// Then each standard field of the section as its kind keeps it (`StandardField.normalized`:
    /// a month as `YYYY-MM`, a choice one of its choices), left out when empty. This is the rule
    /// of what an applicant saves (`PUT applications/<id>/sections/<section>`, the application
    /// page), whichever door it comes through.
    public static func validated(_ fields: [String: String], section: ApplicationSection, now: Date = Date()) throws(ZhichengError) -> [String: String] {
        var out = try validated(fields, sectionNamed: section.rawValue)
        for standard in section.standardFields {
            guard let value = out[standard.name] else { continue }
            let kept = try standard.normalized(value, section: section.rawValue, now: now)
            out[standard.name] = kept.isEmpty ? nil : kept
        }
        return out
    }

    /// The same without the standard fields' kinds, for a section known by its name alone: one
    /// a hand-over carries (`RelayedText`) may be of a later build or a plugin, and was saved
    /// under the rules of its sender's build. A received hand-over is not refused for a value
    /// this build's standard fields would not take (a choice added since, a month written before
    /// the rule): it was the applicant's to give there, and is shown as it came.
    public static func validated(_ fields: [String: String], sectionNamed section: String) throws(ZhichengError) -> [String: String] {
        let nameText = FreeText(field: "fields", label: "“\(section)”的字段名", maxCharacters: maxNameCharacters, lines: .single)
        // In name order, so that of several faults the same one is named every time.
        var named: [(name: String, value: String)] = []
        var seen: Set<String> = []
        for (rawName, rawValue) in fields.sorted(by: { $0.key < $1.key }) {
            let name = try nameText.require(rawName, else: "“\(section)”的字段名不能为空")
            guard seen.insert(name).inserted else { throw .invalid("“\(section)”的字段名“\(name)”出现了两次", field: name) }
            named.append((name, FreeText.unifyingLineBreaks(rawValue)))
        }
        // The size before each value's own checks: a value that alone is over it is the
        // section's excess too, and is answered as such (not by a count of its characters).
        let bytes = named.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count }
        if bytes > maxBytes, let largest = named.max(by: { $0.value.utf8.count < $1.value.utf8.count }) {
            throw tooLong(section, bytes: bytes, field: largest.name)
        }
        var out: [String: String] = [:]
        for (name, value) in named {
            let valueText = FreeText(field: name, label: "“\(section)”的“\(name)”", maxCharacters: maxBytes)
            out[name] = try valueText.validateKeepingBlanks(value)
        }
        return out
    }

    /// The fields as an editing page shows them, to be posted back: each standard field's value
    /// as its kind keeps it where it takes it (a month written `1985年6月` as `1985-06`, which is
    /// what a month control holds), an empty one left out, any other value as it is (one stored
    /// before the rule, shown as it is so that an untouched page posts it back unchanged).
    /// `ApplicationService.fingerprint` reads a section so, so that a page that only shows a
    /// value in its kept form has not changed it.
    public static func shown(_ fields: [String: String], section: String) -> [String: String] {
        var out = fields
        for standard in ApplicationSection.standardFields(of: section) {
            guard let value = fields[standard.name] else { continue }
            guard let kept = try? standard.normalized(value, section: section) else { continue }
            out[standard.name] = kept.isEmpty ? nil : kept
        }
        return out
    }

    /// A section over `maxBytes` (`bytes` of it), in a unit a person can act on: the limit in
    /// KiB with about how many characters that is, and how much it holds now (rounded up, so it
    /// never reads as the limit); `field` is its longest field, where there is most to cut.
    public static func tooLong(_ section: String, bytes: Int, field: String) -> ZhichengError {
        let tenths = (bytes * 10 + 1023) / 1024
        return .invalid("“\(section)”内容过长：每部分最多 \(FileSize.text(maxBytes, roundingDown: true))（约两万个汉字，或六万多个字母和数字），现有 \(tenths / 10).\(tenths % 10) KB，请删减后再保存",
                        field: field)
    }
}
