import Testing
import ZhichengCore

/// A login is one login whatever its case: `Login.folded` says which logins are one,
/// `Login.match` which account a typed login names among those.
@Suite("Login folding and matching")
struct LoginMatchTests {
    @Test func foldingLowersAsciiLettersOnly() {
        #expect(Login.folded("Zhang.Wei_01-X") == "zhang.wei_01-x")
        #expect(Login.folded("41010419900307123X") == "41010419900307123x")
        #expect(Login.folded("zhang.wei") == "zhang.wei")
        // As SQLite's NOCASE: letters beyond ASCII keep their case (staff logins are ASCII anyway).
        #expect(Login.folded("ÉCOLE") == "École")
        #expect(Login.folded("ＡＢ") == "ＡＢ", "full width is folded to ASCII by Login.normalized, not here")
        #expect(Login.folded("Σ张") == "Σ张")
        #expect(Login.folded("") == "")
    }

    @Test func theExactLoginFirstThenTheOnlyOneAlike() {
        let one = ["Zhang.Wei"]
        #expect(Login.match("Zhang.Wei", among: one, login: { $0 }).found == "Zhang.Wei")
        #expect(Login.match("zhang.wei", among: one, login: { $0 }).found == "Zhang.Wei")
        #expect(Login.match("ZHANG.WEI", among: one, login: { $0 }).found == "Zhang.Wei")
        #expect(Login.match("zhang.wel", among: one, login: { $0 }).found == nil, "a candidate that is not alike is not taken")
        #expect(Login.match("zhang.wei", among: [String](), login: { $0 }).found == nil)
        guard case .none = Login.match("li.si", among: one, login: { $0 }) else { Issue.record("no account alike: none"); return }
    }

    /// Two logins that differ only by case (made before they were one login): each exact one
    /// names its own account; any other form names neither.
    @Test func twoAlikeEachKeepTheirExactLoginAndNoOtherForm() {
        let two = [(id: 1, login: "Zhang.Wei"), (id: 2, login: "zhang.wei")]
        #expect(Login.match("Zhang.Wei", among: two, login: \.login).found?.id == 1)
        #expect(Login.match("zhang.wei", among: two, login: \.login).found?.id == 2)
        for typed in ["ZHANG.WEI", "zhang.Wei", "Zhang.wei"] {
            guard case .ambiguous(let alike) = Login.match(typed, among: two, login: \.login) else {
                Issue.record("\(typed) names neither"); continue
            }
            #expect(alike.map(\.id) == [1, 2])
        }
    }
}
