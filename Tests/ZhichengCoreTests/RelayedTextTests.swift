import Foundation
import Testing
import ZhichengCore

/// The text a message between tenants brings is held on arrival to the rules it was typed
/// under: a NUL or a bidi override in a comment, a section, a name or a notice refuses the
/// message, named by its payload key and the character's code point.
@Suite("Relayed text")
struct RelayedTextTests {
    /// Every kind but the province's receipt and a city's withdrawal (ids alone) carries text for
    /// people, and each of its keys is held; a kind this build does not know carries none it could judge.
    @Test func everyKindThatCarriesTextHasItsRules() {
        for kind in RelayMessageKind.allCases {
            let keys = RelayedText.rules(for: kind.rawValue).map(\.key)
            #expect(keys.isEmpty == [.received, .withdrawn].contains(kind), "\(kind.rawValue): \(keys)")
            #expect(Set(keys).count == keys.count, "\(kind.rawValue) names a key twice")
        }
        #expect(RelayedText.rules(for: "application.unknown").isEmpty)
    }

    /// The province's answers about a city's application, applied only while the city waits for it.
    @Test func theProvincesAnswersAreTheKindsItSendsBackAboutAnApplication() {
        #expect(Set(RelayMessageKind.allCases.filter(\.isAnswer).map(\.rawValue)) == [
            "application.received", "application.province-review", "application.returned", "application.province-rejected",
            "application.province-admitted", "application.interview", "application.publicity", "application.publicity-withdrawn",
            "application.result",
        ])
    }

    /// A hand-over's sections as `ApplicationService.sectionsJSON` writes them.
    static func sections(_ fields: [String: [String: String]], files: String? = nil) throws -> String {
        var outer: [String: String] = [:]
        for (section, values) in fields {
            outer[section] = String(decoding: try JSONSerialization.data(withJSONObject: values, options: [.sortedKeys]), as: UTF8.self)
        }
        if let files { outer["附件", default: ""] += "|files:" + files }
        return String(decoding: try JSONSerialization.data(withJSONObject: outer, options: [.sortedKeys]), as: UTF8.self)
    }

    /// A stand-in for a file's SHA-256 as a snapshot names it: 64 lower-case hex digits.
    static func digest(_ seed: String) -> String {
        String(seed.utf8.map { String(format: "%02x", $0) }.joined().padding(toLength: 64, withPad: "0", startingAt: 0).prefix(64))
    }

    static func trail(_ comments: [String], org: String = "郑州市职改办") throws -> String {
        let entries = comments.map { ["org": org, "stage": "handler", "decision": "pass", "comment": $0, "at": 1] as [String: Any] }
        return String(decoding: try JSONSerialization.data(withJSONObject: entries), as: UTF8.self)
    }

    /// A result's note its receiver would refuse (typed before the rule it is held to now) is
    /// left out by the sender: the result reaches the city without it, where the note held the
    /// whole message unapplied. A note that passes, and every other key, go as given.
    @Test func aResultTravelsWithoutANoteItsReceiverWouldRefuse() {
        for kind in ["application.publicity", "application.result"] {
            let bad: [String: Any] = ["result": "未通过", "committee": "河南省高校教师高级职称评审委员会", "note": "业绩\u{202E}不足", "source_application_id": 7]
            #expect(RelayedText.refusal(kind: kind, payload: bad)?.field == "note")
            let sent = RelayedText.withoutRefusedOptionalText(kind: kind, payload: bad)
            #expect(sent["note"] == nil && sent["result"] as? String == "未通过" && sent["source_application_id"] as? Int == 7)
            #expect(RelayedText.refusal(kind: kind, payload: sent) == nil)
            let good = RelayedText.withoutRefusedOptionalText(kind: kind, payload: ["result": "通过", "note": "同意2票，到会3人"])
            #expect(good["note"] as? String == "同意2票，到会3人")
        }
        // The end of the office's review goes without a comment its receiver would refuse ...
        for kind in ["application.province-rejected", "application.province-admitted"] {
            let ended = RelayedText.withoutRefusedOptionalText(kind: kind, payload: ["stage": "leader", "decision": "pass", "comment": "同意\u{202E}入库"])
            #expect(ended["comment"] == nil && ended["decision"] as? String == "pass" && RelayedText.refusal(kind: kind, payload: ended) == nil)
        }
        // ... while a step on the way keeps it, and is refused with it (it holds nothing up).
        let step = RelayedText.withoutRefusedOptionalText(kind: "application.province-review", payload: ["comment": "不\u{202E}符"])
        #expect(step["comment"] as? String == "不\u{202E}符" && RelayedText.refusal(kind: "application.province-review", payload: step)?.field == "comment")
    }

    @Test func aHandOverAsTheCitySendsItIsTakenIn() throws {
        let payload: [String: Any] = [
            "applicant_name": "钱老师", "unit_name": "郑州市职改办", "title": "高级教师", "specialty": "数学",
            "sections": try Self.sections(["业绩成果": ["内容": "　　第一段\n第二段\t（续）"], "基本信息": ["内容": "基本信息"]], files: "证书.pdf:\(Self.digest("证书"))"),
            "trail": try Self.trail(["同意", "情况属实\n同意报送"]), "source_application_id": 7,
        ]
        #expect(RelayedText.refusal(kind: "application.forward", payload: payload) == nil)
        // A name left blank is not this rule's to judge (the hand-over keeps the name known).
        #expect(RelayedText.refusal(kind: "application.forward", payload: ["applicant_name": " \u{3000}", "unit_name": ""]) == nil)
    }

    /// A 附件 section typed up to its limit, with its files listed beside it, is taken in: the
    /// files' names are not the typed text the 64 KiB holds (the province would otherwise keep
    /// the hand-over unapplied, and the city's application would wait for it for ever).
    @Test func aSectionAtItsLimitWithItsFilesIsTakenIn() throws {
        let typed = String(repeating: "a", count: SectionFields.maxBytes - "内容".utf8.count)
        let payload: [String: Any] = [
            "sections": try Self.sections(["附件": ["内容": typed]], files: "职称证书.pdf:\(Self.digest("a")),论文.pdf:\(Self.digest("b"))"),
            "trail": try Self.trail(["同意"]), "source_application_id": 8,
        ]
        #expect(SectionSnapshot.sections(payload["sections"] as! String)["附件"]?[SectionSnapshot.filesField] == "职称证书.pdf、论文.pdf")
        #expect(RelayedText.refusal(kind: "application.forward", payload: payload) == nil)
        // One byte more typed is over the limit, files or not.
        let over: [String: Any] = ["sections": try Self.sections(["附件": ["内容": typed + "a"]], files: "职称证书.pdf:\(Self.digest("a"))")]
        #expect(RelayedText.refusal(kind: "application.forward", payload: over) != nil)
    }

    @Test(arguments: [("\u{0}", "U+0000"), ("\u{202E}", "U+202E"), ("\u{1B}", "U+001B"), ("\u{2066}", "U+2066")])
    func aCharacterNobodyMayTypeRefusesEveryKindOfText(character: String, code: String) throws {
        let cases: [(kind: String, payload: [String: Any], field: String)] = [
            ("application.forward", ["sections": try Self.sections(["业绩成果": ["内容": "论文\(character)三篇"]])], "sections"),
            ("application.forward", ["trail": try Self.trail(["同意", "同\(character)意"])], "trail"),
            ("application.forward", ["applicant_name": "钱\(character)老师"], "applicant_name"),
            ("application.province-review", ["comment": "材料\(character)齐全", "stage": "handler"], "comment"),
            ("application.returned", ["comment": "请补充\(character)"], "comment"),
            ("application.interview", ["interview": "2026-12-05 09:30，人社局\(character)301"], "interview"),
            ("application.publicity-withdrawn", ["reason": "异议\(character)属实"], "reason"),
            ("application.result", ["committee": "高级\(character)评委会", "result": "通过"], "committee"),
            ("application.province-rejected", ["comment": "业绩\(character)不足", "stage": "leader", "decision": "reject"], "comment"),
            ("application.province-admitted", ["comment": "同意\(character)入库", "stage": "leader", "decision": "pass"], "comment"),
            ("application.publicity", ["result": "未通过", "note": "代表作\(character)未达到要求"], "note"),
            ("application.result", ["result": "未通过", "note": "同意2票\(character)，到会3人"], "note"),
            ("objection.lodge", ["text": "论文\(character)抄袭", "evidence": "比对报告"], "text"),
            ("objection.lodge", ["text": "论文抄袭", "evidence": "比对\(character)报告"], "evidence"),
            ("objection.resolved", ["reason": "不\(character)属实", "state": "dismissed"], "reason"),
            ("applicant.renamed", ["name": "钱\(character)新"], "name"),
        ]
        for (kind, payload, field) in cases {
            let refusal = RelayedText.refusal(kind: kind, payload: payload)
            #expect(refusal?.code == .invalid && refusal?.field == field, "\(kind) \(field) \(code): \(String(describing: refusal))")
            #expect(refusal.map { $0.message.contains(code) || $0.message.contains("不可见") || $0.message.contains("控制字符") } == true,
                    "\(kind) \(field): \(refusal?.message ?? "")")
            #expect(refusal.map { !$0.message.contains(character) } == true, "the message shows the character itself")
        }
    }

    @Test func aSectionNameAndALineBreakWhereOneLineIsExpectedAreRefusedToo() throws {
        #expect(RelayedText.refusal(kind: "application.forward", payload: ["sections": try Self.sections(["业\u{202E}绩": ["内容": "x"]])])?.field == "sections")
        #expect(RelayedText.refusal(kind: "application.forward", payload: ["sections": try Self.sections(["业绩成果": ["字\n段": "x"]])])?.field == "sections")
        #expect(RelayedText.refusal(kind: "org.renamed", payload: ["name": "第一\n中学"])?.field == "name")
        #expect(RelayedText.refusal(kind: "application.forward", payload: ["specialty": "数\u{200B}学"])?.field == "specialty")
    }

    /// What the validators trim unsaid from what is typed (a format character among the blanks
    /// at an end) is not in text a sender kept: arriving so, it is refused, not taken in with it.
    @Test func aFormatCharacterAtAnEndIsRefusedNotTrimmed() throws {
        #expect(RelayedText.refusal(kind: "application.returned", payload: ["comment": "请补充\u{202E}"])?.message.contains("U+202E") == true)
        #expect(RelayedText.refusal(kind: "application.returned", payload: ["comment": "\u{FEFF} 请补充"])?.message.contains("U+FEFF") == true)
        #expect(RelayedText.refusal(kind: "applicant.moved", payload: ["name": "第一中学\u{200E}"])?.field == "name")
        #expect(RelayedText.refusal(kind: "application.forward", payload: ["sections": try Self.sections(["业绩成果": ["内容": "　　段落\u{2067}\n"]])])?.field == "sections")
        #expect(RelayedText.refusal(kind: "application.forward", payload: ["trail": try Self.trail(["\u{202D}同意"])])?.field == "trail")
        // White space at the ends is no fault (a section keeps it as typed), nor an emoji's joiner inside.
        #expect(RelayedText.refusal(kind: "application.returned", payload: ["comment": " 请补充 👨\u{200D}👩\u{200D}👧 \n"]) == nil)
    }

    /// The committee's 说明 with its result is held to the rule it was typed under (up to 1000
    /// characters, lines allowed); a result without one, as a province of an earlier version
    /// sent it, is valid.
    @Test func aResultsNoteIsHeldToItsRuleAndMayBeMissing() {
        for kind in ["application.publicity", "application.result"] {
            #expect(RelayedText.refusal(kind: kind, payload: ["result": "未通过", "committee": "河南省中小学教师高级评委会"]) == nil)
            #expect(RelayedText.refusal(kind: kind, payload: ["result": "未通过", "note": "代表作学术水平未达到副高级要求\n同意2票，到会3人"]) == nil)
            #expect(RelayedText.refusal(kind: kind, payload: ["result": "未通过", "note": String(repeating: "长", count: 1001)])?.field == "note")
        }
    }

    @Test func aKindWithoutTextOrUnknownHasNothingToRefuse() {
        #expect(RelayedText.refusal(kind: "application.received", payload: ["comment": "\u{0}"]) == nil)
        #expect(RelayedText.refusal(kind: "later.kind", payload: ["text": "\u{0}"]) == nil)
        // Not text at all: the message's own reading judges it.
        #expect(RelayedText.refusal(kind: "application.returned", payload: ["comment": 7]) == nil)
    }

    @Test func theSnapshotReadsAsTheProvinceShowsIt() throws {
        let sections = SectionSnapshot.sections(try Self.sections(["业绩成果": ["内容": "甲"]], files: "a.pdf:\(Self.digest("1")),b.png:\(Self.digest("2"))"))
        #expect(sections == ["业绩成果": ["内容": "甲"], "附件": ["文件": "a.pdf、b.png"]])
        #expect(SectionSnapshot.sections("{not json").isEmpty)
    }
}
