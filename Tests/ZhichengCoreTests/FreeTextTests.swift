import Testing
import ZhichengCore

/// The one rule of text people type for others to read (`FreeText`).
@Suite("Free text")
struct FreeTextTests {
    static let comment = FreeText(field: "comment", label: "意见", maxCharacters: 20)
    static let place = FreeText(field: "place", label: "面试地点", maxCharacters: 20, lines: .single)

    /// The message and field a refusal gives.
    static func refusal(_ rule: FreeText, _ text: String) -> ZhichengError? {
        do {
            _ = try rule.validate(text)
            return nil
        } catch {
            return error
        }
    }

    @Test func textOfSeveralLinesIsKeptTrimmedWithItsLineBreaksAsLF() throws {
        #expect(try Self.comment.validate("  同意\r\n\t推荐：\r第二行\n ") == "同意\n\t推荐：\n第二行")
        #expect(try Self.comment.validate(nil) == "")
        #expect(try Self.place.validate(" 会议室 A\u{3000}") == "会议室 A")
        // An emoji sequence's joiners join what is seen (a family, a teacher with a skin tone).
        #expect(try Self.comment.validate("好👨‍👩‍👧👩🏽‍🏫") == "好👨‍👩‍👧👩🏽‍🏫")
        // What is invisible at the ends is trimmed, as names are.
        #expect(try Self.comment.validate("\u{200B}\u{FEFF}同意\u{202E}") == "同意")
    }

    @Test(arguments: [
        ("\u{0}", "U+0000"), ("\u{7}", "U+0007"), ("\u{1B}[2J", "U+001B"), ("\u{7F}", "U+007F"), ("\u{85}", "U+0085"), ("\u{9B}", "U+009B"),
    ])
    func controlCharactersAreRefusedByCodePoint(_ inside: String, _ code: String) throws {
        let error = try #require(Self.refusal(Self.comment, "同意" + inside + "推荐"))
        #expect(error == .invalid("意见不能含控制字符（\(code)）", field: "comment"))
        #expect(!error.message.contains(inside))
    }

    @Test(arguments: ["\u{202E}", "\u{202A}", "\u{202D}", "\u{2066}", "\u{2067}", "\u{2068}", "\u{2069}", "\u{200E}", "\u{200F}", "\u{61C}"])
    func bidiControlsAreRefused(_ bidi: String) throws {
        let error = try #require(Self.refusal(Self.place, "会议室" + bidi + "A"))
        #expect(error.field == "place" && error.message.hasPrefix("面试地点不能含文字方向控制符（U+"), "\(error)")
        #expect(!error.message.contains(bidi))
    }

    @Test(arguments: ["\u{200B}", "\u{200C}", "\u{2060}", "\u{FEFF}", "\u{AD}", "\u{E0041}"])
    func otherFormatCharactersAreRefusedInside(_ format: String) throws {
        let error = try #require(Self.refusal(Self.comment, "同" + format + "意"))
        #expect(error.message.hasPrefix("意见不能含不可见的格式字符（U+"), "\(error)")
    }

    @Test func aJoinerThatJoinsNothingIsRefused() throws {
        // U+200D after a Han character ends that character: nothing visible is joined.
        let error = try #require(Self.refusal(Self.comment, "同\u{200D}意"))
        #expect(error == .invalid("意见不能含不可见的格式字符（U+200D）", field: "comment"))
    }

    @Test(arguments: ["第一行\n第二行", "甲\t乙", "甲\r\n乙", "甲\u{2028}乙", "甲\u{2029}乙"])
    func aOneLineFieldTakesNoLineBreakOrTab(_ text: String) throws {
        #expect(Self.refusal(Self.place, text) == .invalid("面试地点只能填写一行，不能含换行符或制表符", field: "place"))
        #expect(Self.refusal(Self.comment, text) == nil, "a field of several lines takes them")
    }

    @Test(arguments: ["", "   ", "\n\t\n", "\u{200B}", "\u{3164}", "\u{200B}\u{2060}\u{FEFF}", "\u{3000}\u{FE0F}", "\u{115F}\u{1160}"])
    func invisibleOnlyTextIsEmptyAndDoesNotFillARequiredField(_ text: String) throws {
        #expect(try Self.comment.validate(text) == "")
        #expect(FreeText.isBlank(text))
        #expect(throws: ZhichengError.invalid("未通过时请填写意见", field: "comment")) { try Self.comment.require(text, else: "未通过时请填写意见") }
    }

    @Test func aNULDoesNotFillARequiredFieldEither() {
        // Not empty (it is something), but refused for what it is.
        #expect(throws: ZhichengError.invalid("意见不能含控制字符（U+0000）", field: "comment")) { try Self.comment.require("\u{0}", else: "请填写意见") }
        #expect(throws: ZhichengError.invalid("意见不能含控制字符（U+0000）", field: "comment")) { try ReviewDecision.reject.comment("\u{0}") }
        #expect(throws: ZhichengError.invalid("未通过时请填写意见", field: "comment")) { try ReviewDecision.reject.comment("\u{200B}\u{3164}") }
    }

    @Test func lengthIsCappedInCharactersScalarsAndBytes() throws {
        #expect(try Self.comment.validate(String(repeating: "长", count: 20)).count == 20)
        #expect(Self.refusal(Self.comment, String(repeating: "长", count: 21)) == .invalid("意见不能超过20个字符", field: "comment"))
        // Twenty characters, but sixty scalars: each a letter with two combining marks.
        #expect(Self.refusal(Self.comment, String(repeating: "e\u{301}\u{302}", count: 20))
            == .invalid("意见过长：所含 Unicode 字符（含组合符号）不能超过40个", field: "comment"))
        // Twenty characters of two scalars each (forty, allowed), but 140 bytes.
        #expect(Self.refusal(Self.comment, String(repeating: "\u{1F600}\u{FE0F}", count: 20))
            == .invalid("意见过长：不能超过80字节（UTF-8）", field: "comment"))
        // One character: a letter under 5,000 combining marks.
        let stacked = "a" + String(repeating: "\u{301}", count: 5000)
        #expect(stacked.count == 1)
        #expect(Self.refusal(Self.place, stacked) == .invalid("面试地点中有字符叠加了过多的组合符号（一个字符最多31个 Unicode 字符）", field: "place"))
        #expect(try Self.place.validate("a" + String(repeating: "\u{301}", count: 30)).unicodeScalars.count == 31)
    }

    @Test func textKeptWithItsBlanksDropsOnlyInvisibleCharactersAtItsEnds() throws {
        #expect(try Self.comment.validateKeepingBlanks("\u{3000}\u{3000}甲\r\n乙  ") == "\u{3000}\u{3000}甲\n乙  ")
        #expect(try Self.comment.validateKeepingBlanks("\u{FEFF}\u{3000}\u{200B}甲 \u{200B}\n") == "\u{3000}甲 \n")
        #expect(try Self.comment.validateKeepingBlanks("\u{202E}甲") == "甲")
        #expect(try Self.comment.validateKeepingBlanks(" \u{200B} ") == "")
        #expect(throws: ZhichengError.invalid("意见不能含文字方向控制符（U+202E），它会使文字显示的顺序与实际不同", field: "comment")) {
            try Self.comment.validateKeepingBlanks("甲\u{202E}乙 ")
        }
        #expect(throws: ZhichengError.invalid("意见不能含控制字符（U+0000）", field: "comment")) { try Self.comment.validateKeepingBlanks("\u{0}甲") }
    }

    @Test func aMessageShowsWhatItQuotesWithoutItsInvisibleCharacters() {
        #expect("a\u{0}b\u{202E}c\u{1B}\n".showingInvisibles() == "a<U+0000>b<U+202E>c<U+001B>\n")
        #expect("郑州市".showingInvisibles() == "郑州市")
        // Every error's message, whoever made it.
        let error = ZhichengError.invalid("角色应为 handler（经办人）或 leader（负责人），不是 a\u{0}b\u{202E}", field: "roles", screen: "不是 \u{7}")
        #expect(error.message == "角色应为 handler（经办人）或 leader（负责人），不是 a<U+0000>b<U+202E>")
        #expect(error.screenMessage == "不是 <U+0007>")
        var changed = error
        changed.message = "x\u{202E}"
        #expect(changed.message == "x<U+202E>")
    }

    @Test func sectionFieldsHaveNamesAndValuesThatCanBeShownAgain() throws {
        #expect(try SectionFields.validated(["内容": "第一段\r\n第二段  ", " 从业年限 ": "12"], section: .work) == ["内容": "第一段\n第二段  ", "从业年限": "12"])
        // Nothing visible is nothing: the section is not filled in (`submit` says so).
        #expect(try SectionFields.validated(["内容": "\u{200B}"], section: .work) == ["内容": ""])
        #expect(try SectionFields.validated([:], section: .basic) == [:])
        #expect(throws: ZhichengError.invalid("“基本信息”的字段名不能为空", field: "fields")) { try SectionFields.validated(["": "x"], section: .basic) }
        #expect(throws: ZhichengError.invalid("“基本信息”的字段名不能为空", field: "fields")) { try SectionFields.validated(["\u{200B} ": "x"], section: .basic) }
        #expect(throws: ZhichengError.invalid("“基本信息”的字段名不能含控制字符（U+0000）", field: "fields")) {
            try SectionFields.validated(["\u{0}": "x"], section: .basic)
        }
        #expect(throws: ZhichengError.invalid("“基本信息”的字段名只能填写一行，不能含换行符或制表符", field: "fields")) {
            try SectionFields.validated(["姓\n名": "x"], section: .basic)
        }
        #expect(throws: ZhichengError.invalid("“基本信息”的字段名不能超过40个字符", field: "fields")) {
            try SectionFields.validated([String(repeating: "键", count: 5000): "x"], section: .basic)
        }
        #expect(throws: ZhichengError.invalid("“基本信息”的字段名“内容”出现了两次", field: "内容")) {
            try SectionFields.validated(["内容": "a", "内容 ": "b"], section: .basic)
        }
        #expect(throws: ZhichengError.invalid("“基本信息”的“内容”不能含控制字符（U+0007）", field: "内容")) {
            try SectionFields.validated(["内容": "同意\u{7}"], section: .basic)
        }
        #expect(throws: ZhichengError.invalid("“基本信息”的“专业”不能含文字方向控制符（U+202E），它会使文字显示的顺序与实际不同", field: "专业")) {
            try SectionFields.validated(["专业": "数\u{202E}学"], section: .basic)
        }
    }

    @Test func aSectionOverItsSizeIsOneAnswerWhateverMakesItUp() throws {
        let limit = "每部分最多 64 KB（约两万个汉字，或六万多个字母和数字）"
        // 66,000 letters, or 22,000 Chinese characters (66,000 bytes): the same answer, naming
        // the field, with the size in the same unit (内容 itself is 6 bytes).
        for text in [String(repeating: "a", count: 66_000), String(repeating: "长", count: 22_000)] {
            #expect(throws: ZhichengError.invalid("“业绩成果”内容过长：\(limit)，现有 64.5 KB，请删减后再保存", field: "内容")) {
                try SectionFields.validated(["内容": text], section: .achievements)
            }
        }
        // Many fields, none long alone: the longest is named, where there is most to cut.
        let many = ["内容": String(repeating: "长", count: 15_000), "从业年限": "12", "专业": String(repeating: "数", count: 7_000)]
        #expect(throws: ZhichengError.invalid("“工作经历”内容过长：\(limit)，现有 64.5 KB，请删减后再保存", field: "内容")) {
            try SectionFields.validated(many, section: .work)
        }
        // Up to the byte it is taken, one more is not (never shown as the limit itself).
        let full = String(repeating: "a", count: SectionFields.maxBytes - "内容".utf8.count)
        #expect(try SectionFields.validated(["内容": full], section: .basic)["内容"] == full)
        #expect(throws: ZhichengError.invalid("“基本信息”内容过长：\(limit)，现有 64.1 KB，请删减后再保存", field: "内容")) {
            try SectionFields.validated(["内容": full + "a"], section: .basic)
        }
        // A browser's CR LF counts as the LF kept.
        let lines = String(repeating: "a\r\n", count: (SectionFields.maxBytes - 6) / 2)
        #expect(try SectionFields.validated(["内容": lines], section: .basic)["内容"]?.utf8.count == SectionFields.maxBytes - 6)
        // The size is checked before each value's own rule: a long text with a control character
        // in it is answered by its size.
        #expect(throws: SectionFields.tooLong(ApplicationSection.basic.rawValue, bytes: 70_007, field: "内容")) {
            try SectionFields.validated(["内容": String(repeating: "a", count: 70_000) + "\u{7}"], section: .basic)
        }
        #expect(SectionFields.tooLong(ApplicationSection.basic.rawValue, bytes: 70_007, field: "内容").message.contains("现有 68.4 KB"))
    }
}
