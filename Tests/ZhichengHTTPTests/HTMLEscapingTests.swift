import Mustache
import Testing
@testable import ZhichengHTTP

/// The UI's one HTML escaper, and every template rendered with it.
@Suite("HTML escaping")
struct HTMLEscapingTests {
    /// A quote followed by a combining mark is one `Character` that is not `"`: escaping by
    /// `Character` left it raw, and `X"́ onload=…` left the attribute it was put in.
    static let breakout = "X\"\u{301} onload=alert(1)// '\u{301} <\u{301}b> &\u{301}amp;"
    /// A raw quote or `<` with its mark, as it would appear unescaped.
    static let rawQuote = "\"" + "\u{301}", rawTag = "<" + "\u{301}"

    @Test func escapesEveryMarkupScalarWhateverFollowsIt() {
        #expect(HTMLText.escape(Self.breakout)
                == "X&quot;\u{301} onload=alert(1)// &#39;\u{301} &lt;\u{301}b&gt; &amp;\u{301}amp;")
        #expect(HTMLText.escape("郑州市第一中学") == "郑州市第一中学")
        #expect(HTMLText.escape("👩🏽‍🏫 \u{1F1E8}\u{1F1F3}") == "👩🏽‍🏫 \u{1F1E8}\u{1F1F3}", "other graphemes pass whole")
    }

    @Test func templatesUseTheEscaperAlsoInsideSections() throws {
        // The 评审表's seal: an org name inside an attribute, in a section of a list.
        let form = try #require(Templates.library.render([
            "applicant": Self.breakout, "opinions": [["org": Self.breakout, "seal": "data:image/png;base64,AA==", "stage": "负责人",
                                                      "decision": "通过", "comment": "", "reviewer": false, "date": "2026-11-30"]],
            "committee": false,
        ] as [String: Any], withTemplate: "review_form"))
        #expect(form.contains("alt=\"X&quot;\u{301} onload=alert(1)"), "\(form)")
        #expect(!form.contains(Self.rawQuote), "a raw quote with its mark")
        // The layout every page is put in.
        let page = try #require(Templates.library.render(["title": Self.breakout, "tenant_name": Self.breakout, "body": ""] as [String: Any],
                                                         withTemplate: "layout"))
        #expect(page.contains("<title>X&quot;\u{301} onload"), "\(page.prefix(400))")
        #expect(!page.contains(Self.rawQuote) && !page.contains(Self.rawTag))
    }

    @Test func theReviewFormAllowsOnlyItsPrintScript() {
        #expect(ReviewFormPage.policy.contains("script-src 'sha256-"))
        #expect(!ReviewFormPage.policy.contains("script-src 'unsafe-inline'"))
        #expect(ReviewFormPage.policy.contains("form-action 'none'"))
    }
}
