import Testing
@testable import ZhichengApp
import ZhichengCore

/// A reviewer's queue narrowed by name, level, kind and series: what is taken, what is refused,
/// and the SQL condition with its arguments.
@Suite("Queue search")
struct QueueSearchTests {
    @Test func blankIsTheWholeQueue() throws {
        #expect(try QueueSearch(text: nil, level: nil).isAll)
        #expect(try QueueSearch(text: "  \n", level: " ").isAll)
        #expect(QueueSearch.all.sql.isEmpty && QueueSearch.all.arguments.isEmpty)
        #expect(ApplicationService.queueSQL(stages: 1, series: 1, search: .all) == ApplicationService.queueSQL(stages: 1, series: 1))
    }

    @Test func textIsTakenLiterallyInBothNames() throws {
        let search = try QueueSearch(text: " 张% ", level: nil)
        #expect(search.text == "张%" && search.level == nil)
        #expect(search.sql.contains("applicant_name LIKE ? ESCAPE '\\'") && search.sql.contains("unit_name LIKE ? ESCAPE '\\'"))
        #expect(search.arguments.compactMap { $0 as? String } == ["%张\\%%", "%张\\%%"])
    }

    @Test func aLevelIsOneOfTheFour() throws {
        let search = try QueueSearch(text: "", level: "副高级")
        #expect(search.level == .associateSenior)
        #expect(search.sql == " AND level = ?" && search.arguments.compactMap { $0 as? String } == ["副高级"])
        #expect(throws: ZhichengError.self) { try QueueSearch(text: nil, level: "特级") }
    }

    @Test func textBeyondFortyCharactersIsRefused() throws {
        _ = try QueueSearch(text: String(repeating: "长", count: 40), level: nil)
        do {
            _ = try QueueSearch(text: String(repeating: "长", count: 41), level: nil)
            Issue.record("41 characters were taken")
        } catch {
            #expect(error.field == "q")
        }
    }

    @Test func aKindIsTitleOrExpert() throws {
        let search = try QueueSearch(text: nil, level: nil, kind: " expert ", series: "")
        #expect(search.kind == .expert && !search.isAll)
        #expect(search.sql == " AND kind = ?" && search.arguments.compactMap { $0 as? String } == ["expert"])
        #expect(try QueueSearch(text: nil, level: nil, kind: "", series: nil).isAll, "a GET form sends 全部 as a blank")
        do {
            _ = try QueueSearch(text: nil, level: nil, kind: "专家推荐", series: nil)
            Issue.record("an unknown kind was taken")
        } catch {
            #expect(error.field == "kind")
        }
        // With the others, in the order of the condition.
        let all = try QueueSearch(text: "张", level: "副高级", kind: "title", series: nil)
        #expect(all.sql.hasSuffix(" AND level = ? AND kind = ?") && all.arguments.compactMap { $0 as? String } == ["%张%", "%张%", "副高级", "title"])
    }

    /// A series of the catalog narrows the queue's own `series IN (…)` to it (`QueueFilter`): no
    /// condition of its own, so the query is the one of a reviewer of that one series, the
    /// usual page's text (`queueSQLOneByOne`).
    @Test func aSeriesIsOneOfTheCatalogAndAddsNoCondition() throws {
        let search = try QueueSearch(text: nil, level: nil, kind: nil, series: " 会计人员 ")
        #expect(search.series == "会计人员" && !search.isAll)
        #expect(search.sql.isEmpty && search.arguments.isEmpty)
        #expect(ApplicationService.queueSQL(stages: 1, series: 1, search: search) == ApplicationService.queueSQL(stages: 1, series: 1))
        do {
            _ = try QueueSearch(text: nil, level: nil, kind: nil, series: "不存在的系列")
            Issue.record("an unknown series was taken")
        } catch {
            #expect(error.field == "series")
        }
    }
}
