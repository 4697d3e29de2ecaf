/// The fields of one section of an application (`PUT applications/<id>/sections/<section>`,
/// the application page): named text fields, `内容` the section's text, others as an API
/// client or a plugin names them (`从业年限`, `专业`). Every field is shown again: in the
/// application page's form (`field:<section>:<name>`) and to reviewers as "名称：值".
public enum SectionFields {
    /// The most a section may hold, as stored (JSON).
    public static let maxBytes = 64 * 1024
    /// The longest field name.
    public static let maxNameCharacters = 40

    /// The fields as they are kept: each name one line of at most `maxNameCharacters`
    /// characters, trimmed, not empty and not given twice; each value text of any number of
    /// lines, kept as typed (line breaks as LF), both held to `FreeText`'s rule (no control,
    /// format or bidi character). How long a value may be is the section's `maxBytes`.
    public static func validated(_ fields: [String: String], section: ApplicationSection) throws(ZhichengError) -> [String: String] {
        try validated(fields, sectionNamed: section.rawValue)
    }

    /// The same, for a section known by its name alone: one a hand-over carries (`RelayedText`)
    /// may be of a later build or a plugin.
    public static func validated(_ fields: [String: String], sectionNamed section: String) throws(ZhichengError) -> [String: String] {
        let nameText = FreeText(field: "fields", label: "“\(section)”的字段名", maxCharacters: maxNameCharacters, lines: .single)
        var out: [String: String] = [:]
        // In name order, so that of several faults the same one is named every time.
        for (rawName, rawValue) in fields.sorted(by: { $0.key < $1.key }) {
            let name = try nameText.require(rawName, else: "“\(section)”的字段名不能为空")
            guard out[name] == nil else { throw .invalid("“\(section)”的字段名“\(name)”出现了两次", field: name) }
            let valueText = FreeText(field: name, label: "“\(section)”的“\(name)”", maxCharacters: maxBytes)
            out[name] = try valueText.validateKeepingBlanks(rawValue)
        }
        return out
    }
}
