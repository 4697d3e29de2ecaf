import Testing
import ZhichengAdminProtocol

@Suite("Human-readable sizes and durations")
struct HumanReadableTests {
    @Test(arguments: [
        (0, "0 B"), (1, "1 B"), (1023, "1023 B"), (1024, "1.0 KiB"), (1536, "1.5 KiB"), (10 * 1024 - 1, "10.0 KiB"),
        (1_048_575, "1.0 MiB"), (1_048_576, "1.0 MiB"), (422_576_128, "403.0 MiB"), (3 * 1_073_741_824 / 2, "1.5 GiB"),
        (1_099_511_627_776, "1.0 TiB"), (-2048, "-2.0 KiB"), (Int.max, "8.0 EiB"),
    ])
    func bytes(_ count: Int, _ text: String) {
        #expect(HumanReadable.bytes(count) == text)
    }

    @Test(arguments: [
        (0.0, "0s"), (0.4, "0s"), (-5.0, "0s"), (Double.nan, "0s"), (1.0, "1s"), (59.9, "59s"), (60.0, "1m00s"), (253.1, "4m13s"),
        (3_599.0, "59m59s"), (3_600.0, "1h00m"), (11_100.0, "3h05m"), (86_399.0, "23h59m"), (86_400.0, "1d00h"),
        (187_200.0, "2d04h"), (Double.infinity, "0s"), (1e30, "106751991167300d15h"),
    ])
    func duration(_ seconds: Double, _ text: String) {
        #expect(HumanReadable.duration(seconds: seconds) == text)
    }
}
