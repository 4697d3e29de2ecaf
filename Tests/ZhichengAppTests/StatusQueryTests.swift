import Foundation
import Testing
@testable import ZhichengApp
import ZhichengCore
@testable import ZhichengStorage

/// 申报人员状态查询's filters (状态, 系列, 级别) and its total, and where an application in
/// review is as its applicant reads it (the org and step of `ApplicationService.reviewStep`).
@Suite("Status query")
struct StatusQueryTests {
    /// Every standing a listed row can have (each kind in each state but draft, before and after
    /// the province acknowledged) is found by exactly one state filter, whose label is the one
    /// the row is shown with: the list offers each label once, and nothing listed is unreachable.
    @Test func eachStandingIsFoundByTheOneFilterOfItsLabel() {
        for standing in StatusStateFilter.listed {
            let finding = StatusStateFilter.allCases.filter { $0.standings.contains(standing) }
            #expect(finding.count == 1, "\(standing): \(finding)")
            #expect(finding.first?.label == standing.label, "\(standing)")
        }
        #expect(Set(StatusStateFilter.allCases.map(\.label)).count == StatusStateFilter.allCases.count)
        #expect(StatusStateFilter.allCases.map(\.label) == ["审查中", "退回修改", "未通过", "已撤回", "待报送省职改办", "已报送省职改办", "待评委会评审", "公示中",
                                                           "评审通过", "评审未通过", ApplicationKind.admittedLabel])
        // An expert recommendation the province turned down is 未通过 (no committee judged it).
        #expect(StatusStateFilter.rejected.standings.contains(.init(kind: .expert, state: .failed)))
        #expect(!StatusStateFilter.failed.standings.contains(.init(kind: .expert, state: .failed)))
        // The province's result in notice on an application waiting for it reads 省评委会结果公示中: 公示中, not 已报送.
        let provinceNotice = StatusStateFilter.Standing(kind: .title, state: .awaitingProvince, forwarded: true, inNotice: true)
        #expect(StatusStateFilter.publicity.standings.contains(provinceNotice) && !StatusStateFilter.forwarded.standings.contains(provinceNotice))
    }

    /// Each filter's condition, run on a table of every standing, finds exactly its standings.
    @Test func eachFiltersConditionFindsItsStandings() throws {
        let conn = try SQLiteConnection(path: ":memory:", options: .init(sandboxed: false))
        defer { conn.close() }
        try conn.execute("CREATE TABLE a (id INTEGER PRIMARY KEY, state TEXT, kind TEXT, forwarded_at REAL, publicity_result TEXT)")
        let all = StatusStateFilter.listed
        for (index, s) in all.enumerated() {
            _ = try conn.run("INSERT INTO a VALUES (?, ?, ?, ?, ?)", [index, s.state.rawValue, s.kind.rawValue, s.forwarded ? 1.0 : nil, s.inNotice ? "通过" : nil] as [any SQLiteBindable])
        }
        for filter in StatusStateFilter.allCases {
            let found = try conn.query("SELECT id FROM a WHERE \(filter.sql) ORDER BY id").compactMap { $0["id"].int }.map { all[$0] }
            #expect(found == filter.standings, "\(filter): \(filter.sql)")
        }
    }

    /// What the API and the page send: blank is no filter (a GET form's empty choice), a code or
    /// a catalog's name is taken, anything else is invalid naming its parameter.
    @Test func theChoicesSentAreReadOrRefusedByName() throws {
        #expect(try StatusStateFilter.parse(nil) == nil && StatusStateFilter.parse("") == nil && StatusStateFilter.parse(" ") == nil)
        #expect(try StatusStateFilter.parse("in_review") == .inReview && StatusStateFilter.parse(" admitted ") == .admitted)
        for bad in ["draft", "审查中", "IN_REVIEW", "in_review;"] {
            do { _ = try StatusStateFilter.parse(bad); Issue.record("\(bad) taken") } catch {
                #expect(error.field == "state" && error.code == .invalid && error.screenMessage?.contains("“审查中”") == true, "\(error)")
            }
        }
        #expect(try TitleLevel.chosen("") == nil && TitleLevel.chosen("副高级") == .associateSenior)
        do { _ = try TitleLevel.chosen("高级"); Issue.record("高级 taken") } catch { #expect(error.field == "level") }
        #expect(try TitleCatalog.henan.chosenSeries(" ") == nil && TitleCatalog.henan.chosenSeries("中小学教师") == "中小学教师")
        do { _ = try TitleCatalog.henan.chosenSeries("中小学"); Issue.record("中小学 taken") } catch { #expect(error.field == "series") }
    }

    /// The filters narrow the rows and the total alike; the total counts every page.
    @Test func theFiltersNarrowTheRowsAndTheTotal() async throws {
        let w = try await QueuePageTests.waiting()
        let office = w.admin.orgID
        func read(_ query: ApplicationService.StatusQuery) async throws -> (ids: [Int], total: Int) {
            let (rows, total) = try await w.f.applications.statusWithTotal(of: office, query, caller: w.admin)
            return (rows.map(\.applicationID), total)
        }
        let newest = Array(w.ids.reversed())
        #expect(try await read(.init()) == (newest, 3))
        #expect(try await read(.init(limit: 1)) == ([newest[0]], 3))
        #expect(try await read(.init(limit: 1, before: newest[0])) == ([newest[1]], 3))
        #expect(try await read(.init(state: .inReview)) == (newest, 3))
        #expect(try await read(.init(state: .returned)) == ([], 0))
        #expect(try await read(.init(series: "中小学教师", level: .intermediate)) == (newest, 3))
        #expect(try await read(.init(level: .senior)) == ([], 0))
        #expect(try await read(.init(series: "会计人员")) == ([], 0))
        #expect(try await read(.init(year: 2025, state: .inReview)) == ([w.ids[1]], 1))
        #expect(try await read(.init(below: true, applicant: "张老师", state: .inReview)) == ([w.ids[2], w.ids[0]], 2))
        // The handler returns one: it leaves 审查中 for 退回修改.
        let version = try await w.f.applications.get(w.ids[1], caller: w.handler).version
        _ = try await w.f.applications.decide(w.ids[1], decision: "return", comment: "请补充", sections: ["基本信息"], reason: "incomplete", version: version, caller: w.handler)
        #expect(try await read(.init(state: .returned)) == ([w.ids[1]], 1))
        #expect(try await read(.init(state: .inReview)) == ([w.ids[2], w.ids[0]], 2))
        // A series out of the catalog is refused, not an empty list.
        await expectCode(.invalid) { _ = try await read(.init(series: "中小学")) }
    }

    /// The applicant reads where their application is, as the office's 申报人员状态查询 says it:
    /// the org and step while in review, nothing more once it is back with them.
    @Test func theApplicantReadsTheOrgAndStepOfTheirApplication() async throws {
        let w = try await QueuePageTests.waiting()
        let applicant = w.applicants[1].signedIn
        let office = try await w.f.applications.statusWithTotal(of: w.admin.orgID, caller: w.admin).rows.first { $0.applicationID == w.ids[1] }
        var mine = try await w.f.applications.get(w.ids[1], caller: applicant)
        let orgName = try #require(mine.currentOrgName)
        #expect(mine.reviewStep == "\(orgName) 经办人审查" && mine.reviewStep == office?.stage)
        #expect(mine.progressLabel == "审查中（\(orgName) 经办人审查）" && mine.stateLabel == "审查中")
        #expect(try await w.f.applications.mine(caller: applicant).first { $0.id == w.ids[1] }?.progressLabel == mine.progressLabel)
        let version = mine.version
        _ = try await w.f.applications.decide(w.ids[1], decision: "pass", comment: "同意", sections: nil, reason: nil, version: version, caller: w.handler)
        mine = try await w.f.applications.get(w.ids[1], caller: applicant)
        #expect(mine.progressLabel == "审查中（\(orgName) 负责人审查）")
        let leader = try await w.f.reviewer("zhengzhou", admin: w.admin, login: "q.l", role: "leader")
        _ = try await w.f.applications.decide(w.ids[1], decision: "return", comment: "请补充", sections: ["基本信息"], reason: "incomplete",
                                              version: mine.version, caller: leader)
        mine = try await w.f.applications.get(w.ids[1], caller: applicant)
        #expect(mine.currentOrgName == nil && mine.reviewStep == nil && mine.progressLabel == "退回修改")
    }

    /// A state filter keeps the plans of the status query: one org and a few from
    /// `applications_quota`, a whole city by walking from the newest (never a sort of the
    /// city), whatever state it names; the total always by org from `applications_quota`.
    @Test func aStateFilterKeepsTheStatusQueryOnItsIndexes() async throws {
        let w = try await QueuePageTests.waiting()
        let plans = try await w.f.store.withTenant(w.city) { db in
            try await db.read { conn in
                try StatusStateFilter.allCases.map { state in
                    let filter = ApplicationService.statusFilter(.init(year: 2026, state: state), applicant: "")
                    func plan(_ sql: String, _ arguments: [any SQLiteBindable]) throws -> [String] {
                        try conn.query("EXPLAIN QUERY PLAN " + sql, arguments).compactMap { $0["detail"].string }
                    }
                    let page = " AND a.id < ? ORDER BY a.id DESC LIMIT ?"
                    return (state, try plan(ApplicationService.statusSQL(below: false, byOrg: true) + filter.sql + page, [1 as any SQLiteBindable] + filter.arguments + [Int.max, 100]),
                            try plan(ApplicationService.statusSQL(below: true, byOrg: true) + filter.sql + page, ["[1,2,3]" as any SQLiteBindable] + filter.arguments + [Int.max, 200]),
                            try plan(ApplicationService.statusSQL(below: true, byOrg: false) + filter.sql + page, ["[1,2,3]" as any SQLiteBindable] + filter.arguments + [Int.max, 200]),
                            try plan(ApplicationService.statusCountSQL(below: true, withPerson: false) + filter.sql, ["[1,2,3]" as any SQLiteBindable] + filter.arguments))
                }
            }
        }
        for (state, one, few, walked, total) in plans {
            #expect(one.contains { $0.contains("applications_quota") }, "\(state) one org: \(one)")
            #expect(few.contains { $0.contains("applications_quota") }, "\(state) a few orgs: \(few)")
            #expect(walked.contains { $0.hasPrefix("SEARCH a USING INTEGER PRIMARY KEY") || $0 == "SCAN a" } && !walked.contains { $0.contains("TEMP B-TREE") }
                    && !walked.contains { $0.contains("applications_quota") }, "\(state) a whole city: \(walked)")
            #expect(total.contains { $0.contains("applications_quota") } && !total.contains("SCAN a"), "\(state) total: \(total)")
        }
    }
}
