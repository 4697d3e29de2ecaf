import Foundation
import Testing
import ZhichengCore

@Suite("Review chain state machine")
struct ReviewChainTests {
    // route: school 3 → department 2 → city 1
    let handler3 = ReviewChain.Reviewer(accountID: 31, orgID: 3, roles: [.handler], series: ["中小学教师"])
    let leader3 = ReviewChain.Reviewer(accountID: 32, orgID: 3, roles: [.leader], series: ["中小学教师"])
    let both3 = ReviewChain.Reviewer(accountID: 33, orgID: 3, roles: [.handler, .leader], series: ["中小学教师"])
    let handler2 = ReviewChain.Reviewer(accountID: 21, orgID: 2, roles: [.handler], series: ["中小学教师"])
    let leader2 = ReviewChain.Reviewer(accountID: 22, orgID: 2, roles: [.leader], series: ["中小学教师"])
    let handler1 = ReviewChain.Reviewer(accountID: 11, orgID: 1, roles: [.handler], series: ["中小学教师"])
    let leader1 = ReviewChain.Reviewer(accountID: 12, orgID: 1, roles: [.leader], series: ["中小学教师"])
    let series = "中小学教师"

    @Test func climbsHandlerThenLeaderAtEveryOrg() throws {
        var chain = try ReviewChain(route: [3, 2, 1], endsInProvince: false)
        #expect(try chain.submit() == .awaitReview(orgID: 3, stage: .handler))
        #expect(try chain.decide(.pass, by: handler3, series: series) == .awaitReview(orgID: 3, stage: .leader))
        #expect(try chain.decide(.pass, by: leader3, series: series) == .awaitReview(orgID: 2, stage: .handler))
        // The next level sees nothing until the level below has passed; and now the unit is done.
        #expect(throws: ZhichengError.self) { try chain.checkReviewer(handler3, series: series) }
        #expect(try chain.decide(.pass, by: handler2, series: series) == .awaitReview(orgID: 2, stage: .leader))
        #expect(try chain.decide(.pass, by: leader2, series: series) == .awaitReview(orgID: 1, stage: .handler))
        #expect(try chain.decide(.pass, by: handler1, series: series) == .awaitReview(orgID: 1, stage: .leader))
        #expect(try chain.decide(.pass, by: leader1, series: series) == .completedInTenant(toProvince: false))
        #expect(chain.state == .atCommittee)
    }

    @Test func seniorTitlesEndInTheProvince() throws {
        var chain = try ReviewChain(route: [1], endsInProvince: true)
        _ = try chain.submit()
        _ = try chain.decide(.pass, by: handler1, series: series)
        #expect(try chain.decide(.pass, by: leader1, series: series) == .completedInTenant(toProvince: true))
        #expect(chain.state == .awaitingProvince)
    }

    /// The province office sends a handed-over application back: only while it waits for
    /// the province; the resubmission starts again at the unit.
    @Test func theProvinceMaySendItBackWhileItWaitsThere() throws {
        var chain = try ReviewChain(route: [1], endsInProvince: true)
        _ = try chain.submit()
        #expect(throws: ZhichengError.self) { try chain.returnFromProvince() }   // still in the city
        _ = try chain.decide(.pass, by: handler1, series: series)
        _ = try chain.decide(.pass, by: leader1, series: series)
        try chain.returnFromProvince()
        #expect(chain.state == .returned && chain.state.editableByApplicant)
        #expect(throws: ZhichengError.self) { try chain.returnFromProvince() }
        #expect(try chain.submit() == .awaitReview(orgID: 1, stage: .handler))
        #expect(chain.handlerDecider == nil)
    }

    /// The province office's own review turns it down (未通过): it ends as a city reviewer's
    /// 未通过 ends one (rejected: 审查结束, no place of the plan held), not as a committee's
    /// result (failed: 评审未通过); only while it waits for the province.
    @Test func theProvinceMayTurnItDownWhileItWaitsThere() throws {
        var chain = try ReviewChain(route: [1], endsInProvince: true)
        _ = try chain.submit()
        #expect(throws: ZhichengError.self) { try chain.rejectByProvince() }   // still in the city
        _ = try chain.decide(.pass, by: handler1, series: series)
        _ = try chain.decide(.pass, by: leader1, series: series)
        try chain.rejectByProvince()
        #expect(chain.state == .rejected && !chain.state.underWay && !chain.state.editableByApplicant)
        #expect(chain.state.label == "未通过" && !DeclarationPlan.usesAPlace(chain.state))
        #expect(ReviewFormMark(state: chain.state, kind: .title).map { $0.label + " " + $0.dateCaption } == "未通过 审查结束时间")
        #expect(ReviewFormMark(state: chain.state, kind: .expert).map { $0.label + " " + $0.dateCaption } == "未通过 审查结束时间")
        // Ended: neither turned down again nor given a committee's result.
        #expect(throws: ZhichengError.self) { try chain.rejectByProvince() }
        #expect(throws: ZhichengError.self) { try chain.finalize(passed: false) }
    }

    /// The province office's 负责人 passed an expert recommendation: the person is admitted and
    /// the recommendation ends there (passed: 已入库（专家信息库）), not as a committee's result;
    /// only an expert recommendation (a title application goes on to the committee), only while
    /// it waits for the province.
    @Test func theProvinceMayAdmitAnExpertWhileItWaitsThere() throws {
        var chain = try ReviewChain(route: [1], endsInProvince: true)
        _ = try chain.submit()
        #expect(throws: ZhichengError.self) { try chain.admitByProvince(kind: .expert) }   // still in the city
        _ = try chain.decide(.pass, by: handler1, series: series)
        _ = try chain.decide(.pass, by: leader1, series: series)
        var title = chain
        #expect(throws: ZhichengError.self) { try title.admitByProvince(kind: .title) }
        #expect(title == chain)
        try chain.admitByProvince(kind: .expert)
        #expect(chain.state == .passed && !chain.state.underWay && !chain.state.editableByApplicant)
        #expect(ApplicationKind.expert.label(of: chain.state) == "已入库（专家信息库）")
        #expect(ReviewFormMark(state: chain.state, kind: .expert).map { $0.label + " " + $0.dateCaption } == "已入库（专家信息库） 入库时间")
        // Ended: neither admitted again, turned down nor given a committee's result.
        #expect(throws: ZhichengError.self) { try chain.admitByProvince(kind: .expert) }
        #expect(throws: ZhichengError.self) { try chain.rejectByProvince() }
        #expect(throws: ZhichengError.self) { try chain.finalize(passed: true) }
    }

    /// Which step of the province office ends its review, and how the city learns it: 未通过 at
    /// either step ends any application; the 负责人's 通过 ends only an expert recommendation.
    @Test func theProvinceOfficesStepsThatEndItsReview() throws {
        for kind in ApplicationKind.allCases {
            for stage in ReviewStage.allCases {
                #expect(ProvinceOfficeEnd(kind: kind, stage: stage, decision: .reject) == .rejected)
                #expect(ProvinceOfficeEnd(kind: kind, stage: stage, decision: .return) == nil)
            }
            #expect(ProvinceOfficeEnd(kind: kind, stage: .handler, decision: .pass) == nil)
        }
        #expect(ProvinceOfficeEnd(kind: .expert, stage: .leader, decision: .pass) == .admitted)
        #expect(ProvinceOfficeEnd(kind: .title, stage: .leader, decision: .pass) == nil)
        #expect(ProvinceOfficeEnd.allCases.map(\.messageKind) == ["application.province-rejected", "application.province-admitted"])
        for end in ProvinceOfficeEnd.allCases { #expect(ProvinceOfficeEnd(messageKind: end.messageKind) == end) }
        #expect(ProvinceOfficeEnd(messageKind: "application.result") == nil)
        #expect(ProvinceOfficeEnd.rejected.decision == .reject && ProvinceOfficeEnd.admitted.decision == .pass)
        // Applied to a chain waiting for the province, as the city's relay does.
        var chain = try ReviewChain(route: [1], endsInProvince: true)
        _ = try chain.submit()
        _ = try chain.decide(.pass, by: handler1, series: series)
        _ = try chain.decide(.pass, by: leader1, series: series)
        var rejected = chain, admitted = chain, title = chain
        try ProvinceOfficeEnd.rejected.apply(to: &rejected, kind: .expert)
        try ProvinceOfficeEnd.admitted.apply(to: &admitted, kind: .expert)
        #expect(rejected.state == .rejected && admitted.state == .passed)
        #expect(throws: ZhichengError.self) { try ProvinceOfficeEnd.admitted.apply(to: &title, kind: .title) }
    }

    /// 退回修改 names at least one known section and a reason from the list; 其他 needs a
    /// comment; only sections the reviewer may see.
    @Test func aReturnNamesSectionsAndAReason() throws {
        let request = try ReturnRequest(sections: ["业绩成果", "基本信息"], reason: "incomplete", comment: "")
        #expect(request.sections == ["基本信息", "业绩成果"] && request.reason == .incomplete)
        #expect(throws: ZhichengError.self) { try ReturnRequest(sections: nil, reason: "incomplete", comment: "") }
        #expect(throws: ZhichengError.self) { try ReturnRequest(sections: ["魔法"], reason: "incomplete", comment: "") }
        // Only sections the application's form has: an expert application has no 论文著作.
        let papers = try ReturnRequest(sections: ["论文著作"], reason: "incomplete", comment: "")
        try papers.requireOf(.title)
        #expect { try papers.requireOf(.expert) } throws: { error in (error as? ZhichengError)?.field == "sections" }
        try ReturnRequest(sections: ["工作经历", "附件"], reason: "incomplete", comment: "").requireOf(.expert)
        #expect(throws: ZhichengError.self) { try ReturnRequest(sections: ["业绩成果"], reason: "bad", comment: "") }
        // Not chosen (a form's empty choice): asked for by its labels; a value that is not a reason names the API's codes.
        for unchosen in [nil, ""] as [String?] {
            #expect { try ReturnRequest(sections: ["业绩成果"], reason: unchosen, comment: "") } throws: { error in
                (error as? ZhichengError)?.message == "请选择退回原因（材料不完整、格式不正确、信息有误、不符合申报条件、缺少印章、其他）"
            }
        }
        #expect { try ReturnRequest(sections: ["业绩成果"], reason: "bad", comment: "") } throws: { error in
            (error as? ZhichengError)?.message.hasPrefix("退回原因应为：incomplete（材料不完整）") == true
        }
        #expect(throws: ZhichengError.self) { try ReturnRequest(sections: ["业绩成果"], reason: "other", comment: "") }
        #expect((try? ReturnRequest(sections: ["业绩成果"], reason: "other", comment: "见附件")) != nil)
        try request.requireVisible(to: ["基本信息", "业绩成果"])
        #expect(throws: ZhichengError.self) { try request.requireVisible(to: ["基本信息"]) }
    }

    @Test func fourEyesWrongRoleWrongSeriesWrongOrg() throws {
        var chain = try ReviewChain(route: [3, 2], endsInProvince: false)
        _ = try chain.submit()
        #expect(throws: ZhichengError.self) { try chain.checkReviewer(leader3, series: series) }  // leader before handler
        #expect(throws: ZhichengError.self) { try chain.checkReviewer(handler2, series: series) }  // not yet at org 2
        var other = handler3
        other.series = ["卫生技术人员（医疗类）"]
        #expect(throws: ZhichengError.self) { try chain.checkReviewer(other, series: series) }
        _ = try chain.decide(.pass, by: both3, series: series)
        do {
            _ = try chain.decide(.pass, by: both3, series: series)
            Issue.record("the handler decided as leader too")
        } catch {
            #expect(error.code == .forbidden && error.message.contains("四眼"))
        }
        #expect(try chain.decide(.pass, by: leader3, series: series) == .awaitReview(orgID: 2, stage: .handler))
    }

    @Test func returnGoesBackAndResubmissionStartsAtTheUnit() throws {
        var chain = try ReviewChain(route: [3, 2], endsInProvince: false)
        _ = try chain.submit()
        _ = try chain.decide(.pass, by: handler3, series: series)
        _ = try chain.decide(.pass, by: leader3, series: series)
        #expect(try chain.decide(.return, by: handler2, series: series) == .returnToApplicant)
        #expect(chain.state == .returned && chain.state.editableByApplicant)
        #expect(try chain.submit() == .awaitReview(orgID: 3, stage: .handler))
        #expect(chain.handlerDecider == nil)
        #expect(try chain.decide(.reject, by: handler3, series: series) == .rejected)
        #expect(throws: ZhichengError.self) { try chain.submit() }
    }

    @Test func withdrawOnlyBeforeAnyReviewerActed() throws {
        var chain = try ReviewChain(route: [3], endsInProvince: false)
        _ = try chain.submit()
        #expect(try chain.withdraw() == .withdrawn)
        var acted = try ReviewChain(route: [3], endsInProvince: false)
        _ = try acted.submit()
        _ = try acted.decide(.pass, by: handler3, series: series)
        #expect(!acted.withdrawable)
        #expect(throws: ZhichengError.self) { try acted.withdraw() }
    }

    /// Returned for changes, the application is the applicant's again: withdrawn though reviewers
    /// acted on it; ended (未通过, withdrawn) it is not.
    @Test func aReturnedApplicationMayBeWithdrawn() throws {
        var chain = try ReviewChain(route: [3, 2], endsInProvince: false)
        #expect(chain.withdrawable)   // a draft
        _ = try chain.submit()
        _ = try chain.decide(.pass, by: handler3, series: series)
        _ = try chain.decide(.pass, by: leader3, series: series)
        _ = try chain.decide(.return, by: handler2, series: series)
        #expect(chain.state == .returned && chain.withdrawable)
        #expect(try chain.withdraw() == .withdrawn && chain.state == .withdrawn)
        #expect(!chain.withdrawable)
        #expect(throws: ZhichengError.self) { try chain.withdraw() }
        var rejected = try ReviewChain(route: [3], endsInProvince: false)
        _ = try rejected.submit()
        _ = try rejected.decide(.reject, by: handler3, series: series)
        #expect(!rejected.withdrawable)
        #expect(throws: ZhichengError.self) { try rejected.withdraw() }
    }

    /// An automated step (a plugin at submission) may send the application back only as it is
    /// submitted: in review at the unit's 经办人 step, before any person acted. Each refusal
    /// leaves the chain exactly as it was.
    @Test func anAutomatedStepReturnsOnlyAtSubmissionBeforeAnyPersonActed() throws {
        func refused(_ chain: ReviewChain, _ why: String) {
            var tried = chain
            do {
                try tried.returnByAutomatedStep()
                Issue.record("an automated step returned the application: \(why)")
            } catch {
                #expect(error.code == .conflict, "\(why): \(error.message)")
            }
            #expect(tried == chain, "a refused automated return changed the chain: \(why)")
        }
        func restored(position: Int, stage: ReviewStage, reviewed: Bool, state: ApplicationState = .inReview) throws -> ReviewChain {
            try ReviewChain(restoring: [3, 2, 1], endsInProvince: false, state: state, position: position, stage: stage,
                            handlerDecider: stage == .leader && reviewed ? handler3.accountID : nil, reviewedSinceSubmission: reviewed)
        }

        // Just submitted: the automated step may send it back.
        var fresh = try ReviewChain(route: [3, 2, 1], endsInProvince: false)
        refused(fresh, "a draft")
        _ = try fresh.submit()
        var returned = fresh
        try returned.returnByAutomatedStep()
        #expect(returned.state == .returned && returned.state.editableByApplicant)
        refused(returned, "already returned")

        // Once the unit's handler has acted, and once it has climbed to the next org.
        var acted = fresh
        _ = try acted.decide(.pass, by: handler3, series: series)
        refused(acted, "the unit's handler passed it (now at the leader step)")
        _ = try acted.decide(.pass, by: leader3, series: series)
        refused(acted, "passed by the unit (now at the department's handler step)")

        // Each condition on its own, the others as at submission.
        refused(try restored(position: 0, stage: .handler, reviewed: true), "a person acted, still at the unit's handler step")
        refused(try restored(position: 0, stage: .leader, reviewed: false), "at the unit's leader step")
        refused(try restored(position: 1, stage: .handler, reviewed: false), "at the department's handler step")
        refused(try restored(position: 0, stage: .handler, reviewed: false, state: .atCommittee), "no longer in review")
        var control = try restored(position: 0, stage: .handler, reviewed: false)
        try control.returnByAutomatedStep()
        #expect(control.state == .returned)
    }
}

@Suite("The step a decision is meant for")
struct IntendedStepTests {
    @Test func aNamedStepMustBeTheCurrentOne() throws {
        try ReviewStage.requireIntended(.handler, current: .handler, versioned: false, roles: [.handler, .leader])
        #expect(throws: ZhichengError.self) { try ReviewStage.requireIntended(.handler, current: .leader, versioned: false, roles: [.handler, .leader]) }
        #expect(throws: ZhichengError.self) { try ReviewStage.requireIntended(.leader, current: .handler, versioned: true, roles: [.leader]) }
    }

    @Test func withoutAStepOrAVersionOnlyAOneRoleReviewerIsUnderstood() throws {
        try ReviewStage.requireIntended(nil, current: .leader, versioned: false, roles: [.leader])
        try ReviewStage.requireIntended(nil, current: .leader, versioned: true, roles: [.handler, .leader])
        let error = #expect(throws: ZhichengError.self) { try ReviewStage.requireIntended(nil, current: .leader, versioned: false, roles: [.handler, .leader]) }
        #expect(error?.field == "step" && error?.code == .invalid)
    }

    @Test func aStepIsNamedByItsRawValueOrNotAtAll() throws {
        #expect(try ReviewStage.named(nil) == nil && ReviewStage.named("") == nil && ReviewStage.named("leader") == .leader)
        #expect(throws: ZhichengError.self) { try ReviewStage.named("boss") }
    }
}

@Suite("Declaration plans and quotas")
struct DeclarationPlanTests {
    @Test func validatesLinesAgainstTheCatalog() throws {
        let ok = [PlanLine(series: "中小学教师", level: .intermediate, count: 3), PlanLine(series: "工程技术人员", level: .junior, count: 2)]
        #expect(try DeclarationPlan.validate(year: 2026, lines: ok) == ok)
        #expect(throws: ZhichengError.self) { try DeclarationPlan.validate(year: 2026, lines: []) }
        #expect(throws: ZhichengError.self) { try DeclarationPlan.validate(year: 1999, lines: ok) }
        // Up to next year in China: a year typed far ahead is refused, its message naming the bound.
        let lateNovember = CalendarDay("2026-11-30")!.start
        try DeclarationPlan.validateYear(2027, now: lateNovember)
        #expect { try DeclarationPlan.validateYear(2062, now: lateNovember) } throws: { error in
            (error as? ZhichengError)?.message == "年度应为 2000 至 2027 之间的年份" && (error as? ZhichengError)?.field == "year"
        }
        // 2026-12-31 16:30 UTC is already 2027-01-01 in China: 2028 is next year there.
        try DeclarationPlan.validateYear(2028, now: CalendarDay("2027-01-01")!.start.addingTimeInterval(30 * 60))
        #expect(throws: ZhichengError.self) { try DeclarationPlan.validate(year: 2026, lines: [PlanLine(series: "魔法师", level: .junior, count: 1)]) }
        #expect(throws: ZhichengError.self) { try DeclarationPlan.validate(year: 2026, lines: [PlanLine(series: "社会工作专业人员", level: .senior, count: 1)]) }
        #expect(throws: ZhichengError.self) { try DeclarationPlan.validate(year: 2026, lines: [PlanLine(series: "中小学教师", level: .junior, count: 0)]) }
        #expect(throws: ZhichengError.self) { try DeclarationPlan.validate(year: 2026, lines: ok + [ok[0]]) }
    }

    @Test func quotaNamesThePlanLine() throws {
        let plan = [PlanLine(series: "中小学教师", level: .intermediate, count: 2)]
        try DeclarationPlan.checkQuota(approved: plan, year: 2026, series: "中小学教师", level: .intermediate, alreadySubmitted: 1)
        do {
            try DeclarationPlan.checkQuota(approved: plan, year: 2026, series: "中小学教师", level: .intermediate, alreadySubmitted: 2)
            Issue.record("over quota accepted")
        } catch {
            #expect(error.code == .conflict && error.message.contains("中小学教师 中级") && error.message.contains("2 人"))
        }
        #expect(throws: ZhichengError.self) { try DeclarationPlan.checkQuota(approved: plan, year: 2026, series: "中小学教师", level: .senior, alreadySubmitted: 0) }
        #expect(throws: ZhichengError.self) { try DeclarationPlan.checkQuota(approved: nil, year: 2026, series: "中小学教师", level: .intermediate, alreadySubmitted: 0) }
    }

    /// What a draft's applicant is told of the plan is what the submission is refused by.
    @Test func aPlanPlaceSaysTheLineTheTakenAndTheLeftOrTheRefusal() throws {
        let plan = [PlanLine(series: "中小学教师", level: .intermediate, count: 3)]
        let open = PlanPlace(approved: plan, year: 2026, series: "中小学教师", level: .intermediate, taken: 1)
        #expect(open.count == 3 && open.left == 2 && open.refusal == nil)
        #expect(open.text == "本单位2026年度申报计划“中小学教师 中级”共 3 人，已提交 1 人，尚余 2 人")
        let full = PlanPlace(approved: plan, year: 2026, series: "中小学教师", level: .intermediate, taken: 3)
        #expect(full.left == 0 && full.refusal?.code == .conflict && full.text == "提交前请注意：已超出2026年度申报计划“中小学教师 中级”的 3 人名额（已提交 3 人）")
        let noLine = PlanPlace(approved: plan, year: 2026, series: "中小学教师", level: .senior, taken: 0)
        #expect(noLine.count == nil && noLine.left == nil && noLine.refusal?.message == "本单位2026年度申报计划中没有“中小学教师 \(TitleLevel.senior.rawValue)”这一行，不能提交")
        let noPlan = PlanPlace(approved: nil, year: 2026, series: "中小学教师", level: .intermediate, taken: 0)
        #expect(!noPlan.planApproved && noPlan.refusal?.message == "本单位2026年度的申报计划尚未经审核通过，暂不能提交申报")
        // checkQuota throws exactly these.
        for place in [full, noLine, noPlan] {
            #expect(throws: place.refusal!) {
                try DeclarationPlan.checkQuota(approved: place.planApproved ? plan : nil, year: 2026, series: place.series, level: place.level, alreadySubmitted: place.taken)
            }
        }
    }

    @Test func onlyTheTopOfARouteEndingInTheTenantIsItsFinalAuthority() throws {
        let city = try ReviewChain(route: [4, 3, 1], endsInProvince: false)
        #expect(city.isFinalAuthority(1) && !city.isFinalAuthority(3) && !city.isFinalAuthority(4) && !city.isFinalAuthority(9))
        let province = try ReviewChain(route: [4, 3, 1], endsInProvince: true)
        #expect(!province.isFinalAuthority(1))
    }

    @Test func oneTitleApplicationPerApplicantAndYear() throws {
        // Drafts, withdrawn ones and those turned down (未通过 in review or by the committee) leave the year free.
        try DeclarationPlan.checkOnePerYear(year: 2026, others: [("一级教师", .draft), ("二级教师", .withdrawn), ("高级教师", .rejected), ("一级教师", .failed)])
        for holding in [ApplicationState.inReview, .returned, .awaitingProvince, .atCommittee, .publicity, .passed] {
            do {
                try DeclarationPlan.checkOnePerYear(year: 2026, others: [("二级教师", .draft), ("一级教师", holding)])
                Issue.record("a second application accepted while another is \(holding.rawValue)")
            } catch {
                #expect(error.code == .conflict && error.message.contains("每人每年") && error.message.contains("一级教师") && error.message.contains(holding.label))
            }
        }
        #expect(ApplicationState.allCases.filter(DeclarationPlan.holdsTheYear).count == 6)
    }

    /// A plan's place is taken by every submission not withdrawn or turned down on the way;
    /// the committee's 未通过 keeps it (the place was used), unlike the applicant's year.
    @Test func whatTakesAPlaceOfThePlan() {
        let taking = ApplicationState.allCases.filter(DeclarationPlan.usesAPlace)
        #expect(Set(taking) == [.inReview, .returned, .awaitingProvince, .atCommittee, .publicity, .passed, .failed])
        #expect(DeclarationPlan.placeStatesSQL.split(separator: ",").count == taking.count)
        #expect(!DeclarationPlan.placeStatesSQL.contains("'draft'") && DeclarationPlan.placeStatesSQL.contains("'in_review'"))
        #expect(DeclarationPlan.usesAPlace(.failed) && !DeclarationPlan.holdsTheYear(.failed))
    }
}

@Suite("Committee outcome on the chain")
struct CommitteeOutcomeTests {
    @Test func publicitySetAsideAndFinal() throws {
        let handler = ReviewChain.Reviewer(accountID: 1, orgID: 1, roles: [.handler], series: ["中小学教师"])
        let leader = ReviewChain.Reviewer(accountID: 2, orgID: 1, roles: [.leader], series: ["中小学教师"])
        var chain = try ReviewChain(route: [1], endsInProvince: false)
        #expect(throws: ZhichengError.self) { try chain.enterPublicity() }
        _ = try chain.submit()
        _ = try chain.decide(.pass, by: handler, series: "中小学教师")
        _ = try chain.decide(.pass, by: leader, series: "中小学教师")
        try chain.enterPublicity()
        #expect(chain.state == .publicity)
        try chain.setAside()
        #expect(chain.state == .atCommittee)
        try chain.enterPublicity()
        try chain.finalize(passed: false)
        #expect(chain.state == .failed)
        #expect(throws: ZhichengError.self) { try chain.finalize(passed: true) }
    }
}

@Suite("An objection from a city reaching the province")
struct RelayedObjectionTests {
    /// Who lodged it, for the committee's office: the person and their org, whichever tenant the
    /// objection was lodged in (every unit's admin is named 系统管理员: the org tells them apart).
    @Test func whoLodgedItIsThePersonWithTheirOrg() {
        #expect(Objector.displayName("系统管理员", org: "回民中学") == "系统管理员（回民中学）")
        #expect(Objector.displayName("系统管理员", org: "逸夫小学") != Objector.displayName("系统管理员", org: "回民中学"))
        #expect(Objector.displayName("周老师", org: "郑州市职改办") == "周老师（郑州市职改办）")
        #expect(Objector.displayName("周老师", org: "") == "周老师")
    }

    @Test func itIsOpenWhileTheResultItObjectsToStandsInNotice() {
        #expect(RelayedObjection.arrival(.publicity, sameNotice: true) == ("open", nil))
    }

    @Test func aResultSetAsideSinceClosesItAsWithdrawn() {
        // Set aside and not decided again, or decided again with a new notice.
        #expect(RelayedObjection.arrival(.pending, sameNotice: true) == ("upheld", "评审结果已撤销"))
        #expect(RelayedObjection.arrival(.publicity, sameNotice: false) == ("upheld", "评审结果已撤销"))
        #expect(RelayedObjection.arrival(.final, sameNotice: false) == ("upheld", "评审结果已撤销"))
    }

    @Test func oneArrivingAfterTheResultWasConfirmedIsKeptAsLate() {
        #expect(RelayedObjection.arrival(.final, sameNotice: true) == ("late", "结果确认后送达"))
    }
}

@Suite("An objection sent to the province, as its author sees it")
struct ObjectionStateTests {
    @Test func answersOnlyMoveItForward() {
        // A receipt, then a resolution.
        #expect(ObjectionState.sent.advances(to: .open))
        #expect(ObjectionState.open.advances(to: .dismissed) && ObjectionState.open.advances(to: .upheld))
        // Closed on arrival (set aside since, or after confirmation).
        #expect(ObjectionState.sent.advances(to: .upheld) && ObjectionState.sent.advances(to: .late))
    }

    @Test func aResolutionIsNeverReopenedOrReplaced() {
        for closed in [ObjectionState.upheld, .dismissed, .late] {
            for next in ObjectionState.allCases { #expect(!closed.advances(to: next), "\(closed) → \(next)") }
        }
        #expect(!ObjectionState.open.advances(to: .open) && !ObjectionState.open.advances(to: .sent))
    }

    @Test func everyStateHasAChineseLabel() {
        #expect(Set(ObjectionState.allCases.map(\.label)).count == ObjectionState.allCases.count)
        #expect(ObjectionState.dismissed.label == "异议不成立")
    }
}

@Suite("A committee's steps in an application's trail")
struct CommitteeEventTests {
    @Test func itsTrailDecisionReadsBackAndIsApartFromTheReviewersOwn() {
        for event in CommitteeEvent.allCases { #expect(CommitteeEvent(decision: event.decision) == event) }
        for decision in ["pass", "return", "reject", "submit", "withdraw", "auto-pass", "committee-", "committee-vote", "interview"] {
            #expect(CommitteeEvent(decision: decision) == nil, "\(decision)")
        }
        #expect(CommitteeEvent.objectionUpheld.decision == "committee-objection-upheld")
    }
}

@Suite("公示: working days, holidays and working weekends")
struct PublicityCalendarTests {
    /// A time of day in China.
    static func at(_ day: String, _ hour: Int) -> Date {
        CalendarDay(day)!.start.addingTimeInterval(Double(hour) * 3600)
    }

    @Test func fiveWorkingDaysFromAMondayEndAtMidnightAfterTheNextMonday() {
        // Recorded Monday 2026-11-30 at 15:00: Tue…Fri and Mon 12-07 are the five days.
        #expect(PublicityCalendar.standard.end(ofNoticeRecordedAt: Self.at("2026-11-30", 15)) == CalendarDay("2026-12-08")!.start)
        // Recorded on a Saturday: Mon…Fri of the next week.
        #expect(PublicityCalendar.standard.end(ofNoticeRecordedAt: Self.at("2026-12-05", 9)) == CalendarDay("2026-12-12")!.start)
    }

    @Test func holidaysDoNotCountAndWorkingWeekendsDo() throws {
        // 国庆: 10-01…10-07 off, Saturday 10-10 worked (an example, not an official calendar).
        let holidays = Set((1...7).map { CalendarDay(year: 2026, month: 10, day: $0)! })
        let calendar = try PublicityCalendar(workingDays: 5, holidays: holidays, workingWeekends: [CalendarDay("2026-10-10")!])
        // Recorded Wednesday 09-30: 10-08 (Thu), 10-09 (Fri), 10-10 (Sat, worked), 10-12 (Mon), 10-13 (Tue).
        #expect(calendar.end(ofNoticeRecordedAt: Self.at("2026-09-30", 10)) == CalendarDay("2026-10-14")!.start)
        #expect(!calendar.isWorkingDay(CalendarDay("2026-10-05")!) && calendar.isWorkingDay(CalendarDay("2026-10-10")!))
        #expect(!calendar.isWorkingDay(CalendarDay("2026-10-11")!))
    }

    @Test func zeroDaysEndsAtOnce() throws {
        let now = Date()
        #expect(try PublicityCalendar(workingDays: 0).end(ofNoticeRecordedAt: now) == now)
    }

    @Test func contradictoryCalendarsAreRefused() {
        let day = CalendarDay("2026-10-10")!
        #expect(throws: PublicityCalendar.Problem.bothHolidayAndWorkingDay(day)) { try PublicityCalendar(holidays: [day], workingWeekends: [day]) }
        #expect(throws: PublicityCalendar.Problem.workingWeekendOnAWeekday(CalendarDay("2026-10-09")!)) {
            try PublicityCalendar(workingWeekends: [CalendarDay("2026-10-09")!])
        }
    }

    @Test func onlyRealDatesAreDays() {
        for bad in ["2026-02-30", "2026-13-01", "2026-1-01", "26-01-01", "2026-01-01x", "", "２０２６-01-01"] {
            #expect(CalendarDay(bad) == nil, "\(bad)")
        }
        #expect(CalendarDay("2028-02-29")?.description == "2028-02-29")
    }
}

@Suite("China time on the screens, and how a result in 公示 stands")
struct ChinaTimeTests {
    @Test func timesAreWrittenInChinaTime() {
        // 2026-11-30 17:05:09 UTC is 2026-12-01 01:05:09 in China: the day after.
        let at = 1_796_058_309.0
        #expect(ChinaTime.minute(at) == "2026-12-01 01:05")
        #expect(ChinaTime.second(at) == "2026-12-01 01:05:09")
        #expect(ChinaTime.end(at) == "2026-12-01 01:05", "not midnight: written as it is")
    }

    @Test func aPeriodEndingAtMidnightEndsWithTheDayBefore() {
        // Recorded Friday 2026-12-04: the five working days are Mon 12-07 … Fri 12-11, so the
        // period ends at midnight starting Saturday 12-12, which a reader takes as "to the 11th".
        let until = PublicityCalendar.standard.end(ofNoticeRecordedAt: PublicityCalendarTests.at("2026-12-04", 10)).timeIntervalSince1970
        #expect(until == CalendarDay("2026-12-12")!.start.timeIntervalSince1970)
        #expect(ChinaTime.end(until) == "2026-12-11 24:00")
        #expect(ChinaTime.minute(until) == "2026-12-12 00:00")
        #expect(ChinaTime.end(CalendarDay("2027-01-01")!.start.timeIntervalSince1970) == "2026-12-31 24:00", "across the year")
    }

    @Test func aResultStandsUntilTheEndThenWaitsForConfirmation() {
        let until = CalendarDay("2026-12-12")!.start.timeIntervalSince1970
        #expect(PublicityCalendar.isStanding(until: until, now: until - 1))
        #expect(!PublicityCalendar.isStanding(until: until, now: until), "the end is the boundary: objections stop, confirmation starts")
        #expect(!PublicityCalendar.isStanding(until: nil, now: 0))
        #expect(PublicityCalendar.label(result: "通过", until: until, now: until - 60) == "公示中（通过，至 2026-12-11 24:00）")
        #expect(PublicityCalendar.label(result: "未通过", until: until, now: until + 60) == "公示期满，待确认（未通过）")
        #expect(PublicityCalendar.stage(until: until, now: until - 60) == "公示中")
        #expect(PublicityCalendar.stage(until: until, now: until) == "公示期满，待确认")
    }
}

@Suite("Section order on the reading screens")
struct SectionOrderTests {
    @Test func knownSectionsFollowTheFormThenUnknownOnesSorted() {
        // In code-point order 业绩成果 (U+4E1A) would come before 基本信息 (U+57FA).
        #expect(ApplicationSection.ordered(["附件", "业绩成果", "插件补充", "基本信息", "工作经历", "附录"]) ==
            ["基本信息", "工作经历", "业绩成果", "附件", "插件补充", "附录"])
        #expect(ApplicationSection.ordered(ApplicationSection.allCases.map(\.rawValue).reversed()) == ApplicationSection.allCases.map(\.rawValue))
        #expect(ApplicationSection.ordered(["基本信息", "基本信息"]) == ["基本信息"])
        #expect(ApplicationSection.ordered([String]()) == [])
    }
}

@Suite("A reviewer's 意见: one rule at every level")
struct ReviewCommentTests {
    @Test func aCommentIsTrimmedBoundedAndRequiredToRefuse() throws {
        #expect(try ReviewDecision.pass.comment("  同意 \n") == "同意")
        #expect(try ReviewDecision.pass.comment(nil) == "")
        #expect(try ReviewDecision.pass.comment(String(repeating: "长", count: 2000)).count == 2000)
        #expect(throws: ZhichengError.self) { try ReviewDecision.pass.comment(String(repeating: "长", count: 2001)) }
        #expect(throws: ZhichengError.self) { try ReviewDecision.reject.comment(" \n ") }
        #expect(try ReviewDecision.reject.comment("业绩不足") == "业绩不足")
    }
}

@Suite("A decision sent again")
struct DecisionRepeatTests {
    @Test func theSameReviewersSameDecisionRepeatsUnlessAnotherStepIsNamed() {
        let handlerPass: (actorID: Int?, decision: String?, stage: String?) = (7, "pass", "handler")
        #expect(ReviewDecision.pass.repeats(handlerPass, by: 7, intended: nil))
        #expect(ReviewDecision.pass.repeats(handlerPass, by: 7, intended: .handler))
        // A 负责人 pass by the one who made the 经办人 pass: no repeat (four eyes refuses it).
        #expect(!ReviewDecision.pass.repeats(handlerPass, by: 7, intended: .leader))
        #expect(!ReviewDecision.pass.repeats(handlerPass, by: 8, intended: nil), "another reviewer's")
        #expect(!ReviewDecision.reject.repeats(handlerPass, by: 7, intended: nil), "another decision")
        #expect(!ReviewDecision.pass.repeats((nil, nil, nil), by: 7, intended: nil), "nothing recorded yet")
    }
}
