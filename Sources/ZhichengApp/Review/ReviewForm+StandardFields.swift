import ZhichengCore

extension ReviewForm {
    /// One section's standard fields as the 评审表 prints them.
    public struct StandardSection: Sendable, Equatable {
        /// One field: its name and the applicant's value ("" where none was given).
        public struct Field: Sendable, Equatable {
            public var name: String
            public var value: String
            public init(name: String, value: String) {
                self.name = name
                self.value = value
            }
        }

        public var section: ApplicationSection
        public var fields: [Field]
        public init(section: ApplicationSection, fields: [Field]) {
            self.section = section
            self.fields = fields
        }
    }

    /// The applicant's standard fields (性别, 出生年月 …, 最高学历 …) a reader's 评审表 prints:
    /// every one of `ApplicationSection.standardFields`, in the order its section defines them,
    /// of each section the application's form has (`kind.sections`, in their order) and the
    /// reader may read (not in `hidden`, the sections kept from them), with the applicant's
    /// value as the reading screens write it (`StandardField.shown`: 学时 with their unit) or ""
    /// where none was given. A section kept from the reader prints nothing, not
    /// even its fields' names; a section without standard fields has no entry. One list: a
    /// field added to a section later is printed by itself.
    public static func standardFields(kind: ApplicationKind, hidden: [String], sections: [String: [String: String]]) -> [StandardSection] {
        kind.sections.filter { !$0.standardFields.isEmpty && !hidden.contains($0.rawValue) }.map { section in
            StandardSection(section: section, fields: section.standardFields.map {
                .init(name: $0.name, value: $0.shown(sections[section.rawValue]?[$0.name] ?? ""))
            })
        }
    }
}
