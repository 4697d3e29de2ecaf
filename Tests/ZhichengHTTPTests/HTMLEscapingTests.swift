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

    /// An empty text is no value: its section shows nothing and its inverted section shows, where
    /// swift-mustache alone opened the section for any string (a result without a note read
    /// 评审结果：通过（）); a text still renders itself, escaped.
    @Test func anEmptyTextOpensNoSection() throws {
        _ = Templates.library   // registers the HTML content type its pragma names
        let template = try MustacheTemplate(string: Templates.contentTypePragma + "{{#note}}（{{note}}）{{/note}}{{^note}}无说明{{/note}}")
        let library = MustacheLibrary(templates: ["t": template])
        #expect(library.render(["note": ""] as [String: Any], withTemplate: "t") == "无说明")
        #expect(library.render(["note": "答辩<良好>"] as [String: Any], withTemplate: "t") == "（答辩&lt;良好&gt;）")
        // The committee desk's result line, with and without a note.
        let without = try #require(Templates.library.render(["publicity": true, "result": "通过", "note": "", "until": "2026-12-08 24:00",
                                                             "confirm_waits": false, "objections": [[String: Any]]()] as [String: Any],
                                                            withTemplate: "committee_item"))
        #expect(without.contains("评审结果：<strong>通过</strong>，公示至"), "\(without)")
    }

    @Test func theReviewFormAllowsOnlyItsPrintScript() {
        #expect(ReviewFormPage.policy.contains("script-src 'sha256-"))
        #expect(!ReviewFormPage.policy.contains("script-src 'unsafe-inline'"))
        #expect(ReviewFormPage.policy.contains("form-action 'none'"))
    }
}
