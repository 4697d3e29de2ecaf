/// 单位信息 as the unit maintains it (manual §2). Empty strings mean "not filled in".
public struct UnitProfile: Sendable, Equatable, Codable {
    public var name = ""
    /// 机构类别
    public var category = ""
    /// 所属地市(或省直), e.g. 郑州市 管城回族区 (`suggestedCity` for a form not filled in yet)
    public var city = ""
    /// 机构隶属: 省, 市 or 县区
    public var affiliationLevel = ""
    /// 所属行业
    public var industry = ""
    /// 单位性质
    public var nature = ""
    /// 经济类型
    public var economicType = ""
    /// 组织机构代码 (GB 11714)
    public var orgCode = ""
    /// 统一社会信用代码 (GB 32100)
    public var creditCode = ""
    /// 联系人
    public var contact = ""
    public var phone = ""
    public var address = ""
    public var postcode = ""
    public var fax = ""
    public var email = ""

    public init() {}

    /// The JSON/form field names, in the manual's order, with their Chinese labels.
    public static let fields: [(key: String, label: String, required: Bool)] = [
        ("name", "机构名称", true), ("category", "机构类别", true), ("city", "所属地市(或省直)", true),
        ("affiliation_level", "机构隶属", true), ("industry", "所属行业", true), ("nature", "单位性质", true),
        ("economic_type", "经济类型", true), ("org_code", "组织机构代码", false), ("credit_code", "统一社会信用代码", true),
        ("contact", "联系人", true), ("phone", "联系电话", true), ("address", "通讯地址", true),
        ("postcode", "邮政编码", true), ("fax", "传真", false), ("email", "电子邮箱", false),
    ]

    public static let affiliationLevels = ["省", "市", "县区"]

    /// What 所属地市(或省直) starts with in the form of an org that has not filled it in: the name
    /// of the tenant's city (or 省直), and after it the district (区, 县, 县级市) of that city the org's
    /// code falls in, as the manual's sample reads (`郑州市 管城回族区`); nil in the province's
    /// tenant, which is no city.
    ///
    /// A district's office takes the district's own division code under its city's office
    /// (`410104` under `4101`, `OrgCode.districtCode`), and every org created below it has a code
    /// that begins with it (`410104001`, `4101040010001`). The code alone does not say so: a
    /// department created directly under the city office as its 21st is `4101021`, which begins
    /// with `410102` (中原区) too. So the district is the one whose code is the code of the org itself
    /// or of one of its ancestors (`ancestorCodes`) and begins the org's code. An org moved out
    /// of the district its code was given in (its code stays) is told its city alone.
    public static func suggestedCity(tenant: DivisionCode, code: String, ancestorCodes: [String]) -> String? {
        guard tenant.isCity else { return nil }
        let district = ([code] + ancestorCodes).lazy
            .compactMap { c in Division.henan.first { $0.code == c && $0.parent == tenant.full } }
            .first { code.hasPrefix($0.code) }
        return district.map { "\(tenant.name) \($0.name)" } ?? tenant.name
    }

    public subscript(key: String) -> String {
        get {
            switch key {
            case "name": name
            case "category": category
            case "city": city
            case "affiliation_level": affiliationLevel
            case "industry": industry
            case "nature": nature
            case "economic_type": economicType
            case "org_code": orgCode
            case "credit_code": creditCode
            case "contact": contact
            case "phone": phone
            case "address": address
            case "postcode": postcode
            case "fax": fax
            case "email": email
            default: ""
            }
        }
        set {
            switch key {
            case "name": name = newValue
            case "category": category = newValue
            case "city": city = newValue
            case "affiliation_level": affiliationLevel = newValue
            case "industry": industry = newValue
            case "nature": nature = newValue
            case "economic_type": economicType = newValue
            case "org_code": orgCode = newValue
            case "credit_code": creditCode = newValue
            case "contact": contact = newValue
            case "phone": phone = newValue
            case "address": address = newValue
            case "postcode": postcode = newValue
            case "fax": fax = newValue
            case "email": email = newValue
            default: break
            }
        }
    }

    /// Checks every filled-in field (`FreeText`, one line of at most 200 characters) and
    /// normalizes it (trims, upper-cases codes).
    /// With `complete`, every required field must be filled in too (for 提交).
    public func validated(complete: Bool) throws(ZhichengError) -> UnitProfile {
        var out = UnitProfile()
        for (key, label, required) in Self.fields {
            // Each a line of free text first (trimmed; no control, format or bidi character),
            // then read as what it is.
            let value = try FreeText(field: key, label: label, maxCharacters: 200, lines: .single).validate(self[key])
            if value.isEmpty {
                if complete && required { throw .invalid("请填写\(label)", field: key) }
                continue
            }
            switch key {
            // The org's name, as every other door that names an org checks it.
            case "name": out[key] = try TenantInfo.validateName(value, field: key)
            case "credit_code": out[key] = try CreditCode(value, field: key).rawValue
            case "org_code": out[key] = try OrganizationCode(value, field: key).description
            case "phone": out[key] = try ContactValidation.phone(value, field: key)
            case "fax": out[key] = try ContactValidation.phone(value, field: key)
            case "postcode": out[key] = try ContactValidation.postcode(value, field: key)
            case "email": out[key] = try ContactValidation.email(value, field: key)
            case "affiliation_level":
                guard Self.affiliationLevels.contains(value) else { throw .invalid("机构隶属应为 省、市 或 县区", field: key) }
                out[key] = value
            default: out[key] = value
            }
        }
        if !out.creditCode.isEmpty, !out.orgCode.isEmpty,
           out.orgCode.replacingHyphen() != (try CreditCode(out.creditCode)).organizationCode {
            throw .invalid("组织机构代码与统一社会信用代码第9至17位不一致", field: "org_code")
        }
        return out
    }
}

extension UnitProfile {
    /// 机构类别 is the org's place in the tree, which its parent chose in 单位管理 (单位,
    /// 主管单位 or 职改办), not the unit's to pick: an empty one takes the kind's label, the
    /// same one is kept, any other is refused and nothing is saved.
    public func placed(as kind: OrgKind) throws(ZhichengError) -> UnitProfile {
        var out = self
        if out.category.isEmpty { out.category = kind.label }
        guard out.category == kind.label else {
            throw .invalid("机构类别由上级机构在单位管理中确定：本机构为“\(kind.label)”，不能改为“\(out.category)”", field: "category")
        }
        return out
    }
}

extension String {
    func replacingHyphen() -> String { String(filter { $0 != "-" }) }
}

/// Where a unit's info stands in 审核 (review by the parent).
public enum ProfileState: String, Sendable, Codable {
    case draft, submitted, approved, rejected

    public var label: String {
        switch self {
        case .draft: "未提交"
        case .submitted: "未审核"
        case .approved: "已审核"
        case .rejected: "已退回"
        }
    }
}
