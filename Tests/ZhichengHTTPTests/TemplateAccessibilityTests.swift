import Foundation
import Mustache
import Testing
@testable import ZhichengHTTP

/// Data that fills any template: every name is there, each section is a list of two (their
/// values told apart: 样例1, 样例2), except the names in `off`, which are false, so that the
/// inverted sections of those show.
struct SampleData: MustacheSequence, MustacheParent, MustacheCustomRenderable {
    var off: Set<String>
    var tag = ""
    func child(named name: String) -> Any? { off.contains(name) ? false : self }
    var renderText: String { "样例" + tag }
    var isNull: Bool { false }
    func makeIterator() -> IndexingIterator<[SampleData]> { [SampleData(off: off, tag: "1"), SampleData(off: off, tag: "2")].makeIterator() }
}

/// Every template of the web UI rendered with every section shown, and with each inverted
/// section's name (and each pair of them) false in turn: no empty table header, every control
/// a person fills in named by a label or `aria-label`, every group of check boxes and every
/// group of radio buttons in a fieldset of its own with a legend, every `<summary>` and button
/// of a row (a table's, or a fieldset's whose legend shows the row's data) naming its row, and
/// every link, button and `<summary>` with an `aria-label` saying its visible words in it
/// (WCAG 2.5.3 label in name: a speech-input user says what they see).
@Suite("Accessibility of the HTML templates")
struct TemplateAccessibilityTests {
    static let all = Templates.all

    /// A template's section names (its partials' too) and the renderings that show each part of it.
    static func renderings(_ name: String) -> [String] {
        var source = all[name] ?? ""
        for partial in matches(#"\{\{>\s*([a-z_]+)\s*\}\}"#, in: source) { source += all[partial] ?? "" }
        let inverted = Array(Set(matches(#"\{\{\^\s*([A-Za-z_.]+)\s*\}\}"#, in: source).map { String($0.split(separator: ".").last ?? "") })).sorted()
        var offs: [Set<String>] = [[]] + inverted.map { [$0] }
        for (i, a) in inverted.enumerated() { for b in inverted[(i + 1)...] { offs.append([a, b]) } }
        return Array(Set(offs.compactMap { Templates.library.render(SampleData(off: $0), withTemplate: name) }))
    }

    static func matches(_ pattern: String, in text: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: pattern)
        return regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { Range($0.range(at: 1), in: text).map { String(text[$0]) } }
    }

    /// What a page does wrong, in words (empty: nothing). `data`: how the data a template shows
    /// reads (`SampleData`'s), to tell a row's own name from the words every row repeats.
    static func problems(_ html: String, data: String = "样例") -> [String] {
        let tokens = HTMLScan.tokens(html)
        var problems: [String] = []
        let labelled = Set(tokens.filter { $0.tagName == "label" }.compactMap { $0.attributes["for"] })
        // Table headers with no text.
        for (index, token) in tokens.enumerated() where token.tagName == "th" {
            let text = tokens[(index + 1)...].prefix { $0.endTagName != "th" }.compactMap(\.text).joined()
            if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { problems.append("empty <th> at byte \(token.range.lowerBound)") }
        }
        // Controls: named, and where a group of boxes stands.
        struct Fieldset { var legend = ""; var inLegend = false; var controls: [(type: String, name: String)] = [] }
        var fieldsets: [Fieldset] = [], open: [Int] = []
        var form = 0
        var label: (text: String, controls: [String])?
        var boxes: [(type: String, form: Int, name: String, value: String, fieldset: Int?)] = []
        // What a summary or a button is called: its aria-label, else its text (a visually
        // hidden part included).
        var naming: (tag: String, ariaLabel: String?, text: String)?
        var rows = 0
        // A link's, button's or summary's aria-label and the words it shows: its text but a
        // visually hidden (`.vh`) part's; `hidden` counts the open tags within that part.
        var shown: (tag: String, ariaLabel: String, visible: String, hidden: Int)?
        for token in tokens {
            if shown != nil, shown!.hidden > 0 {
                if token.tagName != nil { shown!.hidden += 1 } else if token.endTagName != nil { shown!.hidden -= 1 }
            } else if shown != nil, token.tagName != nil, (token.attributes["class"] ?? "").split(separator: " ").contains("vh") {
                shown!.hidden = 1
            }
            if let end = token.endTagName, let s = shown, s.tag == end, s.hidden == 0 {
                let words = { (text: String) in text.split(whereSeparator: \.isWhitespace).joined(separator: " ") }
                if !words(s.ariaLabel).contains(words(s.visible)) {
                    problems.append("<\(end)> aria-label \"\(words(s.ariaLabel))\" does not contain its visible text \"\(words(s.visible))\"")
                }
                shown = nil
            }
            if let text = token.text {
                if shown?.hidden == 0 { shown?.visible += text }
                naming?.text += text
                label?.text += text
                if let inner = open.last, fieldsets[inner].inLegend { fieldsets[inner].legend += text }
                continue
            }
            if let end = token.endTagName {
                switch end {
                case "label":
                    if let l = label, l.text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { problems += l.controls.map { "\($0) in a label without text" } }
                    label = nil
                case "fieldset": _ = open.popLast()
                case "legend": if let inner = open.last { fieldsets[inner].inLegend = false }
                case "tr": rows = max(0, rows - 1)
                case "summary", "button":
                    // In a row (a table's, or a fieldset's that a legend names by its data), a
                    // summary or button names its row: the same words in each row tell a screen
                    // reader's list of them nothing.
                    if let n = naming, n.tag == end, rows > 0 || open.contains(where: { fieldsets[$0].legend.contains(data) }) {
                        let name = (n.ariaLabel ?? n.text).split(whereSeparator: \.isWhitespace).joined(separator: " ")
                        if !name.contains(data) { problems.append("<\(end)> \"\(name)\" does not name its row") }
                    }
                    naming = nil
                default: break
                }
                continue
            }
            guard let tag = token.tagName else { continue }
            let a = token.attributes
            switch tag {
            case "form": form += 1
            case "label": label = ("", [])
            case "fieldset": fieldsets.append(Fieldset()); open.append(fieldsets.count - 1)
            case "legend": if let inner = open.last { fieldsets[inner].inLegend = true }
            case "tr": rows += 1
            case "summary", "button", "a":
                if tag != "a" { naming = (tag, a["aria-label"], "") }
                if let label = a["aria-label"] { shown = (tag, label, "", 0) }
            case "input", "select", "textarea":
                let type = tag == "input" ? (a["type"] ?? "text").lowercased() : tag
                guard !["hidden", "submit", "button", "reset", "image"].contains(type) else { continue }
                let what = "<\(tag) name=\"\(a["name"] ?? "")\" type=\(type)>"
                let named = !(a["aria-label"] ?? "").trimmingCharacters(in: .whitespaces).isEmpty || a["aria-labelledby"] != nil
                    || (a["id"].map(labelled.contains) ?? false)
                if label != nil { if !named { label?.controls.append(what) } } else if !named { problems.append("\(what) has no label") }
                if let inner = open.last { fieldsets[inner].controls.append((type, a["name"] ?? "")) }
                // A radio button is always one of a group; a check box with an aria-label is a row's.
                if type == "radio" || (type == "checkbox" && a["aria-label"] == nil) { boxes.append((type, form, a["name"] ?? "", a["value"] ?? "", open.last)) }
            default: break
            }
        }
        // A group: check boxes of one name in one form with different values (a list's row boxes
        // carry an aria-label each, and stand in its table), radio buttons of one name in one form.
        for (key, group) in Dictionary(grouping: boxes, by: { "\($0.form)/\($0.name)" }).sorted(by: { $0.key < $1.key }) {
            let type = group[0].type
            guard type == "radio" || Set(group.map(\.value)).count > 1 else { continue }
            let what = type == "radio" ? "radio buttons \(key)" : "check boxes \(key)"
            let homes = Set(group.map { $0.fieldset ?? -1 })
            guard homes.count == 1, let home = homes.first, home >= 0 else { problems.append("\(what) are not in one fieldset"); continue }
            let fieldset = fieldsets[home]
            if fieldset.legend.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { problems.append("\(what): their fieldset has no legend") }
            if !fieldset.controls.allSatisfy({ $0.type == type && $0.name == group[0].name }) {
                problems.append("\(what): their fieldset holds other controls too \(fieldset.controls.map(\.name))")
            }
        }
        return problems
    }

    @Test(arguments: all.keys.sorted())
    func everyPartOfTheTemplateIsNamedForAssistiveTechnology(_ name: String) throws {
        let pages = Self.renderings(name)
        #expect(!pages.isEmpty)
        for page in pages {
            let problems = Self.problems(page)
            #expect(problems.isEmpty, "\(name): \(problems)")
        }
    }

    @Test func theCheckFindsWhatItLooksFor() {
        #expect(Self.problems("<table><tr><th> </th><th>操作</th></tr></table>").count == 1)
        #expect(Self.problems(#"<input type="text" name="a">"#) == [#"<input name="a" type=text> has no label"#])
        #expect(Self.problems(#"<label><input type="text" name="a"></label>"#) == [#"<input name="a" type=text> in a label without text"#])
        #expect(Self.problems(#"<input type="text" name="a" placeholder="姓名">"#).count == 1, "a placeholder is no label")
        #expect(Self.problems(#"<label for="x">姓名</label><input id="x" name="a"><input type="hidden" name="b"><select aria-label="系列"></select>"#).isEmpty)
        let loose = #"<form><p>系列：<label><input type="checkbox" name="s" value="1"> 甲</label><label><input type="checkbox" name="s" value="2"> 乙</label></p></form>"#
        #expect(Self.problems(loose) == ["check boxes 1/s are not in one fieldset"])
        let shared = #"<form><fieldset><legend>系列</legend><label><input type="checkbox" name="s" value="1"> 甲</label><label><input type="checkbox" name="s" value="2"> 乙</label><label>名称 <input name="n"></label></fieldset></form>"#
        #expect(Self.problems(shared).count == 1, "the fieldset is the whole form's, not the group's")
        let grouped = #"<form><fieldset class="group"><legend>系列：</legend><label><input type="checkbox" name="s" value="1"> 甲</label><label><input type="checkbox" name="s" value="2"> 乙</label></fieldset></form>"#
        #expect(Self.problems(grouped).isEmpty)
        // Radio buttons: a group whatever their values, in a fieldset of their own with a legend.
        let radios = #"<label><input type="radio" name="d" value="pass"> 通过</label><label><input type="radio" name="d" value="reject"> 未通过</label>"#
        #expect(Self.problems("<form><p>\(radios)</p></form>") == ["radio buttons 1/d are not in one fieldset"])
        #expect(Self.problems("<form><fieldset><legend>审查意见</legend>\(radios)<label>意见 <textarea name=\"c\"></textarea></label></fieldset></form>").count == 1,
                "the fieldset is the whole form's")
        #expect(Self.problems("<form><fieldset class=\"group\"><legend> </legend>\(radios)</fieldset></form>") == ["radio buttons 1/d: their fieldset has no legend"])
        #expect(Self.problems("<form><fieldset class=\"group\"><legend class=\"vh\">审查决定</legend>\(radios)</fieldset></form>").isEmpty)
        #expect(Self.problems(#"<form><fieldset><legend>表决</legend><label><input type="radio" name="v" value="agree" aria-label="同意"></label></fieldset></form>"#).isEmpty)
        // A row's summaries and buttons name the row (its data, here 样例1): by a visually
        // hidden part or an aria-label. Elsewhere a button's words may be its own.
        let row = #"<table><tbody><tr><td>样例1</td><td><details><summary>编辑</summary><button type="submit">保存</button></details></td></tr></tbody></table>"#
        #expect(Self.problems(row) == [#"<summary> "编辑" does not name its row"#, #"<button> "保存" does not name its row"#])
        let named = #"<table><tbody><tr><td><details><summary>编辑<span class="vh">：样例1</span></summary><button aria-label="保存样例1">保存</button></details></td></tr></tbody></table>"#
        #expect(Self.problems(named).isEmpty)
        #expect(Self.problems(#"<fieldset><legend>样例1</legend><textarea aria-label="样例1"></textarea><button>保存</button></fieldset>"#) == [#"<button> "保存" does not name its row"#])
        #expect(Self.problems(#"<fieldset><legend>附件</legend><button>上传附件</button></fieldset><button>提交申报</button>"#).isEmpty)
        // Label in name: an aria-label says the words shown (a visually hidden part aside), with
        // any blanks as one space.
        #expect(Self.problems(#"<button aria-label="初始化样例1系统管理员的密码">初始化密码</button>"#)
                == [#"<button> aria-label "初始化样例1系统管理员的密码" does not contain its visible text "初始化密码""#])
        #expect(Self.problems(#"<a href="x" aria-label="查看样例1的单位信息">查看单位信息</a>"#).count == 1)
        #expect(Self.problems(#"<details><summary aria-label="编辑样例1">编辑信息</summary></details>"#).count == 1)
        #expect(Self.problems(#"<a href="x" aria-label="打印样例1的评审表">打印评审表<span class="vh">（新窗口）</span></a>"#).count == 1,
                "the hidden part is not what the label must hold")
        #expect(Self.problems(#"<a href="x" aria-label="查看 / 填写申报 1：2026年度"> 查看 /\#n 填写 </a><button aria-label="删除样例1">删除</button>"#).isEmpty)
        #expect(Self.problems(#"<button aria-label="初始化密码：样例1"><span>初始化</span>密码<span class="vh"><b>：</b>样例1</span></button>"#).isEmpty)
        #expect(Self.problems(#"<a href="x">初始化密码<span class="vh">：样例1</span></a><input type="text" aria-label="姓名">"#).isEmpty,
                "no aria-label: the name is the text, hidden part and all")
    }

    @Test func theSampleDataShowsBothSidesOfASection() throws {
        let pages = Self.renderings("profile")
        #expect(pages.contains { $0.contains("id=\"profile-form\"") } && pages.contains { $0.contains("id=\"profile-view\"") })
        #expect(pages.contains { $0.contains("<select name=\"样例") } && pages.contains { $0.contains("<input type=\"text\" name=\"样例") })
        #expect(pages.contains { $0.contains("id=\"profile-back\"") }, "an inverted section within another")
    }
}

/// The mark on the control a refused form's error names (`FaultyControl`).
@Suite("The faulty control of a refused form")
struct FaultyControlTests {
    static let mark = FaultyControl.marks + FaultyControl.describedBy

    static func posted(_ body: String) throws -> FormData { try FormData.urlEncoded(Array(body.utf8)) }

    @Test func onlyTheNamedControlOfTheFormPostedIsMarked() throws {
        let page = """
            <form method="post" action="/t/zz/orgs/5/review"><input type="hidden" name="_csrf" value="x"><input type="hidden" name="decision" value="reject">\
            <label>退回原因 <input type="text" name="reason" required></label><button type="submit">退回</button></form>\
            <form method="post" action="/t/zz/orgs/6/review"><input type="hidden" name="_csrf" value="x"><input type="hidden" name="decision" value="reject">\
            <label>退回原因 <input type="text" name="reason" required></label></form>\
            <p>name="reason"</p><textarea name="reasons">&lt;input name="reason"&gt;</textarea>
            """
        let marked = FaultyControl.mark(page, path: "/t/zz/orgs/5/review", field: "reason", posted: try Self.posted("_csrf=x&decision=reject&reason="))
        #expect(marked == page.replacingOccurrences(of: #"<label>退回原因 <input type="text" name="reason" required></label><button"#,
                                                    with: #"<label>退回原因 <input\#(Self.mark) type="text" name="reason" required></label><button"#))
        // Another field, another path, a hidden field: nothing.
        #expect(FaultyControl.mark(page, path: "/t/zz/orgs/5/review", field: "comment", posted: nil) == page)
        #expect(FaultyControl.mark(page, path: "/t/zz/orgs/7/review", field: "reason", posted: nil) == page)
        #expect(FaultyControl.mark(page, path: "/t/zz/orgs/5/review", field: "decision", posted: nil) == page)
    }

    @Test func formsOfOnePathAreToldApartByTheHiddenFieldsPosted() throws {
        // 暂停 and 退出专家库 of one expert post to one path, each with its reason.
        let page = """
            <form method="post" action="/t/p/experts/3/state"><input type="hidden" name="state" value="suspended"><input name="reason" class="suspend-reason"></form>\
            <form method="post" action="/t/p/experts/3/state"><input type="hidden" name="state" value="retired"><input name="reason" class="retire-reason"></form>
            """
        let retire = FaultyControl.mark(page, path: "/t/p/experts/3/state", field: "reason", posted: try Self.posted("state=retired&reason="))
        #expect(retire.contains(#"<input\#(Self.mark) name="reason" class="retire-reason">"#) && !retire.contains(#"\#(Self.mark) name="reason" class="suspend-reason""#))
        // 职称申报 and 专家推荐 post to one path; only the second has kind=expert.
        let create = """
            <form method="post" action="/t/z/applications" id="a"><input name="year"></form>\
            <form method="post" action="/t/z/applications" id="b"><input type="hidden" name="kind" value="expert"><input name="year"></form>
            """
        let expert = FaultyControl.mark(create, path: "/t/z/applications", field: "year", posted: try Self.posted("kind=expert&year=x"))
        #expect(expert == create.replacingOccurrences(of: #"value="expert"><input name"#, with: #"value="expert"><input\#(Self.mark) name"#))
        let title = FaultyControl.mark(create, path: "/t/z/applications", field: "year", posted: try Self.posted("year=x"))
        #expect(title == create.replacingOccurrences(of: #"id="a"><input name"#, with: #"id="a"><input\#(Self.mark) name"#))
    }

    @Test func aControlJoiningTheFormFromOutsideAndAnAliasAreMarked() throws {
        // The desk's ticked rows stand in its table, outside the batch form.
        let desk = """
            <table><tr><td><input type="checkbox" name="items" value="a" form="batch" aria-label="选择甲"></td></tr>\
            <tr><td><input type="checkbox" name="items" value="b" form="other" aria-label="选择乙"></td></tr></table>\
            <form method="post" action="/t/z/committee/batch?year=2026" id="batch"><label>时间 <input name="time"></label></form>
            """
        let marked = FaultyControl.mark(desk, path: "/t/z/committee/batch", field: "items", posted: nil)
        #expect(marked.contains(#"<input\#(Self.mark) type="checkbox" name="items" value="a""#) && !marked.contains(#"\#(Self.mark) type="checkbox" name="items" value="b""#))
        // 单位信息维护's certificate is the form's file input; a draw's 抽取人数 is `count`.
        let profile = #"<form action="/t/z/profile" method="post"><label>证件图片 <input type="file" name="file"></label></form>"#
        #expect(FaultyControl.mark(profile, path: "/t/z/profile", field: "certificate", posted: nil).contains(#"<input\#(Self.mark) type="file""#))
        // An attribute of its own is kept, not repeated.
        let described = #"<form method="post" action="/t/z/x"><select name="rule" aria-describedby="rule-hint"></select></form>"#
        #expect(FaultyControl.mark(described, path: "/t/z/x", field: "rule", posted: nil)
                == #"<form method="post" action="/t/z/x"><select aria-invalid="true" name="rule" aria-describedby="rule-hint"></select></form>"#)
    }

    @Test func aFilterFormOfTheSamePathIsNotTheRefusedOne() throws {
        // 申报计划: the plan form and the office's 年度 filter (GET) both go to plans with a `year`.
        let page = """
            <form method="post" action="/t/z/plans"><input type="hidden" name="_csrf" value="x"><label>年度 <input name="year" id="plan-year"></label></form>\
            <form method="get" action="/t/z/plans"><label>年度 <input name="year" id="unit-plans-year"></label></form>
            """
        let marked = FaultyControl.mark(page, path: "/t/z/plans", field: "year", posted: try Self.posted("_csrf=x&year="))
        #expect(marked.contains(#"<input\#(Self.mark) name="year" id="plan-year">"#))
        #expect(marked.contains(#"<input name="year" id="unit-plans-year">"#))
    }

    @Test func theScannerReadsWhatTheTemplatesWrite() {
        let tokens = HTMLScan.tokens(#"<!doctype html><p title="a &gt; b" data-x='1'>x &amp; y<br/><!-- <input name="c"> --><style>input>p{}</style><INPUT NAME="d" value=e>"#)
        #expect(tokens.compactMap(\.tagName) == ["p", "br", "style", "input"])
        #expect(tokens.first { $0.tagName == "p" }?.attributes == ["title": "a > b", "data-x": "1"])
        #expect(tokens.first { $0.tagName == "input" }?.attributes == ["name": "d", "value": "e"])
        #expect(tokens.compactMap(\.text) == ["x & y"], "nor is a style's content text")
    }
}

@Suite("What the long forms say of the automatic sign-out")
struct IdleHintTests {
    @Test func theConfiguredIdlePeriodOrOnlyTheLifetime() {
        #expect(UI.idleHint(idle: 7200, lifetime: 43200) == "页面2小时无操作将自动退出登录（只输入文字不算操作，保存、提交或打开页面才算），请及时保存。")
        #expect(UI.idleHint(idle: 5400, lifetime: 43200).hasPrefix("页面1小时30分钟无操作"))
        #expect(UI.idleHint(idle: 45, lifetime: 43200).hasPrefix("页面45秒无操作"))
        // 0: no idle end; only the 12 hours of a session count. Nor an idle period as long as that.
        #expect(UI.idleHint(idle: 0, lifetime: 43200) == "登录12小时后将自动退出，请及时保存。")
        #expect(UI.idleHint(idle: 43200, lifetime: 43200) == "登录12小时后将自动退出，请及时保存。")
    }
}

@Suite("A destructive form's question names its object")
struct ConfirmationTests {
    @Test func theRowsNameIsRepeatedElseTheQuestionAsBefore() throws {
        let named = try FormData.urlEncoded(Array("_what=%E6%9D%8E%E7%BB%8F%E5%8A%9E".utf8))   // 李经办
        #expect(UI.confirmation(for: "/t/zz/staff/7/delete", named) == "确定删除人员“李经办”吗？其账户将不能再登录。")
        #expect(UI.confirmation(for: "/t/zz/staff/7/delete", try FormData.urlEncoded([])) == "确定删除该人员吗？其账户将不能再登录。")
        #expect(UI.confirmation(for: "/t/zz/applicants/7/delete", named) == "确定删除申报人“李经办”的账户吗？")
        #expect(UI.confirmation(for: "/t/zz/orgs/7/reset-password", named)?.hasPrefix("确定初始化机构“李经办”管理员的密码吗？") == true)
        let retire = try FormData.urlEncoded(Array("state=retired&_what=%E6%9D%8E%E7%BB%8F%E5%8A%9E".utf8))
        #expect(UI.confirmation(for: "/t/p/experts/3/state", retire) == "确定让专家“李经办”退出专家库吗？")
        #expect(UI.confirmation(for: "/t/zz/staff/7/edit", named) == nil)
    }
}
