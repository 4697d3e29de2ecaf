extension StringProtocol {
    /// The text without leading and trailing blanks: the characters of Foundation's
    /// `CharacterSet.whitespaces` (Unicode Zs, TAB and U+200B), without the Foundation
    /// bridge (for values read on every request).
    public func trimmingBlanks() -> String {
        trimming { $0 == "\t" || $0 == "\u{200B}" || $0.properties.generalCategory == .spaceSeparator }
    }

    /// The text without leading and trailing white space and newlines: Foundation's
    /// `CharacterSet.whitespacesAndNewlines` (Unicode Z*, U+0009–U+000D, U+0085 and U+200B).
    public func trimmingWhitespaceAndNewlines() -> String {
        trimming { scalar in
            switch scalar.properties.generalCategory {
            case .spaceSeparator, .lineSeparator, .paragraphSeparator: true
            default: (0x09...0x0D).contains(scalar.value) || scalar.value == 0x85 || scalar.value == 0x200B
            }
        }
    }

    private func trimming(_ isTrimmed: (Unicode.Scalar) -> Bool) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !isTrimmed($0) }),
              let last = scalars.lastIndex(where: { !isTrimmed($0) }) else { return "" }
        return String(self[first...last])
    }
}
