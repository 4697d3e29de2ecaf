/// Every action the audit log (操作日志) records, by the code it is stored and given under
/// (the API's `action`, what an auditor searches for), with its Chinese name. An audit entry
/// is written only with one of these (`AuditEntry`), so no code can reach the log without a
/// name for the screen: the switch of `label` has a case for each.
public enum AuditAction: String, Sendable, CaseIterable {
    /// A sign-in (target `account:<id>`), and, under the same code since both were first
    /// written, a new 评审会 (target `session:<id>`): `label(target:)` tells them apart.
    case sessionCreate = "session.create"
    case sessionDelete = "session.delete"
    case accountChangePassword = "account.change-password"
    case accountLocked = "account.locked"
    case accountResetPassword = "account.reset-password"
    case tenantCreate = "tenant.create"
    case tenantSuspend = "tenant.suspend"
    case tenantResume = "tenant.resume"
    case tenantBackup = "tenant.backup"
    case tenantBackupPrune = "tenant.backup.prune"
    case tenantRestore = "tenant.restore"
    case tenantRestoreCutOff = "tenant.restore.cut-off"
    case tenantArchive = "tenant.archive"
    case tenantConfigure = "tenant.configure"
    case tenantRename = "tenant.rename"
    case orgCreate = "org.create"
    case orgUpdate = "org.update"
    case orgDelete = "org.delete"
    case orgRenamedInCity = "org.renamed-in-city"
    case orgAdminUpdate = "org.admin.update"
    case orgAdminResetPassword = "org.admin.reset-password"
    case orgProfileSave = "org.profile.save"
    case orgProfileSubmit = "org.profile.submit"
    case orgProfileApprove = "org.profile.approve"
    case orgProfileReject = "org.profile.reject"
    case orgCertificateUpload = "org.certificate.upload"
    case orgSealUpload = "org.seal.upload"
    case staffCreate = "staff.create"
    case staffUpdate = "staff.update"
    case staffDelete = "staff.delete"
    case staffEnable = "staff.enable"
    case staffDisable = "staff.disable"
    case staffRoles = "staff.roles"
    case staffPermissions = "staff.permissions"
    case applicantCreate = "applicant.create"
    case applicantUpdate = "applicant.update"
    case applicantDelete = "applicant.delete"
    case applicantMove = "applicant.move"
    case applicantMoveOffer = "applicant.move-offer"
    case applicantMoveDecline = "applicant.move-decline"
    case applicantMoveCancel = "applicant.move-cancel"
    case applicantRenamedInCity = "applicant.renamed-in-city"
    case applicantMovedInCity = "applicant.moved-in-city"
    case planSave = "plan.save"
    case planDocument = "plan.document"
    case planSubmit = "plan.submit"
    case planApprove = "plan.approve"
    case planReject = "plan.reject"
    case applicationCreate = "application.create"
    case applicationSection = "application.section"
    case applicationAttachmentAdd = "application.attachment.add"
    case applicationAttachmentRemove = "application.attachment.remove"
    case applicationSubmit = "application.submit"
    case applicationWithdraw = "application.withdraw"
    case applicationPass = "application.pass"
    case applicationReturn = "application.return"
    case applicationReject = "application.reject"
    case applicationForwarded = "application.forwarded"
    case applicationWithdrawnInCity = "application.withdrawn-in-city"
    case applicationHeading = "application.heading"
    case applicationReceive = "application.receive"
    case applicationReceiveAgain = "application.receive-again"
    case applicationFileReceive = "application.file-receive"
    case applicationReturned = "application.returned"
    case applicationProvinceReview = "application.province-review"
    case applicationProvinceRejected = "application.province-rejected"
    case applicationProvinceAdmitted = "application.province-admitted"
    case applicationInterview = "application.interview"
    case applicationResult = "application.result"
    case applicationPublicity = "application.publicity"
    case applicationPublicityWithdrawn = "application.publicity-withdrawn"
    case provinceApplicationPass = "province-application.pass"
    case provinceApplicationReturn = "province-application.return"
    case provinceApplicationReject = "province-application.reject"
    case expertApplicationPass = "expert-application.pass"
    case expertApplicationReject = "expert-application.reject"
    /// Not taken (an expert recommendation is never returned: `ProvinceReviewService.decide`
    /// refuses it first); named so that every decision has its action.
    case expertApplicationReturn = "expert-application.return"
    case committeeCreate = "committee.create"
    case committeeUpdate = "committee.update"
    case evaluationInterview = "evaluation.interview"
    case evaluationResult = "evaluation.result"
    case evaluationConfirm = "evaluation.confirm"
    case objectionLodge = "objection.lodge"
    case objectionForward = "objection.forward"
    case objectionResolved = "objection.resolved"
    case objectionUphold = "objection.uphold"
    case objectionDismiss = "objection.dismiss"
    case expertAdmit = "expert.admit"
    case expertPasswordReissued = "expert.password-reissued"
    case expertRelations = "expert.relations"
    case expertActive = "expert.active"
    case expertSuspended = "expert.suspended"
    case expertRetired = "expert.retired"
    case sessionDraw = "session.draw"
    case sessionReplace = "session.replace"
    case sessionVote = "session.vote"
    case sessionClose = "session.close"
    case sessionNoQuorum = "session.no-quorum"
    case sessionCancel = "session.cancel"
    case pluginStepFailed = "plugin.step-failed"
    case relaySetAside = "relay.set-aside"
    case relayUnapplied = "relay.unapplied"

    /// The action's name on the log screen.
    public var label: String {
        switch self {
        case .sessionCreate: "登录"
        case .sessionDelete: "退出登录"
        case .accountChangePassword: "修改密码"
        case .accountLocked: "账户锁定"
        case .accountResetPassword: "初始化密码"
        case .tenantCreate: "开通系统"
        case .tenantSuspend: "暂停服务"
        case .tenantResume: "恢复服务"
        case .tenantBackup: "备份"
        case .tenantBackupPrune: "删除旧备份"
        case .tenantRestore: "从备份恢复"
        case .tenantRestoreCutOff: "备份恢复中断"
        case .tenantArchive: "归档"
        case .tenantConfigure: "设置报送省级的级别"
        case .tenantRename: "更改名称"
        case .orgCreate: "新增机构"
        case .orgUpdate: "修改机构"
        case .orgDelete: "删除机构"
        case .orgRenamedInCity: "地市单位更名"
        case .orgAdminUpdate: "修改机构管理员"
        case .orgAdminResetPassword: "初始化机构管理员密码"
        case .orgProfileSave: "保存单位信息"
        case .orgProfileSubmit: "提交单位信息"
        case .orgProfileApprove: "单位信息审核通过"
        case .orgProfileReject: "单位信息退回"
        case .orgCertificateUpload: "上传单位证件"
        case .orgSealUpload: "上传印章"
        case .staffCreate: "新增人员"
        case .staffUpdate: "修改人员"
        case .staffDelete: "删除人员"
        case .staffEnable: "启用人员"
        case .staffDisable: "停用人员"
        case .staffRoles: "设置审查角色"
        case .staffPermissions: "设置审查权限"
        case .applicantCreate: "创建申报人账户"
        case .applicantUpdate: "修改申报人"
        case .applicantDelete: "删除申报人账户"
        case .applicantMove: "申报人调动（调入）"
        case .applicantMoveOffer: "提出人员调动"
        case .applicantMoveDecline: "不接收调入人员"
        case .applicantMoveCancel: "撤销人员调动"
        case .applicantRenamedInCity: "地市申报人更名"
        case .applicantMovedInCity: "地市申报人调动"
        case .planSave: "保存申报计划"
        case .planDocument: "上传计划文件"
        case .planSubmit: "提交申报计划"
        case .planApprove: "申报计划审核通过"
        case .planReject: "申报计划退回"
        case .applicationCreate: "创建申报"
        case .applicationSection: "填写申报内容"
        case .applicationAttachmentAdd: "上传附件"
        case .applicationAttachmentRemove: "删除附件"
        case .applicationSubmit: "提交申报"
        case .applicationWithdraw: "撤回申报"
        case .applicationPass: "审查通过"
        case .applicationReturn: "退回修改"
        case .applicationReject: "审查未通过"
        case .applicationForwarded: "报送省职改办"
        case .applicationWithdrawnInCity: "地市申报人撤回已退回的申报"
        case .applicationHeading: "修改申报的年度、系列、级别和职称"
        case .applicationReceive: "收到各市报送"
        case .applicationReceiveAgain: "再次收到各市报送"
        case .applicationFileReceive: "收到各市报送的附件文件"
        case .applicationReturned: "省职改办退回"
        case .applicationProvinceReview: "省职改办审查"
        case .applicationProvinceRejected: "省职改办审查未通过"
        case .applicationProvinceAdmitted: "省职改办审查通过入库"
        case .applicationInterview: "面试通知"
        case .applicationResult: "评审结果"
        case .applicationPublicity: "评审结果公示"
        case .applicationPublicityWithdrawn: "撤下公示"
        case .provinceApplicationPass: "职称申报审查通过"
        case .provinceApplicationReturn: "职称申报退回修改"
        case .provinceApplicationReject: "职称申报审查未通过"
        case .expertApplicationPass: "专家推荐审查通过"
        case .expertApplicationReject: "专家推荐审查未通过"
        case .expertApplicationReturn: "专家推荐退回修改"
        case .committeeCreate: "设立评委会"
        case .committeeUpdate: "修改评委会"
        case .evaluationInterview: "面试通知"
        case .evaluationResult: "录入评审结果"
        case .evaluationConfirm: "确认评审结果"
        case .objectionLodge: "提出异议"
        case .objectionForward: "异议转报"
        case .objectionResolved: "异议处理"
        case .objectionUphold: "异议成立"
        case .objectionDismiss: "异议不成立"
        case .expertAdmit: "专家入库"
        case .expertPasswordReissued: "重新生成专家初始密码"
        case .expertRelations: "设置回避关系"
        case .expertActive: "专家恢复在库"
        case .expertSuspended: "专家暂停"
        case .expertRetired: "专家退出专家库"
        case .sessionDraw: "抽取专家"
        case .sessionReplace: "替换专家"
        case .sessionVote: "专家投票"
        case .sessionClose: "结束评审"
        case .sessionNoQuorum: "评审会人数不足"
        case .sessionCancel: "取消评审会"
        case .pluginStepFailed: "自动审查失败"
        case .relaySetAside: "跨地市消息搁置"
        case .relayUnapplied: "跨地市消息未执行"
        }
    }

    /// The name of the action recorded against `target`: a `session.create` of a 评审会 is
    /// 新建评审会, not 登录.
    public func label(target: String) -> String {
        self == .sessionCreate && target.hasPrefix("session:") ? "新建评审会" : label
    }

    /// The name of a recorded code, or, for one this version does not know (written by another),
    /// 其他操作: the screen shows no code as a name.
    public static func label(code: String, target: String) -> String {
        AuditAction(rawValue: code)?.label(target: target) ?? "其他操作"
    }

    /// A reviewer's decision in a city's review (`application.pass` …).
    public static func review(_ decision: ReviewDecision) -> AuditAction {
        switch decision {
        case .pass: .applicationPass
        case .return: .applicationReturn
        case .reject: .applicationReject
        }
    }

    /// The province office's decision on an application of `kind` it received.
    public static func provinceReview(_ kind: ApplicationKind, _ decision: ReviewDecision) -> AuditAction {
        switch (kind, decision) {
        case (.title, .pass): .provinceApplicationPass
        case (.title, .return): .provinceApplicationReturn
        case (.title, .reject): .provinceApplicationReject
        case (.expert, .pass): .expertApplicationPass
        case (.expert, .return): .expertApplicationReturn
        case (.expert, .reject): .expertApplicationReject
        }
    }

    /// An expert put in `state` (`expert.active`, `expert.suspended`, `expert.retired`).
    public static func expert(_ state: ExpertState) -> AuditAction {
        switch state {
        case .active: .expertActive
        case .suspended: .expertSuspended
        case .retired: .expertRetired
        }
    }
}
