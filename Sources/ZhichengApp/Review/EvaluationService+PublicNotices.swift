import Foundation
import ZhichengCore
import ZhichengStorage

extension EvaluationService {
    /// Results now in public notice (公示), for every signed-in account of the tenant: its
    /// own committees' results, and the province's results on its applications; not those
    /// whose period has ended and that wait for the office's confirmation (nobody may
    /// object to them any more). Those ending first first; every one, or a page of `limit`
    /// after the notice `after` (the page before's `next`), of applicants whose name holds
    /// `applicant` (taken literally) if given.
    public func publicNotices(caller: SignedIn, now: Date = Date(), applicant: String? = nil, limit: Int? = nil,
                              after: PublicNotice.Position? = nil) async throws -> (notices: [PublicNotice], next: PublicNotice.Position?) {
        let now = now.timeIntervalSince1970
        let applicant = try ApplicationService.searchText(applicant, field: "applicant")
        let paging = limit.map { Paging($0, maximum: 500) }
        let rows = try await store.read(caller) { conn in
            try Access.requireApprovedOrg(caller, conn)
            return try conn.query(Self.publicNoticesSQL, [now, after?.until ?? -1, after?.kind ?? 0, after?.id ?? 0,
                                                          applicant.isEmpty ? nil : ApplicationService.containing(applicant) as String?,
                                                          paging?.rowsToRead ?? -1]).map { r in
                PublicNotice(target: r["application_id"].int.map { .application($0) } ?? .received(r["received_id"].int ?? 0), committee: r["committee"].string ?? "",
                             applicantName: r["applicant"].string ?? "", unitName: r["unit"].string ?? "", series: r["series"].string ?? "",
                             level: r["level"].string ?? "", title: r["title"].string ?? "", result: r["result"].string ?? "",
                             publicityUntil: r["publicity_until"].double ?? 0, byProvince: r["by_province"].int == 1)
            }
        }
        guard let paging else { return (rows, nil) }
        let (shown, next) = paging.cut(rows, cursor: \.position)
        return (shown, next)
    }

    /// Results now in public notice, every one (`GET public-notices`).
    public func publicNotices(caller: SignedIn, now: Date = Date()) async throws -> [PublicNotice] {
        try await publicNotices(caller: caller, now: now, applicant: nil, limit: nil, after: nil).notices
    }

    /// What `publicNotices` reads (?1: now; ?2–?4: the position after which to start, ?5: a
    /// LIKE pattern for the applicant's name or NULL, ?6: how many, -1 every one), from the
    /// notices' partial indexes (schema v21), in `PublicNotice.Position` order.
    static let publicNoticesSQL = """
                SELECT * FROM (
                SELECT e.application_id, e.received_id, e.result, e.publicity_until, c.name AS committee,
                       COALESCE(p.name, r.applicant_name) AS applicant, COALESCE(o.name, r.unit_name) AS unit,
                       COALESCE(a.series, r.series) AS series, COALESCE(a.level, r.level) AS level, COALESCE(a.title, r.title) AS title, 0 AS by_province,
                       CASE WHEN e.application_id IS NULL THEN 1 ELSE 0 END AS k, COALESCE(e.application_id, e.received_id) AS kid
                FROM evaluations e JOIN committees c ON c.id = e.committee_id
                LEFT JOIN applications a ON a.id = e.application_id LEFT JOIN accounts p ON p.id = a.applicant_id LEFT JOIN orgs o ON o.id = a.org_id
                LEFT JOIN received_applications r ON r.id = e.received_id
                WHERE e.state = 'publicity' AND e.publicity_until > ?1
                UNION ALL
                SELECT a.id, NULL, a.publicity_result, a.publicity_until, a.committee_name, p.name, o.name, a.series, a.level, a.title, 1, 2, a.id
                FROM applications a JOIN accounts p ON p.id = a.applicant_id JOIN orgs o ON o.id = a.org_id
                WHERE a.state = 'awaiting_province' AND a.publicity_result IS NOT NULL AND a.publicity_until > ?1)
                WHERE (publicity_until, k, kid) > (?2, ?3, ?4) AND (?5 IS NULL OR applicant LIKE ?5 ESCAPE '\\')
                ORDER BY publicity_until, k, kid LIMIT ?6
                """
}
