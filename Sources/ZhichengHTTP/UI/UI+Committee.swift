import Foundation
import Hummingbird
import ZhichengApp
import ZhichengCore
import ZhichengStorage

/// 评委会评审 (the office's committee desk: interview notices, results, 公示, objections,
/// confirmation) and 评审结果公示 (every signed-in account; objections) — manual §9, SPEC §7.
extension UI {
    static func targetPath(_ target: EvaluationTarget) -> String {
        switch target {
        case .application(let id): "application/\(id)"
        case .received(let id): "received/\(id)"
        }
    }

    /// Which page of the committee desk a request asks for (`?year=&open=&after=&limit=`):
    /// read from the page's own address and from the batch form's, which posts to the page
    /// it was on (a refused 批量发出面试通知 shows that page again, its ticks kept).
    /// (Its first page, of every year, when the request says nothing: `DeskView()`.)
    struct DeskView {
        var year: Int?
        var open = false
        /// Only the items waiting for that (the 首页's counts link here so); nil: all.
        var need: CommitteeDeskNeed?
        /// An applicant's name, or part of it ("" for everyone).
        var applicant = ""
        /// Only the items this committee of the office evaluates; nil: every committee's.
        var committee: Int?
        var after: EvaluationTarget?
        var limit = UI.worklistPageSize

        /// Items on a page (1–500).
        var size: Int { Paging(limit, maximum: 500).size }

        /// The query of this view's filter at the page after `after`, for `UI.link`.
        func query(after: EvaluationTarget?) -> [String?] {
            [year.map { "year=\($0)" }, open ? "open=1" : nil, need.map { "need=\($0.rawValue)" }, committee.map { "committee=\($0)" },
             applicant.isEmpty ? nil : "applicant=" + (applicant.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""),
             size == UI.worklistPageSize ? nil : "limit=\(size)",
             after.map { "after=\(evaluationPath($0))" }]
        }
    }

    func target(_ context: TenantRequestContext) throws -> EvaluationTarget {
        let id = try id(context)
        switch context.parameters.get("kind") {
        case "application": return .application(id)
        case "received": return .received(id)
        default: throw ZhichengError.notFound("没有这个对象")
        }
    }

    static func evaluationState(_ e: EvaluationRecord?) -> String {
        guard let e else { return "待评审" }
        switch e.state {
        case "pending": return e.interviewTime == nil ? "待评审" : "已发面试通知"
        case "publicity": return PublicityCalendar.label(result: e.result ?? "", until: e.publicityUntil ?? 0, now: Date().timeIntervalSince1970)
        // Final: as every screen says it (评审通过), not in words of the desk's own.
        default: return ApplicationKind.title.label(ofFinalResult: e.result ?? "")
        }
    }

    /// The `min` and `max` of a 面试通知 form's `datetime-local` input: the times a notice sent
    /// now may name (`InterviewTime.allowed`), which the daemon checks again when it is sent.
    static func interviewTimeBounds(now: Date = Date()) -> [String: Any] {
        let allowed = InterviewTime.allowed(now: now)
        return ["time_min": allowed.lowerBound.inputValue, "time_max": allowed.upperBound.inputValue]
    }

    /// Items on one page of the committee desk unless `?limit=` says otherwise (1–500).
    static let worklistPageSize = 100

    /// The committee desk, 评委会评审, the page `view` asks for (`DeskView`: `after` the last
    /// item of the page before; `year` only that 年度's applications, nil every year; `open`
    /// only those without a final result; `need` one 待办). `entered`: a refused post of the batch
    /// form, 批量发出面试通知 or 批量录入评审结果 (its ticks, time, place, result and 说明 shown again).
    func committeePage(_ user: SignedIn, _ context: TenantRequestContext, view: DeskView = DeskView(), flash: Flash, status: HTTPResponse.Status = .ok,
                       entered: FormData? = nil) async throws -> Response {
        let (year, open, after) = (view.year, view.open, view.after)
        let org = try await ownOrg(user)
        let committees = try await services.evaluations.committees(caller: user)
        let size = view.size
        let page = try await services.evaluations.worklistPage(caller: user, year: year, open: open, need: view.need, applicant: view.applicant,
                                                               committee: view.committee, limit: size, after: after)
        let items = page.items
        // Of every page and year: what waits for a committee the office has not set up.
        let uncovered = try await services.evaluations.uncoveredScopes(caller: user)
        // The filter is kept across pages.
        func pageLink(_ path: String = "committee", after: EvaluationTarget?) -> String { link(path, view.query(after: after), context) }
        let ticked = Set(entered?.all("items") ?? [])
        let now = Date().timeIntervalSince1970
        if entered != nil { Self.refilled() }
        // A time the input can hold comes back in it (one that does not read as a time, empty).
        let keptTime = entered.flatMap { try? InterviewTime($0["time"]) }?.inputValue ?? ""
        var data: [String: Any] = [
            "batch_time": keptTime, "batch_place": entered?["place"] ?? "",
            "batch_pass": entered?["result"] == "通过", "batch_fail": entered?["result"] == "未通过", "batch_note": entered?["note"] ?? "",
            // Posted to this very page's address: refused, it comes back as it was.
            "batch_action": pageLink("committee/batch", after: after),
            "confirm_action": pageLink("committee/confirmations", after: after),
            // 本页全部: the form carries the page's items that may take a notice.
            "page_batch": items.contains { $0.awaitsResult && $0.evaluation?.interviewTime == nil },
            // 确认本页全部: the form carries the page's results that may be confirmed now.
            "confirm_count": items.filter { CommitteeDeskNeed.confirm.matches($0, now: now) }.count,
            "confirm_batch": items.contains { CommitteeDeskNeed.confirm.matches($0, now: now) },
            "committees": committees.map { c -> [String: Any] in
                ["id": c.id, "name": c.name, "scope": "\(c.series.joined(separator: "、")) · \(c.levels.map(\.rawValue).joined(separator: "、"))", "rule": c.rule.label,
                 // Its settings form, filled in with what it has.
                 "catalog": TitleCatalog.henan.series.map { ["name": $0.name, "checked": c.series.contains($0.name)] },
                 "levels": TitleLevel.allCases.map { ["name": $0.rawValue, "checked": c.levels.contains($0)] },
                 "rules": VotingRule.all.map { ["name": $0.name, "label": $0.label, "selected": $0.name == c.rule.name] }]
            },
            "has_committees": !committees.isEmpty,
            "catalog": TitleCatalog.henan.series.map(\.name), "levels": TitleLevel.allCases.map(\.rawValue),
            "rules": VotingRule.all.map { ["name": $0.name, "label": $0.label] },
            "items": items.map { i -> [String: Any] in
                ["path": Self.targetPath(i.target), "applicant": i.applicantName, "unit": i.unitName, "city": i.sourceTenantName ?? "本市", "year": i.year,
                 "title": "\(i.series) \(i.level) \(i.title)", "committee": i.committee?.name ?? "—", "state": i.covered ? Self.evaluationState(i.evaluation) : "尚无负责的评委会",
                 "objections": i.evaluation?.openObjections ?? 0, "covered": i.covered,
                 // May take a 面试通知 with others at once: no result yet.
                 "batch": i.awaitsResult ? evaluationPath(i.target) as Any : false,
                 // 本页全部 sends a first notice only: never a new one over a notice given (its
                 // interview may be held already, and a new time would hold its result back).
                 "page_batch_item": i.awaitsResult && i.evaluation?.interviewTime == nil ? evaluationPath(i.target) as Any : false,
                 "confirm_item": CommitteeDeskNeed.confirm.matches(i, now: now) ? evaluationPath(i.target) as Any : false,
                 "ticked": ticked.contains(evaluationPath(i.target))]
            },
            // A 待办 is of open items only: the box says so, and is not sent while it holds (a 待办
            // set back to 全部 later leaves the box as the person had it).
            "year": year.map(String.init) ?? "", "open": open || view.need != nil, "need_chosen": view.need != nil, "applicant": view.applicant,
            "needs": CommitteeDeskNeed.allCases.map { ["value": $0.rawValue, "label": $0.label, "selected": $0 == view.need] },
            // With two committees or more, the desk narrows to one's (before a page-wide notice, say).
            "choose_committee": committees.count > 1,
            "committee_choices": committees.map { ["id": $0.id, "name": $0.name, "selected": $0.id == view.committee] },
            // Nothing found is said as such when the desk was narrowed (不是“暂无到达评委会的申报”).
            "applicant_searched": !view.applicant.isEmpty || view.need != nil || view.committee != nil,
            "first_page": after == nil ? false as Any : pageLink(after: nil),
            "next_page": page.next.map { pageLink(after: $0) } as Any? ?? false,
            // Applications waiting for a committee the office has not set up: what is missing.
            "uncovered": uncovered.isEmpty ? false as Any : uncovered.joined(separator: "、"),
        ]
        data.merge(Self.interviewTimeBounds()) { page, _ in page }
        return try render("评委会评审", "committee", data, user: user, context, flash: flash, status: status, navCurrent: "committee", orgName: org.name)
    }

    func committeeItemPage(_ user: SignedIn, _ context: TenantRequestContext, target: EvaluationTarget, flash: Flash, status: HTTPResponse.Status = .ok) async throws -> Response {
        let org = try await ownOrg(user)
        guard let item = try await services.evaluations.worklist(caller: user, only: target).first(where: { $0.covered }) else {
            throw ZhichengError.notFound("没有这份待评审的申报")
        }
        let objections = try await services.evaluations.objections(target, caller: user)
        let e = item.evaluation
        // A result waits for the interview announced: said beside the form, which the daemon checks again.
        let resultWaits: String?
        do { try InterviewTime.requireInterviewHeld(stored: e?.interviewTime); resultWaits = nil } catch { resultWaits = error.message }
        // A result in 公示 is confirmed once its period is over and its objections are resolved:
        // until then the page says why in place of the button (the daemon refuses it all the same).
        let confirmWaits = e?.state == "publicity" ? e?.confirmationRefused(at: Date().timeIntervalSince1970)?.message : nil
        // What the committee judges: a city's own application by its 评审表 (every level's
        // opinion); one the province received, by what the city sent with it.
        var file: [String: Any] = ["review_form": false, "received": false, "own": false]
        switch target {
        case .application(let id):
            // Its 评审表, and what the applicant submitted: every section and file, which the
            // office whose committee judges it reads whole (`ApplicationService.view`).
            file["review_form"] = "\(api(context))applications/\(id)/review-form"
            let v = try await services.applications.get(id, caller: user)
            let files = try await services.applications.attachments(id, caller: user)
            file["own"] = ["sections": Self.receivedSections(v.sections),
                           "attachments": files.map { ["href": "\(api(context))applications/\(id)/attachments/\($0.id)", "name": $0.name, "size": FileSize.text($0.size)] }]
        case .received(let id):
            let received = try await services.applications.receivedApplication(id, caller: user)
            file["received"] = ["id_number": received.idNumber, "sections": Self.receivedSections(received.sections, files: received.files, filesAt: receivedFilesPath(id, context)),
                                "city_trail": Self.cityTrailRows(received.cityTrail), "decisions": Self.provinceDecisionRows(received.provinceDecisions)] as [String: Any]
        }
        let data: [String: Any] = file.merging([
            "path": Self.targetPath(target), "applicant": item.applicantName, "unit": item.unitName, "city": item.sourceTenantName ?? "本市",
            "title": "\(item.series) \(item.level) \(item.title)", "state": Self.evaluationState(e), "committee": (e?.committee).flatMap { $0.isEmpty ? nil : $0 as Any } ?? false,
            // Its time and place apart, as every screen shows them (free text of an earlier version as
            // it is); none yet: no line.
            "interview": Self.interview(e?.interviewTime.map { InterviewNotice(time: $0, place: e?.interviewPlace ?? "") }),
            "pending": e == nil || e?.state == "pending", "result_waits": resultWaits as Any? ?? false, "publicity": e?.state == "publicity", "final": e?.state == "final",
            "confirm_waits": confirmWaits as Any? ?? false,
            "result": e?.result ?? "", "final_result": ApplicationKind.title.label(ofFinalResult: e?.result ?? ""), "note": e?.note ?? "", "until": e?.publicityUntil.map(ChinaTime.end) ?? "",
            "objections": objections.map { o -> [String: Any] in
                ["id": o.id, "by": o.lodgedBy, "text": o.text, "evidence": o.evidence, "open": o.state == "open",
                 "state": ObjectionState(rawValue: o.state)?.label ?? o.state, "reason": o.reason ?? "",
                 "at": Self.time(o.createdAt), "files": evidenceRows(o.id, o.files, context)]
            },
        ]) { file, _ in file }.merging(Self.interviewTimeBounds()) { data, _ in data }
        return try render("评委会评审", "committee_item", data, user: user, context, flash: flash, status: status, navCurrent: "committee", orgName: org.name)
    }

    func committeeAction(_ action: String, _ request: Request, _ context: TenantRequestContext) async throws -> Response {
        guard let (user, form) = try await form(request, context) else { return toSignIn(request, context) }
        if action == "batch" || action == "confirmations" {
            // The batch form's old address (`committee/interviews`, a page left open across an
            // upgrade) is answered as its address now: a refusal marks the control at fault in the
            // desk's form, which posts to `committee/batch`.
            if action == "batch" { Self.posted?.path = base(context) + "committee/batch" }
            // The page the form was on (its address carries it; one that does not read: the
            // desk's first page), where it goes back to, sent or refused.
            let view = (try? DeskView(request)) ?? DeskView()
            func targets(_ paths: [String]) throws -> [EvaluationTarget] {
                try paths.map { path -> EvaluationTarget in
                    guard let target = evaluationTarget(path: path) else { throw ZhichengError.invalid("所选申报无效", field: "items") }
                    return target
                }
            }
            do {
                let message: String
                if action == "confirmations" {
                    // 确认本页全部: the page's results that could be confirmed when it was drawn, which the form carries.
                    let records = try await services.evaluations.confirm(try targets(form.all("_confirm_items")), caller: user)
                    message = "已确认 \(records.count) 份申报的评审结果"
                } else if form["then"] == "results" {
                    // The ticked ones: one result for them all, each entering 公示.
                    let records = try await services.evaluations.recordResults(try targets(form.all("items")), result: form["result"], note: form.optional("note"), caller: user)
                    message = "已为 \(records.count) 份申报录入评审结果“\(form["result"])”，公示至 \(records.first?.publicityUntil.map(ChinaTime.end) ?? "")"
                } else {
                    // The ticked ones, or (本页全部) every one of the page without a result, which the
                    // form carries: a page allows no script that would tick them all.
                    let chosen = form["scope"] == "page" ? form.all("_page_items") : form.all("items")
                    let records = try await services.evaluations.setInterviews(try targets(chosen), time: form["time"], place: form["place"], caller: user)
                    message = "已向 \(records.count) 份申报发出面试通知"
                }
                return UIRoutes.redirect(link("committee", view.query(after: view.after), context), flash: message, tenantBase: base(context))
            } catch let error as ZhichengError {
                // With what was ticked and typed.
                return try await committeePage(user, context, view: view, flash: .error(error.shown(request)), status: error.status, entered: form)
            }
        }
        if action == "settings" {
            do {
                let committee = try await services.evaluations.updateCommittee(try id(context), name: form["name"], series: form.all("series"), levels: form.all("levels"),
                                                                                rule: form.optional("rule"), caller: user)
                return done("committee", "已修改评委会“\(committee.name)”", context)
            } catch let error as ZhichengError {
                return try await committeePage(user, context, flash: .error(error.shown(request)), status: error.status)
            }
        }
        if action == "new" {
            do {
                let committee = try await services.evaluations.createCommittee(name: form["name"], series: form.all("series"), levels: form.all("levels"),
                                                                                rule: form.optional("rule"), caller: user)
                return done("committee", "已设立评委会“\(committee.name)”", context)
            } catch let error as ZhichengError {
                return try await committeePage(user, context, flash: .error(error.shown(request)), status: error.status)
            }
        }
        let target = try self.target(context)
        do {
            let message: String
            switch action {
            case "interview":
                _ = try await services.evaluations.setInterview(target, time: form["time"], place: form["place"], caller: user)
                message = "已发出面试通知"
            case "result":
                let e = try await services.evaluations.recordResult(target, result: form["result"], note: form.optional("note"), caller: user)
                message = "已录入评审结果“\(e.result ?? "")”，公示至 \(e.publicityUntil.map(ChinaTime.end) ?? "")"
            case "confirm":
                let e = try await services.evaluations.confirm(target, caller: user)
                message = "评审结果已确认：\(ApplicationKind.title.label(ofFinalResult: e.result ?? ""))"
            case "resolve":
                guard let objection = context.parameters.get("objection").flatMap(Int.init) else { throw ZhichengError.notFound("没有这个异议") }
                let e = try await services.evaluations.resolveObjection(objection, upheld: try ObjectionRuling(parsing: form["decision"]) == .upheld, reason: form["reason"], caller: user)
                message = e.state == "pending" ? "异议成立，评审结果已撤销，请重新评审" : "异议已处理"
            default:
                throw ZhichengError.notFound("没有这个操作")
            }
            // Post, redirect, get: reloading the item does not send the step again.
            return done("committee/" + Self.targetPath(target), message, context)
        } catch let error as ZhichengError {
            let message = error.shown(request)   // logged once, whichever page says it
            do {
                return try await committeeItemPage(user, context, target: target, flash: .error(message), status: error.status)
            } catch is ZhichengError {
                return try await committeePage(user, context, flash: .error(message), status: error.status)
            }
        }
    }

    // MARK: 评审结果公示

    /// Notices on one page of 评审结果公示 (each with its objection form).
    static let noticesPageSize = 50

    /// 评审结果公示: the results in notice, those ending first first, `noticesPageSize` a page
    /// (下一页 from the last one shown, `after`), of the applicants whose name holds `search`
    /// if given; then the caller's own objections.
    func publicityPage(_ user: SignedIn, _ context: TenantRequestContext, flash: Flash, status: HTTPResponse.Status = .ok,
                       search: String = "", after: PublicNotice.Position? = nil) async throws -> Response {
        let org = try await ownOrg(user)
        let page = try await services.evaluations.publicNotices(caller: user, applicant: search, limit: Self.noticesPageSize, after: after)
        func pageLink(after: PublicNotice.Position?) -> String {
            link("publicity", Self.listQuery(search: search, afterText: after?.text), context)
        }
        let notices = page.notices.map { n -> [String: Any] in
            ["path": Self.targetPath(n.target), "committee": n.committee, "applicant": n.applicantName, "unit": n.unitName,
             "title": "\(n.series) \(n.level) \(n.title)", "result": n.result, "until": ChinaTime.end(n.publicityUntil),
             "by_province": n.byProvince]
        }
        // The caller's own objections and how each stands (the province's answer included).
        let own = try await services.evaluations.ownObjections(caller: user).map { o -> [String: Any] in
            ["applicant": o.applicantName, "title": o.title, "committee": o.committee + (o.toProvince ? "（省职改办）" : ""), "text": o.text,
             "state": o.state.rawValue, "state_label": o.state.label, "reason": o.reason ?? "", "at": Self.time(o.createdAt),
             "files": evidenceRows(o.id ?? 0, o.files, context)]
        }
        let data: [String: Any] = [
            "notices": notices, "own": own, "has_own": !own.isEmpty, "search": search,
            "evidence_limit": FileSize.text(services.evaluations.maxEvidenceBytes, roundingDown: true),
            "first_page": after == nil ? false as Any : pageLink(after: nil),
            "next_page": page.next.map { pageLink(after: $0) } as Any? ?? false,
        ]
        return try render("评审结果公示", "publicity", data, user: user, context, flash: flash, status: status, navCurrent: "publicity", orgName: org.name)
    }

    /// An objection's evidence files as the screens list them: each a link to its download
    /// (`objections/<id>/files/<file>`) where it has an id (one sent on to the province has
    /// none: its name alone), with its size.
    func evidenceRows(_ objection: Int, _ files: [ObjectionFileInfo], _ context: TenantRequestContext) -> [[String: Any]] {
        files.map { f in
            ["name": f.name, "size": FileSize.text(f.size), "href": f.id.map { "\(api(context))objections/\(objection)/files/\($0)" } as Any? ?? false]
        }
    }

    func objectionAction(_ request: Request, _ context: TenantRequestContext) async throws -> Response {
        // Up to 3 evidence files, each within the limit, besides the text.
        let limit = services.evaluations.maxEvidenceBytes
        guard let (user, form) = try await form(request, context, upload: ObjectionEvidence.maxFiles * limit,
                                                tooLarge: "证据材料最多\(ObjectionEvidence.maxFiles)个文件，每个不能超过 \(FileSize.text(limit, roundingDown: true))") else {
            return toSignIn(request, context)
        }
        do {
            let files = form.files.map { ObjectionEvidence.Upload(name: $0.name ?? "", bytes: $0.bytes) }
            let lodged = try await services.evaluations.lodgeObjection(try target(context), text: form["text"], evidence: form["evidence"], files: files, caller: user)
            return done("publicity", lodged == .forwarded ? "异议已提交，已转送省职改办处理" : "异议已提交，评委会所在职改办将处理", context)
        } catch let error as ZhichengError {
            return try await publicityPage(user, context, flash: .error(error.shown(request)), status: error.status)
        }
    }
}

extension UI.DeskView {
    init(_ request: Request) throws {
        year = try APIJSON.year(in: request)
        open = try APIJSON.boolean("open", in: request) ?? false
        need = try CommitteeDeskNeed(parsing: request.textQuery("need"))
        committee = try APIJSON.integer("committee", in: request)
        applicant = request.textQuery("applicant")?.trimmingWhitespaceAndNewlines() ?? ""
        after = try APIJSON.worklistCursor(in: request)
        limit = try APIJSON.integer("limit", in: request) ?? UI.worklistPageSize
    }
}
