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

    /// The text with full-width ASCII read as ASCII (`４１０１` → `4101`, `ｘ` → `x`, the
    /// ideographic space U+3000 → a space): what a Chinese IME in full-width mode, or text
    /// copied from Word, puts in a field that asks for digits or a login.
    public func foldingFullWidth() -> String {
        guard unicodeScalars.contains(where: { $0.value >= 0x3000 }) else { return String(self) }
        var out = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            switch scalar.value {
            case 0xFF01...0xFF5E: out.append(Unicode.Scalar(scalar.value - 0xFEE0)!)
            case 0x3000: out.append(" ")
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    /// The text without leading and trailing white space (newlines too) and invisible format
    /// characters (Unicode Cf: U+200B, U+FEFF, bidi marks), which text copied from web pages
    /// and chat carries: for names, which must not differ by what nobody can see.
    public func trimmingInvisibles() -> String {
        trimming { $0.properties.isWhitespace || $0.properties.generalCategory == .format }
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
