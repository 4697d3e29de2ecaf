/// What `plugin.list` shows of a plugin and where its steps sit in a route.
public struct PluginManifest: Sendable, Hashable {
    /// One automated step the plugin offers.
    public struct Step: Sendable, Hashable {
        /// Passed back as `step` to ``ReviewStepPlugin/run(step:input:)``.
        public var id: String
        /// What people see in the trail, e.g. `专家资格自动审查`.
        public var title: String
        /// The point of the route the step runs at, e.g. `submit` or `expert-submit`.
        public var at: String
        /// The sections of the application the step reads, e.g. `["工作经历"]`: the daemon
        /// passes only those (with the year, series, level and title). Nil: every section,
        /// which hands a plugin more of a person's data than it needs; say what you read.
        public var sections: [String]?

        /// A step with its id, title, place in the route and the sections it reads.
        public init(id: String, title: String, at: String, sections: [String]? = nil) {
            self.id = id
            self.title = title
            self.at = at
            self.sections = sections
        }
    }

    /// The plugin's name, e.g. `expert-recommendation`, unique in the plugin dir: `plugin.list`
    /// and 操作日志 name the plugin by it (the trail shows a step by its `title`).
    public var name: String
    /// Its version, e.g. `1.0.0`.
    public var version: String
    /// The steps it offers.
    public var steps: [Step]

    /// A manifest with a name, a version and steps.
    public init(name: String, version: String, steps: [Step]) {
        self.name = name
        self.version = version
        self.steps = steps
    }

    /// The manifest as the C ABI's `manifest_json` carries it.
    public var json: JSONValue {
        .object([
            ("name", .string(name)),
            ("version", .string(version)),
            ("steps", .array(steps.map { step in
                .object([("id", .string(step.id)), ("title", .string(step.title)), ("at", .string(step.at))]
                        + (step.sections.map { [("sections", .array($0.map(JSONValue.string)))] } ?? []))
            })),
        ])
    }
}
