/// The name an applicant gives an uploaded file, as reviewers will see it and as a
/// download saves it.
public enum AttachmentName {
    public static let maxCharacters = 200

    /// The name to keep: the last component of a path (browsers may send
    /// `C:\Users\…\证书.pdf`), trimmed. Refuses an empty name, `.` and `..`, one longer
    /// than `maxCharacters`, and any control or format character: a NUL or a line break,
    /// and the direction marks and overrides that would show `evil‮fdp.exe` as
    /// `evilexe.pdf`.
    public static func validate(_ raw: String) throws(ZhichengError) -> String {
        let last = raw.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
        let name = last.trimmingWhitespaceAndNewlines()
        guard !name.isEmpty, name != ".", name != ".." else { throw .invalid("请给附件一个文件名", field: "name") }
        guard name.count <= maxCharacters else { throw .invalid("附件文件名不能超过\(maxCharacters)个字符", field: "name") }
        let hidden: Set<Unicode.GeneralCategory> = [.control, .format]
        guard !name.unicodeScalars.contains(where: { hidden.contains($0.properties.generalCategory) }) else {
            throw .invalid("附件文件名不能含控制字符或文字方向控制符", field: "name")
        }
        return name
    }
}
