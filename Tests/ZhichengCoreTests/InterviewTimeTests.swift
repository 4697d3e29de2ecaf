import Foundation
import Testing
import ZhichengCore

/// The time of a committee's 面试通知 (`InterviewTime`): what an office types and what a
/// `datetime-local` input sends, read as one minute of China time and written `YYYY-MM-DD HH:MM`;
/// impossible days and times refused, naming `time`; a new notice not past, not after next year.
@Suite("面试时间 (InterviewTime)")
struct InterviewTimeTests {
    /// 2026-12-01 02:08:30 in China (2026-11-30 18:08:30 UTC): the 1st in China, still the 30th in UTC.
    static let now = CalendarDay("2026-12-01")!.start.addingTimeInterval(2 * 3600 + 8 * 60 + 30)

    @Test(arguments: [
        ("2026-12-05T09:30", "2026-12-05 09:30"),          // datetime-local
        ("2026-12-05T09:30:00", "2026-12-05 09:30"),       // with seconds (a step under a minute)
        ("2026-12-05T09:30:59.999", "2026-12-05 09:30"),   // and milliseconds: the minute stays
        ("2026-12-05 09:30", "2026-12-05 09:30"),
        ("  2026-12-05   9:30 ", "2026-12-05 09:30"),
        ("2026-12-5 9:05", "2026-12-05 09:05"),
        ("2026/12/05 14:00", "2026-12-05 14:00"),
        ("2026.12.5 8:00", "2026-12-05 08:00"),
        ("２０２６－１２－０５　０９：３０", "2026-12-05 09:30"),  // full width, as an IME types it
        ("2026年12月5日 9:30", "2026-12-05 09:30"),
        ("2026年12月5日9：30", "2026-12-05 09:30"),
        ("2026 年 12 月 5 日 09:30", "2026-12-05 09:30"),
        ("2026年12月5号 9:30", "2026-12-05 09:30"),
        ("2026年12月5日9时30分", "2026-12-05 09:30"),
        ("2026年12月5日 9点", "2026-12-05 09:00"),
        ("2026年12月5日 14点5分", "2026-12-05 14:05"),
        ("2028-02-29 00:00", "2028-02-29 00:00"),          // a leap day
        ("2026-12-31 23:59", "2026-12-31 23:59"),
    ])
    func readsWhatAnOfficeTypes(_ raw: String, written: String) throws {
        let time = try InterviewTime(raw)
        #expect(time.description == written)
        // What it writes reads back as the same minute, in the form and in the input's value.
        #expect(try InterviewTime(time.description) == time)
        #expect(try InterviewTime(time.inputValue) == time)
        #expect(time.inputValue == written.replacingOccurrences(of: " ", with: "T"))
    }

    @Test(arguments: ["下周三上午", "2026-12-05", "2026年12月5日", "09:30", "2026-12-05 930", "2026-12-05 9:3", "2026-12-05T", "2026-12/05 09:30",
                      "2026-12-05 09:30 上午", "26-12-05 09:30", "20261205 0930", "2026-012-05 09:30", "2026-12-05 09:30:60", "2026-12-05 09:30:5",
                      "2026-12-05 09:30:00.1234", "2026-12-05 -9:30", "2026-12-05 09:30，三楼", "2026-12-05 099:30", String(repeating: "2026-12-05 09:30", count: 10)])
    func refusesWhatIsNotOneMinute(_ raw: String) {
        #expect { try InterviewTime(raw) } throws: { error in
            let e = error as? ZhichengError
            return e?.code == .invalid && e?.field == "time" && e?.message == "面试时间应为 2026-12-05 09:30 这样的日期和时间（年-月-日 时:分）"
        }
    }

    @Test(arguments: [
        ("2026-02-30 09:00", "面试时间有误：没有 2026-02-30 这一天"),
        ("2027-02-29 09:00", "面试时间有误：没有 2027-02-29 这一天"),
        ("2026-13-45 09:00", "面试时间有误：没有 2026-13-45 这一天"),
        ("2026-04-31T09:00", "面试时间有误：没有 2026-04-31 这一天"),
        ("2026-00-10 09:00", "面试时间有误：没有 2026-00-10 这一天"),
        ("2026-12-05 24:00", "面试时间有误：没有 24:00 这一时刻（应在 00:00 至 23:59 之间）"),
        ("2026-12-05 09:60", "面试时间有误：没有 09:60 这一时刻（应在 00:00 至 23:59 之间）"),
        ("2026年12月5日 25点", "面试时间有误：没有 25:00 这一时刻（应在 00:00 至 23:59 之间）"),
        ("1999-12-05 09:00", "面试时间的年份应在2000至2099年之间"),
        ("  ", "请填写面试时间"),
        ("\u{3000}", "请填写面试时间"),
    ])
    func refusesDaysAndTimesThatDoNotExist(_ raw: String, message: String) {
        #expect { try InterviewTime(raw, field: "time") } throws: { error in
            (error as? ZhichengError) == ZhichengError.invalid(message, field: "time")
        }
    }

    @Test func aNewNoticeIsNeitherPastNorAfterNextYear() throws {
        // The minute it is now still counts; the minute before has passed.
        #expect(try InterviewTime.notice("2026-12-01 02:08", now: Self.now).description == "2026-12-01 02:08")
        #expect(try InterviewTime.notice("2026-12-01T02:09", now: Self.now).description == "2026-12-01 02:09")
        #expect { try InterviewTime.notice("2026-12-01 02:07", now: Self.now) } throws: { error in
            (error as? ZhichengError) == .invalid("面试时间 2026-12-01 02:07 已过（现在是 2026-12-01 02:08），请填写今后的日期和时间", field: "time")
        }
        // China time: at 18:08 UTC on the 30th it is already the 1st in China, so the 30th has passed.
        #expect(throws: ZhichengError.self) { try InterviewTime.notice("2026-11-30 20:00", now: Self.now) }
        // Up to the end of next year, as a 年度 may be; a year mistyped far ahead is refused.
        #expect(try InterviewTime.notice("2027-12-31 23:59", now: Self.now).year == 2027)
        for raw in ["2028-01-01 00:00", "2062-12-05 09:30"] {
            #expect { try InterviewTime.notice(raw, now: Self.now) } throws: { error in
                (error as? ZhichengError) == .invalid("面试时间不能晚于 2027-12-31 23:59（最晚为下一年）", field: "time")
            }
        }
        // A malformed one is refused as such before any of that.
        #expect { try InterviewTime.notice("2026-02-30 09:00", now: Self.now) } throws: { error in
            (error as? ZhichengError)?.message == "面试时间有误：没有 2026-02-30 这一天"
        }
        // On New Year's Day (China time) the bound moves on a year.
        let newYear = CalendarDay("2027-01-01")!.start.addingTimeInterval(60)
        #expect(try InterviewTime.notice("2028-06-01 09:00", now: newYear).year == 2028)
        #expect(InterviewTime.allowed(now: newYear).lowerBound.description == "2027-01-01 00:01")
        #expect(InterviewTime.allowed(now: Self.now).upperBound.inputValue == "2027-12-31T23:59")
    }

    @Test func aStoredNoticeOfFreeTextIsKeptAsItIs() throws {
        // Written before times were checked: not read as a time, never refused on reading.
        for legacy in ["下周三上午", "2026-13-45", "12月20日", ""] { #expect(InterviewTime(stored: legacy) == nil) }
        // One that reads as a time is the same notice as that time typed another way; a past one too.
        #expect(InterviewTime(stored: "2026年12月10日 9:00") == (try InterviewTime("2026-12-10T09:00")))
        #expect(InterviewTime(stored: "2020-01-02 08:00")?.description == "2020-01-02 08:00")
    }

    @Test func ordersByTheMinute() throws {
        let times = try ["2026-12-05 09:30", "2026-12-05 09:29", "2026-12-04 23:59", "2027-01-01 00:00"].map { try InterviewTime($0) }
        #expect(times.sorted().map(\.description) == ["2026-12-04 23:59", "2026-12-05 09:29", "2026-12-05 09:30", "2027-01-01 00:00"])
    }
}
