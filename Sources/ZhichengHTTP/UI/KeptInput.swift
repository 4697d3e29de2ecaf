import Foundation
import Hummingbird
import ZhichengCore

/// What a form post that could not be taken (the session had ended, or the page came from an
/// earlier session) carried that a person typed: shown back on the answer for copying, so an
/// applicant who wrote 业绩成果 for an hour and was signed out meanwhile loses nothing.
///
/// Only text typed by hand is kept: the form's own fields (`_csrf`, `_confirmed`, the section
/// digests `orig:…`, `then`, `version`), passwords, choices made with a click and empty
/// fields are left out. Files are never kept (they are still on the person's disk).
enum KeptInput {
    struct Field: Equatable {
        var label: String
        var value: String
    }

    /// Fields set by a click (radio buttons, boxes, lists): quicker to set again than to copy.
    static let choices: Set<String> = [
        "decision", "kind", "state", "stage", "rule", "result", "vote", "roles", "sections", "levels", "series", "level",
        "org", "parent_id", "applicant", "below", "category", "affiliation_level", "nature", "economic_type", "expert", "items", "open", "application", "applications", "committee",
    ]

    /// Labels of the free-text fields the UI's forms use; the 单位信息 fields (phone, email …)
    /// by `UnitProfile.fields`, as that page names them; others by their name.
    static let labels: [String: String] = [
        "unit_code": "调入单位编号", "parent_code": "新上级机构的单位编号",
        "name": "名称", "comment": "意见", "reason": "原因", "title": "职称", "specialty": "专业", "relations": "回避关系",
        "place": "地点", "time": "时间", "login": "登录名", "id_number": "身份证号",
        "year": "年度", "count": "抽取人数", "reserves": "备选人数", "seed": "随机种子", "score": "评分", "text": "异议内容",
        "date": "日期", "panel_size": "评审专家人数", "evidence": "证据", "note": "说明",
    ]

    /// Labels of the UI forms' other fields (choices, hidden fields, passwords), for a message
    /// that must name one (`FormData`: a field that is not UTF-8).
    static let otherLabels: [String: String] = [
        "decision": "审查结果", "kind": "类别", "state": "状态", "stage": "审查环节", "rule": "评审规则", "result": "评审结果",
        "vote": "表决意见", "roles": "角色", "sections": "内容", "levels": "级别", "series": "系列", "level": "级别", "org": "机构",
        "parent_id": "上级机构", "applicant": "申报人", "below": "下级单位", "expert": "专家", "items": "申报", "open": "仅未完成",
        "application": "申报", "applications": "申报", "committee": "评委会", "then": "操作", "version": "版本", "file": "附件",
        "q": "查找", "password": "密码", "old_password": "原密码", "new_password": "新密码", "new_password2": "确认新密码",
        "_csrf": "表单校验码", "_what": "操作对象", "_back_q": "返回位置", "_back_after": "返回位置", "_back_before": "返回位置", "_confirmed": "确认",
    ]

    /// A form field's name as the screens say it: nil for a name no form of the UI has.
    static func screenLabel(_ name: String) -> String? {
        let parts = name.split(separator: ":", maxSplits: 2)
        if parts.count >= 2, ["content", "field", "years", "orig"].contains(parts[0]) {
            return ApplicationSection(rawValue: String(parts[1])) == nil ? nil : label(name)
        }
        return labels[name] ?? otherLabels[name] ?? UnitProfile.fields.first { $0.key == name }?.label
    }

    static func fields(_ form: FormData) -> [Field] {
        form.fields.keys.sorted(by: order).flatMap { name -> [Field] in
            guard !skipped(name) else { return [] }
            return (form.fields[name] ?? []).filter { value in
                // 退回原因 is a list on the decision forms (its codes), free text elsewhere.
                !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty && !(name == "reason" && ReturnReason(rawValue: value) != nil)
            }.map { Field(label: label(name), value: $0) }
        }
    }

    /// How many rows a value's text area gets (2–12).
    static func rows(_ value: String) -> Int { min(12, max(2, value.count / 60 + value.filter(\.isNewline).count + 1)) }

    static func skipped(_ name: String) -> Bool {
        name.hasPrefix("_") || name.hasPrefix("orig:") || name == "then" || name == "version" || name.contains("password") || choices.contains(name)
    }

    /// `content:<section>` is the section's text, `field:<section>:<key>` one of its fields,
    /// `years:<section>` its 从业年限 (the application page).
    static func label(_ name: String) -> String {
        let parts = name.split(separator: ":", maxSplits: 2).map(String.init)
        switch (parts.first, parts.count) {
        case ("content", 2): return parts[1]
        case ("field", 3): return "\(parts[1]) · \(parts[2])"
        case ("years", 2): return "\(parts[1]) · \(SectionFields.yearsInProfession)"
        default: return labels[name] ?? UnitProfile.fields.first { $0.key == name }?.label ?? name
        }
    }

    /// The application page's sections in the form's order, then the rest by name.
    static func order(_ a: String, _ b: String) -> Bool {
        func section(_ name: String) -> String? {
            let parts = name.split(separator: ":", maxSplits: 2)
            return parts.count >= 2 && ["content", "field", "years"].contains(parts[0]) ? String(parts[1]) : nil
        }
        switch (section(a), section(b)) {
        case let (x?, y?) where x != y: return ApplicationSection.ordered([x, y]).first == x
        case (.some, nil): return true
        case (nil, .some): return false
        default: return a < b
        }
    }
}

/// One UI post's form, as `UI.form` read it, whether the page answering its refusal put
/// the typed values back (`UI.refilled`), and the field its refusal named (`ZhichengError.shown`),
/// which that page marks (`FaultyControl`). Made and used within one request's task.
final class PostedForm: @unchecked Sendable {
    /// The path posted to: the `action` of the form whose refusal is answered. A handler that
    /// also takes a form's old address sets the one its form posts to now (`UI.committeeAction`),
    /// so that the page answering marks the control at fault in that form.
    var path: String
    var form: FormData?
    var refilled = false
    var faultyField: String?

    init(path: String) { self.path = path }
}

/// Binds a `PostedForm` for each post of the web UI (not the API's), for `UI.render`.
/// The web UI's answer to an error that no handler turned into a page (a storage error
/// under a form, a page that failed while showing a refusal): an HTML page that says what
/// happened, not the API's JSON, and for an error that is not the user's, its cause in the
/// log with the request's method and path (`ZhichengError.shown`). The API's errors are
/// left to the API's shape. A session that ended while the request ran (signed out
/// elsewhere, its password reset, the tenant restored: its transactions check it again,
/// `TenantStore.read/write(caller)`) is answered as one found ended when the request came
/// (`UI.sessionEnded(_:_:)`): what was typed, for copying, or the sign-in page.
struct UIFailureMiddleware: RouterMiddleware {
    typealias Context = TenantRequestContext
    let ui: UI

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !UI.isAPIPath(request.uri.path) else { return try await next(request, context) }
        let home = request.uri.path.split(separator: "/", maxSplits: 3).prefix(2).joined(separator: "/")
        do {
            return try await next(request, context)
        } catch let error as ZhichengError where error.code == .unauthorized {
            return try ui.sessionEnded(request, context)
        } catch let error as ZhichengError {
            return StandalonePage.error(status: error.status, title: "错误", message: error.shown(request), home: "/\(home)/home", tenantName: context.tenant.name)
        } catch let error as any HTTPResponseError {
            throw error   // a page already (UIErrorPage), or the router's own answer
        } catch {
            let failure = ZhichengError(.internal, "\(error)")
            return StandalonePage.error(status: failure.status, title: "错误", message: failure.shown(request), home: "/\(home)/home", tenantName: context.tenant.name)
        }
    }
}

struct PostedFormMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method == .post, !UI.isAPIPath(request.uri.path) else { return try await next(request, context) }
        return try await UI.$posted.withValue(PostedForm(path: request.uri.path)) { try await next(request, context) }
    }
}
