import Foundation
import Testing
@testable import ZhichengApp
import ZhichengCore
@testable import ZhichengStorage

/// The reviewer's queue page (schema v8): read from one partial covering index, with
/// the applicant's name kept on the application by triggers.
@Suite("Queue page")
struct QueuePageTests {
    /// A city with a handler of the root office and three submitted applications of
    /// two applicants, waiting for that handler.
    struct Waiting {
        let f: ExpertFixture
        let city: TenantID
        let admin: SignedIn
        let handler: SignedIn
        let applicants: [(accountID: Int, signedIn: SignedIn)]
        let ids: [Int]
    }

    static func waiting() async throws -> Waiting {
        let f = try ExpertFixture()
        let created = try await f.tenants.create(id: "zhengzhou", name: "郑州市", divisionCode: "4101", kind: nil, by: .system)
        let admin = try await f.signIn("zhengzhou", created.adminLogin, created.adminPassword)
        let handler = try await f.reviewer("zhengzhou", admin: admin, login: "q.h", role: "handler")
        var applicants: [(Int, SignedIn)] = []
        for (idNumber, name) in [("410102199001011234", "张老师"), ("11010519491231002X", "李\"老师\"")] {
            let person = try await f.people.addApplicant(to: admin.orgID, idNumber: idNumber, name: name, phone: "", caller: admin)
            applicants.append((person.account.id, try await f.signIn("zhengzhou", person.account.login, person.password)))
        }
        // The office's own approved plan for the three years the applications name.
        let plans = PlanService(store: f.store)
        for year in 2024...2026 {
            let plan = try await plans.save(orgID: admin.orgID, year: year, items: [PlanLine(series: "中小学教师", level: .intermediate, count: 5)], caller: admin)
            _ = try await plans.attachDocument(planID: plan.id, name: "计划.pdf", bytes: Array("%PDF-1.4\n%%EOF\n".utf8), caller: admin)
            _ = try await plans.submit(planID: plan.id, caller: admin)
            _ = try await plans.review(planID: plan.id, approve: true, reason: nil, caller: admin)
        }
        var ids: [Int] = []
        for (index, applicant) in [applicants[0].1, applicants[1].1, applicants[0].1].enumerated() {
            let app = try await f.applications.create(kind: "title", year: 2024 + index, series: "中小学教师", level: "中级", title: "一级教师", caller: applicant)
            for section in ApplicationSection.allCases where section != .attachments {
                _ = try await f.applications.saveSection(app.id, section: section.rawValue, fields: ["内容": "第\(index)份"], caller: applicant)
            }
            _ = try await f.applications.submit(app.id, caller: applicant)
            ids.append(app.id)
        }
        return Waiting(f: f, city: try TenantID("zhengzhou"), admin: admin, handler: handler, applicants: applicants, ids: ids)
    }

    @Test func theQueueShowsTheApplicantsCurrentName() async throws {
        let w = try await Self.waiting()
        var queue = try await w.f.applications.queue(caller: w.handler)
        #expect(queue.map(\.id) == w.ids)
        #expect(queue.map(\.applicantName) == ["张老师", "李\"老师\"", "张老师"])

        // The office corrects a name: every application of that applicant follows at once.
        _ = try await w.f.people.updateApplicant(w.applicants[0].accountID, name: "张晓明", phone: nil, caller: w.admin)
        queue = try await w.f.applications.queue(caller: w.handler)
        #expect(queue.map(\.applicantName) == ["张晓明", "李\"老师\"", "张晓明"])

        // A row written with a wrong name is put right by the trigger.
        try await w.f.store.withTenant(w.city) { db in
            try await db.write { conn in _ = try conn.run("UPDATE applications SET applicant_name = '别人' WHERE id = ?", [w.ids[1]]) }
        }
        #expect(try await w.f.applications.queue(caller: w.handler).map(\.applicantName) == ["张晓明", "李\"老师\"", "张晓明"])

        // The applicant's unit is kept with the application the same way (schema v13).
        let unit = try await w.f.store.withTenant(w.city) { db in
            try await db.read { try $0.scalar("SELECT name FROM orgs WHERE id = ?", [w.admin.orgID])?.string }
        }
        #expect(try await w.f.applications.queue(caller: w.handler).map(\.unitName) == Array(repeating: unit, count: 3))
        try await w.f.store.withTenant(w.city) { db in
            try await db.write { conn in
                _ = try conn.run("UPDATE orgs SET name = '郑州市人社局职改办' WHERE id = ?", [w.admin.orgID])
                _ = try conn.run("UPDATE applications SET unit_name = '别的单位' WHERE id = ?", [w.ids[0]])
            }
        }
        #expect(try await w.f.applications.queue(caller: w.handler).map(\.unitName) == Array(repeating: "郑州市人社局职改办", count: 3))
        #expect(try await w.f.applications.get(w.ids[0], caller: w.handler).unitName == "郑州市人社局职改办")

        // Pages: `after` continues from the last id shown.
        #expect(try await w.f.applications.queue(caller: w.handler, limit: 2).map(\.id) == Array(w.ids.prefix(2)))
        #expect(try await w.f.applications.queue(caller: w.handler, limit: 2, after: w.ids[1]).map(\.id) == [w.ids[2]])
        // The count is of every page; a role the reviewer lacks is refused as for the page.
        #expect(try await w.f.applications.queueCount(caller: w.handler) == 3)
        #expect(try await w.f.applications.queueCount(caller: w.handler, stage: .handler) == 3)
        await expectCode(.forbidden) { _ = try await w.f.applications.queueCount(caller: w.handler, stage: .leader) }
    }

    /// The screen's page and its 共 N 件 are read in one transaction: a decision
    /// committed between the two reads changes neither.
    @Test func thePageAndItsCountAgree() async throws {
        let w = try await Self.waiting()
        let both = try await w.f.applications.queueWithCount(caller: w.handler, limit: 2)
        #expect(both.items.map(\.id) == Array(w.ids.prefix(2)))
        #expect(both.waiting == 3)

        let path = w.f.store.paths.database(for: w.city)
        let (shown, counted) = try await w.f.applications.queue(caller: w.handler) { rows in
            let items = try rows.items()
            // Another connection takes the last one out of the queue meanwhile.
            let other = try SQLiteConnection(path: path, options: .init(create: false, sandboxed: false))
            defer { other.close() }
            try other.execute("UPDATE applications SET state = 'withdrawn' WHERE id = \(w.ids[2])")
            return (items.map(\.id), try rows.waiting())
        }
        #expect(shown == w.ids)
        #expect(counted == 3)
        // The next read sees it gone from both.
        #expect(try await w.f.applications.queueWithCount(caller: w.handler).waiting == 2)
        #expect(try await w.f.applications.queueCount(caller: w.handler) == 2)
    }

    /// 已审查: the handler's own decisions, newest first, each with where the application
    /// stands now; nobody else's; read by the actor's index (schema v14).
    @Test func aReviewerListsTheirOwnDecisions() async throws {
        let w = try await Self.waiting()
        #expect(try await w.f.applications.reviewed(caller: w.handler).isEmpty)
        for id in w.ids.prefix(2) {
            let version = try await w.f.applications.get(id, caller: w.handler).version
            _ = try await w.f.applications.decide(id, decision: "pass", comment: "同意", sections: nil, reason: nil, version: version, caller: w.handler)
        }
        let mine = try await w.f.applications.reviewed(caller: w.handler)
        #expect(mine.map(\.applicationID) == [w.ids[1], w.ids[0]])
        #expect(mine.allSatisfy { $0.decision == .pass && $0.stage == .handler && $0.comment == "同意" && $0.readable })
        #expect(mine.allSatisfy { $0.standing.hasSuffix(ReviewStage.leader.label) }, "\(mine.map(\.standing))")
        #expect(try await w.f.applications.reviewed(caller: w.handler, limit: 1, before: mine[0].decisionID).map(\.applicationID) == [w.ids[0]])
        let other = try await w.f.reviewer("zhengzhou", admin: w.admin, login: "q.h2", role: "handler")
        #expect(try await w.f.applications.reviewed(caller: other).isEmpty)
        await expectCode(.forbidden) { _ = try await w.f.applications.reviewed(caller: w.applicants[0].signedIn) }
        await expectCode(.forbidden) { _ = try await w.f.applications.reviewed(caller: w.admin) }

        let plan = try await w.f.store.withTenant(w.city) { db in
            try await db.read { conn in
                try conn.query("EXPLAIN QUERY PLAN " + ApplicationService.reviewedSQL, [1, Int.max, 50]).compactMap { $0["detail"].string }
            }
        }
        #expect(plan.contains { $0.contains("decisions_actor") } && !plan.contains { $0.contains("TEMP B-TREE") }, "plan: \(plan)")
    }

    /// The office's committee work (首页's 待办 every time it loads, 评委会评审) starts from the
    /// few applications at the committee, not from every application of the city's years;
    /// 评审结果公示 from the few results in notice.
    @Test func theCommitteeWorkReadsOnlyWhatReachedTheCommittee() async throws {
        let w = try await Self.waiting()
        let plans = try await w.f.store.withTenant(w.city) { db in
            try await db.read { conn in
                try ["", " AND a.state IN ('at_committee', 'publicity')"].map { open in
                    try conn.query("EXPLAIN QUERY PLAN SELECT a.id FROM applications a WHERE a.kind = 'title' AND a.id IN (\(EvaluationService.reachedCommitteeSQL))\(open) ORDER BY a.id")
                        .compactMap { $0["detail"].string }
                }
            }
        }
        for plan in plans {
            #expect(plan.contains { $0.contains("applications_at_committee") } && !plan.contains("SCAN a") && !plan.contains("SCAN applications") && !plan.contains { $0.contains("TEMP B-TREE") },
                    "plan: \(plan)")
        }
        // 评审结果公示, for every account: what stands in notice now, from its two partial indexes.
        let notices = try await w.f.store.withTenant(w.city) { db in
            try await db.read { conn in try conn.query("EXPLAIN QUERY PLAN " + EvaluationService.publicNoticesSQL, [0.0, -1.0, 0, 0, nil as String?, 50] as [any SQLiteBindable]).compactMap { $0["detail"].string } }
        }
        #expect(notices.contains { $0.contains("evaluations_notice") } && notices.contains { $0.contains("applications_province_notice") }
                && !notices.contains("SCAN e") && !notices.contains("SCAN a"), "plan: \(notices)")
    }

    /// 申报人员状态查询 with the units below: a few orgs from `applications_quota`; a city
    /// office's whole tree by walking the applications from the newest, a page read and
    /// never every application of the city sorted (OrgService.readsByOrg decides which).
    @Test func theStatusQueryOfAWholeCityWalksTheApplicationsFromTheNewest() async throws {
        let w = try await Self.waiting()
        let (byOrg, walked) = try await w.f.store.withTenant(w.city) { db in
            try await db.read { conn in
                let plan = { (byOrg: Bool) in
                    try conn.query("EXPLAIN QUERY PLAN " + ApplicationService.statusSQL(below: true, byOrg: byOrg) + " AND a.id < ? ORDER BY a.id DESC LIMIT ?",
                                   ["[1,2,3]", Int.max, 200] as [any SQLiteBindable]).compactMap { $0["detail"].string }
                }
                return (try plan(true), try plan(false))
            }
        }
        #expect(byOrg.contains { $0.contains("applications_quota") }, "plan: \(byOrg)")
        #expect(walked.contains { $0.hasPrefix("SEARCH a USING INTEGER PRIMARY KEY") || $0 == "SCAN a" } && !walked.contains { $0.contains("TEMP B-TREE") }
                && !walked.contains { $0.contains("applications_quota") }, "plan: \(walked)")
        #expect(OrgService.readsByOrg(subtree: 64, total: 3000) && OrgService.readsByOrg(subtree: 700, total: 3000)
                && !OrgService.readsByOrg(subtree: 800, total: 3000) && !OrgService.readsByOrg(subtree: 3000, total: 3000))
    }

    @Test func theRowVisitorSeesWhatTheItemsShow() async throws {
        let w = try await Self.waiting()
        let items = try await w.f.applications.queue(caller: w.handler)
        let visited = try await w.f.applications.queue(caller: w.handler) { rows in
            var out: [String] = []
            try rows.forEach { row in
                let name = row.withText(.applicantName) { String(decoding: $0, as: UTF8.self) }
                let title = row.withText(.title) { String(decoding: $0, as: UTF8.self) }
                out.append("\(row.id)|\(name)|\(title)|\(row.stage.rawValue)|\(row.submissions)|\(row.version)")
            }
            return out
        }
        #expect(visited == items.map { "\($0.id)|\($0.applicantName)|\($0.title)|\($0.stage.rawValue)|\($0.submissions)|\($0.version)" })
        // The items (the screens' page) have each application's kind; the rows as the API
        // writes them do not read it (it is not in the covering index), unless asked to.
        #expect(items.map(\.kind) == Array(repeating: .title, count: items.count))
        let kinds = try await w.f.applications.queue(caller: w.handler) { rows in
            var out: [ApplicationKind?] = []
            try rows.forEach { out.append($0.kind) }
            return out
        }
        #expect(kinds == Array(repeating: nil, count: items.count))
        let asked = try await w.f.applications.queue(caller: w.handler, kinds: true) { rows in try rows.items().map(\.kind) }
        #expect(asked == Array(repeating: .title, count: items.count))
        // Only reviewers have a queue.
        let applicant = w.applicants[0].signedIn
        await expectCode(.forbidden) { _ = try await w.f.applications.queue(caller: applicant) }
    }

    /// The API's page (`queuePage`): in a tenant with no expert recommendation in review, it is
    /// written from the rows as the index holds them, no kind read; once one is submitted (or
    /// found in the database when it is opened again), the page is read with its kinds, and an
    /// expert recommendation on it says whether the person is in the 专家信息库 (none here: no
    /// province).
    @Test func theAPIPageReadsKindsOnlyWhereAnExpertRecommendationMayWait() async throws {
        let w = try await Self.waiting()
        /// The path the page took, and each row's kind as it had it (nil: not read).
        @Sendable func page() async throws -> (path: String, kinds: [ApplicationKind?]) {
            try await w.f.applications.queuePage(caller: w.handler, rows: { rows in
                var kinds: [ApplicationKind?] = []
                try rows.forEach { kinds.append($0.kind) }
                return ("rows", kinds)
            }, items: { items in ("items", items.map(\.kind)) })
        }
        #expect(try await page() == ("rows", [nil, nil, nil]))
        // The same after the database is opened again: found by its one walk of the table.
        try await w.f.store.withExclusiveFiles(w.city) {}
        #expect(try await page() == ("rows", [nil, nil, nil]))

        let person = w.applicants[1].signedIn
        let expert = try await w.f.applications.create(kind: "expert", year: 2026, series: "中小学教师", level: "副高级", title: "高级教师",
                                                       specialty: "小学数学", caller: person)
        _ = try await w.f.applications.saveSection(expert.id, section: "基本信息", fields: ["姓名": "李老师"], caller: person)
        _ = try await w.f.applications.saveSection(expert.id, section: "工作经历", fields: ["从业年限": "12"], caller: person)
        #expect(try await page() == ("rows", [nil, nil, nil]), "a draft waits for nobody")
        #expect(try await w.f.applications.submit(expert.id, caller: person).chain.state == .inReview)
        #expect(try await page() == ("items", [.title, .title, .title, .expert]))
        let items = try await w.f.applications.queuePage(caller: w.handler, rows: { _ in [QueueItem]() }, items: { $0 })
        #expect(items.map(\.inExpertLibrary) == [false, false, false, false])
        // Opened again with it in review: found in the database.
        try await w.f.store.withExclusiveFiles(w.city) {}
        #expect(try await page() == ("items", [.title, .title, .title, .expert]))
    }

    /// The query reads only `applications_queue`: SQLite never reads a column of the
    /// table itself (its deferred seek is never taken), so a page costs one index walk.
    /// Also with four eyes (a reviewer with both roles), whose check reads `decisions`,
    /// and for the count of what waits (the screen's 共 N 件).
    @Test func theQueueReadsOnlyItsCoveringIndex() async throws {
        let w = try await Self.waiting()
        for counting in [false, true] {
        for (stages, series, fourEyes) in [(1, 1, false), (2, 3, false), (2, 1, true)] {
            let sql = ApplicationService.queueSQL(stages: stages, series: series, excludingOwnHandling: fourEyes, counting: counting)
            var arguments: [any SQLiteBindable] = counting ? [1] : [1, 0]
            arguments += Array(repeating: "handler", count: stages) as [any SQLiteBindable]
            arguments += Array(repeating: "中小学教师", count: series) as [any SQLiteBindable]
            if fourEyes { arguments.append(1) }
            if !counting { arguments.append(50) }
            let bound = arguments
            let (plan, program) = try await w.f.store.withTenant(w.city) { db in
                try await db.read { conn in
                    (try conn.query("EXPLAIN QUERY PLAN " + sql, bound).compactMap { $0["detail"].string },
                     try conn.query("EXPLAIN " + sql, bound).map { ($0["opcode"].string ?? "", $0["p1"].int ?? -1, $0["p2"].int ?? -1) })
                }
            }
            #expect(plan.contains { $0.contains("USING INDEX applications_queue") }, "plan: \(plan)")
            if fourEyes { #expect(plan.contains { $0.contains("decisions_application") }, "plan: \(plan)") }
            let tableRoot = try await w.f.store.withTenant(w.city) { db in
                try await db.read { try $0.scalar("SELECT rootpage FROM sqlite_schema WHERE name = 'applications'")?.int }
            }
            let tableCursors = Set(program.filter { $0.0 == "OpenRead" && $0.2 == tableRoot }.map(\.1))
            let tableReads = program.filter { ["Column", "Rowid", "SeekRowid", "NotExists"].contains($0.0) && tableCursors.contains($0.1) }
            #expect(tableReads.isEmpty, "the table is read: \(tableReads)")
        }
        }
        // The screens' page, with each application's kind, still finds its rows by the index
        // (only the kind is read from the table).
        let sql = ApplicationService.queueSQL(stages: 1, series: 1, kinds: true)
        let plan = try await w.f.store.withTenant(w.city) { db in
            try await db.read { try $0.query("EXPLAIN QUERY PLAN " + sql, [1, 0, "handler", "中小学教师", 50]).compactMap { $0["detail"].string } }
        }
        #expect(plan.contains { $0.contains("USING INDEX applications_queue") } && !plan.contains { $0.contains("TEMP B-TREE") }, "plan: \(plan)")
        #expect(sql != ApplicationService.queueSQL(stages: 1, series: 1), "the API's page does not read the kind")
    }

    /// The unnarrowed page is the query it always was (the API's page, `bench/run.py
    /// --only-queue`); a search for a series is the same query with that one series; a search for
    /// a kind walks the same index in the same order and reads, of the table, only the kind
    /// (the index does not hold it), as the screens' page reads only its kind and 年度 there,
    /// with one look-up of the row for both.
    @Test func aSearchForAKindOrASeriesStaysOnTheIndex() async throws {
        let w = try await Self.waiting()
        #expect(ApplicationService.queueSQL(stages: 1, series: 1)
                == "SELECT id, series, level, title, stage, submissions, version, applicant_name, unit_name FROM applications WHERE current_org_id = ? AND state = 'in_review' AND id > ?"
                + "\nAND stage IN (?) AND series IN (?)\n ORDER BY id LIMIT ?")
        let bySeries = try QueueSearch(text: nil, level: nil, kind: nil, series: "中小学教师")
        #expect(ApplicationService.queueSQL(stages: 1, series: 1, search: bySeries) == ApplicationService.queueSQL(stages: 1, series: 1))
        let byKind = try QueueSearch(text: nil, level: nil, kind: "expert", series: nil)
        /// The plan, and the columns of the table the program reads (by their index in the table)
        /// with the number of look-ups of a row of it in the program (a deferred seek is only taken
        /// when a column of the table is read).
        func program(_ sql: String, _ arguments: [any SQLiteBindable]) async throws -> (plan: [String], columns: Set<Int>, seeks: Int) {
            try await w.f.store.withTenant(w.city) { db in
                try await db.read { conn in
                    let root = try conn.scalar("SELECT rootpage FROM sqlite_schema WHERE name = 'applications'")?.int
                    let plan = try conn.query("EXPLAIN QUERY PLAN " + sql, arguments).compactMap { $0["detail"].string }
                    let ops = try conn.query("EXPLAIN " + sql, arguments).map { ($0["opcode"].string ?? "", $0["p1"].int ?? -1, $0["p2"].int ?? -1) }
                    let table = Set(ops.filter { $0.0 == "OpenRead" && $0.2 == root }.map(\.1))
                    // A deferred seek names the table's cursor in p3, the index's in p1.
                    let deferred = try conn.query("EXPLAIN " + sql, arguments).filter { $0["opcode"].string == "DeferredSeek" && table.contains($0["p3"].int ?? -1) }.count
                    let columns = Set(ops.filter { $0.0 == "Column" && table.contains($0.1) }.map(\.2))
                    let seeks = ops.filter { ["SeekRowid", "NotExists"].contains($0.0) && table.contains($0.1) }.count + deferred
                    return (plan, columns, seeks)
                }
            }
        }
        let columns = try await w.f.store.withTenant(w.city) { db in
            try await db.read { conn in
                Dictionary(try conn.query("PRAGMA table_info(applications)").map { ($0["name"].string ?? "", $0["cid"].int ?? -1) }, uniquingKeysWith: { a, _ in a })
            }
        }
        let kind = try #require(columns["kind"]), year = try #require(columns["year"])
        for counting in [false, true] {
            let sql = ApplicationService.queueSQL(stages: 1, series: 1, counting: counting, search: byKind)
            let arguments: [any SQLiteBindable] = counting ? [1, "handler", "中小学教师", "expert"] : [1, 0, "handler", "中小学教师", "expert", 50]
            let read = try await program(sql, arguments)
            #expect(read.plan.contains { $0.contains("USING INDEX applications_queue") } && !read.plan.contains { $0.contains("TEMP B-TREE") }, "plan: \(read.plan)")
            #expect(read.columns == [kind] && read.seeks == 1, "the table is read for \(read.columns), \(read.seeks) look-ups")
        }
        let screens = try await program(ApplicationService.queueSQL(stages: 1, series: 1, kinds: true), [1, 0, "handler", "中小学教师", 50])
        #expect(screens.columns == [kind, year] && screens.seeks == 1, "the table is read for \(screens.columns), \(screens.seeks) look-ups")
        let api = try await program(ApplicationService.queueSQL(stages: 1, series: 1), [1, 0, "handler", "中小学教师", 50])
        #expect(api.columns.isEmpty, "the table is read for \(api.columns)")
    }

    /// A reviewer's queue narrowed to a kind (职称申报 or 专家推荐: 专家推荐审查) or to one of their
    /// series, and its count with it; a series they do not review finds nothing. The API's page
    /// of title applications alone is written from the rows (no expert recommendation can be on
    /// it); of expert recommendations, from its items.
    @Test func theQueueNarrowsToAKindAndASeries() async throws {
        let w = try await Self.waiting()
        let person = w.applicants[1].signedIn
        let expert = try await w.f.applications.create(kind: "expert", year: 2026, series: "中小学教师", level: "副高级", title: "高级教师",
                                                       specialty: "小学数学", caller: person)
        _ = try await w.f.applications.saveSection(expert.id, section: "基本信息", fields: ["姓名": "李老师"], caller: person)
        _ = try await w.f.applications.saveSection(expert.id, section: "工作经历", fields: ["从业年限": "12"], caller: person)
        _ = try await w.f.applications.submit(expert.id, caller: person)
        func search(kind: String? = nil, series: String? = nil) throws -> QueueSearch { try QueueSearch(text: nil, level: nil, kind: kind, series: series) }

        let experts = try await w.f.applications.queueWithCount(caller: w.handler, search: try search(kind: "expert"))
        #expect(experts.items.map(\.id) == [expert.id] && experts.waiting == 1 && experts.items.map(\.year) == [2026])
        let titles = try await w.f.applications.queueWithCount(caller: w.handler, limit: 2, search: try search(kind: "title"))
        #expect(titles.items.map(\.id) == Array(w.ids.prefix(2)) && titles.waiting == 3)
        #expect(titles.items.map(\.year) == [2024, 2025])
        #expect(try await w.f.applications.queue(caller: w.handler, after: w.ids[1], kinds: true, search: try search(kind: "title")) { try $0.items().map(\.id) } == [w.ids[2]])
        let mine = try await w.f.applications.queueWithCount(caller: w.handler, search: try search(series: "中小学教师"))
        #expect(mine.items.map(\.id) == w.ids + [expert.id] && mine.waiting == 4)
        let other = try await w.f.applications.queueWithCount(caller: w.handler, search: try search(kind: "expert", series: "会计人员"))
        #expect(other.items.isEmpty && other.waiting == 0, "not a series of the reviewer's")

        @Sendable func page(_ search: QueueSearch) async throws -> (path: String, ids: [Int]) {
            try await w.f.applications.queuePage(caller: w.handler, search: search, rows: { rows in
                var ids: [Int] = []
                try rows.forEach { ids.append($0.id) }
                return ("rows", ids)
            }, items: { items in ("items", items.map(\.id)) })
        }
        #expect(try await page(.all) == ("items", w.ids + [expert.id]))
        #expect(try await page(try search(kind: "title")) == ("rows", w.ids))
        #expect(try await page(try search(kind: "expert")) == ("items", [expert.id]))
    }
}
