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
        // Most text starts and ends with a visible ASCII character: nothing to trim.
        let scalars = unicodeScalars
        if let head = scalars.first, let tail = scalars.last, (0x21...0x7E).contains(head.value), (0x21...0x7E).contains(tail.value) {
            return String(self)
        }
        guard let first = scalars.firstIndex(where: { !isTrimmed($0) }),
              let last = scalars.lastIndex(where: { !isTrimmed($0) }) else { return "" }
        return String(self[first...last])
    }
}
