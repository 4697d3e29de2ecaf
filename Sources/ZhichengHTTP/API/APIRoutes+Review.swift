import Foundation
import Hummingbird
import NIOCore
import ZhichengAdminProtocol
import ZhichengApp
import ZhichengCore
import ZhichengStorage

/// Declaration plans, applications and the review chain (SPEC §5.1, §7).
extension APIRoutes {
    /// What `POST …/objections` sends: JSON `{text, evidence}`, or a `multipart/form-data` form
    /// with the fields `text` and `evidence` and up to 3 files in parts named `file` (the web
    /// form's shape; the service checks the files, `ObjectionEvidence`). The body may hold three
    /// files of the limit and the text besides.
    static func objectionBody(_ request: Request, maxFileBytes: Int) async throws -> (text: String, evidence: String, files: [ObjectionEvidence.Upload]) {
        guard request.headers[.contentType]?.lowercased().hasPrefix("multipart/form-data") == true else {
            let body = try await APIJSON.decode(ObjectionBody.self, from: request)
            return (body.text, body.evidence ?? "", [])
        }
        let form = try await FormData.parse(request, limit: ObjectionEvidence.maxFiles * maxFileBytes + 64 * 1024)
        return (form["text"], form["evidence"], form.files.map { ObjectionEvidence.Upload(name: $0.name ?? "", bytes: $0.bytes) })
    }

    static func addReview(to signedIn: RouterGroup<AccountRequestContext>, services s: AppServices) {
        // 申报计划
        signedIn.post("orgs/{id}/plans") { request, context in
            let body = try await APIJSON.decode(PlanBody.self, from: request)
            let items = try body.items.enumerated().map { index, item throws(ZhichengError) -> PlanLine in
                guard let level = TitleLevel(rawValue: item.level) else { throw ZhichengError.invalid("第\(index + 1)行：级别应为 初级、中级、副高级 或 正高级", field: "items") }
                return PlanLine(series: item.series, level: level, count: item.count)
            }
            return try APIJSON.response(PlanDTO(try await s.plans.save(orgID: try id(context), year: body.year, items: items, caller: context.caller)), status: .created)
        }
        signedIn.get("orgs/{id}/plans") { _, context in
            try APIJSON.response(["plans": try await s.plans.plans(of: try id(context), caller: context.caller).map { PlanDTO($0) }])
        }
        signedIn.get("plans") { request, context in
            let state = try request.uri.queryParameters.get("state").map { raw -> PlanState in
                guard let state = PlanState(rawValue: raw) else { throw ZhichengError.badRequest("state 应为 submitted、approved 或 rejected", field: "state") }
                return state
            }
            let page = try await s.plans.overview(caller: context.caller, year: try APIJSON.year(in: request), state: state,
                                                  limit: try APIJSON.integer("limit", in: request), after: try APIJSON.planCursor("after", in: request))
            return try APIJSON.response(PlanPageDTO(plans: page.plans.map { PlanDTO($0.plan, orgName: $0.orgName) }, next: page.next?.text))
        }
        signedIn.get("plans/{id}") { _, context in try APIJSON.response(PlanDTO(try await s.plans.get(planID: try id(context), caller: context.caller))) }
        signedIn.put("plans/{id}/document") { request, context in
            let bytes = try await APIJSON.body(of: request, limit: s.plans.maxDocumentBytes)
            let name = try APIJSON.fileName(in: request) ?? "申报计划"
            return try APIJSON.response(PlanDTO(try await s.plans.attachDocument(planID: try id(context), name: name, bytes: Array(buffer: bytes), caller: context.caller)))
        }
        signedIn.get("plans/{id}/document") { _, context in
            let (mime, bytes) = try await s.plans.document(planID: try id(context), caller: context.caller)
            return Response(status: .ok, headers: [.contentType: mime, .cacheControl: "private, no-store", .init("X-Content-Type-Options")!: "nosniff"],
                            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
        }
        signedIn.post("plans/{id}/submit") { _, context in try APIJSON.response(PlanDTO(try await s.plans.submit(planID: try id(context), caller: context.caller))) }
        signedIn.post("plans/{id}/review") { request, context in
            let body = try await APIJSON.decode(ReviewBody.self, from: request)
            let approve = try Approval(parsing: body.decision) == .approve
            return try APIJSON.response(PlanDTO(try await s.plans.review(planID: try id(context), approve: approve, reason: body.reason, caller: context.caller)))
        }

        // Applications
        signedIn.post("applications") { request, context in
            let body = try await APIJSON.decode(NewApplicationBody.self, from: request)
            let view = try await s.applications.create(kind: body.kind, year: body.year, series: body.series, level: body.level, title: body.title,
                                                           specialty: body.specialty, caller: context.caller)
            return try APIJSON.response(ApplicationDTO(view), status: .created)
        }
        signedIn.get("applications") { _, context in
            try APIJSON.response(["applications": try await s.applications.mine(caller: context.caller).map(ApplicationDTO.init)])
        }
        signedIn.get("applications/{id}") { _, context in try APIJSON.response(ApplicationDTO(try await s.applications.get(try id(context), caller: context.caller))) }
        signedIn.put("applications/{id}") { request, context in
            let body = try await APIJSON.decode(HeadingBody.self, from: request)
            return try APIJSON.response(ApplicationDTO(try await s.applications.changeHeading(try id(context), year: body.year, series: body.series, level: body.level,
                                                                                              title: body.title, caller: context.caller)))
        }
        signedIn.put("applications/{id}/sections/{section}") { request, context in
            let section = context.parameters.get("section")?.removingPercentEncoding ?? ""
            // Room for any section within its 64 KiB (`SectionFields.tooLong` answers one over
            // it) however its JSON is escaped: `\uXXXX` makes a Chinese character's 3 bytes 6,
            // a surrogate pair an emoji's 4 bytes 12.
            let fields = try await APIJSON.decode([String: String].self, from: request, limit: 4 * SectionFields.maxBytes)
            return try APIJSON.response(ApplicationDTO(try await s.applications.saveSection(try id(context), section: section, fields: fields, caller: context.caller)))
        }
        signedIn.get("applications/{id}/attachments") { _, context in
            try APIJSON.response(["attachments": try await s.applications.attachments(try id(context), caller: context.caller)])
        }
        signedIn.post("applications/{id}/attachments") { request, context in
            let bytes = try await APIJSON.body(of: request, limit: s.orgs.maxUploadBytes)
            let name = try APIJSON.fileName(in: request) ?? "附件"
            let info = try await s.applications.addAttachment(try id(context), name: name, bytes: Array(buffer: bytes), maxBytes: s.orgs.maxUploadBytes, caller: context.caller)
            return try APIJSON.response(info, status: .created)
        }
        signedIn.get("applications/{id}/attachments/{attachment}") { _, context in
            guard let raw = context.parameters.get("attachment"), let attachment = Int(raw) else { throw ZhichengError.notFound("没有这个附件") }
            let file = try await s.applications.attachment(try id(context), attachment: attachment, caller: context.caller)
            var headers: HTTPFields = [.contentType: file.mime, .cacheControl: "private, no-store", .init("X-Content-Type-Options")!: "nosniff"]
            if let name = file.name { headers[.contentDisposition] = ContentDisposition.inline(filename: name) }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: file.bytes)))
        }
        signedIn.delete("applications/{id}/attachments/{attachment}") { _, context in
            guard let raw = context.parameters.get("attachment"), let attachment = Int(raw) else { throw ZhichengError.notFound("没有这个附件") }
            try await s.applications.removeAttachment(try id(context), attachment: attachment, caller: context.caller)
            return APIJSON.noContent()
        }
        signedIn.post("applications/{id}/submit") { _, context in try APIJSON.response(ApplicationDTO(try await s.applications.submit(try id(context), caller: context.caller))) }
        signedIn.post("applications/{id}/withdraw") { _, context in try APIJSON.response(ApplicationDTO(try await s.applications.withdraw(try id(context), caller: context.caller))) }
        // A draft's place in its unit's approved plan, before it is submitted.
        signedIn.get("applications/{id}/plan-place") { _, context in
            guard let place = try await s.applications.planPlace(try id(context), caller: context.caller) else {
                throw ZhichengError.conflict("只有尚未提交的职称申报需核对申报计划名额：已提交的在提交时已占用名额")
            }
            return try APIJSON.response(PlanPlaceDTO(place))
        }
        signedIn.get("applications/{id}/trail") { _, context in
            try APIJSON.response(["trail": try await s.applications.trail(try id(context), caller: context.caller).map(TrailDTO.init)])
        }

        signedIn.get("applicant-status/orgs") { _, context in
            try APIJSON.response(["orgs": try await s.applications.statusOrgs(caller: context.caller).map(StatusOrgDTO.init)])
        }
        signedIn.get("orgs/{id}/applicant-status") { request, context in
            let below = try APIJSON.boolean("below", in: request) ?? false
            let query = ApplicationService.StatusQuery(
                year: try APIJSON.year(in: request), below: below, applicant: request.textQuery("applicant"),
                state: try StatusStateFilter.parse(request.textQuery("state")), series: request.textQuery("series"),
                level: try TitleLevel.chosen(request.textQuery("level")),
                // The units below an office can hold many: a page of them unless asked otherwise.
                limit: try APIJSON.integer("limit", in: request) ?? (below ? 200 : nil), before: try APIJSON.integer("before", in: request))
            let (rows, total) = try await s.applications.statusWithTotal(of: try id(context), query, caller: context.caller)
            return try APIJSON.response(StatusPageDTO(rows: rows.map(StatusDTO.init), total: total))
        }
        signedIn.get("applications/{id}/review-form") { _, context in
            ReviewFormPage.render(try await s.applications.reviewForm(try id(context), caller: context.caller))
        }

        signedIn.get("province/applications") { request, context in
            let page = try await s.applications.received(caller: context.caller, state: request.uri.queryParameters.get("state"),
                                                         limit: try APIJSON.integer("limit", in: request) ?? 200, after: try APIJSON.integer("after", in: request))
            return try APIJSON.response(ReceivedPageDTO(applications: page.items, next: page.next))
        }
        signedIn.get("province/applications/{id}") { _, context in
            try APIJSON.response(ReceivedApplicationDTO(try await s.applications.receivedApplication(try id(context), caller: context.caller)))
        }
        // A file a received application (either kind) names, for whoever at the province may read its 附件.
        signedIn.get("province/applications/{id}/files/{sha256}") { _, context in
            let file = try await s.applications.receivedFile(try id(context), sha256: context.parameters.get("sha256") ?? "", caller: context.caller)
            var headers: HTTPFields = [.contentType: file.mime, .cacheControl: "private, no-store", .init("X-Content-Type-Options")!: "nosniff"]
            if let name = file.name { headers[.contentDisposition] = ContentDisposition.inline(filename: name) }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: file.bytes)))
        }

        // Committees (评委会), interviews, results, 公示 and objections
        signedIn.get("committees") { _, context in
            try APIJSON.response(["committees": try await s.evaluations.committees(caller: context.caller).map(CommitteeDTO.init)])
        }
        signedIn.post("committees") { request, context in
            let body = try await APIJSON.decode(CommitteeBody.self, from: request)
            return try APIJSON.response(CommitteeDTO(try await s.evaluations.createCommittee(name: body.name, series: body.series, levels: body.levels, rule: body.rule, caller: context.caller)), status: .created)
        }
        // Batch steps of the desk: each on every item named (paths as the worklist gives them), or on none.
        @Sendable func batch(_ items: [String]) throws -> [EvaluationTarget] {
            try items.map { path -> EvaluationTarget in
                guard let target = evaluationTarget(path: path) else {
                    throw ZhichengError.invalid("items 应为评委会工作台上申报的 path，如 applications/12（“\(path.prefix(40))”不是）", field: "items")
                }
                return target
            }
        }
        signedIn.post("committee-interviews") { request, context in
            let body = try await APIJSON.decode(InterviewsBody.self, from: request)
            let records = try await s.evaluations.setInterviews(try batch(body.items), time: body.time, place: body.place, caller: context.caller)
            return try APIJSON.response(["evaluations": records.map(EvaluationDTO.init)])
        }
        signedIn.post("committee-results") { request, context in
            let body = try await APIJSON.decode(ResultsBody.self, from: request)
            let records = try await s.evaluations.recordResults(try batch(body.items), result: body.result, note: body.note, caller: context.caller)
            return try APIJSON.response(["evaluations": records.map(EvaluationDTO.init)])
        }
        signedIn.post("committee-confirmations") { request, context in
            let body = try await APIJSON.decode(ItemsBody.self, from: request)
            return try APIJSON.response(["evaluations": try await s.evaluations.confirm(try batch(body.items), caller: context.caller).map(EvaluationDTO.init)])
        }
        signedIn.patch("committees/{id}") { request, context in
            let body = try await APIJSON.decode(CommitteeChange.self, from: request)
            return try APIJSON.response(CommitteeDTO(try await s.evaluations.updateCommittee(try id(context), name: body.name, series: body.series, levels: body.levels,
                                                                                            rule: body.rule, caller: context.caller)))
        }
        for (prefix, make) in [("applications", EvaluationTarget.application), ("province/applications", EvaluationTarget.received)] {
            signedIn.put("\(prefix)/{id}/interview") { request, context in
                let body = try await APIJSON.decode(InterviewBody.self, from: request)
                return try APIJSON.response(EvaluationDTO(try await s.evaluations.setInterview(make(try id(context)), time: body.time, place: body.place, caller: context.caller)))
            }
            signedIn.post("\(prefix)/{id}/result") { request, context in
                let body = try await APIJSON.decode(ResultBody.self, from: request)
                return try APIJSON.response(EvaluationDTO(try await s.evaluations.recordResult(make(try id(context)), result: body.result, note: body.note, caller: context.caller)))
            }
            signedIn.post("\(prefix)/{id}/result/confirm") { _, context in
                try APIJSON.response(EvaluationDTO(try await s.evaluations.confirm(make(try id(context)), caller: context.caller)))
            }
            signedIn.get("\(prefix)/{id}/evaluation") { _, context in
                guard let record = try await s.evaluations.evaluation(make(try id(context)), caller: context.caller) else { throw ZhichengError.notFound("尚无评审记录") }
                return try APIJSON.response(EvaluationDTO(record))
            }
            signedIn.get("\(prefix)/{id}/objections") { _, context in
                try APIJSON.response(["objections": try await s.evaluations.objections(make(try id(context)), caller: context.caller).map(ObjectionDTO.init)])
            }
            signedIn.post("\(prefix)/{id}/objections") { request, context in
                let (text, evidence, files) = try await objectionBody(request, maxFileBytes: s.evaluations.maxEvidenceBytes)
                switch try await s.evaluations.lodgeObjection(make(try id(context)), text: text, evidence: evidence, files: files, caller: context.caller) {
                case .objection(let objection): return try APIJSON.response(["id": objection], status: .created)
                // The province's result: sent on; the province office resolves it.
                case .forwarded: return try APIJSON.response(["forwarded_to": "province"], status: .accepted)
                }
            }
        }
        signedIn.get("committee-worklist") { request, context in
            let year = try APIJSON.year(in: request)
            let open = try APIJSON.boolean("open", in: request) ?? false
            let after = try APIJSON.worklistCursor(in: request)
            let need = try CommitteeDeskNeed(parsing: request.textQuery("need"))
            let page = try await s.evaluations.worklistPage(caller: context.caller, year: year, open: open, need: need, applicant: request.textQuery("applicant"),
                                                            committee: try APIJSON.integer("committee", in: request),
                                                            limit: try APIJSON.integer("limit", in: request), after: after)
            return try APIJSON.response(WorklistPageDTO(items: page.items.map(WorkItemDTO.init), next: page.next.map(evaluationPath)))
        }
        signedIn.get("public-notices") { request, context in
            let page = try await s.evaluations.publicNotices(caller: context.caller, applicant: request.textQuery("applicant"),
                                                             limit: try APIJSON.integer("limit", in: request), after: try APIJSON.noticeCursor(in: request))
            return try APIJSON.response(NoticePageDTO(notices: page.notices.map(NoticeDTO.init), next: page.next?.text))
        }
        signedIn.get("objections/mine") { _, context in
            try APIJSON.response(["objections": try await s.evaluations.ownObjections(caller: context.caller).map(OwnObjectionDTO.init)])
        }
        // An objection's evidence file, for the committee's office and the person who lodged it.
        signedIn.get("objections/{id}/files/{file}") { _, context in
            guard let file = context.parameters.get("file").flatMap(Int.init) else { throw ZhichengError.notFound("没有这个证据材料") }
            let record = try await s.evaluations.objectionFile(try id(context), file: file, caller: context.caller)
            var headers: HTTPFields = [.contentType: record.mime, .cacheControl: "private, no-store", .init("X-Content-Type-Options")!: "nosniff"]
            headers[.contentDisposition] = ContentDisposition.attachment(filename: record.name ?? "证据材料")
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: record.bytes)))
        }
        signedIn.post("objections/{id}/resolve") { request, context in
            let body = try await APIJSON.decode(ResolveBody.self, from: request)
            let upheld = try ObjectionRuling(parsing: body.decision) == .upheld
            return try APIJSON.response(EvaluationDTO(try await s.evaluations.resolveObjection(try id(context), upheld: upheld, reason: body.reason, caller: context.caller)))
        }

        // Review
        signedIn.get("reviews/queue") { request, context in
            let limit = try APIJSON.integer("limit", in: request) ?? 50
            let after = try APIJSON.integer("after", in: request)
            let search = try QueueSearch(text: request.textQuery("q"), level: request.textQuery("level"), kind: request.textQuery("kind"),
                                         series: request.textQuery("series"))
            let body = try await s.applications.queuePage(caller: context.caller, stage: try queueStage(request), limit: limit, after: after, search: search,
                                                          rows: { rows in try QueueDTO.page(rows) }, items: { items in QueueDTO.page(items) })
            return APIJSON.response(json: body)
        }
        signedIn.get("reviews/stranded") { _, context in
            try APIJSON.response(["steps": try await s.applications.strandedSteps(caller: context.caller).map(StrandedStepDTO.init)])
        }
        signedIn.get("reviews/unread-sections") { _, context in
            try APIJSON.response(["series": try await s.applications.unreadSections(caller: context.caller).map(UnreadSectionsDTO.init)])
        }
        signedIn.get("reviews/done") { request, context in
            let items = try await s.applications.reviewed(caller: context.caller, limit: try APIJSON.integer("limit", in: request) ?? 50,
                                                          before: try APIJSON.integer("before", in: request))
            return try APIJSON.response(["decisions": items.map(ReviewedDTO.init)])
        }
        signedIn.post("applications/{id}/decision") { request, context in
            let body = try await APIJSON.decode(DecisionBody.self, from: request)
            let outcome = try await s.applications.decide(try id(context), decision: body.decision, comment: body.comment, sections: body.sections,
                                                          reason: body.reason, version: body.version, step: body.step, caller: context.caller)
            let chain = outcome.chain
            let inReview = chain.state == .inReview
            return APIJSON.response(json: .object([
                ("id", .init(outcome.id)), ("applicant_name", .string(outcome.applicantName)),
                ("state", .string(chain.state.rawValue)), ("state_label", .string(chain.state.label)),
                ("current_org_id", chain.currentOrg.map { .init($0) } ?? .null),
                ("step", inReview ? .string(chain.stage.rawValue) : .null), ("step_label", inReview ? .string(chain.stage.label) : .null),
                ("version", .init(outcome.version)),
            ]))
        }
    }
}
