import Foundation
import ZhichengCore
import ZhichengStorage

extension ApplicationService {
    // MARK: Province

    /// The states of a title application the province received, as `received(state:)` filters
    /// them: under the office's review, passed to its committee, returned, rejected, in 公示, final,
    /// withdrawn in the city after a return.
    public static let receivedStates = ["in_review", "received", "returned", "rejected", "publicity", "final", "withdrawn"]

    /// Title applications the province received from the cities (the province office's admin
    /// only), oldest first, one page (`limit` 1–500; `after`: the `next` of the page before),
    /// only those in `state` if given.
    public func received(caller: SignedIn, state: String? = nil, limit rawLimit: Int = 200, after: Int? = nil) async throws -> ReceivedPage {
        if let state, !Self.receivedStates.contains(state) {
            throw ZhichengError.invalid("state 应为 \(Self.receivedStates.joined(separator: "、")) 之一", field: "state")
        }
        let paging = Paging(rawLimit, maximum: 500)
        return try await store.read(caller) { conn in
            try ExpertService.requireProvinceOffice(caller, conn, admin: true)
            var arguments: [any SQLiteBindable] = [after ?? 0]
            if let state { arguments.append(state) }
            let rows = try conn.query("""
                SELECT id, source_tenant, source_application_id, applicant_name, unit_name, year, series, level, title, state, received_at
                FROM received_applications WHERE kind = 'title' AND id > ?\(state == nil ? "" : " AND state = ?") ORDER BY id LIMIT ?
                """, arguments + [paging.rowsToRead]).map(ReceivedApplication.init)
            let (items, next) = paging.cut(rows, cursor: \.id)
            return ReceivedPage(items: items, next: next)
        }
    }

    /// One title application received from a city, with its sections and the city's
    /// opinions, for the province office that evaluates it (its committee desk).
    public func receivedApplication(_ id: Int, caller: SignedIn) async throws -> ReceivedApplicationView {
        try await store.read(caller) { conn in
            try ExpertService.requireProvinceOffice(caller, conn, admin: true)
            guard let r = try conn.query("SELECT * FROM received_applications WHERE id = ? AND kind = 'title'", [id]).first else {
                throw ZhichengError.notFound("没有这个报送到省里的申报")
            }
            var view = ReceivedApplicationView(application: ReceivedApplication(r), idNumber: r["id_number"].string ?? "",
                                               sections: Self.sections(fromSnapshot: r["sections"].string ?? "{}"), cityTrail: CityTrailStep.steps(fromJSON: r["trail"].string),
                                               provinceDecisions: try ProvinceReview.decisions(id, conn))
            view.files = try ReceivedFiles.listed(r["sections"].string, source: r["source_tenant"].string ?? "", application: r["source_application_id"].int ?? 0, conn)
            return view
        }
    }

    /// The label of a state of an application of `kind` (`ApplicationKind.label(of:)`: an
    /// expert recommendation passed is 已入库（专家信息库）); once the province acknowledged a
    /// hand-off, 已报送省职改办.
    public static func stateLabel(_ state: ApplicationState, kind: ApplicationKind, forwarded: Bool) -> String {
        state == .awaitingProvince && forwarded ? "已报送省职改办" : kind.label(of: state)
    }

    /// Where an application in review is: the org reviewing it (`orgName`, its name now) and the
    /// step, e.g. 管城区教育局 负责人审查; nil when it is not in review (with the province it is
    /// 已报送省职改办: the city does not follow the province's steps) or the org is unknown.
    /// The one wording of 申报人员状态查询 and 已审查 (`standing`) and of the applicant's own
    /// pages (`ApplicationView.reviewStep`): orgs only, never a reviewer (the applicant's
    /// trail names the orgs too, and reviewers only where the deployment shows them).
    public static func reviewStep(_ chain: ReviewChain, orgName: String?) -> String? {
        guard chain.state == .inReview, let orgName else { return nil }
        return "\(orgName) \(chain.stage.label)"
    }

    /// Where an application stands, in words, as 申报人员状态查询 and 已审查 say it: the
    /// org and step while in review (e.g. 管城区教育局 负责人审查), and a result in public
    /// notice, the city committee's or the province's, with the end of the period (or that it
    /// has ended and waits for confirmation). `row`
    /// has `current_org` (the current org's name), `kind`, `forwarded_at`, `publicity_result` and
    /// `publicity_until` of the application.
    static func standing(_ chain: ReviewChain, _ row: SQLiteRow, now: Double = Date().timeIntervalSince1970) -> String {
        var stage = stateLabel(chain.state, kind: ApplicationKind(rawValue: row["kind"].string ?? "") ?? .title, forwarded: row["forwarded_at"].double != nil)
        if let step = reviewStep(chain, orgName: row["current_org"].string) { stage = step }
        if [.publicity, .awaitingProvince].contains(chain.state), let result = row["publicity_result"].string, let until = row["publicity_until"].double {
            stage = (chain.state == .awaitingProvince ? "省评委会结果" : "") + PublicityCalendar.label(result: result, until: until, now: now)
        }
        return stage
    }
}
