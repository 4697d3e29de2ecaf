/// The three kinds of organization in a tenant's tree.
public enum OrgKind: String, Sendable, Codable, CaseIterable {
    /// 职改办: the tenant's root, or a district's title office.
    case office
    /// 主管单位: a supervising department, e.g. 管城区教育局.
    case department
    /// 单位: a unit where applicants work.
    case unit

    public var label: String {
        switch self {
        case .office: "职改办"
        case .department: "主管单位"
        case .unit: "单位"
        }
    }

    public init(parsing raw: String, field: String = "kind") throws(ZhichengError) {
        guard let kind = Self(rawValue: raw) else {
            throw .invalid("机构类别应为 office（职改办）、department（主管单位）或 unit（单位）", field: field,
                           screen: "请选择机构类别：\(Self.allCases.map(\.label).joined(separator: "、"))")
        }
        self = kind
    }

    /// Which kinds may sit under this one: offices hold offices, departments and
    /// units; departments hold units (and sub-departments); units hold nothing.
    public func mayContain(_ child: OrgKind) -> Bool {
        switch (self, child) {
        case (.office, _): true
        case (.department, .department), (.department, .unit): true
        default: false
        }
    }

    /// Digits of the sequence number a child of this kind adds to its parent's code.
    public var codeSequenceWidth: Int {
        switch self {
        case .office: 2
        case .department: 3
        case .unit: 4
        }
    }
}

/// 单位编号: an org's code begins with its parent's (and so its tenant's division
/// code) and adds a sequence number that is never reused, e.g. 410104 (管城回族区),
/// 410104001 (管城区教育局), 4101040010001 (逸夫小学).
public enum OrgCode {
    /// The code of the `sequence`-th child of `kind` under `parentCode`.
    public static func child(of parentCode: String, kind: OrgKind, sequence: Int) throws(ZhichengError) -> String {
        let width = kind.codeSequenceWidth
        let limit = Int(String(repeating: "9", count: width))!
        guard (1...limit).contains(sequence) else {
            throw .conflict("\(parentCode) 下已没有可用的\(kind.label)编号（最多 \(limit) 个）")
        }
        let digits = String(sequence)
        return parentCode + String(repeating: "0", count: width - digits.count) + digits
    }

    /// A 单位编号 as a person types it, for the org `role` names (调入单位, 新上级机构): full-width
    /// digits read, blanks around it dropped; digits only (a code is the division code and
    /// sequence numbers). The admin's login is the code, which the message reminds of.
    public static func typed(_ raw: String, of role: String, field: String) throws(ZhichengError) -> String {
        let code = raw.foldingFullWidth().trimmingInvisibles()
        guard !code.isEmpty else { throw .invalid("请填写\(role)的单位编号", field: field) }
        guard code.count <= 40, code.allSatisfy({ $0.isASCII && $0.isNumber }) else {
            throw .invalid("单位编号只含数字（\(role)的管理员登录名即其单位编号）", field: field)
        }
        return code
    }

    /// A district office under a city office takes the district's own division code
    /// (e.g. 410104 under 4101) when the parent is a city and the name matches a district.
    public static func districtCode(under parentCode: String, named name: String) -> String? {
        guard parentCode.count == 4 else { return nil }
        let parentFull = parentCode + "00"
        // 管城回族区 is also written 管城区.
        return Division.henan.first { division in
            division.parent == parentFull && (name.hasPrefix(division.name) || name.hasPrefix(division.name.replacing("回族", with: "")))
        }?.code
    }
}

/// How deep an org tree may grow. The root office is level 1; 市职改办 → 区职改办 → 主管部门 →
/// its departments → 单位 use five. Each level adds digits to the codes (which are the
/// admins' logins) and a level to every page and answer that draws the tree: a tree grown by
/// script to thousands of levels would make them recursions without end.
public enum OrgTree {
    public static let maxLevels = 10

    /// Refuses placing a subtree `height` levels tall (1: a single org) under a parent at
    /// `parentLevel` when its lowest org would be deeper than `maxLevels`.
    public static func requireRoom(parentLevel: Int, height: Int = 1, field: String) throws(ZhichengError) {
        guard parentLevel + height <= maxLevels else {
            throw .invalid("组织机构最多\(maxLevels)级，放在这里将有\(parentLevel + height)级", field: field)
        }
    }
}
