/// Text a person types for other people to read: a reviewer's 意见, a reason for a return or a
/// rejection, a note, an interview's place, an objection, a section's fields. One rule for
/// all of it, each field with its own label, length and whether it may have several lines:
///
/// - Line breaks are kept as LF (a browser posts a textarea's lines as CR LF).
/// - Leading and trailing white space and invisible format characters are trimmed; text with
///   nothing visible left (blanks, U+200B, U+3164 …) is empty, so that "reason required" is
///   not met by what nobody can read.
/// - No control character (Unicode Cc: NUL, BEL, ESC …) and no format character (Cf: the
///   bidi overrides and isolates that would show text backwards, and the marks nobody sees)
///   inside; a field of several lines may hold line breaks and tabs, a one-line field
///   neither. A zero-width joiner inside an emoji sequence (👨‍👩‍👧) is part of what is seen.
/// - At most `maxCharacters` characters, and also at most twice as many Unicode scalars and
///   four times as many UTF-8 bytes, with no character stacking more than
///   `maxScalarsPerCharacter` scalars: a single Swift `Character` may carry any number of
///   combining marks ("a" with 5,000 of them is one character).
///
/// Every message names the field by its label, in Chinese, and a character refused by its
/// code point (U+202E), never the character itself.
public struct FreeText: Sendable {
    /// Whether the text may have several lines.
    public enum Lines: Sendable { case single, multiple }

    /// The field's API name, for `ZhichengError.field`.
    public let field: String
    /// The field as the screens name it (意见, 退回原因 …).
    public let label: String
    public let maxCharacters: Int
    public let lines: Lines

    /// The most Unicode scalars one character may have: a base and 30 combining marks, the
    /// "stream-safe" bound of UAX #15; no real text stacks more (an emoji family with skin
    /// tones has 11).
    public static let maxScalarsPerCharacter = 31

    public init(field: String, label: String, maxCharacters: Int, lines: Lines = .multiple) {
        self.field = field
        self.label = label
        self.maxCharacters = maxCharacters
        self.lines = lines
    }

    /// The text as it is kept: line breaks as LF, trimmed; "" when nothing visible was typed.
    public func validate(_ raw: String?) throws(ZhichengError) -> String {
        let text = Self.unifyingLineBreaks(raw ?? "").trimmingInvisibles()
        try check(text)
        return Self.isBlank(text) ? "" : text
    }

    /// `validate`, for a field that must be filled in: `message` when nothing visible was typed.
    public func require(_ raw: String?, else message: String) throws(ZhichengError) -> String {
        let text = try validate(raw)
        guard !text.isEmpty else { throw .invalid(message, field: field) }
        return text
    }

    /// The text with its white space as typed (a section's field, shown again in its form as
    /// it was saved: a first paragraph's indent of two full-width spaces stays), line breaks as
    /// LF, held to the same rule: only the invisible format characters among the blanks at its
    /// ends are dropped (U+200B, U+FEFF copied from a web page); "" when nothing visible was typed.
    public func validateKeepingBlanks(_ raw: String) throws(ZhichengError) -> String {
        let unified = Self.unifyingLineBreaks(raw)
        guard !Self.isBlank(unified) else { return "" }
        let scalars = unified.unicodeScalars
        func atEnd(_ scalar: Unicode.Scalar) -> Bool { scalar.properties.isWhitespace || scalar.properties.generalCategory == .format }
        let first = scalars.firstIndex { !atEnd($0) } ?? scalars.endIndex
        let last = scalars.lastIndex { !atEnd($0) }.map(scalars.index(after:)) ?? scalars.endIndex
        var kept = String.UnicodeScalarView()
        kept.append(contentsOf: scalars[..<first].filter(\.properties.isWhitespace))
        kept.append(contentsOf: scalars[first..<last])
        kept.append(contentsOf: scalars[last...].filter(\.properties.isWhitespace))
        let text = String(kept)
        try check(text)
        return text
    }

    /// Whether the text has nothing anyone can see: only white space and characters that
    /// are ignored when shown (Unicode Default_Ignorable_Code_Point: U+200B, U+3164 …).
    public static func isBlank(_ text: some StringProtocol) -> Bool {
        !text.unicodeScalars.contains { !$0.properties.isWhitespace && !$0.properties.isDefaultIgnorableCodePoint }
    }

    /// Every line break as LF: CR LF and a lone CR (as browsers and old Macs write them) too.
    public static func unifyingLineBreaks(_ text: String) -> String {
        guard text.unicodeScalars.contains("\r") else { return text }
        var out = String.UnicodeScalarView()
        var afterCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\n" && afterCR { afterCR = false; continue }
            afterCR = scalar == "\r"
            out.append(afterCR ? "\n" : scalar)
        }
        return String(out)
    }

    /// Why a format character (Unicode Cf) may not be in the text, in the field's words.
    func refusing(format scalar: Unicode.Scalar) -> ZhichengError {
        if scalar.properties.isBidiControl {   // marks, embeddings, overrides, isolates
            return .invalid("\(label)不能含文字方向控制符（\(scalar.codePoint)），它会使文字显示的顺序与实际不同", field: field)
        }
        return .invalid("\(label)不能含不可见的格式字符（\(scalar.codePoint)）", field: field)
    }

    /// Refuses a format character (U+200B, U+FEFF, a bidi override) among the blanks at either
    /// end of `raw`, which `validate`, `validateKeepingBlanks` and the rules of names drop
    /// unsaid from what a person types: text a sender kept never has one (`RelayedText`).
    func requireNoFormatAtEnds(_ raw: String) throws(ZhichengError) {
        let scalars = Array(raw.unicodeScalars)
        func atEdge(_ run: some Sequence<Unicode.Scalar>) -> Unicode.Scalar? {
            for scalar in run {
                if scalar.properties.generalCategory == .format { return scalar }
                if !scalar.properties.isWhitespace { return nil }
            }
            return nil
        }
        if let scalar = atEdge(scalars) ?? atEdge(scalars.reversed()) { throw refusing(format: scalar) }
    }

    /// The characters and lines of the text, and its length.
    private func check(_ text: String) throws(ZhichengError) {
        for character in text {
            let scalars = character.unicodeScalars
            guard scalars.count <= Self.maxScalarsPerCharacter else {
                throw .invalid("\(label)中有字符叠加了过多的组合符号（一个字符最多\(Self.maxScalarsPerCharacter)个 Unicode 字符）", field: field)
            }
            var index = scalars.startIndex
            while index != scalars.endIndex {
                let scalar = scalars[index], first = index == scalars.startIndex
                scalars.formIndex(after: &index)
                switch scalar.properties.generalCategory {
                case .control:
                    if scalar == "\n" || scalar == "\t" {
                        guard lines == .multiple else { throw .invalid("\(label)只能填写一行，不能含换行符或制表符", field: field) }
                    } else {
                        throw .invalid("\(label)不能含控制字符（\(scalar.codePoint)）", field: field)
                    }
                case .lineSeparator, .paragraphSeparator:
                    guard lines == .multiple else { throw .invalid("\(label)只能填写一行，不能含换行符或制表符", field: field) }
                case .format:
                    // A joiner between two parts of one emoji sequence joins what is seen; one
                    // ending a character joins nothing.
                    if scalar == "\u{200D}" && !first && index != scalars.endIndex { continue }
                    throw refusing(format: scalar)
                default:
                    continue
                }
            }
        }
        guard text.count <= maxCharacters else { throw .invalid("\(label)不能超过\(maxCharacters)个字符", field: field) }
        guard text.unicodeScalars.count <= 2 * maxCharacters else {
            throw .invalid("\(label)过长：所含 Unicode 字符（含组合符号）不能超过\(2 * maxCharacters)个", field: field)
        }
        guard text.utf8.count <= 4 * maxCharacters else { throw .invalid("\(label)过长：不能超过\(4 * maxCharacters)字节（UTF-8）", field: field) }
    }
}
