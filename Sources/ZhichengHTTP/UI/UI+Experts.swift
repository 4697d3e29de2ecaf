import Foundation
import Hummingbird
import ZhichengApp
import ZhichengCore
import ZhichengStorage

/// 专家推荐审查 (province office), 专家信息库, 评审会与专家抽取 and 专家评审 (manual §10, SPEC §8).
extension UI {
    /// The cities' names (郑州市) for their tenant ids, as the province's screens show them;
    /// an id the registry no longer knows (an archived city) stays as it is.
    func cityNames(_ ids: [String]) async -> [String: String] {
        var names: [String: String] = [:]
        for id in Set(ids) { names[id] = (try? await services.tenants.info(id))?.name ?? id }
        return names
    }

    // MARK: 专家推荐审查

    func expertReviewsPage(_ user: SignedIn, _ context: TenantRequestContext, before: Int? = nil, search: String = "", flash: Flash,
                           status: HTTPResponse.Status = .ok) async throws -> Response {
        let org = try await ownOrg(user)
        let page = try await services.experts.applications(caller: user, limit: Self.provinceReviewsPageSize, before: before, search: search)
        let cities = await cityNames(page.items.map(\.sourceTenant))
        let items = page.items.map { a -> [String: Any] in
            ["id": a.id, "applicant": a.applicantName, "unit": a.unitName, "city": cities[a.sourceTenant] ?? a.sourceTenant, "series": a.series, "specialty": a.specialty,
             "title": "\(a.level) \(a.title)", "stage": a.stageLabel, "mine": a.callerMayDecide, "received": Self.time(a.receivedAt),
             "in_library": a.inExpertLibrary]
        }
        var data = pageLinks("expert-reviews", page: page, first: before == nil, search: search, context)
        data["items"] = items
        return try render("专家推荐审查", "expert_reviews", data, user: user, context, flash: flash, status: status,
                          navCurrent: "expert-reviews", orgName: org.name)
    }

    /// 第一页 (when this is not it) and 下一页 (when there is one) of a province list paged by `before`.
    /// 第一页 and 下一页 of a province list, keeping its 查询 (`search`, shown again in its form).
    func pageLinks(_ path: String, page: ProvinceReviewPage, first: Bool, search: String = "", _ context: TenantRequestContext) -> [String: Any] {
        let q = search.isEmpty ? nil : "q=" + (search.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
        return ["first_page": first ? false as Any : link(path, [q], context),
                "next_page": page.next.map { link(path, [q, "before=\($0)"], context) } as Any? ?? false,
                "q": search, "searching": !search.isEmpty, "list_path": path]
    }

    /// What a city sent with an application, as the province's screens show it: each
    /// section as "字段：内容" lines; 附件's files (`files`, those of the hand-over the office
    /// returned: `previousFiles`) each as a link that opens it (`filesAt` and its digest), or its
    /// name marked （未收到） when its bytes did not arrive, in place of the line naming them.
    static func receivedSections(_ sections: [String: [String: String]], previous: [String: [String: String]] = [:],
                                 files: [ReceivedFile] = [], previousFiles: [ReceivedFile] = [], filesAt base: String = "") -> [[String: Any]] {
        let attachments = ApplicationSection.attachments.rawValue
        func text(_ fields: [String: String], listing: [ReceivedFile], section: String) -> String {
            var fields = fields
            if !listing.isEmpty { fields[SectionSnapshot.filesField] = nil }
            return SectionText.text(fields, section: section)
        }
        return ApplicationSection.ordered(sections.keys).map { name in
            let listed = name == attachments ? files : []
            let before = name == attachments ? previousFiles : []
            return ["name": name, "content": text(sections[name] ?? [:], listing: listed, section: name), "changed": previous[name] != nil,
                    "files": fileRows(listed, base),
                    // What the office read in the hand-over it returned, under what changed.
                    "previous": previous[name].map { fields -> [String: Any] in
                        ["text": fields.isEmpty ? "（未填写）" : text(fields, listing: before, section: name), "files": fileRows(before, base)]
                    } ?? false as Any]
        }
    }

    /// Received files as links (`href`, false for one not received), with their sizes.
    static func fileRows(_ files: [ReceivedFile], _ base: String) -> [[String: Any]] {
        files.map { f in
            ["name": f.name, "href": f.received ? base + f.sha256 : false as Any, "size": f.size.map { FileSize.text($0) } ?? ""]
        }
    }

    /// Where the files of the received application `id` are served (`province/applications/<id>/files/<sha256>`).
    func receivedFilesPath(_ id: Int, _ context: TenantRequestContext) -> String {
        "\(api(context))province/applications/\(id)/files/"
    }

    /// The city's opinions sent with an application: each org's step, decision and comment
    /// (the submission itself, which names no org, is left out).
    static func cityTrailRows(_ trail: [CityTrailStep]) -> [[String: Any]] {
        trail.filter { !$0.org.isEmpty }.map { t -> [String: Any] in
            ["org": t.org, "step": ReviewStage(rawValue: t.stage)?.label ?? "",
             "decision": ReviewDecision(rawValue: t.decision)?.label ?? t.decision, "comment": t.comment,
             "at": t.at.map(Self.time) ?? ""]
        }
    }

    func expertReviewPage(_ user: SignedIn, _ context: TenantRequestContext, id: Int, flash: Flash, status: HTTPResponse.Status = .ok,
                          entered: FormData? = nil) async throws -> Response {
        try await receivedPage(try await services.experts.application(id, caller: user), "专家推荐审查", "expert_review", nav: "expert-reviews",
                               user, context, flash: flash, status: status,
                               choices: Self.decisionChoices(entered, [.pass, .reject], sections: nil))
    }

    /// A received application's page, either kind, with the city it came from by name.
    func receivedPage(_ a: ProvinceReviewView, _ title: String, _ template: String, nav: String, _ user: SignedIn, _ context: TenantRequestContext,
                      flash: Flash, status: HTTPResponse.Status, choices: [String: Any]) async throws -> Response {
        let org = try await ownOrg(user)
        let cities = await cityNames([a.sourceTenant])
        var data = Self.receivedData(a, filesAt: receivedFilesPath(a.id, context))
        data.merge(choices) { $1 }
        data["city"] = cities[a.sourceTenant] ?? a.sourceTenant
        return try render(title, template, data, user: user, context, flash: flash, status: status, navCurrent: nav, orgName: org.name)
    }

    func expertDecide(_ request: Request, _ context: TenantRequestContext) async throws -> Response {
        guard let (user, form) = try await form(request, context) else { return toSignIn(request, context) }
        let id = try id(context)
        do {
            let outcome = try await services.experts.decide(id, decision: form["decision"], comment: form["comment"], version: try form.version(), caller: user)
            let decision = ReviewDecision(rawValue: form["decision"]) ?? .pass
            if let expert = outcome.expert, let password = outcome.password {
                return try await expertReviewsPage(user, context, flash: .secret(label: "\(expert.name)已进入专家信息库，专家账户", login: expert.idNumber, password: password))
            }
            return done("expert-reviews", "已对\(outcome.application.applicantName)的专家推荐作出“\(decision.label)”决定", context)
        } catch let error as ZhichengError {
            return try await expertReviewPage(user, context, id: id, flash: .error(error.shown(request)), status: error.status, entered: form)
        }
    }

    // MARK: 职称申报审查 (the province office's review of senior title applications)

    /// Rows on one page of 职称申报审查（各市报送） and of 专家推荐审查.
    static let provinceReviewsPageSize = 50

    func provinceReviewsPage(_ user: SignedIn, _ context: TenantRequestContext, before: Int? = nil, search: String = "", flash: Flash,
                             status: HTTPResponse.Status = .ok) async throws -> Response {
        let org = try await ownOrg(user)
        let page = try await services.provinceReviews.applications(caller: user, limit: Self.provinceReviewsPageSize, before: before, search: search)
        let applications = page.items
        let cities = await cityNames(applications.map(\.sourceTenant))
        let items = applications.map { a -> [String: Any] in
            ["id": a.id, "applicant": a.applicantName, "unit": a.unitName, "city": cities[a.sourceTenant] ?? a.sourceTenant, "year": a.year, "series": a.series,
             "title": "\(a.level) \(a.title)", "stage": a.stageLabel, "mine": a.callerMayDecide]
        }
        var data = pageLinks("province-reviews", page: page, first: before == nil, search: search, context)
        data["items"] = items
        return try render("职称申报审查", "province_reviews", data, user: user, context, flash: flash, status: status,
                          navCurrent: "province-reviews", orgName: org.name)
    }

    func provinceReviewPage(_ user: SignedIn, _ context: TenantRequestContext, id: Int, flash: Flash, status: HTTPResponse.Status = .ok,
                            entered: FormData? = nil) async throws -> Response {
        let a = try await services.provinceReviews.application(id, caller: user)
        // A 退回修改 names only what the reviewer may see.
        return try await receivedPage(a, "职称申报审查", "province_review", nav: "province-reviews", user, context, flash: flash, status: status,
                                      choices: Self.decisionChoices(entered, ReviewDecision.allCases,
                                                                    sections: ApplicationSection.allCases.map(\.rawValue).filter { !a.hiddenSections.contains($0) }))
    }

    func provinceDecide(_ request: Request, _ context: TenantRequestContext) async throws -> Response {
        guard let (user, form) = try await form(request, context) else { return toSignIn(request, context) }
        let id = try id(context)
        do {
            let outcome = try await services.provinceReviews.decide(id, decision: form["decision"], comment: form["comment"], sections: form.all("sections"),
                                                                    reason: form.optional("reason"), version: try form.version(), caller: user)
            return done("province-reviews", "已对\(outcome.application.applicantName)的职称申报作出“\(outcome.decision.label)”决定", context)
        } catch let error as ZhichengError {
            return try await provinceReviewPage(user, context, id: id, flash: .error(error.shown(request)), status: error.status, entered: form)
        }
    }

    /// A received application's page data, either kind: who, what, the sections, the
    /// city's opinions and the province office's steps.
    static func receivedData(_ a: ProvinceReviewView, filesAt base: String) -> [String: Any] {
        [
            "id": a.id, "applicant": a.applicantName, "id_number": a.idNumber, "unit": a.unitName, "city": a.sourceTenant, "series": a.series,
            "specialty": a.specialty, "level": a.level, "title": a.title, "year": a.year, "stage": a.stageLabel, "version": a.version, "may_act": a.callerMayDecide,
            "sections": Self.receivedSections(a.sections, previous: a.previousSections, files: a.files, previousFiles: a.previousFiles, filesAt: base),
            "changed": a.changedSections.isEmpty ? false as Any : a.changedSections.joined(separator: "、"),
            "hidden": a.hiddenSections.isEmpty ? false as Any : a.hiddenSections.joined(separator: "、"),
            "city_trail": Self.cityTrailRows(a.cityTrail),
            "decisions": Self.provinceDecisionRows(a.decisions),
            "in_library": a.inExpertLibrary,
        ]
    }

    /// The province office's steps; a 退回修改 with its sections and reason.
    static func provinceDecisionRows(_ decisions: [ProvinceReviewView.Decision]) -> [[String: Any]] {
        decisions.map { d -> [String: Any] in
            let returned = d.decision == .return ? "（\(d.reason?.label ?? "")；需修改：\(d.sections.joined(separator: "、"))）" : ""
            return ["at": Self.time(d.at), "step": d.stage.label, "reviewer": d.reviewer, "decision": d.decision.label + returned, "comment": d.comment]
        }
    }

    // MARK: 专家信息库

    func expertsPage(_ user: SignedIn, _ context: TenantRequestContext, query: [String: String], flash: Flash, status: HTTPResponse.Status = .ok) async throws -> Response {
        let org = try await ownOrg(user)
        let series = query["series"] ?? "", specialty = query["specialty"] ?? "", state = query["state"] ?? ""
        let after = (query["after"]).flatMap { Int($0) }
        let page = try await services.experts.experts(series: series, specialty: specialty, state: state.isEmpty ? nil : state,
                                                      limit: ExpertService.expertPageSize, after: after, caller: user)
        let experts = page.experts
        let cities = await cityNames(experts.map(\.sourceTenant))
        // The same search, from its first page or from the next.
        func pageLink(after: Int?) -> String {
            func item(_ name: String, _ value: String) -> String? {
                value.isEmpty ? nil : name + "=" + (value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")
            }
            let items: [String?] = [item("series", series), item("specialty", specialty), item("state", state), after.map { "after=\($0)" }]
            return link("experts", items, context)
        }
        let data: [String: Any] = [
            "series": TitleCatalog.henan.series.map { ["name": $0.name, "selected": $0.name == series] },
            "specialty": specialty,
            "states": [("", "全部"), ("active", "在库"), ("suspended", "暂停"), ("retired", "退出")].map { ["value": $0.0, "label": $0.1, "selected": $0.0 == state] },
            "admin": user.kind == .orgAdmin,
            "experts": experts.map { e -> [String: Any] in
                ["id": e.id, "name": e.name, "id_number": e.idNumber, "series": e.series, "specialty": e.specialty, "title": "\(e.level) \(e.title)",
                 "unit": e.unitName, "city": cities[e.sourceTenant] ?? e.sourceTenant, "state": e.state, "state_label": e.stateLabel, "relations": e.relations.joined(separator: "\n"),
                 "active": e.state == "active", "suspended": e.state == "suspended", "retired": e.state == "retired"]
            },
            "count": page.total,
            "first_page": after == nil ? false as Any : pageLink(after: nil),
            "next_page": page.next.map { pageLink(after: $0) } as Any? ?? false,
        ]
        return try render("专家信息库", "experts", data, user: user, context, flash: flash, status: status, navCurrent: "experts", orgName: org.name)
    }

    func expertAction(_ action: String, _ request: Request, _ context: TenantRequestContext) async throws -> Response {
        guard let (user, form) = try await form(request, context) else { return toSignIn(request, context) }
        do {
            let id = try id(context)
            let expert: ExpertRecord
            switch action {
            case "state": expert = try await services.experts.setState(id, state: form["state"], reason: form["reason"], caller: user)
            case "relations":
                expert = try await services.experts.setRelations(id, relations: form["relations"].split(whereSeparator: \.isNewline).map(String.init), caller: user)
            default: throw ZhichengError.notFound("没有这个操作")
            }
            if expert.accountID == user.accountID { return done("sessions", "已保存您的回避关系", context) }
            return done("experts", action == "state" ? "\(expert.name)：\(expert.stateLabel)" : "已保存\(expert.name)的回避关系", context)
        } catch let error as ZhichengError {
            if try await services.experts.me(caller: user) != nil { return try await sessionsPage(user, context, flash: .error(error.shown(request)), status: error.status) }
            return try await expertsPage(user, context, query: [:], flash: .error(error.shown(request)), status: error.status)
        }
    }

    // MARK: 评审会与专家抽取

    /// 评审会与专家抽取. `entered`: a refused 设立评委会 or 新建评审会 form (`enteredForm`:
    /// `committee` or `create`), shown again as typed and ticked.
    func sessionsPage(_ user: SignedIn, _ context: TenantRequestContext, flash: Flash, status: HTTPResponse.Status = .ok,
                      entered: FormData? = nil, enteredForm: String? = nil) async throws -> Response {
        let org = try await ownOrg(user)
        let sessions = try await services.sessions.list(caller: user)
        let me = try await services.experts.me(caller: user)
        let isExpert = me != nil
        var data: [String: Any] = [
            "office": !isExpert,
            "me": me.map { ["id": $0.id, "relations": $0.relations.joined(separator: "\n"), "specialty": $0.specialty, "series": $0.series, "state": $0.stateLabel] } ?? false,
            "sessions": sessions.map { s -> [String: Any] in
                ["id": s.id, "name": s.name, "date": s.date ?? "未定", "committee": s.committeeName, "series": s.series, "specialty": s.specialty ?? "不限",
                 "panel": Self.panelText(s), "state_label": s.stateLabel]
            },
        ]
        if !isExpert {
            let committees = try await services.evaluations.committees(caller: user)
            // Those waiting for a committee, longest first; a session takes at most 500.
            let waiting = try await services.applications.received(caller: user, state: "received", limit: 500)
            let received = waiting.items
            data["more_received"] = waiting.next != nil
            let session = enteredForm == "create" ? entered : nil, committee = enteredForm == "committee" ? entered : nil
            if session != nil || committee != nil { Self.refilled() }
            data["committees"] = committees.map { ["id": $0.id, "name": $0.name, "scope": "\($0.series.joined(separator: "、")) \($0.levels.map(\.rawValue).joined(separator: "、"))", "rule": $0.rule.label,
                                                   "selected": session?["committee"] == String($0.id)] }
            data["has_committees"] = !committees.isEmpty
            let series = TitleCatalog.henan.series.map(\.name)
            data["committee_typed"] = ["name": committee?["name"] ?? ""]
            data["committee_series"] = series.map { ["name": $0, "checked": committee?.all("series").contains($0) ?? false] }
            data["committee_levels"] = TitleLevel.allCases.map(\.rawValue).map { ["name": $0, "checked": committee?.all("levels").contains($0) ?? false] }
            data["rules"] = VotingRule.all.map { ["name": $0.name, "label": $0.label, "selected": committee?["rule"] == $0.name] }
            data["session_typed"] = ["name": session?["name"] ?? "", "date": session?["date"] ?? "", "place": session?["place"] ?? "",
                                     "specialty": session?["specialty"] ?? "", "panel_size": session.map { $0["panel_size"] } ?? "5",
                                     "reserves": session.map { $0["reserves"] } ?? "2"]
            data["session_series"] = series.map { ["name": $0, "selected": session?["series"] == $0] }
            // A session is planned for today or later (China time): what the date input offers.
            data["today"] = CalendarDay(Date()).description
            let ticked = Set(session?.all("applications") ?? [])
            let cities = await cityNames(received.map(\.sourceTenant))
            data["received"] = received.map { ["id": $0.id, "name": $0.applicantName, "unit": $0.unitName, "city": cities[$0.sourceTenant] ?? $0.sourceTenant,
                                               "series": $0.series, "level": $0.level, "title": $0.title, "ticked": ticked.contains(String($0.id))] }
        }
        return try render(isExpert ? "我的评审会" : "评审会与专家抽取", "sessions", data, user: user, context, flash: flash, status: status,
                          navCurrent: "sessions", orgName: org.name)
    }

    /// 评审专家 N 名（备选 M 名）, or that the draw will say how many.
    static func panelText(_ s: SessionView) -> String {
        s.panelSize == 0 ? "抽取时确定" : "\(s.panelSize) 名（备选 \(s.reserves) 名）"
    }

    /// A review session. `entered`: a refused vote, shown again in its application's form, or a
    /// refused 取消评审会, its reason shown again in the form.
    func sessionPage(_ user: SignedIn, _ context: TenantRequestContext, id: Int, flash: Flash, verification: DrawVerification? = nil,
                     status: HTTPResponse.Status = .ok, entered: FormData? = nil) async throws -> Response {
        let org = try await ownOrg(user)
        let s = try await services.sessions.get(id, caller: user)
        let office = try await services.experts.me(caller: user) == nil
        let names = Dictionary(s.members.map { ($0.expertID, $0.name) }, uniquingKeysWith: { a, _ in a })
        let closed = s.state.isCounted
        let applicationNames = Dictionary(s.applications.map { ($0.id, "\($0.applicantName) · \($0.title)") }, uniquingKeysWith: { a, _ in a })
        // A refused 取消评审会 (its reason missing or too long) comes back as typed, while the form is shown.
        let cancelTyped = office && s.mayCancel ? entered?.optional("reason") : nil
        if cancelTyped != nil { Self.refilled() }
        var data: [String: Any] = [
            "id": s.id, "session_id": s.id, "name": s.name, "committee": s.committeeName, "series": s.series, "specialty": s.specialty ?? "不限",
            "panel": Self.panelText(s), "count": s.panelSize == 0 ? "" : String(s.panelSize), "reserves": s.reserves,
            "when": [s.date, s.place].compactMap { $0 }.joined(separator: " "), "rule": s.rule.label, "state_label": s.stateLabel,
            "seed": s.seed ?? "", "digest": s.inputsDigest ?? "", "office": office, "planned": s.state == .planned, "voting": s.state == .drawn,
            // The draw's record and panel, once drawn (a session cancelled before its draw has none).
            "has_draw": s.seed != nil,
            "closed": closed, "outcome": s.outcome ?? "", "may_vote": s.callerIsPanelist && s.state == .drawn,
            // Why the close waits (its date, an interview to come), in place of its button.
            "close_waits": s.closeWaits ?? false,
            "may_cancel": office && s.mayCancel,
            "cancellation": s.cancellation.map { c -> [String: Any] in ["reason": c.reason, "at": ChinaTime.minute(c.at), "by": c.by] } ?? false,
            "cancel_typed": cancelTyped ?? "",
            "members": s.members.map { m -> [String: Any] in
                ["expert_id": m.expertID, "name": m.name, "unit": m.unitName, "specialty": m.specialty,
                 "role": ["panel": "评审专家", "reserve": "备选专家", "replaced": "已替换"][m.role] ?? m.role, "position": m.position,
                 "votes_cast": m.votesCast ?? 0, "replaceable": office && s.state == .drawn && m.role == "panel"]
            },
            "has_excluded": !s.excluded.isEmpty,
            "excluded": s.excluded.map { ["name": $0.name, "expert_id": $0.expertID, "reason": $0.reason] },
            "applications": s.applications.map { a -> [String: Any] in
                let typed = entered.flatMap { $0["application"] == String(a.id) ? $0 : nil }
                if typed != nil { Self.refilled() }
                return [
                    "score_typed": typed?["score"] ?? "", "comment_typed": typed?["comment"] ?? "",
                    "id": a.id, "applicant": a.applicantName, "unit": a.unitName, "title": "\(a.series) \(a.level) \(a.title)",
                    "sections": Self.receivedSections(a.sections, files: a.files, filesAt: receivedFilesPath(a.id, context)),
                    "my_vote": a.myVote.map { v -> [String: Any] in ["label": v.vote.label, "score": v.score.map(String.init) ?? "—", "comment": v.comment] } ?? false,
                    "tally": closed ? "同意\(a.agree ?? 0)票，不同意\(a.disagree ?? 0)票，弃权\(a.abstain ?? 0)票" as Any : false,
                    // What this session decided (recorded at its close), not the application's result now.
                    "result": a.outcome ?? false,
                    // Why a vote on it waits (the session's date, the interview), in place of the form.
                    "vote_waits": a.voteWaits ?? false,
                    "votes": Vote.allCases.map { vote in ["value": vote.rawValue, "label": vote.label, "checked": typed.map { $0["vote"] == vote.rawValue } ?? (a.myVote?.vote == vote)] },
                ]
            },
            // Named as in 评审的申报 above (the id is the province's internal one).
            "votes": s.votes.map { v -> [String: Any] in
                ["application": applicationNames[v.applicationID] ?? "申报\(v.applicationID)", "expert": v.expertName,
                 "vote": v.leftOut.map { "\(v.vote.label)（不计入：\($0)）" } ?? v.vote.label, "score": v.score.map(String.init) ?? "—", "comment": v.comment]
            },
        ]
        if let v = verification {
            data["verification"] = [
                "ok": v.matches,
                "panel": v.recomputedPanel.map { names[$0] ?? "专家\($0)" }.joined(separator: "、"),
                "reserves": v.recomputedReserves.map { names[$0] ?? "专家\($0)" }.joined(separator: "、"),
                "digest_ok": v.digestMatches, "current": v.inputsCurrent,
            ]
        }
        return try render(s.name, "session", data, user: user, context, flash: flash, status: status, navCurrent: "sessions", orgName: org.name)
    }

    func sessionAction(_ action: String, _ request: Request, _ context: TenantRequestContext) async throws -> Response {
        guard let (user, form) = try await form(request, context) else { return toSignIn(request, context) }
        if action == "create" || action == "committee" {
            do {
                if action == "committee" {
                    let committee = try await services.evaluations.createCommittee(name: form["name"], series: form.all("series"), levels: form.all("levels"),
                                                                                    rule: form["rule"], caller: user)
                    return done("sessions", "已设立评委会“\(committee.name)”", context)
                }
                guard let committee = Int(form["committee"]) else { throw ZhichengError.invalid("请选择评委会", field: "committee") }
                let panel = try form.optionalInteger("panel_size", notANumber: "抽取人数应为整数")
                let session = try await services.sessions.create(
                    committee: committee, name: form["name"], date: form.optional("date"), place: form.optional("place"), series: form["series"],
                    specialty: form.optional("specialty"), panelSize: panel,
                    reserves: try form.optionalInteger("reserves", notANumber: "备选人数应为整数") ?? 0,
                    applications: try form.integers("applications", notANumber: "所选申报的编号应为整数"), caller: user)
                return done("sessions/\(session.id)", "已创建评审会，请抽取专家", context)
            } catch let error as ZhichengError {
                return try await sessionsPage(user, context, flash: .error(error.shown(request)), status: error.status, entered: form, enteredForm: action)
            }
        }
        let id = try id(context)
        do {
            switch action {
            case "draw":
                _ = try await services.sessions.draw(id, count: try form.optionalInteger("count", notANumber: "抽取人数应为整数"),
                                                     reserves: try form.optionalInteger("reserves", notANumber: "备选人数应为整数"), seed: form.optional("seed"), caller: user)
                return done("sessions/\(id)", "已抽取评审专家与备选专家，种子与输入已记录", context)
            case "verify":
                let verification = try await services.sessions.verify(id, caller: user)
                let message = verification.matches ? "复现一致：按记录的种子与输入重新抽取，得到相同的专家" : "复现不一致：请检查记录"
                return try await sessionPage(user, context, id: id, flash: verification.matches ? .ok(message) : .error(message), verification: verification)
            case "replace":
                guard let expert = Int(form["expert"]) else { throw ZhichengError.invalid("请选择要替换的专家", field: "expert") }
                _ = try await services.sessions.replace(id, expert: expert, caller: user)
                return done("sessions/\(id)", "已由备选专家替补", context)
            case "vote":
                guard let application = Int(form["application"]) else { throw ZhichengError.invalid("请选择申报", field: "application") }
                let score = form["score"].trimmingCharacters(in: .whitespaces)
                guard score.isEmpty || Int(score) != nil else { throw ZhichengError.invalid("评分应为0至100的整数", field: "score") }
                _ = try await services.sessions.vote(id, application: application, vote: form["vote"], score: Int(score), comment: form["comment"], caller: user)
                return done("sessions/\(id)", "已保存您的投票（评审会结束前可修改，其他专家看不到）", context)
            case "close":
                let s = try await services.sessions.close(id, caller: user)
                // A session that could not close (no quorum) says why on its page; nothing changed.
                guard s.state == .closed else { return try await sessionPage(user, context, id: id, flash: .error(s.outcome ?? "")) }
                return done("sessions/\(id)", s.outcome ?? "评审会已结束", context)
            case "cancel":
                _ = try await services.sessions.cancel(id, reason: form["reason"], caller: user)
                return done("sessions/\(id)", "已取消评审会，其申报可另行安排评审或录入评审结果", context)
            default:
                throw ZhichengError.notFound("没有这个操作")
            }
        } catch let error as ZhichengError {
            let message = error.shown(request)   // logged once, whichever page says it
            do {
                return try await sessionPage(user, context, id: id, flash: .error(message), status: error.status,
                                             entered: action == "vote" || action == "cancel" ? form : nil)
            } catch is ZhichengError {
                return try await sessionsPage(user, context, flash: .error(message), status: error.status)
            }
        }
    }
}
