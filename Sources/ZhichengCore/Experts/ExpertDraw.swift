/// 专家抽取 (SPEC §8): a committee draws a panel of experts for a review session
/// at random from the expert database, avoiding conflicts (回避), with reserves.
///
/// The draw is a pure function of its recorded inputs and a seed, so anyone can
/// re-run it: the eligible candidates (conflicts removed, sorted by id) are
/// shuffled by Fisher–Yates with a SplitMix64 generator seeded from the FNV-1a
/// hash of the seed text; the first `panelSize` form the panel, the next
/// `reserves` the reserves, in order. Nothing here reads a clock or a file.
public enum ExpertDraw {
    /// One expert the draw may pick.
    public struct Candidate: Sendable, Equatable, Codable {
        public var id: Int
        public var name: String
        /// The expert's unit (工作单位) by name, as the province last heard it from the city
        /// (at admission, then each correction there: `org.renamed`).
        public var unit: String
        /// Declared relations: names, ID-card numbers or units the expert must not judge.
        public var relations: [String]
        /// The expert's own ID-card number: an expert never judges their own application.
        /// (nil in draws recorded before `rules` 2.)
        public var idNumber: String?
        /// The city the expert's unit is in: units of the same name in two cities are two units.
        public var tenant: String?
        /// The unit's code (单位编号) in that city, which never changes and is never reused:
        /// what identifies the unit under `rules` 3. nil for experts admitted before it was
        /// carried (and in draws recorded before `rules` 3), whose unit is known by name only.
        public var unitCode: String?

        public init(id: Int, name: String, unit: String, relations: [String], idNumber: String? = nil, tenant: String? = nil, unitCode: String? = nil) {
            self.id = id
            self.name = name
            self.unit = unit
            self.relations = relations
            self.idNumber = idNumber
            self.tenant = tenant
            self.unitCode = unitCode
        }

        enum CodingKeys: String, CodingKey { case id, name, unit, relations, idNumber = "id_number", tenant, unitCode = "unit_code" }
    }

    /// One applicant under review in the session.
    public struct Applicant: Sendable, Equatable, Codable {
        public var name: String
        public var idNumber: String
        /// The applicant's unit by name, as the city called it when it handed the application over.
        public var unit: String
        /// The city the application came from (nil in draws recorded before `rules` 2).
        public var tenant: String?
        /// The applicant's unit's code (单位编号) in that city; nil for applications handed
        /// over without it (by a city of an older version, or before schema v22).
        public var unitCode: String?
        /// The names the unit had in the province before it was renamed in the city (schema
        /// v27, `received_applications.former_unit_names`), oldest first: under `rules` 4 a
        /// relation naming one of them names the unit. Recorded only when there are some (a
        /// draw recorded before them, and any without them, reads and writes the same text).
        public var formerUnits: [String]
        /// The names the applicant had in the province before a correction in the city (schema
        /// v27, `received_applications.former_applicant_names`), oldest first: under `rules` 4
        /// a relation naming one of them names the applicant. Recorded only when there are some.
        public var formerNames: [String]

        public init(name: String, idNumber: String, unit: String, tenant: String? = nil, unitCode: String? = nil, formerUnits: [String] = [],
                    formerNames: [String] = []) {
            self.name = name
            self.idNumber = idNumber
            self.unit = unit
            self.tenant = tenant
            self.unitCode = unitCode
            self.formerUnits = formerUnits
            self.formerNames = formerNames
        }

        enum CodingKeys: String, CodingKey {
            case name, idNumber = "id_number", unit, tenant, unitCode = "unit_code", formerUnits = "former_units", formerNames = "former_names"
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            idNumber = try c.decode(String.self, forKey: .idNumber)
            unit = try c.decode(String.self, forKey: .unit)
            tenant = try c.decodeIfPresent(String.self, forKey: .tenant)
            unitCode = try c.decodeIfPresent(String.self, forKey: .unitCode)
            formerUnits = try c.decodeIfPresent([String].self, forKey: .formerUnits) ?? []
            formerNames = try c.decodeIfPresent([String].self, forKey: .formerNames) ?? []
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(idNumber, forKey: .idNumber)
            try c.encode(unit, forKey: .unit)
            try c.encodeIfPresent(tenant, forKey: .tenant)
            try c.encodeIfPresent(unitCode, forKey: .unitCode)
            if !formerUnits.isEmpty { try c.encode(formerUnits, forKey: .formerUnits) }
            if !formerNames.isEmpty { try c.encode(formerNames, forKey: .formerNames) }
        }
    }

    /// Everything a draw depends on besides its seed; recorded with the draw.
    public struct Inputs: Sendable, Equatable, Codable {
        public var series: String
        /// nil: any specialty of the series.
        public var specialty: String?
        public var panelSize: Int
        public var reserves: Int
        /// Active experts matching series (and specialty), sorted by id.
        public var candidates: [Candidate]
        /// The applicants of the session, sorted by ID number.
        public var applicants: [Applicant]
        /// Which 回避 rules the draw applied (`conflict`): nil for the first ones, kept so a
        /// draw recorded under them re-runs the same.
        public var rules: Int?

        /// The 回避 rules a new draw applies.
        public static let currentRules = 4

        public init(series: String, specialty: String?, panelSize: Int, reserves: Int, candidates: [Candidate], applicants: [Applicant],
                    rules: Int? = currentRules) {
            self.series = series
            self.specialty = specialty
            self.panelSize = panelSize
            self.reserves = reserves
            self.candidates = candidates.sorted { $0.id < $1.id }
            self.applicants = applicants.sorted { ($0.idNumber, $0.name) < ($1.idNumber, $1.name) }
            self.rules = rules
        }

        enum CodingKeys: String, CodingKey {
            case series, specialty, panelSize = "panel_size", reserves, candidates, applicants, rules
        }

        /// These inputs as a draw under `rules` recorded them: without what those rules did
        /// not record (former names before 4; unit codes before 3; the expert's
        /// ID-card number and the cities before 2). `verify` compares today's database with an
        /// older record in that form, so that a record is "current" when nothing it knew of
        /// has changed.
        public func recorded(under rules: Int?) -> Inputs {
            let version = rules ?? 1
            var copy = self
            copy.rules = rules
            if version < 4 {
                for i in copy.applicants.indices { (copy.applicants[i].formerUnits, copy.applicants[i].formerNames) = ([], []) }
            }
            if version < 3 {
                for i in copy.candidates.indices { copy.candidates[i].unitCode = nil }
                for i in copy.applicants.indices { copy.applicants[i].unitCode = nil }
            }
            if version < 2 {
                for i in copy.candidates.indices { copy.candidates[i].idNumber = nil; copy.candidates[i].tenant = nil }
                for i in copy.applicants.indices { copy.applicants[i].tenant = nil }
            }
            return copy
        }

        /// These inputs with each applicant's current names taken out of their former ones (the
        /// unit's name out of `formerUnits`, the applicant's out of `formerNames`, compared
        /// exactly, as the province's database compares them; the others kept in their order).
        /// The province never lists them so since schema v29, but a draw recorded before may: read
        /// so, it is the same draw (a relation naming a current name names the applicant or the
        /// unit anyway, `conflict`), and `verify` compares today's inputs with a record in this form
        /// too, so that the migration's cleaning alone does not make a record look out of date.
        public func currentNamesNotFormer() -> Inputs {
            var copy = self
            for i in copy.applicants.indices {
                let (unit, name) = (copy.applicants[i].unit, copy.applicants[i].name)
                copy.applicants[i].formerUnits.removeAll { $0.utf8.elementsEqual(unit.utf8) }
                copy.applicants[i].formerNames.removeAll { $0.utf8.elementsEqual(name.utf8) }
            }
            return copy
        }
    }

    /// Why a candidate was left out.
    public struct Exclusion: Sendable, Equatable, Codable {
        public var expertID: Int
        public var reason: String

        enum CodingKeys: String, CodingKey { case expertID = "expert_id", reason }
    }

    public struct Result: Sendable, Equatable, Codable {
        public var panel: [Int]
        public var reserves: [Int]
        public var excluded: [Exclusion]
    }

    /// The conflict (回避) that keeps `candidate` off a session with `applicants`, if any.
    /// Rules 4 (every draw since they came): the expert is the applicant (same ID-card
    /// number); the same unit, known by its city and code (单位编号) when both sides have one,
    /// whatever either is called now (a unit renamed since the expert was admitted is still
    /// the same unit, two units of one name are two units), else by name in the same city;
    /// a declared relation naming the applicant, their ID-card number (an x or X at its end
    /// alike) or their unit, the applicant and the unit by their names now or ones they had
    /// before a correction in the city (`formerNames`, `formerUnits`: a relation declared
    /// under the old name still names them), blanks around it ignored.
    /// Rules 3, kept for draws recorded under them: the same, a relation naming the applicant
    /// and the unit by their current names only. Rules 2: the same, with the unit known by name in the same city
    /// only. The first rules (nil): the same unit by name in any city, and relations
    /// compared exactly.
    public static func conflict(of candidate: Candidate, with applicants: [Applicant], rules: Int? = currentRulesForNewDraws) -> String? {
        let version = rules ?? 1
        let current = version >= 2
        func same(_ a: String, _ b: String) -> Bool { current ? a.trimmingBlanks().uppercased() == b.trimmingBlanks().uppercased() : a == b }
        for applicant in applicants {
            if current, let own = candidate.idNumber, !own.isEmpty, same(own, applicant.idNumber) {
                return "本人即申报人\(applicant.name)"
            }
            switch sameUnit(candidate, applicant, rules: version) {
            case .byCode(let code): return "与申报人\(applicant.name)同一单位（\(applicant.unit)，单位编号\(code)）"
            case .byName: return "与申报人\(applicant.name)同一单位（\(applicant.unit)）"
            case nil: break
            }
            for relation in candidate.relations where !relation.trimmingBlanks().isEmpty {
                if same(relation, applicant.name) || same(relation, applicant.idNumber) || same(relation, applicant.unit)
                    || (version >= 4 && (applicant.formerUnits + applicant.formerNames).contains { !$0.isEmpty && same(relation, $0) }) {
                    return "申报了与申报人\(applicant.name)的回避关系"
                }
            }
        }
        return nil
    }

    /// How an expert's unit was found to be an applicant's.
    enum SameUnit: Equatable {
        case byCode(String)
        case byName
    }

    /// Whether the expert's unit is the applicant's under `rules` (1 to 4; see `conflict`).
    static func sameUnit(_ candidate: Candidate, _ applicant: Applicant, rules: Int) -> SameUnit? {
        let sameCity = rules < 2 || candidate.tenant == nil || applicant.tenant == nil || candidate.tenant == applicant.tenant
        if rules >= 3, let mine = candidate.unitCode, let theirs = applicant.unitCode, !mine.isEmpty, !theirs.isEmpty {
            // Both known by code: the code decides, never the names (either may have been
            // renamed since it was copied; two units of one city may share a name).
            return mine == theirs && sameCity ? .byCode(mine) : nil
        }
        return !candidate.unit.isEmpty && candidate.unit == applicant.unit && sameCity ? .byName : nil
    }

    /// `Inputs.currentRules`, as the default of `conflict`.
    public static let currentRulesForNewDraws: Int? = Inputs.currentRules

    /// Runs the draw. Throws when too few candidates remain for the panel.
    public static func run(_ inputs: Inputs, seed: String) throws(ZhichengError) -> Result {
        guard inputs.panelSize >= 1 else { throw .invalid("抽取人数至少为1", field: "panel_size") }
        guard inputs.reserves >= 0 else { throw .invalid("备选人数不能为负数", field: "reserves") }
        guard !seed.isEmpty else { throw .invalid("随机种子不能为空", field: "seed") }
        var eligible: [Int] = []
        var excluded: [Exclusion] = []
        for candidate in inputs.candidates.sorted(by: { $0.id < $1.id }) {
            if let reason = conflict(of: candidate, with: inputs.applicants, rules: inputs.rules) {
                excluded.append(Exclusion(expertID: candidate.id, reason: reason))
            } else {
                eligible.append(candidate.id)
            }
        }
        guard eligible.count >= inputs.panelSize else {
            throw .conflict("符合条件且无需回避的专家只有\(eligible.count)名，不足抽取人数\(inputs.panelSize)名")
        }
        var generator = SplitMix64(seed: fnv1a64(Array(seed.utf8)))
        for i in stride(from: eligible.count - 1, to: 0, by: -1) {
            let j = Int(generator.next(below: UInt64(i + 1)))
            eligible.swapAt(i, j)
        }
        let panel = Array(eligible.prefix(inputs.panelSize))
        let reserves = Array(eligible.dropFirst(inputs.panelSize).prefix(inputs.reserves))
        return Result(panel: panel, reserves: reserves, excluded: excluded)
    }

    /// FNV-1a, 64 bits: turns the seed text into the generator's state.
    public static func fnv1a64(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// SplitMix64 (Steele, Lea, Flood 2014): small, fast and fully specified, so a
    /// draw can be re-run in any language.
    public struct SplitMix64: Sendable {
        private var state: UInt64

        public init(seed: UInt64) { state = seed }

        public mutating func next() -> UInt64 {
            state &+= 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }

        /// A uniform value in 0..<bound, by rejection (no modulo bias).
        public mutating func next(below bound: UInt64) -> UInt64 {
            precondition(bound > 0)
            let limit = UInt64.max - UInt64.max % bound
            while true {
                let value = next()
                if value < limit { return value % bound }
            }
        }
    }
}
