import Foundation

/// Marks the control a refused form's error names (`ZhichengError.field`) on the page that
/// answers the refusal, for screen readers: `aria-invalid="true"` and
/// `aria-describedby="flash-error"` (the layout's message). `UI.render` calls it for every
/// page answering a refused post, so no template marks anything itself.
///
/// Only in the form the post came from: a `<form>` whose `action` is the post's path; of
/// several such forms (审核通过 and 退回 post to one path; so do 暂停 and 退出专家库), those
/// whose hidden fields the post carried, the most of them. In it, only an `<input>`,
/// `<select>` or `<textarea>` (not a hidden one) whose `name` is the field; also one outside
/// it that joins it with `form="…"` (the desk's ticked rows). A field no control of that form
/// has is looked up by the name of the control it stands for (`aliases`); when that is not
/// found either (a plan line, named by its number in the message; a step of the chain),
/// nothing is marked. (A field of a section of the application page is named by its control,
/// `field:<section>:<name>`, before the page is made: `UI.faultyControl`.)
enum FaultyControl {
    /// Fields whose control has another name: the 证件图片 of 单位信息维护 is the form's `file`;
    /// a draw's 抽取人数 is `count` (a new session's is `panel_size`).
    static let aliases: [String: String] = ["certificate": "file", "panel_size": "count"]

    static let marks = #" aria-invalid="true""#
    static let describedBy = #" aria-describedby="flash-error""#

    static func mark(_ html: String, path: String, field: String, posted: FormData?) -> String {
        let bytes = Array(html.utf8)
        let tokens = HTMLScan.tokens(bytes)
        // The forms posting to `path`, as token ranges.
        var forms: [(open: Int, close: Int)] = []
        var open: Int?
        for (index, token) in tokens.enumerated() {
            if token.tagName == "form" { open = index }
            if token.endTagName == "form", let start = open {
                forms.append((start, index))
                open = nil
            }
        }
        let target = Self.decoded(path)
        // Only forms that post: a filter form (GET) of the same path with a field of the same
        // name (申报计划's 年度) is not the form that was refused.
        let posting = forms.filter { form in
            guard tokens[form.open].attributes["method"]?.lowercased() == "post" else { return false }
            let action = tokens[form.open].attributes["action"] ?? ""
            return Self.decoded(String(action.prefix { $0 != "?" && $0 != "#" })) == target
        }
        // The hidden fields of each that the post carried; one whose hidden field the post did not carry is not it.
        let scored: [(form: (open: Int, close: Int), score: Int)] = posting.compactMap { form in
            var score = 0
            for token in tokens[form.open...form.close] where token.tagName == "input" && token.attributes["type"]?.lowercased() == "hidden" {
                guard let name = token.attributes["name"], !name.hasPrefix("_"), let posted else { continue }
                guard posted.all(name).contains(token.attributes["value"] ?? "") else { return nil }
                score += 1
            }
            return (form, score)
        }
        let best = scored.map(\.score).max()
        let chosen = scored.filter { $0.score == best }.map(\.form)
        let ids = Set(chosen.compactMap { tokens[$0.open].attributes["id"] })

        func controls(named name: String) -> [HTMLToken] {
            tokens.indices.filter { index in
                let token = tokens[index]
                guard let tag = token.tagName, ["input", "select", "textarea"].contains(tag), token.attributes["name"] == name,
                      token.attributes["type"]?.lowercased() != "hidden" else { return false }
                if let owner = token.attributes["form"] { return ids.contains(owner) }
                return chosen.contains { $0.open < index && index < $0.close }
            }.map { tokens[$0] }
        }
        var found = controls(named: field)
        if found.isEmpty, let alias = aliases[field] { found = controls(named: alias) }
        guard !found.isEmpty else { return html }
        var out = bytes
        for token in found.sorted(by: { $0.nameEnd > $1.nameEnd }) {
            let attributes = token.attributes
            let insert = (attributes["aria-invalid"] == nil ? marks : "") + (attributes["aria-describedby"] == nil ? describedBy : "")
            out.insert(contentsOf: Array(insert.utf8), at: token.nameEnd)
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func decoded(_ path: String) -> String { path.removingPercentEncoding ?? path }
}
