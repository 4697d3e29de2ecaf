/// What the daemon hands a step: which step, for which tenant, on which application.
public struct StepInput: Sendable, Hashable {
    /// The application as submitted.
    public struct Application: Sendable, Hashable {
        /// Its id within the tenant.
        public var id: Int
        /// `title` for a title application (职称申报), `expert` for an expert application
        /// (专家推荐); `title` when the daemon does not say.
        public var kind: String
        /// The plan year, e.g. 2026.
        public var year: Int
        /// The title series, e.g. `中小学教师`.
        public var series: String
        /// The level, e.g. `中级`, `副高级`, `正高级`.
        public var level: String
        /// The title, e.g. `高级教师`.
        public var title: String
        /// The specialty (专业), when the application has one.
        public var specialty: String?
        /// Section name → field → text, e.g. `["工作经历": ["从业年限": "12"]]`. Numbers and
        /// booleans arrive as their JSON text, nested values as compact JSON; nulls are left out.
        public var sections: [String: [String: String]]

        /// An application built by hand (tests, tools).
        public init(id: Int, kind: String = "title", year: Int, series: String, level: String, title: String,
                    specialty: String? = nil, sections: [String: [String: String]] = [:]) {
            self.id = id
            self.kind = kind
            self.year = year
            self.series = series
            self.level = level
            self.title = title
            self.specialty = specialty
            self.sections = sections
        }
    }

    /// The step being run (one of the manifest's ids).
    public var step: String
    /// The tenant id, e.g. `zhengzhou`.
    public var tenant: String
    /// The application.
    public var application: Application
    /// The whole input as sent, for fields this typed view does not carry.
    public var json: JSONValue

    /// An input built by hand (tests, tools); `json` defaults to `{}`.
    public init(step: String, tenant: String, application: Application, json: JSONValue = .object([])) {
        self.step = step
        self.tenant = tenant
        self.application = application
        self.json = json
    }
}
