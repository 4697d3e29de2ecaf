import Testing
import ZhichengCore

/// Sizes as the screens and messages state them (FileSize).
@Suite("File sizes in words")
struct FileSizeTests {
    @Test(arguments: [
        (0, "0 字节"), (1, "1 字节"), (800, "800 字节"), (1023, "1023 字节"),
        (1024, "1 KB"), (1075, "1 KB"), (1076, "1.1 KB"), (12_595, "12.3 KB"), (64 * 1024, "64 KB"),
        (1_048_524, "1023.9 KB"), (1_048_525, "1 MB"), (1_048_576, "1 MB"), (1_572_864, "1.5 MB"),
        (5 * 1024 * 1024, "5 MB"), (20 * 1024 * 1024, "20 MB"), (1024 * 1024 * 1024, "1 GB"), (3 * 1024 * 1024 * 1024 / 2, "1.5 GB"),
    ])
    func aFileSizeToTheNearestTenth(bytes: Int, text: String) {
        #expect(FileSize.text(bytes) == text)
    }

    /// A limit never says more than is allowed.
    @Test(arguments: [
        (1023, "1023 字节"), (1535, "1.4 KB"), (1536, "1.5 KB"), (64 * 1024, "64 KB"), (1_048_575, "1023.9 KB"),
        (1_048_576, "1 MB"), (5 * 1024 * 1024, "5 MB"), (5 * 1024 * 1024 - 1, "4.9 MB"),
    ])
    func aLimitRoundedDown(bytes: Int, text: String) {
        #expect(FileSize.text(bytes, roundingDown: true) == text)
    }
}
