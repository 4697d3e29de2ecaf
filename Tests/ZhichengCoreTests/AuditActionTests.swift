import Testing
import ZhichengCore

/// The actions of 操作日志 (AuditAction): each with a Chinese name, under the codes the log
/// and the API have always given.
@Suite("Audit actions")
struct AuditActionTests {
    /// Every code the log has written (the API's `action`): each is still an action, and the
    /// actions are these and one more (`expert-application.return`, never taken).
    static let recorded: Set<String> = [
        "session.create", "session.delete", "account.change-password", "account.locked", "account.reset-password",
        "tenant.create", "tenant.suspend", "tenant.resume", "tenant.backup", "tenant.backup.prune", "tenant.restore",
        "tenant.restore.cut-off", "tenant.archive", "tenant.configure", "tenant.rename", "org.create", "org.update", "org.delete",
        "org.renamed-in-city", "org.admin.update", "org.admin.reset-password", "org.profile.save", "org.profile.submit",
        "org.profile.approve", "org.profile.reject", "org.certificate.upload", "org.seal.upload", "staff.create", "staff.update",
        "staff.delete", "staff.enable", "staff.disable", "staff.roles", "staff.permissions", "applicant.create",
        "applicant.update", "applicant.delete", "applicant.move", "applicant.move-offer", "applicant.move-decline",
        "applicant.move-cancel", "applicant.renamed-in-city", "applicant.moved-in-city", "plan.save", "plan.document",
        "plan.submit", "plan.approve", "plan.reject", "application.create", "application.section", "application.attachment.add",
        "application.attachment.remove", "application.submit", "application.withdraw", "application.pass", "application.return",
        "application.reject", "application.forwarded", "application.withdrawn-in-city", "application.heading", "application.receive", "application.receive-again", "application.file-receive", "application.returned",
        "application.province-review", "application.province-rejected", "application.province-admitted", "application.interview", "application.result", "application.publicity",
        "application.publicity-withdrawn", "province-application.pass", "province-application.return",
        "province-application.reject", "expert-application.pass", "expert-application.reject", "committee.create",
        "committee.update", "evaluation.interview", "evaluation.result", "evaluation.confirm", "objection.lodge",
        "objection.forward", "objection.resolved", "objection.uphold", "objection.dismiss", "expert.admit",
        "expert.password-reissued", "expert.relations", "expert.active", "expert.suspended", "expert.retired", "session.draw",
        "session.replace", "session.vote", "session.close", "session.no-quorum", "session.cancel", "plugin.step-failed",
        "relay.set-aside", "relay.unapplied",
    ]

    @Test func everyKnownCodeIsAnActionAndNoActionIsNew() {
        #expect(Set(AuditAction.allCases.map(\.rawValue)) == Self.recorded.union(["expert-application.return"]))
        for code in Self.recorded { #expect(AuditAction(rawValue: code) != nil, "\(code)") }
    }

    /// A name in Chinese: no code, nor any Latin letter, in what the screen shows.
    @Test(arguments: AuditAction.allCases)
    func everyActionHasAChineseName(_ action: AuditAction) {
        let label = action.label
        #expect(!label.isEmpty)
        #expect(label.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) }, "\(action.rawValue): \(label)")
        #expect(!label.unicodeScalars.contains { ("a"..."z").contains($0) || ("A"..."Z").contains($0) }, "\(action.rawValue): \(label)")
        #expect(AuditAction.label(code: action.rawValue, target: "account:1") == label)
    }

    /// One code, two actions: a sign-in and a new 评审会 are told apart by their target.
    @Test func aSessionCreatedIsASignInOrANewReviewSessionByItsTarget() {
        #expect(AuditAction.label(code: "session.create", target: "account:7") == "登录")
        #expect(AuditAction.label(code: "session.create", target: "session:3") == "新建评审会")
        #expect(AuditAction.label(code: "session.draw", target: "session:3") == "抽取专家")
    }

    /// A code another version wrote that this one does not know is named, not shown.
    @Test func anUnknownCodeIsOtherAction() {
        #expect(AuditAction.label(code: "something.new", target: "org:1") == "其他操作")
        #expect(AuditAction.label(code: "", target: "") == "其他操作")
    }

    /// The actions chosen by a decision or a state keep the codes they were written under
    /// (`application.<decision>`, `province-application.<decision>`, `expert.<state>`).
    @Test func computedActionsKeepTheirCodes() {
        for decision in ReviewDecision.allCases {
            #expect(AuditAction.review(decision).rawValue == "application.\(decision.rawValue)")
            #expect(AuditAction.provinceReview(.title, decision).rawValue == "province-application.\(decision.rawValue)")
            #expect(AuditAction.provinceReview(.expert, decision).rawValue == "expert-application.\(decision.rawValue)")
        }
        for state in ExpertState.allCases { #expect(AuditAction.expert(state).rawValue == "expert.\(state.rawValue)") }
    }
}
