import Testing
@testable import ZhichengApp
import ZhichengCore

/// A reviewer's queue narrowed by name and level: what is taken, what is refused, and the SQL
/// condition with its arguments.
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
}
