extension Unicode.Scalar {
    /// `U+202E`: how a message names a character it must not show.
    public var codePoint: String {
        let hex = String(value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
