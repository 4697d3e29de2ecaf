import Foundation
import Hummingbird
import ZhichengApp
import ZhichengCore
import ZhichengStorage

/// 单位信息维护 (manual §2): the unit's form, certificate upload with preview, submit;
/// and the parent's read-only view while reviewing.
extension UI {
    static let choices: [String: [String]] = [
        "affiliation_level": UnitProfile.affiliationLevels,
        "nature": ["全额拨款事业单位", "差额拨款事业单位", "自收自支事业单位", "机关", "企业", "社会团体", "其他"],
        "economic_type": ["国有全资", "集体全资", "股份合作", "国有控股", "私营", "外商投资", "港澳台投资", "其他"],
    ]

    func profilePage(_ user: SignedIn, _ context: TenantRequestContext, orgID: Int, flash: Flash, status: HTTPResponse.Status = .ok, draft: UnitProfile? = nil) async throws -> Response {
        let org = try await services.orgs.profile(of: orgID, caller: user)
        let own = orgID == user.orgID
        let editable = own && user.kind == .orgAdmin && org.profileState != .submitted
        if draft != nil { Self.refilled() }
        let values = draft ?? org.profile
        // 所属地市(或省直) not filled in yet starts with the city and the district of the org's code
        // (in the form only: nothing is stored until the unit saves it; a refused form keeps what was typed).
        let suggestedCity = editable && draft == nil && org.profile.city.isEmpty
            ? try await services.orgs.suggestedCity(of: orgID, in: context.tenant.divisionCode, caller: user) : nil
        let fields: [[String: Any]] = UnitProfile.fields.map { field in
            var value = values[field.key]
            if field.key == "name", value.isEmpty { value = org.name }
            if field.key == "city", value.isEmpty, let suggestedCity { value = suggestedCity }
            var entry: [String: Any] = ["key": field.key, "label": field.label, "required": field.required, "value": value]
            // 机构类别 is the org's kind, chosen by its parent (UnitProfile.placed(as:)): shown, not picked.
            if field.key == "category" {
                entry["value"] = org.kind.label
                entry["fixed"] = "由上级机构在单位管理中确定"
            } else if let options = Self.choices[field.key] {
                entry["choices"] = ["options": options.map { ["value": $0, "selected": $0 == value] }]
            }
            return entry
        }
        let data: [String: Any] = [
            "fields": fields, "state": org.profileState.rawValue, "state_label": org.profileState.label, "code": org.code,
            "reject_reason": org.profileState == .rejected ? (org.rejectReason ?? "") as Any : false, "editable": editable,
            // Approved info is corrected in place and stays approved (OrgService.saveProfile):
            // nothing to submit, and the save is not a draft. The root office submits to nobody.
            "approved": org.profileState == .approved, "submittable": org.parentID != nil && org.profileState != .approved,
            "has_certificate": org.certificateFileID != nil, "org_id": org.id, "version": org.certificateFileID ?? 0,
            // A parent's admin who opened a sub-unit's submitted info decides on it here too.
            "own": own, "parent_id": org.parentID ?? user.orgID,
            "reviewable": !own && user.kind == .orgAdmin && org.profileState == .submitted && org.parentID == user.orgID,
        ]
        let ownOrg = own ? org : try await ownOrg(user)
        return try render("单位信息维护", "profile", data, user: user, context, flash: flash, status: status, navCurrent: "profile",
                          orgName: ownOrg.name, unapproved: isUnapproved(ownOrg))
    }

    /// What the 单位信息 form's button asks (`then`), checked before anything is saved.
    enum ProfileFormAction {
        case save, submit
        case certificate([UInt8])

        init(_ form: FormData) throws(ZhichengError) {
            switch form["then"] {
            case "", "save": self = .save
            case "submit": self = .submit
            case "certificate":
                guard let bytes = form.file, !bytes.isEmpty else { throw .invalid("请选择要上传的证件图片", field: "certificate") }
                self = .certificate(bytes)
            default: throw .notFound("没有这个操作")
            }
        }
    }

    func profileAction(_ request: Request, _ context: TenantRequestContext) async throws -> Response {
        guard let (user, form) = try await form(request, context, upload: services.orgs.maxUploadBytes) else {
            return toSignIn(request, context)
        }
        var draft: UnitProfile?
        let flash: Flash
        do {
            // The page is one form: whatever its button, the fields typed are saved first
            // (when they differ from what is stored), so that an upload or a submission never
            // loses them; a refusal shows them again as typed. What the button asks is checked
            // first: a request that cannot be done saves nothing.
            if UnitProfile.fields.contains(where: { form.optional($0.key) != nil }) {
                var profile = UnitProfile()
                for field in UnitProfile.fields { profile[field.key] = form[field.key] }
                draft = profile
            }
            let then = try ProfileFormAction(form)
            if let profile = draft {
                if try await services.orgs.profile(of: user.orgID, caller: user).profile != profile {
                    _ = try await services.orgs.saveProfile(of: user.orgID, profile, caller: user)
                }
            }
            switch then {
            case .save:
                flash = .ok("单位信息已保存")
            case .certificate(let bytes):
                try await services.orgs.upload(.certificate, of: user.orgID, bytes: bytes, caller: user)
                flash = .ok("证件图片已上传")
            case .submit:
                _ = try await services.orgs.submitProfile(of: user.orgID, caller: user)
                flash = .ok("单位信息已提交，等待上级单位审核")
            }
        } catch let error as ZhichengError {
            return try await profilePage(user, context, orgID: user.orgID, flash: .error(error.shown(request)), status: error.status, draft: draft)
        }
        return try await done("profile", flash, context) { try await profilePage(user, context, orgID: user.orgID, flash: flash) }
    }
}
