extension StringProtocol {
    /// The text with its control characters (but LF), format characters and line or paragraph
    /// separators written as `<U+202E>`: what a message quoting something typed shows, so that
    /// a NUL, an escape sequence or a bidi override in it neither reaches a terminal or a page
    /// raw nor turns the message around it backwards.
    public func showingInvisibles() -> String {
        guard unicodeScalars.contains(where: Self.isShownByCode) else { return String(self) }
        var out = String.UnicodeScalarView()
        for scalar in unicodeScalars {
            if Self.isShownByCode(scalar) { out.append(contentsOf: "<\(scalar.codePoint)>".unicodeScalars) } else { out.append(scalar) }
        }
        return String(out)
    }

    private static func isShownByCode(_ scalar: Unicode.Scalar) -> Bool {
        guard scalar.value >= 0x20 else { return scalar != "\n" }
        guard scalar.value >= 0x7F else { return false }
        switch scalar.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: return true
        default: return false
        }
    }
}
