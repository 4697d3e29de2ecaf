import ZhichengAdminProtocol
import ZhichengCore

/// 操作日志 in Chinese: what each recorded action is called, what kind of thing its target is,
/// what its details say, and where it came from. The log itself keeps its codes (they are what the API gives and what
/// an auditor searches for); the screen shows the name and the code beneath it.
enum AuditLabels {
    static let actions: [String: String] = [
        "session.create": "登录", "session.delete": "退出登录", "account.change-password": "修改密码", "account.locked": "账户锁定",
        "account.reset-password": "初始化密码",
        "tenant.create": "开通系统", "tenant.suspend": "暂停服务", "tenant.resume": "恢复服务", "tenant.backup": "备份", "tenant.backup.prune": "删除旧备份", "tenant.restore": "从备份恢复",
        "tenant.restore.cut-off": "备份恢复中断", "tenant.archive": "归档", "tenant.configure": "设置报送省级的级别", "tenant.rename": "更改名称",
        "org.create": "新增机构", "org.update": "修改机构", "org.delete": "删除机构", "org.renamed-in-city": "地市单位更名", "org.admin.update": "修改机构管理员",
        "org.admin.reset-password": "初始化机构管理员密码", "org.profile.save": "保存单位信息", "org.profile.submit": "提交单位信息",
        "org.profile.approve": "单位信息审核通过", "org.profile.reject": "单位信息退回", "org.certificate.upload": "上传单位证件", "org.seal.upload": "上传印章",
        "staff.create": "新增人员", "staff.update": "修改人员", "staff.delete": "删除人员", "staff.enable": "启用人员", "staff.disable": "停用人员",
        "staff.roles": "设置审查角色", "staff.permissions": "设置审查权限",
        "applicant.create": "创建申报人账户", "applicant.update": "修改申报人", "applicant.delete": "删除申报人账户", "applicant.move": "申报人调动（调入）", "applicant.move-offer": "提出人员调动", "applicant.move-decline": "不接收调入人员", "applicant.move-cancel": "撤销人员调动", "applicant.renamed-in-city": "地市申报人更名", "applicant.moved-in-city": "地市申报人调动",
        "plan.save": "保存申报计划", "plan.document": "上传计划文件", "plan.submit": "提交申报计划", "plan.approve": "申报计划审核通过", "plan.reject": "申报计划退回",
        "application.create": "创建申报", "application.section": "填写申报内容", "application.attachment.add": "上传附件",
        "application.attachment.remove": "删除附件", "application.submit": "提交申报", "application.withdraw": "撤回申报",
        "application.pass": "审查通过", "application.return": "退回修改", "application.reject": "审查未通过",
        "application.forwarded": "报送省职改办", "application.receive": "收到各市报送", "application.receive-again": "再次收到各市报送", "application.returned": "省职改办退回", "application.province-review": "省职改办审查",
        "application.interview": "面试通知", "application.result": "评审结果", "application.publicity": "评审结果公示",
        "application.publicity-withdrawn": "撤下公示",
        "province-application.pass": "职称申报审查通过", "province-application.return": "职称申报退回修改", "province-application.reject": "职称申报审查未通过",
        "expert-application.pass": "专家推荐审查通过", "expert-application.reject": "专家推荐审查未通过",
        "committee.create": "设立评委会", "committee.update": "修改评委会", "evaluation.interview": "面试通知", "evaluation.result": "录入评审结果",
        "evaluation.confirm": "确认评审结果", "objection.lodge": "提出异议", "objection.forward": "异议转报", "objection.resolved": "异议处理",
        "objection.uphold": "异议成立", "objection.dismiss": "异议不成立",
        "expert.admit": "专家入库", "expert.password-reissued": "重新生成专家初始密码", "expert.relations": "设置回避关系", "expert.active": "专家恢复在库", "expert.suspended": "专家暂停",
        "expert.retired": "专家退出专家库",
        "session.draw": "抽取专家", "session.replace": "替换专家", "session.vote": "专家投票", "session.close": "结束评审", "session.no-quorum": "评审会人数不足",
        "session.cancel": "取消评审会",
        "plugin.step-failed": "自动审查失败", "relay.set-aside": "跨地市消息搁置", "relay.unapplied": "跨地市消息未执行",
    ]

    static let targets: [String: String] = [
        "account": "账户", "application": "申报", "org": "机构", "plan": "申报计划", "committee": "评委会", "expert": "专家",
        "session": "评审会", "objection": "异议", "tenant": "系统", "message": "消息", "attachment": "附件", "received_application": "报送的申报",
        "unit": "地市单位", "applicant": "地市申报人",
    ]

    /// The action's name, or nil for a code this table does not know (shown as it is).
    static func action(_ code: String) -> String? { actions[code] }

    /// `account:12` → `账户 12`, `org:5` → `机构 逸夫小学（4101040010001）` when `orgs` names it;
    /// anything else as it is.
    static func target(_ target: String, orgs: [Int: (name: String, code: String)] = [:]) -> String {
        guard let colon = target.firstIndex(of: ":"), let kind = targets[String(target[..<colon])] else { return target }
        let id = target[target.index(after: colon)...]
        if target.hasPrefix("org:"), let number = Int(id), let org = orgs[number] { return "\(kind) \(org.name)（\(org.code)）" }
        return kind + " " + id
    }

    /// The org ids the targets `org:<id>` name.
    static func orgIDs(_ targets: some Sequence<String>) -> Set<Int> {
        Set(targets.compactMap { $0.hasPrefix("org:") ? Int($0.dropFirst(4)) : nil })
    }

    /// The names of the keys the recorded details use.
    static let detailKeys: [String: String] = [
        "name": "名称", "code": "编号", "kind": "类别", "parent": "上级机构", "parent_id": "上级机构", "state": "状态", "stage": "环节",
        "section": "部分", "sections": "部分", "comment": "意见", "decision": "决定", "reason": "原因", "failures": "连续失败次数",
        "year": "年度", "series": "系列", "level": "级别", "levels": "级别", "title": "职称", "login": "登录名", "roles": "角色", "result": "结果",
        "count": "数量", "from": "原", "to": "改为", "province": "省", "committee": "评委会", "application": "申报", "applications": "申报",
        "account": "账户", "attachment": "附件", "plugin": "插件", "step": "步骤", "seed": "随机种子", "panel": "评审专家人数",
        "reserves": "备选人数", "interview": "面试", "evaluation": "评审", "submission": "第几次提交", "path": "文件", "out": "移出", "in": "移入",
        "message_id": "消息", "status": "状态", "province_levels": "报送省级的级别", "id": "编号", "sha256": "SHA-256", "enabled": "启用",
        "phone": "电话", "email": "电子邮箱", "division_code": "行政区划代码", "rule": "表决规则", "expert": "专家", "specialty": "专业",
        "received_application": "报送的申报", "series_permissions": "系列权限", "section_permissions": "内容权限", "bytes": "字节",
        "undelivered": "未送达消息", "token": "恢复标识", "place": "地点", "time": "时间", "date": "日期", "vote": "投票", "score": "评分",
        "was": "原状态", "city": "地市", "unit_code": "单位编号", "experts": "专家", "former": "原名称", "office": "职改办名称", "former_office": "职改办原名称",
        "backup": "备份文件", "pruned": "删除的旧备份", "restore": "恢复标识", "finished_after_stop": "重启后完成",
        "finished_after_error": "出错后完成", "finished_before_resume": "恢复服务前完成",
        "from_unit": "调出单位", "to_unit": "调入单位", "drafts": "随人调动的草稿", "staying": "留在原单位审查的申报",
        "moves_cancelled": "撤销的待接收调动",
    ]

    /// A recorded detail (a JSON object) as "名称：值；…", keys in the order written, values by their
    /// Chinese labels where the key says what they are (a step, a decision, a reason, a kind,
    /// roles); an empty object is nothing, and anything else is shown as it is.
    static func detail(_ json: String) -> String {
        guard case .object(let members)? = try? JSONValue.parse(json) else { return json }
        return members.map { key, value in "\(detailKeys[key] ?? key)：\(Self.value(value, key: key))" }.joined(separator: "；")
    }

    static func value(_ value: JSONValue, key: String) -> String {
        switch value {
        case .string(let text):
            switch key {
            case "stage": return ReviewStage(rawValue: text)?.label ?? text
            case "decision": return ReviewDecision(rawValue: text)?.label ?? text
            case "reason": return ReturnReason(rawValue: text)?.label ?? text
            case "kind": return OrgKind(rawValue: text)?.label ?? ApplicationKind(rawValue: text)?.label ?? text
            case "state": return ProfileState(rawValue: text)?.label ?? ApplicationState(rawValue: text)?.label ?? text
            case "roles": return StaffRole(rawValue: text)?.label ?? text
            case "was": return SessionState(rawValue: text)?.label ?? text
            default: return text
            }
        case .bool(let flag): return flag ? "是" : "否"
        case .number(let number): return number == number.rounded() && abs(number) < 1e15 ? String(Int(number)) : String(number)
        case .null: return "无"
        case .array(let list): return list.isEmpty ? "无" : list.map { Self.value($0, key: key) }.joined(separator: "、")
        case .object: return value.serialized
        }
    }

    /// Where an action came from: a client's address, or the daemon's own parts.
    static func source(_ source: String) -> String {
        if source.hasPrefix("admin-socket") { return "系统管理员（" + source + "）" }
        switch source {
        case "relay": return "跨地市传递"
        case "zhichengd": return "系统"
        default: return source
        }
    }

    /// Who acted: an account as recorded (`account:<id> <login>`) by its login, the operator,
    /// or the daemon's own parts.
    static func actor(_ actor: String) -> String {
        if actor.hasPrefix("admin:uid=") { return "系统管理员（" + actor + "）" }
        if actor.hasPrefix("account:"), let space = actor.firstIndex(of: " ") {
            return "账户 " + actor[actor.index(after: space)...] + "（" + actor[actor.index(actor.startIndex, offsetBy: 8)..<space] + "）"
        }
        switch actor {
        case "system": return "系统"
        case "relay": return "跨地市传递"
        default: return actor
        }
    }
}
