/// A committee's 面试通知 as an application, its trail and the city keep it: one text, its time,
/// a full-width comma and its place (`2026-12-05 09:30，市人社局301`), the way the committee's
/// office writes it and a province relays it. The screens show the time and the place apart, as
/// the manual names them (§6: 面试通知, 地点): `init?(stored:)` reads them back out of the text.
///
/// The time comes first and is written `2026-12-05 09:30` (`InterviewTime`); a place may hold a
/// comma of its own. A notice stored before times were checked is free text, its time as it was
/// typed (`下周三上午，市人社局二楼`): it is cut at its first full-width comma too, which is where it
/// was joined unless the typed time held one itself (nothing tells that apart). One with no such
/// comma at all is all time, no place.
public struct InterviewNotice: Sendable, Equatable, CustomStringConvertible {
    /// `2026-12-05 09:30` (or, for a notice of free text, its time as typed).
    public let time: String
    /// Where; empty when a notice of free text named none apart from its time.
    public let place: String

    /// What joins the time and the place in the stored text.
    static let separator: Character = "，"

    public init(time: String, place: String) {
        self.time = time
        self.place = place
    }

    /// The stored text read back; nil for none (no notice, or an empty one).
    public init?(stored: String?) {
        guard let text = stored?.trimmingWhitespaceAndNewlines(), !text.isEmpty else { return nil }
        guard let cut = text.firstIndex(of: Self.separator) else {
            self.init(time: text, place: "")
            return
        }
        self.init(time: text[..<cut].trimmingWhitespaceAndNewlines(), place: text[text.index(after: cut)...].trimmingWhitespaceAndNewlines())
    }

    /// The stored text: `2026-12-05 09:30，市人社局301`.
    public var description: String { "\(time)\(Self.separator)\(place)" }
}
