/// The name an applicant gives an uploaded file, as reviewers will see it and as a
/// download saves it.
public enum AttachmentName {
    public static let maxCharacters = 200

    /// The name to keep: the last component of a path (browsers may send
    /// `C:\Users\…\证书.pdf`), trimmed. Refuses an empty name, `.` and `..`, one longer
    /// than `maxCharacters`, and any control or format character: a NUL or a line break,
    /// and the direction marks and overrides that would show `evil‮fdp.exe` as
    /// `evilexe.pdf`. A path that climbs (`..` as one of its parts: `../../x.pdf`) is refused
    /// too: no browser sends one (they send the name, old ones a whole Windows path), so it
    /// comes from a client that made it up, and is not quietly taken as `x.pdf`.
    public static func validate(_ raw: String) throws(ZhichengError) -> String {
        let parts = raw.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "/" || $0 == "\\" })
        guard parts.count == 1 || !parts.dropLast().contains(where: { $0.trimmingWhitespaceAndNewlines() == ".." }) else {
            throw .invalid("附件文件名不能含路径（如 ../）", field: "name")
        }
        let last = parts.last.map(String.init) ?? ""
        let name = last.trimmingWhitespaceAndNewlines()
        guard !name.isEmpty, name != ".", name != ".." else { throw .invalid("请给附件一个文件名", field: "name") }
        guard name.count <= maxCharacters else { throw .invalid("附件文件名不能超过\(maxCharacters)个字符", field: "name") }
        let hidden: Set<Unicode.GeneralCategory> = [.control, .format]
        guard !name.unicodeScalars.contains(where: { hidden.contains($0.properties.generalCategory) }) else {
            throw .invalid("附件文件名不能含控制字符或文字方向控制符", field: "name")
        }
        return name
    }

    /// `name` ending as its bytes' type says (`mime`, from `DocumentType.detect`): kept when
    /// its extension already fits (case aside: `证书.PDF`, `扫描.jpeg`), else the type's own
    /// extension appended (`x.html` holding a PDF becomes `x.html.pdf`, `证书` `证书.pdf`).
    /// A download saves the file under this name, so a PDF that is also an HTML page can
    /// never land on a reviewer's disk as a working `.html`. A type not listed keeps the name.
    public static func fitted(_ name: String, toType mime: String) -> String {
        guard let extensions = extensions[mime] else { return name }
        let dot = name.lastIndex(of: ".")
        let given = dot.map { name[name.index(after: $0)...].lowercased() }
        if let given, extensions.contains(given) { return name }
        return name + "." + extensions[0]
    }

    /// The extensions each accepted type is saved under, the one appended first.
    static let extensions: [String: [String]] = [
        "application/pdf": ["pdf"],
        "image/png": ["png"],
        "image/jpeg": ["jpg", "jpeg", "jpe", "jfif"],
    ]
}
