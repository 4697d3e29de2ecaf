extension StepInput {
    /// Reads the input JSON text of the C ABI (`{"step", "tenant", "application": {...}}`).
    /// `step` is the id the host called; it wins over the text's own `step`.
    public init(json text: String, step: String? = nil) throws(StepInputError) {
        let value: JSONValue
        do {
            value = try JSONValue.parse(text)
        } catch {
            throw StepInputError(field: "", reason: "not JSON: \(error)")
        }
        try self.init(json: value, step: step)
    }

    /// Reads an already parsed input.
    public init(json value: JSONValue, step: String? = nil) throws(StepInputError) {
        guard value.objectValue != nil else { throw StepInputError(field: "", reason: "not a JSON object") }
        guard let step = step ?? value["step"]?.stringValue else { throw StepInputError(field: "step", reason: "missing") }
        guard let app = value["application"], app.objectValue != nil else {
            throw StepInputError(field: "application", reason: "missing or not an object")
        }
        self.init(
            step: step,
            tenant: try Self.string(value, "tenant", in: ""),
            application: Application(
                id: try Self.int(app, "id"),
                kind: app["kind"]?.stringValue ?? "title",
                year: try Self.int(app, "year"),
                series: try Self.string(app, "series"),
                level: try Self.string(app, "level"),
                title: try Self.string(app, "title"),
                specialty: app["specialty"]?.stringValue,
                sections: try Self.sections(app["sections"])
            ),
            json: value
        )
    }

    private static func string(_ object: JSONValue, _ key: String, in parent: String = "application") throws(StepInputError) -> String {
        guard let text = object[key]?.stringValue else { throw StepInputError(field: path(parent, key), reason: "missing or not a string") }
        return text
    }

    private static func int(_ object: JSONValue, _ key: String) throws(StepInputError) -> Int {
        guard let number = object[key]?.intValue else { throw StepInputError(field: path("application", key), reason: "missing or not a whole number") }
        return number
    }

    private static func path(_ parent: String, _ key: String) -> String { parent.isEmpty ? key : "\(parent).\(key)" }

    /// Sections are lenient: applicants' forms are free-form JSON objects, so any scalar is
    /// kept as text and nested values as compact JSON; only a non-object is refused.
    private static func sections(_ value: JSONValue?) throws(StepInputError) -> [String: [String: String]] {
        guard let value, value != .null else { return [:] }
        guard let members = value.objectValue else { throw StepInputError(field: "application.sections", reason: "not an object") }
        var sections: [String: [String: String]] = [:]
        for (name, content) in members {
            guard let fields = content.objectValue else {
                if content == .null { continue }
                throw StepInputError(field: "application.sections.\(name)", reason: "not an object")
            }
            var texts: [String: String] = [:]
            for (key, field) in fields {
                switch field {
                case .null: continue
                case .string(let text): texts[key] = text
                default: texts[key] = field.serialized
                }
            }
            sections[name] = texts
        }
        return sections
    }
}
