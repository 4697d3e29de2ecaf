import Foundation
import Testing
import ZhichengCore

@Suite("Trimming without Foundation")
struct TrimmingTests {
    /// Every scalar up to U+30FF (all of Unicode's white space but U+FEFF lies there;
    /// checked once over all 1.1 million) and a few beyond, at both ends: the same
    /// answer as Foundation's character sets.
    @Test func matchesFoundationForWhiteSpaceAndNeighbours() {
        var mismatches: [UInt32] = []
        for value in Array(UInt32(0)...0x30FF) + [0xFEFF, 0xFF01, 0x1F600, 0xE0020] {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let c = String(Character(scalar))
            for text in [c + "x" + c, "x" + c + "y" + c, c] {
                if text.trimmingBlanks() != text.trimmingCharacters(in: .whitespaces)
                    || text.trimmingWhitespaceAndNewlines() != text.trimmingCharacters(in: .whitespacesAndNewlines) {
                    mismatches.append(value)
                }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10).map { String($0, radix: 16) })")
        #expect(" Bearer\ttoken \u{3000}".dropFirst(7).trimmingBlanks() == "token")
        #expect("\n 同意 \r\n".trimmingWhitespaceAndNewlines() == "同意")
    }
}
