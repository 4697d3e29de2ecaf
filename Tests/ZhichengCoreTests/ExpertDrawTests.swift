import Foundation
import Testing
import ZhichengCore

@Suite("Expert draw (专家抽取) and the voting rule")
struct ExpertDrawTests {
    func candidates(_ count: Int) -> [ExpertDraw.Candidate] {
        (1...count).map { ExpertDraw.Candidate(id: $0, name: "专家\($0)", unit: "单位\($0)", relations: []) }
    }
    let applicants = [ExpertDraw.Applicant(name: "张三", idNumber: "410102199001011234", unit: "逸夫小学")]

    func inputs(_ candidates: [ExpertDraw.Candidate], panel: Int = 5, reserves: Int = 2) -> ExpertDraw.Inputs {
        ExpertDraw.Inputs(series: "中小学教师", specialty: "数学", panelSize: panel, reserves: reserves, candidates: candidates, applicants: applicants)
    }

    @Test func sameInputsAndSeedGiveTheSamePanel() throws {
        let a = try ExpertDraw.run(inputs(candidates(20)), seed: "2026-session-1")
        let b = try ExpertDraw.run(inputs(candidates(20).reversed()), seed: "2026-session-1")
        #expect(a == b)
        #expect(a.panel.count == 5)
        #expect(a.reserves.count == 2)
        #expect(Set(a.panel + a.reserves).count == 7, "nobody is drawn twice")
    }

    @Test func aChangedSeedOrCandidateListChangesTheResult() throws {
        let base = try ExpertDraw.run(inputs(candidates(20)), seed: "seed-A")
        #expect(try ExpertDraw.run(inputs(candidates(20)), seed: "seed-B") != base)
        // One expert suspended (removed from the candidates) changes the draw.
        var fewer = candidates(20)
        fewer.removeAll { $0.id == base.panel[0] }
        let changed = try ExpertDraw.run(inputs(fewer), seed: "seed-A")
        #expect(changed != base)
        #expect(!changed.panel.contains(base.panel[0]))
    }

    @Test func conflictsAreExcludedWithTheirReason() throws {
        var pool = candidates(8)
        pool[0].unit = "逸夫小学"                          // same unit as the applicant
        pool[1].relations = ["410102199001011234"]        // declared relation by ID number
        pool[2].relations = ["张三"]                       // declared relation by name
        for seed in ["a", "b", "c", "d", "e"] {
            let result = try ExpertDraw.run(inputs(pool, panel: 3, reserves: 2), seed: seed)
            #expect(result.excluded.map(\.expertID) == [1, 2, 3])
            #expect(!(result.panel + result.reserves).contains { [1, 2, 3].contains($0) })
        }
        #expect(ExpertDraw.conflict(of: pool[0], with: applicants)?.contains("同一单位") == true)
        #expect(ExpertDraw.conflict(of: pool[1], with: applicants)?.contains("回避") == true)
        #expect(ExpertDraw.conflict(of: pool[5], with: applicants) == nil)
    }

    @Test func theSecondRulesCloseTheHolesTheFirstLeft() throws {
        let applicant = ExpertDraw.Applicant(name: "张三", idNumber: "41010219900101123X", unit: "第一人民医院", tenant: "zhengzhou")
        let own = ExpertDraw.Candidate(id: 1, name: "张三", unit: "郑州一高", relations: [], idNumber: "41010219900101123x", tenant: "zhengzhou")
        let otherCity = ExpertDraw.Candidate(id: 2, name: "李四", unit: "第一人民医院", relations: [], tenant: "luoyang")
        let sameCity = ExpertDraw.Candidate(id: 3, name: "王五", unit: "第一人民医院", relations: [], tenant: "zhengzhou")
        let sloppy = ExpertDraw.Candidate(id: 4, name: "赵六", unit: "某单位", relations: [" 41010219900101123x "])
        // The expert never judges their own application (the ID's x in either case).
        #expect(ExpertDraw.conflict(of: own, with: [applicant])?.contains("本人") == true)
        // A unit of the same name in another city is another unit; in the same city it is the same.
        #expect(ExpertDraw.conflict(of: otherCity, with: [applicant]) == nil)
        #expect(ExpertDraw.conflict(of: sameCity, with: [applicant])?.contains("同一单位") == true)
        // A relation matches whatever the case of the ID's x and the blanks around it.
        #expect(ExpertDraw.conflict(of: sloppy, with: [applicant])?.contains("回避") == true)
        // A draw recorded under the first rules re-runs under them: the same experts as then.
        #expect(ExpertDraw.conflict(of: own, with: [applicant], rules: nil) == nil)
        #expect(ExpertDraw.conflict(of: otherCity, with: [applicant], rules: nil)?.contains("同一单位") == true)
        #expect(ExpertDraw.conflict(of: sloppy, with: [applicant], rules: nil) == nil)
    }

    @Test func aRecordedDrawKeepsItsRulesAndOneFromBeforeThemReadsAsTheFirst() throws {
        let fresh = inputs(candidates(8))
        #expect(fresh.rules == ExpertDraw.Inputs.currentRules)
        let text = #"{"applicants":[],"candidates":[{"id":1,"name":"a","relations":[],"unit":"u"}],"panel_size":1,"reserves":0,"series":"s"}"#
        let old = try JSONDecoder().decode(ExpertDraw.Inputs.self, from: Data(text.utf8))
        #expect(old.rules == nil && old.candidates[0].idNumber == nil)
    }

    @Test func theThirdRulesKnowAUnitByItsCityAndCode() throws {
        // 育才小学 (4101040010003) was renamed 育才实验小学 after its teacher 李四 became an expert;
        // 实验小学 4101040010005 (under 管城区教育局) and 实验小学 4101050010002 (under 金水区教育局)
        // are two units of one name.
        let applicant = ExpertDraw.Applicant(name: "周申报", idNumber: "410102199001011234", unit: "育才实验小学", tenant: "zhengzhou",
                                             unitCode: "4101040010003")
        let renamed = ExpertDraw.Candidate(id: 1, name: "李四", unit: "育才小学", relations: [], tenant: "zhengzhou", unitCode: "4101040010003")
        let sameCodeOtherCity = ExpertDraw.Candidate(id: 2, name: "王五", unit: "育才小学", relations: [], tenant: "luoyang", unitCode: "4101040010003")
        let jinshui = ExpertDraw.Applicant(name: "吴申报", idNumber: "410102199202021234", unit: "实验小学", tenant: "zhengzhou", unitCode: "4101050010002")
        let guancheng = ExpertDraw.Candidate(id: 3, name: "赵六", unit: "实验小学", relations: [], tenant: "zhengzhou", unitCode: "4101040010005")
        let reason = ExpertDraw.conflict(of: renamed, with: [applicant])
        #expect(reason == "与申报人周申报同一单位（育才实验小学，单位编号4101040010003）")
        #expect(ExpertDraw.conflict(of: sameCodeOtherCity, with: [applicant]) == nil)
        #expect(ExpertDraw.conflict(of: guancheng, with: [jinshui]) == nil, "two units of one name are two units")
        // A side without a code (an expert admitted, or an application handed over, before codes
        // were carried) is compared by name in the same city, as under rules 2.
        var oldExpert = guancheng
        oldExpert.unitCode = nil
        #expect(ExpertDraw.conflict(of: oldExpert, with: [jinshui])?.contains("同一单位（实验小学）") == true)
        var oldApplication = jinshui
        oldApplication.unitCode = nil
        #expect(ExpertDraw.conflict(of: guancheng, with: [oldApplication])?.contains("同一单位") == true)
        oldExpert.tenant = "luoyang"
        #expect(ExpertDraw.conflict(of: oldExpert, with: [oldApplication]) == nil)
        // A draw recorded under rules 2 re-runs under them: by name, as then.
        #expect(ExpertDraw.conflict(of: renamed, with: [applicant], rules: 2) == nil)
        #expect(ExpertDraw.conflict(of: guancheng, with: [jinshui], rules: 2)?.contains("同一单位") == true)
        // In a draw: the renamed unit's expert is excluded, the namesake's is drawn.
        let inputs = ExpertDraw.Inputs(series: "中小学教师", specialty: "小学科学", panelSize: 1, reserves: 0,
                                       candidates: [renamed, guancheng], applicants: [applicant, jinshui])
        #expect(inputs.rules == ExpertDraw.Inputs.currentRules)
        let result = try ExpertDraw.run(inputs, seed: "unit-codes")
        #expect(result.panel == [3] && result.excluded.map(\.expertID) == [1])
    }

    @Test func aDrawRecordedUnderTheSecondRulesReadsRunsAndComparesAsItWas() throws {
        // A record exactly as the previous version wrote it (canonical JSON, sorted keys): rules 2, no unit codes.
        let text = #"{"applicants":[{"id_number":"410102199001011234","name":"周申报","tenant":"zhengzhou","unit":"育才实验小学"},"#
            + #"{"id_number":"410102199202021234","name":"吴申报","tenant":"zhengzhou","unit":"实验小学"}],"#
            + #""candidates":[{"id":1,"id_number":"410102198001011234","name":"李四","relations":[],"tenant":"zhengzhou","unit":"育才小学"},"#
            + #"{"id":3,"id_number":"410102198101011234","name":"赵六","relations":[],"tenant":"zhengzhou","unit":"实验小学"},"#
            + #"{"id":4,"id_number":"410102198201011234","name":"钱七","relations":[],"tenant":"zhengzhou","unit":"回民中学"}],"#
            + #""panel_size":1,"reserves":1,"rules":2,"series":"中小学教师","specialty":"小学科学"}"#
        let recorded = try JSONDecoder().decode(ExpertDraw.Inputs.self, from: Data(text.utf8))
        #expect(recorded.rules == 2 && recorded.candidates.allSatisfy { $0.unitCode == nil })
        // Re-run: rules 2's exclusions and panel, whatever rules 3 would say.
        let again = try ExpertDraw.run(recorded, seed: "recorded-before")
        #expect(again.excluded.map(\.expertID) == [3] && again.excluded.map(\.reason) == ["与申报人吴申报同一单位（实验小学）"])
        #expect(Set(again.panel + again.reserves) == [1, 4])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        #expect(String(decoding: try encoder.encode(recorded), as: UTF8.self) == text, "read and written again, the same text (and digest)")
        // Today's database, with the codes it now has, compared in the record's form: the same inputs.
        var today = ExpertDraw.Inputs(series: "中小学教师", specialty: "小学科学", panelSize: 1, reserves: 1, candidates: recorded.candidates,
                                      applicants: recorded.applicants)
        for (i, code) in ["4101040010003", "4101040010005", "4101040010001"].enumerated() { today.candidates[i].unitCode = code }
        for (i, code) in ["4101040010003", "4101050010002"].enumerated() { today.applicants[i].unitCode = code }
        #expect(today != recorded)
        #expect(String(decoding: try encoder.encode(today.recorded(under: recorded.rules)), as: UTF8.self) == text)
        // A record of the first rules compares without what they did not record either.
        let first = today.recorded(under: nil)
        #expect(first.rules == nil && first.candidates.allSatisfy { $0.idNumber == nil && $0.tenant == nil && $0.unitCode == nil })
        #expect(first.applicants.allSatisfy { $0.tenant == nil && $0.unitCode == nil && !$0.idNumber.isEmpty })
        #expect(today.recorded(under: ExpertDraw.Inputs.currentRules) == today)
    }

    @Test func theFourthRulesKnowARelationByAFormerNameOfTheUnit() throws {
        // 黄专家 declared a relation with 管城区教育局 (their spouse's employer); the city then
        // renamed it 管城区教育体育局, and the province keeps the name it had.
        let renamed = ExpertDraw.Applicant(name: "孙申报", idNumber: "410102199001011234", unit: "管城区教育体育局", tenant: "zhengzhou",
                                           unitCode: "4101040010001", formerUnits: ["管城区教育局"])
        let declared = ExpertDraw.Candidate(id: 1, name: "黄专家", unit: "实验中学", relations: [" 管城区教育局 "], idNumber: "410102198001011234",
                                            tenant: "zhengzhou", unitCode: "4101040010009")
        let other = ExpertDraw.Candidate(id: 2, name: "郑专家", unit: "实验中学", relations: ["金水区教育局"], idNumber: "410102198101011234",
                                         tenant: "zhengzhou", unitCode: "4101040010009")
        #expect(ExpertDraw.conflict(of: declared, with: [renamed]) == "申报了与申报人孙申报的回避关系")
        #expect(ExpertDraw.conflict(of: other, with: [renamed]) == nil)
        // The close and 替补 apply the same rule.
        #expect(VoteCount.bar(declared, state: .active, applicant: renamed) == "申报了与申报人孙申报的回避关系")
        // The current name still matches; without former names nothing changes.
        var now = declared
        now.relations = ["管城区教育体育局"]
        #expect(ExpertDraw.conflict(of: now, with: [renamed])?.contains("回避关系") == true)
        var forgotten = renamed
        forgotten.formerUnits = []
        #expect(ExpertDraw.conflict(of: declared, with: [forgotten]) == nil)
        // Draws recorded under rules 3 (and before) re-run as then: the former names are not theirs.
        #expect(ExpertDraw.conflict(of: declared, with: [renamed], rules: 3) == nil)
        #expect(ExpertDraw.conflict(of: declared, with: [renamed], rules: 2) == nil)
        #expect(ExpertDraw.conflict(of: now, with: [renamed], rules: 3)?.contains("回避关系") == true)
        // In a draw: excluded with the reason; the inputs record the former names.
        let inputs = ExpertDraw.Inputs(series: "中小学教师", specialty: "数学", panelSize: 1, reserves: 0, candidates: [declared, other], applicants: [renamed])
        #expect(inputs.rules == 4)
        let result = try ExpertDraw.run(inputs, seed: "former-names")
        #expect(result.panel == [2] && result.excluded.map(\.expertID) == [1] && result.excluded.map(\.reason) == ["申报了与申报人孙申报的回避关系"])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let text = String(decoding: try encoder.encode(inputs), as: UTF8.self)
        #expect(text.contains(#""former_units":["管城区教育局"]"#))
        #expect(try JSONDecoder().decode(ExpertDraw.Inputs.self, from: Data(text.utf8)) == inputs)
        // An applicant without former names is written as before (no key), so records written
        // before rules 4 read, re-run and hash the same; compared in a rules 3 record's form,
        // today's former names are left out.
        let plain = String(decoding: try encoder.encode(forgotten), as: UTF8.self)
        #expect(plain == #"{"id_number":"410102199001011234","name":"孙申报","tenant":"zhengzhou","unit":"管城区教育体育局","unit_code":"4101040010001"}"#)
        #expect(try JSONDecoder().decode(ExpertDraw.Applicant.self, from: Data(plain.utf8)) == forgotten)
        let asThree = inputs.recorded(under: 3)
        #expect(asThree.rules == 3 && asThree.applicants.allSatisfy { $0.formerUnits.isEmpty })
        #expect(!String(decoding: try encoder.encode(asThree), as: UTF8.self).contains("former_units"))
        #expect(try ExpertDraw.run(asThree, seed: "former-names").excluded.isEmpty)
    }

    @Test func theFourthRulesKnowARelationByAFormerNameOfTheApplicant() throws {
        // 黄专家 declared a relation with 孙申包 (their cousin, as the city first registered her);
        // the city then corrected the name to 孙申报, and the province keeps the one it had.
        let corrected = ExpertDraw.Applicant(name: "孙申报", idNumber: "410102199001011234", unit: "逸夫小学", tenant: "zhengzhou",
                                             unitCode: "4101040010001", formerNames: ["孙申包"])
        let declared = ExpertDraw.Candidate(id: 1, name: "黄专家", unit: "实验中学", relations: ["孙申包"], idNumber: "410102198001011234",
                                            tenant: "zhengzhou", unitCode: "4101040010009")
        #expect(ExpertDraw.conflict(of: declared, with: [corrected]) == "申报了与申报人孙申报的回避关系")
        #expect(VoteCount.bar(declared, state: .active, applicant: corrected) == "申报了与申报人孙申报的回避关系")
        #expect(ExpertDraw.conflict(of: declared, with: [corrected], rules: 3) == nil)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let text = String(decoding: try encoder.encode(corrected), as: UTF8.self)
        #expect(text.contains(#""former_names":["孙申包"]"#))
        #expect(try JSONDecoder().decode(ExpertDraw.Applicant.self, from: Data(text.utf8)) == corrected)
        let inputs = ExpertDraw.Inputs(series: "中小学教师", specialty: "数学", panelSize: 1, reserves: 0, candidates: [declared], applicants: [corrected])
        #expect(inputs.recorded(under: 3).applicants.allSatisfy { $0.formerNames.isEmpty })
    }

    /// A draw recorded while the province could list a current name among the former ones
    /// (before schema v29) is the same draw without them: every expert it excluded it excludes
    /// again, for the same reason, and no other; the names taken out are exactly the current
    /// ones (another width or a blank is another name), the others kept in order.
    @Test func theCurrentNamesAmongTheFormerOnesChangeNoDraw() throws {
        let damaged = ExpertDraw.Applicant(name: "钱老师", idNumber: "410102199001011234", unit: "东风小学", tenant: "zhengzhou",
                                           unitCode: "4101040010001", formerUnits: ["东风小学", "东风实验小学", "东风小学"],
                                           formerNames: ["钱晓", "钱老师", "钱老师 ", "ＱＩＡＮ"])
        let other = ExpertDraw.Applicant(name: "QIAN", idNumber: "410102199001012228", unit: "实验中学", formerNames: ["钱一"])
        func expert(_ id: Int, _ relations: [String]) -> ExpertDraw.Candidate {
            ExpertDraw.Candidate(id: id, name: "专家\(id)", unit: "回民中学", relations: relations, idNumber: "41010219800101\(1000 + id)",
                                 tenant: "zhengzhou", unitCode: "4101040010009")
        }
        let experts = [expert(1, ["东风小学"]), expert(2, ["东风实验小学"]), expert(3, ["钱老师"]), expert(4, ["钱晓"]), expert(5, ["钱一"]),
                       expert(6, []), expert(7, ["西风小学"]), expert(8, [])]
        let recorded = ExpertDraw.Inputs(series: "中小学教师", specialty: "数学", panelSize: 2, reserves: 1, candidates: experts, applicants: [damaged, other])
        let clean = recorded.currentNamesNotFormer()
        #expect(clean.applicants.map(\.formerUnits) == [["东风实验小学"], []])
        #expect(clean.applicants.map(\.formerNames) == [["钱晓", "钱老师 ", "ＱＩＡＮ"], ["钱一"]])
        #expect(clean.currentNamesNotFormer() == clean && clean.candidates == recorded.candidates && clean.rules == recorded.rules)
        for seed in ["a", "b", "henan-2026"] {
            let (before, after) = (try ExpertDraw.run(recorded, seed: seed), try ExpertDraw.run(clean, seed: seed))
            #expect(before == after)
            #expect(before.excluded.map(\.expertID) == [1, 2, 3, 4, 5])
        }
    }

    @Test func tooFewEligibleExpertsIsRefused() {
        var pool = candidates(5)
        pool[0].unit = "逸夫小学"
        #expect(throws: ZhichengError.self) { try ExpertDraw.run(inputs(pool, panel: 5), seed: "x") }
        #expect(throws: ZhichengError.self) { try ExpertDraw.run(inputs(pool, panel: 3), seed: "") }
    }

    @Test func reservesAreWhatIsLeftWhenThePoolIsSmall() throws {
        let result = try ExpertDraw.run(inputs(candidates(6), panel: 5, reserves: 3), seed: "x")
        #expect(result.panel.count == 5)
        #expect(result.reserves.count == 1)
    }

    @Test func everyCandidateCanBeDrawn() throws {
        // A rough uniformity check: over 400 seeds every one of 10 experts is drawn.
        var seen = Set<Int>()
        for i in 0..<400 { seen.formUnion(try ExpertDraw.run(inputs(candidates(10), panel: 3, reserves: 0), seed: "s\(i)").panel) }
        #expect(seen == Set(1...10))
    }

    @Test func splitMixIsTheReferenceSequence() {
        // Reference values of SplitMix64 seeded with 0 (from the published C code).
        var generator = ExpertDraw.SplitMix64(seed: 0)
        #expect(generator.next() == 0xe220_a839_7b1d_cdaf)
        #expect(generator.next() == 0x6e78_9e6a_a1b9_65f4)
        #expect(ExpertDraw.fnv1a64([]) == 0xcbf2_9ce4_8422_2325)
        #expect(ExpertDraw.fnv1a64(Array("a".utf8)) == 0xaf63_dc4c_8601_ec8c)
    }

    // MARK: Voting rule

    @Test func nationalRuleNeedsTwoThirdsPresentAndTwoThirdsAgree() throws {
        let rule = VotingRule.national
        #expect(throws: ZhichengError.self) { try rule.checkPanel(6) }
        try rule.checkPanel(7)
        #expect(rule.quorum(panel: 7) == 5)
        #expect(rule.quorum(panel: 9) == 6)
        // 7 on the panel, 4 present: no quorum, nothing decided.
        #expect(rule.outcome(panel: 7, votes: [.agree, .agree, .agree, .agree]) == .noQuorum(present: 4, required: 5))
        // 5 present: 4 agree ≥ 2/3 × 5 → passed; 3 agree < 3.34 → failed.
        #expect(rule.outcome(panel: 7, votes: [.agree, .agree, .agree, .agree, .disagree]) == .passed(agree: 4, present: 5))
        #expect(rule.outcome(panel: 7, votes: [.agree, .agree, .agree, .abstain, .disagree]) == .failed(agree: 3, present: 5))
        // Exactly two thirds passes: 6 present, 4 agree.
        #expect(rule.outcome(panel: 7, votes: [.agree, .agree, .agree, .agree, .abstain, .abstain]) == .passed(agree: 4, present: 6))
        #expect(rule.outcome(panel: 3, votes: []) == .noQuorum(present: 0, required: 2))
    }

    // MARK: Counting at the close

    /// 周申报 of 育才实验小学 (4101040010003, zhengzhou), and three experts of other units.
    let reviewed = ExpertDraw.Applicant(name: "周申报", idNumber: "410102199001011234", unit: "育才实验小学", tenant: "zhengzhou", unitCode: "4101040010003")
    func expert(_ id: Int, _ name: String, relations: [String] = []) -> ExpertDraw.Candidate {
        ExpertDraw.Candidate(id: id, name: name, unit: "实验中学", relations: relations, idNumber: "41010219800101\(1000 + id)", tenant: "zhengzhou",
                             unitCode: "410104001000\(id + 5)")
    }

    @Test func votesOfExpertsNoLongerActiveOrNowInConflictAreLeftOut() {
        // Three on the panel: 2 agree, 1 disagree would pass (2 ≥ 2/3 × 3).
        let votes = [VoteCount.Cast(expert: expert(1, "张专家"), state: .suspended, vote: .agree),
                     VoteCount.Cast(expert: expert(2, "李专家"), state: .active, vote: .agree),
                     VoteCount.Cast(expert: expert(3, "王专家"), state: .active, vote: .disagree)]
        #expect(VotingRule.national.outcome(panel: 3, votes: votes.map(\.vote)) == .passed(agree: 2, present: 3))
        // 张专家 was suspended after voting: their vote is left out, and the application fails (1 of 2).
        let suspended = VoteCount.tally(votes, applicant: reviewed, panel: 3, rule: .national)
        #expect(suspended.outcome == .failed(agree: 1, present: 2))
        #expect(suspended.counted == [.agree, .disagree])
        #expect(suspended.leftOut == [VoteCount.LeftOut(expertID: 1, expertName: "张专家", reason: "已暂停")])
        #expect(VoteCount.note(suspended.leftOut) == "不计入：张专家（已暂停）")
        // Retired the same; a relation declared since the draw, naming the applicant, the same.
        var later = votes
        later[0].state = .retired
        later[1].expert.relations = [" 周申报 "]
        let tally = VoteCount.tally(later, applicant: reviewed, panel: 3, rule: .national)
        #expect(tally.leftOut.map(\.reason) == ["已退出", "申报了与申报人周申报的回避关系"])
        #expect(VoteCount.note(tally.leftOut) == "不计入：张专家（已退出）、李专家（申报了与申报人周申报的回避关系）")
        // So is the applicant's unit, by its code, renamed or not.
        var colleague = votes[2]
        colleague.expert.unit = "育才小学"
        colleague.expert.unitCode = "4101040010003"
        #expect(VoteCount.bar(colleague.expert, state: .active, applicant: reviewed)?.contains("同一单位") == true)
        // An active expert without conflict: counted; a relation naming someone else changes nothing.
        #expect(VoteCount.bar(expert(4, "赵专家", relations: ["吴某某"]), state: .active, applicant: reviewed) == nil)
        #expect(VoteCount.tally(Array(votes[1...]), applicant: reviewed, panel: 3, rule: .national).leftOut.isEmpty)
        #expect(VoteCount.note([]) == "")
    }

    @Test func aVoteLeftOutIsAnAbsenceMeasuredAgainstTheWholePanel() {
        // Two of three left out: 1 present of a panel of 3, short of its quorum of 2 (the panel
        // is not shrunk to the one counted vote, which alone would "pass" it).
        let votes = [VoteCount.Cast(expert: expert(1, "张专家"), state: .suspended, vote: .agree),
                     VoteCount.Cast(expert: expert(2, "李专家", relations: ["410102199001011234"]), state: .active, vote: .agree),
                     VoteCount.Cast(expert: expert(3, "王专家"), state: .active, vote: .agree)]
        let tally = VoteCount.tally(votes, applicant: reviewed, panel: 3, rule: .national)
        #expect(tally.outcome == .noQuorum(present: 1, required: 2))
        #expect(tally.leftOut.map(\.expertID) == [1, 2])
        // The same as if those two had never voted.
        #expect(tally.outcome == VotingRule.national.outcome(panel: 3, votes: [.agree]))
        // Under the majority rule too: 2 of 4 present is no quorum (more than half needed).
        let four = votes + [VoteCount.Cast(expert: expert(4, "赵专家"), state: .active, vote: .agree)]
        #expect(VoteCount.tally(four, applicant: reviewed, panel: 4, rule: .majority).outcome == .noQuorum(present: 2, required: 3))
    }

    @Test func theNoteNamesEachExpertAndReasonOnce() {
        // A suspended expert's votes on three applications: named once.
        let item = VoteCount.LeftOut(expertID: 1, expertName: "张专家", reason: "已暂停")
        let other = VoteCount.LeftOut(expertID: 2, expertName: "李专家", reason: "申报了与申报人周申报的回避关系")
        #expect(VoteCount.note([item, other, item, item]) == "不计入：张专家（已暂停）、李专家（申报了与申报人周申报的回避关系）")
    }

    @Test func majorityRuleNeedsMoreThanHalf() throws {
        let rule = try VotingRule.named("majority")
        try rule.checkPanel(4)
        #expect(rule.quorum(panel: 4) == 3)
        #expect(rule.outcome(panel: 4, votes: [.agree, .disagree, .agree]) == .passed(agree: 2, present: 3))
        #expect(rule.outcome(panel: 4, votes: [.agree, .disagree, .agree, .disagree]) == .failed(agree: 2, present: 4))
        #expect(throws: ZhichengError.self) { try VotingRule.named("unanimous") }
    }
}

@Suite("Application kinds")
struct ApplicationKindTests {
    @Test func expertApplicationsNeedASpecialtyAndTwoSections() throws {
        #expect(try ApplicationKind.validateSpecialty("  小学数学 ") == "小学数学")
        #expect(throws: ZhichengError.self) { try ApplicationKind.validateSpecialty(nil) }
        #expect(throws: ZhichengError.self) { try ApplicationKind.validateSpecialty("   ") }
        #expect(throws: ZhichengError.self) { try ApplicationKind.validateSpecialty(String(repeating: "数", count: 51)) }
        #expect(throws: ZhichengError.self) { try ApplicationKind.validateSpecialty("数学\u{7}") }
        #expect(ApplicationKind.expert.requiredSections == [.basic, .work])
        #expect(ApplicationKind.title.requiredSections.count == ApplicationSection.allCases.count - 1)
        #expect(!ApplicationKind.title.requiredSections.contains(.attachments))
    }

    /// The heading of the applicant's 申报详情 and of the reviewer's 审查 page: one rule for both.
    @Test func anExpertRecommendationIsHeadedAsOneWithItsSpecialty() {
        #expect(ApplicationKind.title.heading(series: "中小学教师", level: "中级", title: "一级教师", specialty: nil) == "中小学教师 中级 一级教师")
        // A title application's specialty, were one ever stored, is not its heading's business.
        #expect(ApplicationKind.title.heading(series: "中小学教师", level: "中级", title: "一级教师", specialty: "数学") == "中小学教师 中级 一级教师")
        #expect(ApplicationKind.expert.heading(series: "中小学教师", level: "副高级", title: "高级教师", specialty: "小学数学")
                == "专家推荐：小学数学 · 中小学教师 副高级 高级教师")
    }

    /// An expert recommendation the province passed is in the expert database, not 评审通过;
    /// every other state reads as any application's.
    @Test func aPassedExpertRecommendationIsInTheDatabase() {
        #expect(ApplicationKind.expert.label(of: .passed) == "已入库（专家信息库）")
        #expect(ApplicationKind.expert.label(of: .passed) == ApplicationKind.admittedLabel)
        #expect(ApplicationKind.title.label(of: .passed) == "评审通过")
        // Turned down by the province: 未通过, as the province says it; no committee judged it.
        #expect(ApplicationKind.expert.label(of: .failed) == "未通过")
        #expect(ApplicationKind.title.label(of: .failed) == "评审未通过")
        for state in ApplicationState.allCases where state != .passed && state != .failed {
            #expect(ApplicationKind.expert.label(of: state) == state.label, "\(state)")
            #expect(ApplicationKind.title.label(of: state) == state.label, "\(state)")
        }
    }
}
