import Foundation
import Hummingbird
import ZhichengApp
import ZhichengCore
import ZhichengStorage

/// 申报计划上传 (§3), the applicant portal, 经办人审查 / 负责人审查 (§8–§9) and 申报人员状态查询 (§6).
extension UI {
    static func time(_ at: Double) -> String { ChinaTime.minute(at) }

    static func lines(_ items: [PlanLine]) -> String { items.map { "\($0.series) \($0.level.rawValue) \($0.count)人" }.joined(separator: "；") }

    /// An approved plan's lines with the places taken: "中小学教师 中级 3人（已提交 1，余 2）".
    static func lines(_ plan: PlanRecord) -> String {
        guard plan.state == .approved else { return lines(plan.items) }
        return zip(plan.items, plan.used).map { "\($0.series) \($0.level.rawValue) \($0.count)人（已提交 \($1)，余 \(max(0, $0.count - $1))）" }.joined(separator: "；")
    }

    // MARK: Plans

    /// Unit plans on one page of 申报计划上传's 各单位申报计划.
    static let unitsPageSize = 100

    /// One line of the plan form as typed: series, level, count.
    typealias PlanFormLine = (series: String, level: String, count: String)

    /// Where the city office stands on 申报计划上传: 各单位申报计划's 年度 (nil: every year) and
    /// page (`after`), and the page of 待审核的申报计划 (`pending_after`); each list's links keep
    /// the other's place, and a 审核 posted from the page comes back to it.
    struct PlansView {
        var year: Int? = CalendarDate.currentYear()
        var after: PlanOverview.Position?
        var pendingAfter: PlanOverview.Position?

        /// The view's query, for a link or a redirect: the year always (`year=` is every year).
        var query: [String?] {
            ["year=" + (year.map(String.init) ?? ""), after.map { "after=" + $0.text }, pendingAfter.map { "pending_after=" + $0.text }]
        }

        /// The view a 审核 form was posted from (`_back_year`, `_back_after`, `_back_pending`, the
        /// page's own hidden fields): what is not readable there is the page's default.
        init(posted form: FormData) {
            if let year = form.optional("_back_year") { self.year = Int(year) }
            after = form.optional("_back_after").flatMap { PlanOverview.Position($0) }
            pendingAfter = form.optional("_back_pending").flatMap { PlanOverview.Position($0) }
        }

        init(year: Int? = CalendarDate.currentYear(), after: PlanOverview.Position? = nil, pendingAfter: PlanOverview.Position? = nil) {
            (self.year, self.after, self.pendingAfter) = (year, after, pendingAfter)
        }
    }

    /// 申报计划上传. The entry form holds `entered` (what was just posted, after a refusal)
    /// or else the lines of the newest plan still editable (a draft, or one the city sent
    /// back), and three empty lines more: saving replaces the year's editable plan, so a
    /// long plan is entered a few lines at a time.
    /// 申报计划上传: the caller's own plans and the form for this year's; for the city
    /// office also the plans waiting for its review, in the order they were submitted, and
    /// every unit's plans (of `view.year`, by default the current 年度 the form offers, or of
    /// every year when nil), with the places taken, each `unitsPageSize` a page (下一页 from
    /// the last plan shown, 第一页 back).
    func plansPage(_ user: SignedIn, _ context: TenantRequestContext, flash: Flash, status: HTTPResponse.Status = .ok,
                   entered: (year: String, lines: [PlanFormLine])? = nil, view: PlansView = PlansView()) async throws -> Response {
        let org = try await ownOrg(user)
        let plans = try await services.plans.plans(of: user.orgID, caller: user)
        let office = org.parentID == nil
        var view = view
        let waiting = office ? try await services.plans.waitingCount(caller: user) : 0
        var pending = office ? try await services.plans.overview(caller: user, state: .submitted, limit: Self.unitsPageSize, after: view.pendingAfter) : nil
        if view.pendingAfter != nil, pending?.plans.isEmpty == true, waiting > 0 {   // reviewed to its end: the plans still waiting, from the first
            view.pendingAfter = nil
            pending = try await services.plans.overview(caller: user, state: .submitted, limit: Self.unitsPageSize, after: nil)
        }
        let page = office ? try await services.plans.overview(caller: user, year: view.year, limit: Self.unitsPageSize, after: view.after) : nil
        let units = page?.plans ?? []
        // Each list's links keep the filter's year and the other list's page.
        func plansLink(_ moved: PlansView) -> String { link("plans", moved.query, context) }
        var unitsFirst = view, unitsNext = view, pendingFirst = view, pendingNext = view
        unitsFirst.after = nil
        unitsNext.after = page?.next
        pendingFirst.pendingAfter = nil
        pendingNext.pendingAfter = pending?.next
        let editable = plans.filter(\.isEditable).max { $0.year < $1.year }
        if entered != nil { Self.refilled() }
        let filled = entered?.lines ?? editable?.items.map { ($0.series, $0.level.rawValue, String($0.count)) } ?? []
        let lines = filled + Array(repeating: ("", "", ""), count: max(3, 4 - filled.count))
        let data: [String: Any] = [
            "year": entered?.year ?? editable.map { String($0.year) } ?? String(CalendarDate.currentYear()),
            "rows": lines.enumerated().map { index, line -> [String: Any] in
                ["series": TitleCatalog.henan.series.map { ["name": $0.name, "selected": $0.name == line.series] },
                 "levels": TitleLevel.allCases.map { ["name": $0.rawValue, "selected": $0.rawValue == line.level] }, "count": line.count,
                 "n": index + 1]   // the line's number, which a refusal names (第2行：…) and each control's label says
            },
            "plans": plans.map { p -> [String: Any] in
                ["id": p.id, "year": p.year, "lines": Self.lines(p), "state_label": p.state.label, "reject_reason": p.state == .rejected ? (p.rejectReason ?? "") as Any : false,
                 "has_document": p.hasDocument, "editable": p.isEditable]
            },
            "pending_shown": waiting > 0 || view.pendingAfter != nil, "pending_count": waiting,
            "pending": (pending?.plans ?? []).map { ["id": $0.plan.id, "org_name": $0.orgName, "year": $0.plan.year, "lines": Self.lines($0.plan.items)] },
            "pending_first": view.pendingAfter == nil ? false as Any : plansLink(pendingFirst),
            "pending_next": pending?.next == nil ? false as Any : plansLink(pendingNext),
            // A 审核 form comes back to this view.
            "back_year": view.year.map(String.init) ?? "", "back_after": view.after?.text ?? "", "back_pending": view.pendingAfter?.text ?? "",
            "office": office, "filter_year": view.year.map(String.init) ?? "",
            "units_first": view.after == nil ? false as Any : plansLink(unitsFirst),
            "units_next": page?.next == nil ? false as Any : plansLink(unitsNext),
            "units": units.map { u -> [String: Any] in
                ["id": u.plan.id, "org_name": u.orgName, "year": u.plan.year, "lines": Self.lines(u.plan), "state_label": u.plan.state.label,
                 "reject_reason": u.plan.state == .rejected ? (u.plan.rejectReason ?? "") as Any : false, "has_document": u.plan.hasDocument,
                 // The office may send an approved plan back for adjustment (`PlanService.review`).
                 "reopenable": u.plan.state == .approved]
            },
        ]
        return try render("申报计划上传", "plans", data, user: user, context, flash: flash, status: status, navCurrent: "plans", orgName: org.name)
    }

    func planAction(_ action: String, _ request: Request, _ context: TenantRequestContext) async throws -> Response {
        guard let (user, form) = try await form(request, context, upload: services.plans.maxDocumentBytes) else { return toSignIn(request, context) }
        let flash: Flash
        do {
            switch action {
            case "save":
                let year = try form.year()
                let series = form.all("series"), levels = form.all("level"), counts = form.all("count")
                var items: [PlanLine] = []
                for index in series.indices {
                    // A line left wholly blank is no line; one with a number but no series is refused, not dropped.
                    let typedCount = index < counts.count ? counts[index].trimmingCharacters(in: .whitespaces) : ""
                    if series[index].isEmpty && typedCount.isEmpty { continue }
                    guard !series[index].isEmpty else { throw ZhichengError.invalid("第\(index + 1)行：请选择系列", field: "items") }
                    guard index < levels.count, let level = TitleLevel(rawValue: levels[index]) else { throw ZhichengError.invalid("第\(index + 1)行：请选择级别", field: "items") }
                    guard let count = Int(typedCount) else {
                        throw ZhichengError.invalid(typedCount.isEmpty ? "第\(index + 1)行：请填写人数" : "第\(index + 1)行：人数应为整数", field: "items")
                    }
                    items.append(PlanLine(series: series[index], level: level, count: count))
                }
                let plan = try await services.plans.save(orgID: user.orgID, year: year, items: items, caller: user)
                flash = .ok("已保存\(plan.year)年度申报计划，请上传附件后提交审核")
            case "document":
                guard let bytes = form.file, !bytes.isEmpty else { throw ZhichengError.invalid("请选择附件", field: "file") }
                _ = try await services.plans.attachDocument(planID: try id(context), name: "申报计划", bytes: bytes, caller: user)
                flash = .ok("附件已上传")
            case "submit":
                _ = try await services.plans.submit(planID: try id(context), caller: user)
                flash = .ok("申报计划已提交，等待市职改办审核")
            case "review":
                let plan = try await services.plans.review(planID: try id(context), approve: try Approval(parsing: form["decision"]) == .approve, reason: form.optional("reason"), caller: user)
                flash = .ok(plan.state == .approved ? "已审核通过该申报计划" : "已退回该申报计划，单位调整后重新提交审核")
            default:
                throw ZhichengError.notFound("没有这个操作")
            }
        } catch let error as ZhichengError {
            // A refused plan comes back as it was typed.
            let series = form.all("series"), levels = form.all("level"), counts = form.all("count")
            let typed = action == "save"
                ? (year: form["year"], lines: series.indices.filter { !series[$0].isEmpty || (counts.indices.contains($0) && !counts[$0].isEmpty) }
                    .map { (series[$0], levels.indices.contains($0) ? levels[$0] : "", counts.indices.contains($0) ? counts[$0] : "") }) : nil
            return try await plansPage(user, context, flash: .error(error.shown(request)), status: error.status, entered: typed,
                                       view: action == "review" ? PlansView(posted: form) : PlansView())
        }
        // A 审核 comes back to the page of the list it was made on (the plan reviewed leaves it).
        if action == "review" {
            let view = PlansView(posted: form)
            return try await done("plans?" + view.query.compactMap { $0 }.joined(separator: "&"), flash, context) {
                try await plansPage(user, context, flash: flash, view: view)
            }
        }
        return try await done("plans", flash, context) { try await plansPage(user, context, flash: flash) }
    }

    // MARK: Applicant portal

    /// 我的申报. `entered`: the fields of a new application just refused, shown again in the
    /// form they came from (`kind` title or expert).
    func applicationsPage(_ user: SignedIn, _ context: TenantRequestContext, flash: Flash, status: HTTPResponse.Status = .ok,
                          entered: FormData? = nil) async throws -> Response {
        let org = try await ownOrg(user)
        let mine = try await services.applications.mine(caller: user)
        let thisYear = String(CalendarDate.currentYear())
        func form(_ kind: ApplicationKind) -> [String: Any] {
            let typed = entered.flatMap { ($0["kind"].isEmpty ? ApplicationKind.title.rawValue : $0["kind"]) == kind.rawValue ? $0 : nil }
            if typed != nil { Self.refilled() }
            return ["year": typed.map { $0["year"] } ?? thisYear, "title": typed?["title"] ?? "", "specialty": typed?["specialty"] ?? "",
                    "series": TitleCatalog.henan.series.map { ["name": $0.name, "selected": $0.name == typed?["series"]] },
                    "levels": TitleLevel.allCases.map { ["name": $0.rawValue, "selected": $0.rawValue == typed?["level"]] }]
        }
        let data: [String: Any] = [
            "title_form": form(.title), "expert_form": form(.expert),
            "titles": Array(Set(TitleCatalog.henan.series.flatMap { s in TitleLevel.allCases.flatMap { s.titles(at: $0) } })).sorted(),
            "catalog": TitleCatalog.henan.series.map { s in
                ["name": s.name, "titles": TitleLevel.allCases.compactMap { level in
                    let t = s.titles(at: level)
                    return t.isEmpty ? nil : "\(level.rawValue)：\(t.joined(separator: "/"))"
                }.joined(separator: "；")]
            },
            "items": mine.map { ["id": $0.id, "kind": ApplicationKind(rawValue: $0.kind)?.label ?? $0.kind, "year": $0.year, "series": $0.series, "level": $0.level.rawValue, "title": $0.title, "state_label": $0.progressLabel] },
        ]
        return try render("我的申报", "applications", data, user: user, context, flash: flash, status: status, navCurrent: "applications/mine", orgName: org.name)
    }

    /// 申报详情. `entered`: the application form just refused, whose typed sections are shown
    /// again instead of the stored ones (nothing typed is lost to a refusal).
    func applicationPage(_ user: SignedIn, _ context: TenantRequestContext, id: Int, flash: Flash, status: HTTPResponse.Status = .ok,
                         entered: FormData? = nil) async throws -> Response {
        let org = try await ownOrg(user)
        var v = try await services.applications.get(id, caller: user)
        // What each section holds now: the form posts it back, and a save that finds the
        // section changed elsewhere since (another tab, the API) does not overwrite it unseen.
        let storedDigests = Dictionary(uniqueKeysWithValues: ApplicationSection.allCases.map {
            ($0.rawValue, ApplicationService.fingerprint(v.sections[$0.rawValue], section: $0.rawValue))
        })
        if let entered, v.chain.state.editableByApplicant {
            Self.refilled()
            for section in ApplicationSection.allCases {
                if let typed = Self.typedSection(section.rawValue, in: entered) { v.sections[section.rawValue] = typed }
            }
        }
        let trail = try await services.applications.trail(id, caller: user)
        let files = try await services.applications.attachments(id, caller: user)
        // A draft: its unit's plan place, before 提交申报 is pressed.
        let place = try await services.applications.planPlace(id, caller: user)
        let data: [String: Any] = [
            "plan_place": place.map { ["text": $0.text, "refused": $0.refusal != nil] as Any } ?? false,
            "attachments": files.map { ["id": $0.id, "name": $0.name, "size": FileSize.text($0.size)] },
            "app_id": v.id, "heading": v.heading, "year": v.year, "progress_label": v.progressLabel,
            "editable": v.chain.state.editableByApplicant,
            "can_withdraw": v.chain.withdrawable,
            // Its 评审表 once submitted (whoever may read the application may print it; a draft has no opinion to print).
            "review_form": v.submissions > 0,   // submitted once at least (a draft withdrawn never was)
            // A draft's 年度, 系列, 级别 and 职称 may be corrected (as refused, as typed).
            "heading_form": v.chain.state == .draft ? Self.headingForm(v, typed: entered.flatMap { $0.optional("title") != nil && $0.optional("content:基本信息") == nil ? $0 : nil }) as Any : false,
            "returned": v.chain.state == .returned
                ? ["reason_label": v.returnReason?.label ?? "", "sections": v.returnSections.joined(separator: "、"), "comment": v.returnComment ?? ""] as Any : false,
            "sections": v.applicationKind.sections.map { section -> [String: Any] in
                let standard = section.standardFields
                let own = Set(standard.map(\.name) + [SectionFields.text, SectionFields.yearsInProfession])
                return ["name": section.rawValue, "heading": section.formHeading, "guidance": section.guidance,
                 "content": v.sections[section.rawValue]?[SectionFields.text] ?? "", "orig": storedDigests[section.rawValue] ?? "",
                 "text": SectionText.text(v.sections[section.rawValue] ?? [:], section: section.rawValue),
                 // The section's standard fields (性别, 出生年月 …), each with a control of its kind; 内容 is then what else there is to say.
                 "standard": standard.map { Self.standardControl($0, section: section.rawValue, value: v.sections[section.rawValue]?[$0.name] ?? "") },
                 "has_standard": !standard.isEmpty, "content_label": standard.isEmpty ? section.formHeading : "\(section.formHeading)：其他说明",
                 // Fields other than those (and 从业年限, below: SectionFields.text, .yearsInProfession) were saved through the API: each gets its own input.
                 "fields": (v.sections[section.rawValue] ?? [:]).filter { !own.contains($0.key) }.sorted { $0.key < $1.key }
                    // A field of several lines in a textarea: a text input would drop its line breaks.
                    .map { ["section": section.rawValue, "key": $0.key, "value": $0.value, "lines": $0.value.contains(where: \.isNewline)] },
                 "flagged": v.returnSections.contains(section.rawValue),
                 "years_field": v.applicationKind == .expert && section == .work, "years": v.sections[section.rawValue]?[SectionFields.yearsInProfession] ?? ""]
            },
            "trail": trail.map(trailRow),
            // 审查人 where the deployment shows applicants who reviewed (the trail then names them).
            "show_reviewers": services.applications.showReviewerNamesToApplicants,
            // The committee's notice and final result, once there is one (a province's too).
            "committee": v.committeeName.map { ["name": $0, "interview": Self.interview(InterviewNotice(stored: v.interview)), "result": v.result.map { v.applicationKind.label(ofFinalResult: $0) } ?? false, "state_label": v.stateLabel,
                                               "publicity": v.publicity.map { ["label": PublicityCalendar.label(result: $0.result, until: $0.until, now: Date().timeIntervalSince1970)] as Any } ?? false] as Any } ?? false,
        ]
        return try render("申报详情：\(v.year)年度 \(v.title)", "application", data, user: user, context, flash: flash, status: status, navCurrent: "applications/mine", orgName: org.name)
    }

    /// One standard field's control on the application page, named `field:<section>:<name>` as
    /// the other named fields are: a choice as a list (请选择 first), a month as a month input, a
    /// text as a line, holding `value` as its kind keeps it (a month as `YYYY-MM`). A value the
    /// kind does not take (stored before the rule, or typed and refused) is held as it is, so that
    /// nothing is lost and a page saved untouched posts it back: in the list as a choice of its
    /// own, in a text line in place of the month input (which would empty it), in a box of
    /// several lines when it has several.
    static func standardControl(_ field: StandardField, section: String, value raw: String) -> [String: Any] {
        let kept = try? field.normalized(raw, section: section)
        let value = kept ?? raw
        var control: [String: Any] = ["section": section, "name": field.name, "value": value, "hint": field.hint,
                                      "select": false, "month": false, "line": false, "lines": false, "numeric": false]
        if value.contains(where: \.isNewline) {
            control["lines"] = true
            return control
        }
        switch field.kind {
        case .choice(let choices):
            control["select"] = ["options": choices.map { ["value": $0, "selected": $0 == value] }
                                 + (kept == nil ? [["value": raw, "selected": true]] : [])]
        case .month where kept != nil:
            control["month"] = ["min": "\(StandardField.earliestYear)-01", "max": "\(CalendarDate.currentYear() + 1)-12"]
        case .month, .text:
            control["line"] = true
        case .hours:
            control["line"] = true
            control["numeric"] = kept != nil   // a value kept from before the rule stays in a wide box
        }
        return control
    }

    /// The choices of a review decision form (decision, sections at fault, reason, comment):
    /// as they were posted when the decision was refused, so that a refused 退回修改 comes
    /// back as it was chosen, with its comment (not as 通过, ready to be sent by mistake), or
    /// fresh (通过 chosen). `sections`: what a return may name; nil for a form without returns.
    static func decisionChoices(_ entered: FormData?, _ decisions: [ReviewDecision], sections: [String]?) -> [String: Any] {
        if entered != nil { refilled() }
        let chosen = entered.map { $0["decision"] } ?? ReviewDecision.pass.rawValue
        let ticked = Set(entered?.all("sections") ?? [])
        let reason = entered?["reason"] ?? ""
        return [
            "decision_choices": decisions.map { ["value": $0.rawValue, "label": $0.label, "checked": $0.rawValue == chosen] },
            "section_choices": (sections ?? []).map { ["name": $0, "checked": ticked.contains($0)] },
            "reason_choices": ReturnReason.allCases.map { ["value": $0.rawValue, "label": $0.label, "selected": $0.rawValue == reason] },
            "comment_typed": entered?["comment"] ?? "",
        ]
    }

    /// The draft's 修改申报信息 form: its heading, or what was typed in it and refused.
    static func headingForm(_ v: ApplicationView, typed: FormData?) -> [String: Any] {
        let series = typed?["series"] ?? v.series, level = typed?["level"] ?? v.level.rawValue
        return ["year": typed?["year"] ?? String(v.year), "title": typed?["title"] ?? v.title,
                "series": TitleCatalog.henan.series.map { ["name": $0.name, "selected": $0.name == series] },
                "levels": TitleLevel.allCases.map { ["name": $0.rawValue, "selected": $0.rawValue == level] },
                "titles": Array(Set(TitleCatalog.henan.series.flatMap { s in TitleLevel.allCases.flatMap { s.titles(at: $0) } })).sorted()]
    }

    /// What the application form's button asks (`then`), checked before anything is saved.
    enum ApplicationFormAction {
        case save, submit
        case upload(name: String, bytes: [UInt8])
        case delete(attachment: Int)

        init(_ form: FormData) throws(ZhichengError) {
            switch form["then"] {
            case "", "save": self = .save
            case "submit": self = .submit
            case "upload":
                guard let bytes = form.file, !bytes.isEmpty else { throw .invalid("请选择附件", field: "file") }
                self = .upload(name: form.fileName ?? "附件", bytes: bytes)
            case let then where then.hasPrefix("delete:"):
                guard let attachment = Int(then.dropFirst("delete:".count)) else { throw .notFound("没有这个附件") }
                self = .delete(attachment: attachment)
            default:
                throw .notFound("没有这个操作")
            }
        }

        /// Whether a file chosen on the page is uploaded along (every button but 上传附件, which is
        /// the upload itself: the page's hint says each saves what the page holds).
        var takesChosenFile: Bool {
            switch self {
            case .save, .submit, .delete: true
            case .upload: false
            }
        }
    }

    /// Saves the sections typed on the application page that changed (see `typedSection`),
    /// and returns their names: `ApplicationService.saveSections`, each with the fingerprint
    /// the page showed it with (`orig:`).
    func saveTypedSections(_ id: Int, _ form: FormData, _ user: SignedIn) async throws -> [String] {
        let edits = ApplicationSection.allCases.compactMap { section in
            Self.typedSection(section.rawValue, in: form).map {
                ApplicationService.SectionEdit(section: section.rawValue, fields: $0, shown: form.optional("orig:" + section.rawValue))
            }
        }
        do {
            return try await services.applications.saveSections(id, edits, caller: user)
        } catch let error as ZhichengError {
            var marked = error
            marked.field = Self.faultyControl(error, edits, form) ?? error.field
            throw marked
        }
    }

    /// The control of the application page that a refused save's error names: its `field` is a
    /// field of a section (性别, 内容), the control is `field:<section>:<name>` (`content:<section>`,
    /// `years:<section>`) of the section whose fields the rule refuses with that very error
    /// (`SectionFields.validated` again, on each section the page posted, in the order saved).
    /// Nil when none does (a conflict, a section this kind has not).
    static func faultyControl(_ refused: ZhichengError, _ edits: [ApplicationService.SectionEdit], _ form: FormData) -> String? {
        guard refused.code == .invalid, let field = refused.field else { return nil }
        for edit in edits {
            guard let section = ApplicationSection(rawValue: edit.section) else { continue }
            do throws(ZhichengError) {
                _ = try SectionFields.validated(edit.fields, section: section)
            } catch {
                guard error == refused else { continue }
                if field == SectionFields.text { return "content:" + edit.section }
                if field == SectionFields.yearsInProfession, form.optional("years:" + edit.section) != nil { return "years:" + edit.section }
                return "field:\(edit.section):\(field)"
            }
        }
        return nil
    }

    /// A section as the application form typed it (`content:<section>`, the named fields
    /// `field:<section>:<name>`: its standard fields and those saved through the API,
    /// `years:<section>`), or nil when the form did not have that section. A standard field
    /// left empty is left out, so that clearing it on the page removes it.
    static func typedSection(_ section: String, in form: FormData) -> [String: String]? {
        guard let content = form.optional("content:" + section) else { return nil }
        var fields: [String: String] = [:]
        let prefix = "field:" + section + ":"
        for (name, values) in form.fields where name.hasPrefix(prefix) && name.count > prefix.count {
            fields[String(name.dropFirst(prefix.count))] = values.first ?? ""
        }
        for standard in ApplicationSection.standardFields(of: section) where FreeText.isBlank(fields[standard.name] ?? "") {
            fields[standard.name] = nil
        }
        if fields.isEmpty || !content.isEmpty { fields[SectionFields.text] = content }
        if let years = form.optional("years:" + section) { fields[SectionFields.yearsInProfession] = years.trimmingCharacters(in: .whitespaces) }
        return fields
    }

    /// One row of 审查记录. An automated step is named in 环节 by its title; one that could not
    /// run says so by its label alone (why, in the plugin host's words, is in the daemon's log,
    /// 操作日志 and the API's trail); the applicant's own rows are 提交申报 and 撤回申报.
    func trailRow(_ t: TrailEntry) -> [String: Any] {
        let decision = t.decisionLabel
        var comment = t.comment
        if let reason = t.reason { comment = "\(reason.label)（\(t.sections.joined(separator: "、"))）" + (comment.isEmpty ? "" : "：\(comment)") }
        let automated = t.decision.hasPrefix("auto-")
        if t.decision == "auto-failed" { comment = "" }   // its label says it all: 自动审查失败（转人工审查）
        let step = t.stage?.label ?? t.committee ?? (automated ? t.actorName ?? "自动审查" : ["submit": "提交申报", "withdraw": "撤回申报"][t.decision] ?? "")
        return ["at": Self.time(t.at), "org": t.orgName ?? "申报人", "step": step, "reviewer": t.actorName ?? "", "decision": decision, "comment": comment]
    }

    func applicationAction(_ action: String, _ request: Request, _ context: TenantRequestContext) async throws -> Response {
        // The page's sections travel with any attachment (each up to the section limit, with room for encoding).
        guard let (user, form) = try await form(request, context, upload: services.orgs.maxUploadBytes,
                                                text: 2 * ApplicationSection.allCases.count * SectionFields.maxBytes) else { return toSignIn(request, context) }
        do {
            switch action {
            case "create":
                let year = try form.year()
                let kind = form["kind"].isEmpty ? ApplicationKind.title.rawValue : form["kind"]
                let v = try await services.applications.create(kind: kind, year: year, series: form["series"], level: form["level"], title: form["title"],
                                                               specialty: form.optional("specialty"), caller: user)
                return done("applications/\(v.id)", "已创建申报，请逐项填写后提交", context)
            case "sections":
                // The whole page is one form: every button saves every section typed, then does
                // what it says (`then`): save only, upload or delete an attachment, or submit.
                // What it says is checked first: a request that cannot be done saves nothing.
                let id = try id(context)
                let then = try ApplicationFormAction(form)
                let saved = try await saveTypedSections(id, form, user)
                // A file chosen on the page goes with 保存 and 提交申报 too (their hint says every
                // button saves what the page holds): before the submission, which then includes it.
                var uploaded: String?
                // A 删除 first takes its file away (a replacement chosen at the limit of 20 then fits).
                if case .delete(let attachment) = then {
                    try await services.applications.removeAttachment(id, attachment: attachment, caller: user)
                }
                if then.takesChosenFile, let bytes = form.file, !bytes.isEmpty {
                    uploaded = try await services.applications.addAttachment(id, name: form.fileName ?? "附件", bytes: bytes,
                                                                             maxBytes: services.orgs.maxUploadBytes, caller: user).name
                }
                let alsoUploaded = uploaded.map { "；附件“\($0)”已上传" } ?? ""
                switch then {
                case .save:
                    let message = saved.isEmpty ? (uploaded == nil ? "没有需要保存的修改" : "") : "已保存：\(saved.joined(separator: "、"))"
                    return done("applications/\(id)", message.isEmpty ? "附件“\(uploaded ?? "")”已上传" : message + alsoUploaded, context)
                case .submit:
                    let v = try await services.applications.submit(id, caller: user)
                    return done("applications/\(id)", (v.chain.state == .returned ? "申报已提交，但自动审查将其退回修改，请按提示修改后再提交"
                                                                                 : "申报已提交，进入本单位经办人审查") + alsoUploaded, context)
                case .upload(let name, let bytes):
                    let added = try await services.applications.addAttachment(id, name: name, bytes: bytes, maxBytes: services.orgs.maxUploadBytes, caller: user)
                    return done("applications/\(id)", "附件“\(added.name)”已上传", context)
                case .delete:
                    return done("applications/\(id)", "附件已删除" + alsoUploaded, context)
                }
            case "withdraw":
                let id = try id(context)
                _ = try await services.applications.withdraw(id, caller: user)
                return done("applications/\(id)", "申报已撤回", context)
            case "heading":
                let id = try id(context)
                let v = try await services.applications.changeHeading(id, year: try form.year(), series: form["series"], level: form["level"], title: form["title"], caller: user)
                return done("applications/\(id)", "已修改为\(v.year)年度 \(v.series) \(v.level.rawValue) \(v.title)", context)
            default:
                throw ZhichengError.notFound("没有这个操作")
            }
        } catch let error as ZhichengError {
            if action != "create", let id = try? id(context) {
                return try await applicationPage(user, context, id: id, flash: .error(error.shown(request)), status: error.status,
                                                 entered: ["sections", "heading"].contains(action) ? form : nil)
            }
            return try await applicationsPage(user, context, flash: .error(error.shown(request)), status: error.status, entered: form)
        }
    }

    // MARK: Reviewers

    /// Rows on one page of a queue screen unless `?limit=` says otherwise (1–199).
    static let queuePageSize = 50

    /// 经办人审查 or 负责人审查 (`stage`), or both steps for nil: one page of the queue,
    /// oldest first (`after`: the last id of the page before), with how many wait in all.
    /// Opened as 专家推荐审查 (`expertReviewsPath`: both steps, expert recommendations only), it
    /// is headed and marked in the menu so, and its 查询 keeps to them until another 类别 is chosen.
    func reviewsPage(_ user: SignedIn, _ context: TenantRequestContext, stage: ReviewStage?, after: Int? = nil, limit: Int = Self.queuePageSize,
                     search: QueueSearch = .all, flash: Flash) async throws -> Response {
        let org = try await ownOrg(user)
        // The service reads at most `pageMaximum` rows: one more than shown says whether there is a next page.
        let paging = Paging(limit, maximum: ApplicationService.pageMaximum - 1)
        let (read, waiting) = try await services.applications.queueWithCount(caller: user, stage: stage, limit: paging.rowsToRead, after: after, search: search)
        let (queue, next) = paging.cut(read, cursor: \.id)
        let expertEntry = stage == nil && search.kind == .expert && Self.hasExpertQueue(user, context)
        let heading = expertEntry ? Self.expertReviewsLabel : stage?.label ?? user.roles.map { ReviewStage($0).label }.joined(separator: " / ")
        let items = queue.map { q -> [String: Any] in
            ["id": q.id, "applicant": q.applicantName, "unit": q.unitName, "kind": q.kind?.label ?? "申报", "year": q.year.map(String.init) ?? "",
             "series": q.series, "level": q.level, "title": q.title, "step": q.stage.label, "resubmitted": q.resubmittedHere,
             "in_library": q.inExpertLibrary]
        }
        // The step, the size and the search are kept across pages.
        func encoded(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "" }
        func page(after: Int?) -> String {
            link("reviews", [stage.map { "stage=\($0.rawValue)" }, paging.size == Self.queuePageSize ? nil : "limit=\(paging.size)",
                             search.text.isEmpty ? nil : "q=" + encoded(search.text), search.level.map { "level=" + encoded($0.rawValue) },
                             search.kind.map { "kind=\($0.rawValue)" }, search.series.map { "series=" + encoded($0) },
                             after.map { "after=\($0)" }], context)
        }
        // The page's own entry, which 显示全部 goes back to: its step, or 专家推荐审查.
        let entry = expertEntry ? Self.expertReviewsPath : stage.map { Self.reviewsPath($0) } ?? "reviews"
        let data: [String: Any] = [
            "heading": heading, "items": items, "waiting": waiting,
            // 查询: who or which unit, which level, which 类别 and which of the reviewer's series;
            // the count is then of what it finds (on 专家推荐审查, its 类别 is the page's own).
            "stage": stage?.rawValue as Any? ?? false, "q": search.text, "searching": expertEntry ? !search.text.isEmpty || search.level != nil || search.series != nil : !search.isAll,
            "clear": base(context) + entry,
            "levels": TitleLevel.allCases.map { ["name": $0.rawValue, "selected": $0 == search.level] },
            "kinds": ApplicationKind.allCases.map { ["value": $0.rawValue, "label": $0.label, "selected": $0 == search.kind] },
            "series_choices": user.permittedSeries.map { ["name": $0, "selected": $0 == search.series] },
            "setup_hint": Self.setupHint(user, province: context.tenant.kind == .province) ?? false,
            "first_page": after == nil ? false as Any : page(after: nil),
            "next_page": next.map { page(after: $0) } as Any? ?? false,
        ]
        return try render(heading, "reviews", data, user: user, context, flash: flash,
                          navCurrent: expertEntry ? Self.expertReviewsPath : Self.reviewsPath(stage, of: user), orgName: org.name)
    }

    /// The menu entry 专家推荐审查 of a city's reviewers (manual §10): their queue at every step
    /// their roles give, narrowed to expert recommendations (a unit and its 主管单位 review them).
    static let expertReviewsPath = "reviews?kind=expert"
    static let expertReviewsLabel = "专家推荐审查"

    /// Whether `user` has 专家推荐审查 in the menu: staff with a review role in a city. In the
    /// province, the office's entry of that name is its review of what the cities hand over
    /// (`expert-reviews`).
    static func hasExpertQueue(_ user: SignedIn, _ context: TenantRequestContext) -> Bool {
        user.kind == .staff && !user.roles.isEmpty && context.tenant.kind == .city
    }

    /// Rows on one page of 已审查 unless `?limit=` says otherwise (1–199).
    static let reviewedPageSize = 50

    /// 已审查: the reviewer's own decisions, newest first (`before`: the last decision of
    /// the page before), each with where the application stands now.
    /// In the province office, a second list follows: the reviewer's steps on what the cities
    /// handed over (`beforeProvince` pages it the same way).
    func reviewedPage(_ user: SignedIn, _ context: TenantRequestContext, before: Int? = nil, beforeProvince: Int? = nil,
                      limit: Int = Self.reviewedPageSize) async throws -> Response {
        let org = try await ownOrg(user)
        // The services read at most `pageMaximum` rows: one more than shown says whether there are older ones.
        let paging = Paging(limit, maximum: ApplicationService.pageMaximum - 1)
        let (shown, older) = paging.cut(try await services.applications.reviewed(caller: user, limit: paging.rowsToRead, before: before), cursor: \.decisionID)
        func page(_ name: String, before: Int?) -> String {
            link("reviewed", [paging.size == Self.reviewedPageSize ? nil : "limit=\(paging.size)", before.map { "\(name)=\($0)" }], context)
        }
        func rows(_ items: [ReviewedItem]) -> [[String: Any]] {
            items.map { r -> [String: Any] in
                let path = switch r.receivedKind {
                case .title?: "province-reviews/\(r.applicationID)"
                case .expert?: "expert-reviews/\(r.applicationID)"
                case nil: "reviews/\(r.applicationID)"
                }
                return ["id": r.applicationID, "at": Self.time(r.at), "applicant": r.applicantName, "unit": r.unitName,
                        "kind": r.kind.label, "series": r.series, "level": r.level,
                        "title": r.title, "step": r.stage.label, "decision": r.decision.label, "comment": r.comment, "standing": r.standing,
                        "readable": r.readable ? path as Any : false]
            }
        }
        var data: [String: Any] = [
            "items": rows(shown),
            "newest_page": before == nil ? false as Any : page("before", before: nil),
            "older_page": older.map { page("before", before: $0) } as Any? ?? false,
            "province": false,
        ]
        if context.tenant.kind == .province, org.parentID == nil, !user.roles.isEmpty {
            let (received, receivedOlder) = paging.cut(try await services.provinceReviews.reviewed(caller: user, limit: paging.rowsToRead, before: beforeProvince),
                                                       cursor: \.decisionID)
            data["province"] = true
            data["received"] = rows(received)
            data["received_newest"] = beforeProvince == nil ? false as Any : page("before_province", before: nil)
            data["received_older"] = receivedOlder.map { page("before_province", before: $0) } as Any? ?? false
        }
        return try render("已审查", "reviewed", data, user: user, context, navCurrent: "reviewed", orgName: org.name)
    }

    /// The menu entry of a queue: one per role (经办人审查, 负责人审查); a reviewer with one
    /// role is always on theirs.
    static func reviewsPath(_ stage: ReviewStage?, of user: SignedIn) -> String {
        guard let stage = stage ?? (user.roles.count == 1 ? ReviewStage(user.roles[0]) : nil) else { return "reviews" }
        return reviewsPath(stage)
    }

    static func reviewsPath(_ stage: ReviewStage) -> String { "reviews?stage=\(stage.rawValue)" }

    func reviewPage(_ user: SignedIn, _ context: TenantRequestContext, id: Int, flash: Flash, status: HTTPResponse.Status = .ok,
                    entered: FormData? = nil) async throws -> Response {
        let org = try await ownOrg(user)
        let v = try await services.applications.get(id, caller: user)
        let trail = try await services.applications.trail(id, caller: user)
        let files = (try? await services.applications.attachments(id, caller: user)) ?? []
        var data: [String: Any] = [
            "attachments": files.map { ["id": $0.id, "name": $0.name] }, "has_attachments": !files.isEmpty,
            "app_id": v.id, "applicant": v.applicantName, "unit": v.unitName, "heading": v.heading, "version": v.version,
            "step": v.chain.state == .inReview ? v.chain.stage.label : v.stateLabel, "stage": v.chain.stage.rawValue,
            "changed": v.changedSections.isEmpty ? false as Any : v.changedSections.joined(separator: "、"),
            "sections": ApplicationSection.allCases.filter { v.sections[$0.rawValue] != nil }.map { s -> [String: Any] in
                ["name": s.rawValue, "content": SectionText.text(v.sections[s.rawValue] ?? [:], section: s.rawValue), "changed": v.changedSections.contains(s.rawValue),
                 // What the reviewers read in the previous submission, under what changed.
                 "previous": v.previousSections[s.rawValue].map { $0.isEmpty ? "（未填写）" : SectionText.text($0, section: s.rawValue) } ?? false as Any]
            },
            "hidden": v.hiddenSections.isEmpty ? false as Any : v.hiddenSections.joined(separator: "、"),
            "may_act": v.callerMayDecide,
            // The seal stamped on a leader's opinion is the one the org has when it is given.
            "no_seal": v.callerMayDecide && v.chain.stage == .leader && org.sealFileID == nil,
            "why": user.kind == .orgAdmin ? "机构管理员只能查看申报和审查记录，审查由经办人、负责人作出"
                : v.chain.state != .inReview ? "该申报已不在审查中" : "当前环节不属于您，或您已做过本单位的经办人审查",
            // An expert recommendation of someone the province's 专家信息库 holds already.
            "in_library": v.inExpertLibrary == true,
            "trail": trail.map(trailRow),
        ]
        // Only what the application's form has, and the reviewer may see, can be named at fault.
        let sections = v.applicationKind.sections.map(\.rawValue).filter { !v.hiddenSections.contains($0) }
        data.merge(Self.decisionChoices(entered, ReviewDecision.allCases, sections: sections)) { $1 }
        // An expert recommendation is reviewed under 专家推荐审查 where the menu has it.
        let expert = v.applicationKind == .expert && Self.hasExpertQueue(user, context)
        data["queue_kind"] = expert ? ApplicationKind.expert.rawValue : ""
        return try render("审查：\(v.applicantName)", "review", data, user: user, context, flash: flash, status: status,
                          navCurrent: expert ? Self.expertReviewsPath : Self.reviewsPath(v.chain.state == .inReview && user.roles.count > 1 ? v.chain.stage : nil, of: user),
                          orgName: org.name)
    }

    func decide(_ request: Request, _ context: TenantRequestContext) async throws -> Response {
        guard let (user, form) = try await form(request, context) else { return toSignIn(request, context) }
        let id = try id(context)
        do {
            let reason = form["reason"].isEmpty ? nil : form["reason"]
            let v = try await services.applications.decide(id, decision: form["decision"], comment: form["comment"], sections: form.all("sections"),
                                                           reason: reason, version: try form.version(), caller: user)
            let decision = ReviewDecision(rawValue: form["decision"])?.label ?? ""
            // Back to the queue of the step just decided (专家推荐审查 for an expert recommendation
            // in a city, `_queue` of the review page), by a redirect: reloading that page shows
            // the queue again instead of sending the decision a second time.
            let stage: ReviewStage? = user.roles.count > 1 ? ReviewStage(rawValue: form["stage"]) : nil
            let queue = form["_queue"] == ApplicationKind.expert.rawValue && Self.hasExpertQueue(user, context) ? Self.expertReviewsPath : Self.reviewsPath(stage, of: user)
            return done(queue, "已对\(v.applicantName)的申报作出“\(decision)”决定", context)
        } catch let error as ZhichengError {
            return try await reviewPage(user, context, id: id, flash: .error(error.shown(request)), status: error.status, entered: form)
        }
    }

    /// A committee's 面试通知 as every screen shows it: its time and its place apart (`time`,
    /// `place`), as the manual names them (§6: 面试通知, 地点); `—` for the place of a notice of
    /// free text that named none apart from its time; false for no notice (no row, no line).
    static func interview(_ notice: InterviewNotice?) -> Any {
        notice.map { ["time": $0.time, "place": $0.place.isEmpty ? "—" : $0.place] as [String: Any] } ?? false
    }

    // MARK: Status query

    /// Rows on one page of 申报人员状态查询.
    static let statusPageSize = 100

    /// 申报人员状态查询 of the caller's org or, `?org=`, of an org below it whose applicants
    /// submitted (a department or office picks one of them), with the units below it too when
    /// 含下级单位 is ticked (`?below=1`). Opened without a choice (neither `org` nor `below`: the
    /// query form always sends its 单位, ticked or not), an org that has nobody who submitted but
    /// units below it that have opens with 含下级单位 ticked (`StatusOrg.opensWithUnitsBelow`): a
    /// department or office supervising its units sees their applicants at once.
    func statusPage(_ user: SignedIn, _ request: Request, _ context: TenantRequestContext) async throws -> Response {
        let org = try await ownOrg(user)
        let picked = try APIJSON.integer("org", in: request)
        let shown = picked ?? user.orgID
        let year = try APIJSON.year(in: request)
        let ticked = try APIJSON.boolean("below", in: request)
        let applicant = request.textQuery("applicant") ?? ""
        // 状态, 系列, 级别 as the API takes them (an empty choice is none; anything else not in the lists is 400).
        let state = try StatusStateFilter.parse(request.textQuery("state"))
        let series = try TitleCatalog.henan.chosenSeries(request.textQuery("series"))
        let level = try TitleLevel.chosen(request.textQuery("level"))
        let before = try APIJSON.integer("before", in: request)
        let orgs = try await services.applications.statusOrgs(caller: user)
        let below = ticked ?? (picked == nil && StatusOrg.opensWithUnitsBelow(orgs, own: user.orgID))
        let paging = Paging(Self.statusPageSize, maximum: Self.statusPageSize)
        let (found, total) = try await services.applications.statusWithTotal(of: shown, .init(year: year, below: below, applicant: applicant, state: state,
                                                                                               series: series, level: level,
                                                                                               limit: paging.rowsToRead, before: before), caller: user)
        let (read, next) = paging.cut(found, cursor: \.applicationID)
        let rows = read.map { r -> [String: Any] in
            ["id": r.applicationID, "kind": ApplicationKind(rawValue: r.kind)?.label ?? r.kind,
             "name": r.applicantName, "id_number": r.idNumber, "unit": r.unitName, "year": r.year, "series": r.series, "level": r.level,
             "title": r.title, "stage": r.stage, "committee": r.committee ?? "—", "interview": Self.interview(InterviewNotice(stored: r.interview)),
             "printable": r.printable, "form_note": r.formNote ?? ""]
        }
        // The caller's own org first, even with nobody who submitted yet.
        let own: [String: Any] = ["id": user.orgID, "label": "本单位（\(org.name)）", "count": orgs.first { $0.orgID == user.orgID }?.applications ?? 0,
                                  "selected": shown == user.orgID]
        let choices = [own] + orgs.filter { $0.orgID != user.orgID }.map { o -> [String: Any] in
            ["id": o.orgID, "label": "\(o.code) \(o.name)", "count": o.applications, "selected": o.orgID == shown]
        }
        let pick = choices.count > 1
        // The query is kept across pages, 含下级单位 as shown (unticked too: the next page is no
        // page opened without a choice).
        func encoded(_ text: String) -> String { text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "" }
        func page(before: Int?) -> String {
            link("status", [shown == user.orgID ? nil : "org=\(shown)", year.map { "year=\($0)" }, below ? "below=1" : pick ? "below=0" : nil,
                            applicant.isEmpty ? nil : "applicant=" + encoded(applicant), state.map { "state=\($0.rawValue)" },
                            series.map { "series=" + encoded($0) }, level.map { "level=" + encoded($0.rawValue) },
                            before.map { "before=\($0)" }], context)
        }
        return try render("申报人员状态查询", "status", [
            "rows": rows, "orgs": choices, "pick": pick, "year": year.map(String.init) ?? "", "below": below, "applicant": applicant, "total": total,
            "states": StatusStateFilter.allCases.map { ["value": $0.rawValue, "label": $0.label, "selected": $0 == state] },
            "series": TitleCatalog.henan.series.map { ["name": $0.name, "selected": $0.name == series] },
            "levels": TitleLevel.allCases.map { ["name": $0.rawValue, "selected": $0 == level] },
            "first_page": before == nil ? false as Any : page(before: nil),
            "next_page": next.map { page(before: $0) } as Any? ?? false,
        ], user: user, context, navCurrent: "status", orgName: org.name)
    }
}
