import Testing
import ZhichengCore

/// A 面试通知 kept as one text (`InterviewNotice`): written as its time, a full-width comma and
/// its place, and read back into the two the screens show apart (manual §6: 面试通知, 地点).
@Suite("面试通知 as one text, read back as time and place (InterviewNotice)")
struct InterviewNoticeTextTests {
    @Test func writesTheTimeThenThePlace() {
        #expect(InterviewNotice(time: "2026-12-10 09:30", place: "郑州市人社局三楼会议室").description == "2026-12-10 09:30，郑州市人社局三楼会议室")
    }

    @Test(arguments: [
        // As the committee's office writes it, and a province relays it.
        ("2026-12-10 09:30，郑州市人社局三楼会议室", "2026-12-10 09:30", "郑州市人社局三楼会议室"),
        // A place with a comma of its own keeps it: the time comes first and has none.
        ("2026-12-10 09:30，省人社厅，二楼东侧", "2026-12-10 09:30", "省人社厅，二楼东侧"),
        // Free text of an earlier version (its time as typed), cut where it was joined.
        ("下周三上午，市人社局二楼", "下周三上午", "市人社局二楼"),
        // Blanks around either part are not part of it.
        ("  2026-12-10 09:30 ， 市人社局301 ", "2026-12-10 09:30", "市人社局301"),
        // No full-width comma at all: all of it is the time, no place apart.
        ("12月10日上午在市人社局", "12月10日上午在市人社局", ""),
        // A half-width comma is no separator (the notice was never joined with one).
        ("2026-12-10 09:30,市人社局", "2026-12-10 09:30,市人社局", ""),
    ])
    func readsTheTimeAndThePlaceApart(_ stored: String, time: String, place: String) throws {
        let notice = try #require(InterviewNotice(stored: stored))
        #expect((notice.time, notice.place) == (time, place))
    }

    @Test func whatItWritesReadsBackTheSame() throws {
        let notice = InterviewNotice(time: "2026-12-10 09:30", place: "省人社厅，二楼")
        #expect(try #require(InterviewNotice(stored: notice.description)) == notice)
    }

    @Test(arguments: [nil, "", "  ", "\n"] as [String?])
    func noTextIsNoNotice(_ stored: String?) {
        #expect(InterviewNotice(stored: stored) == nil)
    }
}
