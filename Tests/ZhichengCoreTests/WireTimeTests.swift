import Testing
import ZhichengCore

@Suite("Times in the JSON API and the admin protocol: ISO 8601 in UTC")
struct WireTimeTests {
    @Test func aTimeIsWrittenInUTCToTheSecond() {
        // What `city_trail[].at` once said as the text "1796088975.8688524": the fraction dropped.
        #expect(WireTime.iso8601(1_796_088_975.868_852_4) == "2026-12-01T01:36:15Z")
        // 2026-12-01 01:05:09 in China is the day before in UTC.
        #expect(WireTime.iso8601(1_796_058_309) == "2026-11-30T17:05:09Z")
        #expect(WireTime.iso8601(0) == "1970-01-01T00:00:00Z")
    }

    @Test func aPageAndTheAPIGiveTheSameMoment() {
        let at = 1_796_058_309.0
        #expect(ChinaTime.second(at) == "2026-12-01 01:05:09")
        #expect(WireTime.iso8601(at) == "2026-11-30T17:05:09Z")
    }
}
