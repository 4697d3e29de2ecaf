import ZhichengAdminProtocol
import ZhichengCore

/// 操作日志 in Chinese: what kind of thing each recorded action's target is, what its details
/// say, and where it came from (the action's own name is `AuditAction.label`). The log itself
/// keeps its codes (they are what the API gives and what an auditor searches for); the screen
/// shows names only, the action's code in the cell's title (shown on hovering).
enum AuditLabels {
    static let targets: [String: String] = [
        "account": "账户", "application": "申报", "org": "机构", "plan": "申报计划", "committee": "评委会", "expert": "专家",
        "session": "评审会", "objection": "异议", "tenant": "系统", "message": "消息", "attachment": "附件", "received_application": "报送的申报",
        "received_file": "报送的附件文件",
        "unit": "地市单位", "applicant": "地市申报人",
    ]

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
        "message_id": "消息", "status": "状态", "province_levels": "报送省级的级别", "id": "编号", "sha256": "SHA-256", "size": "大小（字节）", "enabled": "启用",
        "phone": "电话", "email": "电子邮箱", "division_code": "行政区划代码", "rule": "表决规则", "expert": "专家", "specialty": "专业",
        "received_application": "报送的申报", "series_permissions": "系列权限", "section_permissions": "内容权限", "bytes": "字节",
        "undelivered": "未送达消息", "token": "恢复标识", "place": "地点", "time": "时间", "date": "日期", "vote": "投票", "score": "评分",
        "was": "原状态", "city": "地市", "unit_code": "单位编号", "experts": "专家", "former": "原名称", "office": "职改办名称", "former_office": "职改办原名称",
        "backup": "备份文件", "pruned": "删除的旧备份", "restore": "恢复标识", "finished_after_stop": "重启后完成",
        "finished_after_error": "出错后完成", "finished_before_resume": "恢复服务前完成", "finished_before_next_restore": "下次恢复前完成",
        "from_unit": "调出单位", "to_unit": "调入单位", "drafts": "随人调动的草稿", "staying": "留在原单位审查的申报",
        "moves_cancelled": "撤销的待接收调动", "demo": "演示数据", "items": "明细",
        "left_out": "未计入的专家", "panel_size": "评审专家人数", "source_application_id": "地市申报编号", "type": "类型",
        "inputs_sha256": "抽取依据 SHA-256", "objection_message_id": "异议消息", "familiar_source": "常用登录地址",
    ]

    /// A key whose value is a list says something else than the same key holding a number:
    /// a draw lists its panel's and reserves' experts (by id), a close counts the panel.
    static let listKeys: [String: String] = ["panel": "评审专家（编号）", "reserves": "备选专家（编号）"]

    /// Keys one action uses in a sense of its own: a received application's `from` is the city
    /// it came from (a restore's is the backup file, a rename's the former name).
    static let actionKeys: [String: [String: String]] = [
        AuditAction.applicationReceive.rawValue: ["from": "报送地市"],
        AuditAction.applicationReceiveAgain.rawValue: ["from": "报送地市"],
        AuditAction.applicationFileReceive.rawValue: ["from": "报送地市"],
    ]

    /// The label of `key` holding `value` in a row of `action`.
    static func key(_ key: String, _ value: JSONValue, action: String?) -> String {
        if let action, let own = actionKeys[action]?[key] { return own }
        if case .array = value, let list = listKeys[key] { return list }
        return detailKeys[key] ?? key
    }

    /// A recorded detail (a JSON object) as "名称：值；…", keys in the order written, values by their
    /// Chinese labels where the key says what they are (a step, a decision, a reason, a kind,
    /// roles); an empty object is nothing, and anything else is shown as it is.
    static func detail(_ json: String, action: String? = nil) -> String {
        guard case .object(let members)? = try? JSONValue.parse(json) else { return json }
        return members.map { key, value in "\(Self.key(key, value, action: action))：\(Self.value(value, key: key))" }.joined(separator: "；")
    }

    static func value(_ value: JSONValue, key: String) -> String {
        switch value {
        case .string(let text):
            switch key {
            case "stage": return ReviewStage(rawValue: text)?.label ?? text
            case "decision": return ReviewDecision(rawValue: text)?.label ?? text
            case "reason": return ReturnReason(rawValue: text)?.label ?? text
            case "kind": return OrgKind(rawValue: text)?.label ?? ApplicationKind(rawValue: text)?.label ?? text
            case "state": return ProfileState(rawValue: text)?.label ?? ApplicationState(rawValue: text)?.label ?? ObjectionState(rawValue: text)?.label ?? text
            // The province a relayed message came from, by its tenant id.
            case "province": return "省职改办（\(text)）"
            case "roles": return StaffRole(rawValue: text)?.label ?? text
            case "was": return SessionState(rawValue: text)?.label ?? text
            default: return text
            }
        case .bool(let flag): return flag ? "是" : "否"
        case .number(let number): return number == number.rounded() && abs(number) < JSONValue.exactIntegers ? String(Int(number)) : String(number)
        case .bigInteger(let digits): return digits
        case .null: return "无"
        case .array(let list): return list.isEmpty ? "无" : list.map { Self.value($0, key: key) }.joined(separator: "、")
        // A member of a list (a plan's 明细: series, level, count) as its named parts.
        case .object(let members): return "（" + members.map { "\(detailKeys[$0] ?? $0)：\(Self.value($1, key: $0))" }.joined(separator: "，") + "）"
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
