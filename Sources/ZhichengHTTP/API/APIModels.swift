import Foundation
import ZhichengApp
import ZhichengCore
import ZhichengStorage

// Wire shapes of the JSON API (snake_case on the wire).

struct OrgDTO: Encodable {
    var id: Int
    var parentId: Int?
    var code: String
    var name: String
    var kind: String
    var kindLabel: String
    var profileState: String
    var profileStateLabel: String

    init(_ org: OrgRecord) {
        id = org.id
        parentId = org.parentID
        code = org.code
        name = org.name
        kind = org.kind.rawValue
        kindLabel = org.kind.label
        profileState = org.profileState.rawValue
        profileStateLabel = org.profileState.label
    }

    private enum CodingKeys: String, CodingKey { case id, parentId, code, name, kind, kindLabel, profileState, profileStateLabel }

    /// Every key of SPEC §5.1's org, `parent_id` as `null` for the root office (the
    /// synthesized encoder would leave it out).
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(parentId, forKey: .parentId)
        try c.encode(code, forKey: .code)
        try c.encode(name, forKey: .name)
        try c.encode(kind, forKey: .kind)
        try c.encode(kindLabel, forKey: .kindLabel)
        try c.encode(profileState, forKey: .profileState)
        try c.encode(profileStateLabel, forKey: .profileStateLabel)
    }
}

struct AccountDTO: Encodable {
    struct Permissions: Encodable { var series: [String]; var sections: [String] }
    var id: Int
    var login: String
    var name: String
    var orgId: Int
    var kind: String
    var roles: [String]
    var mustChangePassword: Bool
    var enabled: Bool
    var phone: String
    var email: String
    var permissions: Permissions

    init(_ a: AccountRecord) {
        id = a.id
        login = a.login
        name = a.name
        orgId = a.orgID
        kind = a.kind.rawValue
        roles = a.roles.map(\.rawValue)
        mustChangePassword = a.mustChangePassword
        enabled = a.enabled
        phone = a.phone
        email = a.email
        permissions = Permissions(series: a.permittedSeries, sections: a.permittedSections)
    }
}

struct SignedInDTO: Encodable {
    var id: Int
    var login: String
    var name: String
    var orgId: Int
    var kind: String
    var roles: [String]
    var mustChangePassword: Bool

    init(_ s: SignedIn) {
        id = s.accountID
        login = s.login
        name = s.name
        orgId = s.orgID
        kind = s.kind.rawValue
        roles = s.roles.map(\.rawValue)
        mustChangePassword = s.mustChangePassword
    }
}

/// A row of `GET orgs/<id>/children`: the org's own keys (SPEC §5.1: `{id, parent_id,
/// code, name, kind, profile_state}`) at the top level, then what 单位管理 lists beside
/// them.
/// `GET orgs/<id>/children?limit=`: one page of the children in code order, how many there are,
/// and the `after` of the next page (the last child's 单位编号), absent on the last page.
struct ChildrenPageDTO: Encodable {
    var orgs: [SubOrgDTO]
    var total: Int
    var next: String?
}

struct SubOrgDTO: Encodable {
    struct Admin: Encodable { var id: Int; var login: String; var name: String; var phone: String; var email: String }
    var org: OrgDTO
    var affiliationLevel: String
    var category: String
    var industry: String
    var nature: String
    var hasCertificate: Bool
    var admin: Admin?

    init(_ row: SubOrgRow) {
        org = OrgDTO(row.org)
        affiliationLevel = row.org.profile.affiliationLevel
        category = row.org.profile.category.isEmpty ? row.org.kind.label : row.org.profile.category
        industry = row.org.profile.industry
        nature = row.org.profile.nature
        hasCertificate = row.org.certificateFileID != nil
        admin = row.admin.map { Admin(id: $0.id, login: $0.login, name: $0.name, phone: $0.phone, email: $0.email) }
    }

    private enum CodingKeys: String, CodingKey { case affiliationLevel, category, industry, nature, hasCertificate, admin }

    func encode(to encoder: any Encoder) throws {
        try org.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(affiliationLevel, forKey: .affiliationLevel)
        try c.encode(category, forKey: .category)
        try c.encode(industry, forKey: .industry)
        try c.encode(nature, forKey: .nature)
        try c.encode(hasCertificate, forKey: .hasCertificate)
        try c.encode(admin, forKey: .admin)
    }
}

struct ProfileDTO: Encodable {
    var orgId: Int
    var code: String
    var fields: [String: String]
    var state: String
    var stateLabel: String
    var rejectReason: String?
    var hasCertificate: Bool

    init(_ org: OrgRecord) {
        orgId = org.id
        code = org.code
        var fields: [String: String] = [:]
        for (key, _, _) in UnitProfile.fields { fields[key] = org.profile[key] }
        if fields["name"]?.isEmpty ?? true { fields["name"] = org.name }
        self.fields = fields
        state = org.profileState.rawValue
        stateLabel = org.profileState.label
        rejectReason = org.rejectReason
        hasCertificate = org.certificateFileID != nil
    }

    func encode(to encoder: any Encoder) throws {
        // Profile fields sit at the top level next to the state, as SPEC §5.1 lists them.
        var container = encoder.container(keyedBy: DynamicKey.self)
        for (key, value) in fields { try container.encode(value, forKey: DynamicKey(key)) }
        try container.encode(orgId, forKey: DynamicKey("org_id"))
        try container.encode(code, forKey: DynamicKey("code"))
        try container.encode(state, forKey: DynamicKey("state"))
        try container.encode(stateLabel, forKey: DynamicKey("state_label"))
        try container.encode(rejectReason, forKey: DynamicKey("reject_reason"))
        try container.encode(hasCertificate, forKey: DynamicKey("has_certificate"))
    }
}

struct DynamicKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

struct AuditDTO: Encodable {
    var seq: Int
    var at: String
    var actor: String
    var orgId: Int?
    var action: String
    var target: String
    var detail: String
    var source: String

    init(_ r: AuditRow) {
        seq = r.seq
        at = WireTime.iso8601(r.entry.at)
        actor = r.entry.actor
        orgId = r.entry.orgID
        action = r.entry.action
        target = r.entry.target
        detail = r.entry.detail
        source = r.entry.source
    }
}

// Request bodies.

struct SignInBody: Decodable { var login: String; var password: String }
struct PasswordBody: Decodable { var oldPassword: String; var newPassword: String }
struct NewOrgBody: Decodable { var name: String; var kind: String }
struct OrgPatchBody: Decodable { var name: String?; var parentId: Int? }
struct ReviewBody: Decodable { var decision: String; var reason: String? }
struct AdminPatchBody: Decodable { var name: String?; var phone: String?; var email: String? }
struct NewStaffBody: Decodable { var login: String; var name: String; var phone: String? }
struct PersonPatchBody: Decodable { var name: String?; var phone: String? }
struct RolesBody: Decodable { var roles: [String] }
struct PermissionsBody: Decodable { var series: [String]; var sections: [String] }
struct NewApplicantBody: Decodable { var idNumber: String; var name: String; var phone: String? }
struct MoveApplicantBody: Decodable { var unitCode: String }

/// The profile body: any of the manual's fields, each a string.
struct ProfileBody: Decodable {
    var profile = UnitProfile()

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: DynamicKey.self)
        let known = Set(UnitProfile.fields.map(\.key))
        for key in container.allKeys {
            // Keys arrive converted from snake_case; compare in snake_case.
            let snake = key.stringValue.reduce(into: "") { out, c in out += c.isUppercase ? "_" + c.lowercased() : String(c) }
            guard known.contains(snake) else {
                throw ZhichengError.badRequest("未知字段 \(snake)（可用：\(UnitProfile.fields.map(\.key).joined(separator: ", "))）", field: snake)
            }
            guard let value = try? container.decode(String.self, forKey: key) else {
                throw ZhichengError.badRequest("字段 \(snake) 应为字符串", field: snake)
            }
            profile[snake] = value
        }
    }
}
