import Crypto
import Foundation
import ZhichengCore
import ZhichengStorage

/// A new org and its admin's first credentials (shown once).
public struct CreatedOrg: Sendable {
    public var org: OrgRecord
    public var adminLogin: String
    public var adminPassword: String
}

/// A sub-unit as the parent's 单位管理 list shows it.
public struct SubOrgRow: Sendable {
    public var org: OrgRecord
    public var admin: AccountRecord?
}

/// 单位管理, 单位信息维护 and its 审核, 印章管理 (manual §1, §2, §7): the org tree
/// and each org's info, admin account, certificate and seal.
public struct OrgService: Sendable {
    let store: TenantStore
    let hasher: PasswordHasher
    /// Carries a unit's new name to the province, which holds applications of it (`rename`).
    let relay: CrossTenantRelay?
    public var maxUploadBytes: Int

    public init(store: TenantStore, hasher: PasswordHasher = .init(), relay: CrossTenantRelay? = nil, maxUploadBytes: Int = 5 << 20) {
        self.store = store
        self.hasher = hasher
        self.relay = relay
        self.maxUploadBytes = maxUploadBytes
    }

    /// Gives `org` its new name, in the caller's transaction: by its parent (单位管理's
    /// 修改) or by itself (单位信息维护). The one place a name changes, so that the province
    /// learns it: if the city handed over applications of the unit, the province's copies of
    /// them (its lists of received applications, the 专家信息库) take the name the city uses
    /// now, a correction. What was decided stays as decided: the city's opinions the hand-over
    /// carried keep the name each was given under (schema v25).
    /// The message names those applications by their ids, which the province knows them by
    /// and which are never given twice under a city's id (a unit's code may be: a city created
    /// again, or restored to an older backup, counts codes from the start again; and a
    /// hand-over before schema v22 carried no code).
    /// Returns whether a message to the province was written (the caller kicks the relay).
    static func rename(_ org: OrgRecord, to name: String, tenant: TenantID, _ conn: SQLiteConnection) throws -> Bool {
        try conn.run("UPDATE orgs SET name = ? WHERE id = ?", [name, org.id])
        let handedOver = try CrossTenantRelay.handedOver(.ofUnit(org.id), conn)
        // People who moved to the unit (人员调动) after an expert recommendation of theirs was
        // handed over: an expert admitted from it works here now (`applicant.moved`).
        let movedIn = try CrossTenantRelay.handedOver(.expertsMovedInto(org.id), conn)
        guard !handedOver.isEmpty || !movedIn.isEmpty else { return false }
        var payload: [String: Any] = ["unit_code": org.code, "name": name, "source_application_ids": handedOver]
        if !movedIn.isEmpty { payload["expert_application_ids"] = movedIn }
        try CrossTenantRelay.enqueue("org.renamed", id: CrossTenantRelay.messageID(tenant.rawValue, "org.renamed", org.code), to: CrossTenantRelay.provinceTarget,
                                     payload: payload, conn)
        return true
    }

    // MARK: Tree

    public func org(_ id: Int, caller: SignedIn) async throws -> OrgRecord {
        try await store.read(caller) { conn in
            try Access.requireApprovedOrg(caller, conn)
            return try Access.visibleOrg(id, caller: caller, conn)
        }
    }

    /// The children of a visible org, with each one's admin account.
    public func children(of id: Int, caller: SignedIn) async throws -> [SubOrgRow] {
        try Access.requireOrgAdmin(caller)
        return try await store.read(caller) { conn in
            try Access.requireApprovedOrg(caller, conn)
            _ = try Access.visibleOrg(id, caller: caller, conn)
            let admins = try conn.childAdmins(of: id)
            return try conn.children(of: id).map { SubOrgRow(org: $0, admin: admins[$0.id]) }
        }
    }

    /// Adds a child org under `parentID` with its admin account (login = the new code).
    public func createChild(of parentID: Int, name rawName: String, kind rawKind: String, caller: SignedIn) async throws -> CreatedOrg {
        try Access.requireOrgAdmin(caller)
        let name = try TenantInfo.validateName(rawName)
        let kind = try OrgKind(parsing: rawKind)
        let password = OneTimePassword.generate()
        let hash = try await hasher.hash(password)
        return try await store.write(caller) { conn in
            try Access.requireApprovedOrg(caller, conn)
            let parent = try Access.visibleOrg(parentID, caller: caller, conn)
            guard parent.kind.mayContain(kind) else {
                throw ZhichengError.invalid("\(parent.kind.label)下不能添加\(kind.label)", field: "kind")
            }
            try OrgTree.requireRoom(parentLevel: try conn.level(of: parent.id), field: "parent_id")
            try Self.requireUniqueName(name, under: parent.id, field: "name", conn)
            let code = try Self.allocateCode(parent: parent, kind: kind, name: name, conn)
            let now = Date().timeIntervalSince1970
            var profile = UnitProfile()
            profile.name = name
            let profileJSON = String(decoding: try JSONEncoder.snake.encode(profile), as: UTF8.self)
            try conn.run("INSERT INTO orgs (parent_id, code, name, kind, profile_state, profile, created_at) VALUES (?, ?, ?, ?, 'draft', ?, ?)",
                         [parent.id, code, name, kind.rawValue, profileJSON, now])
            let orgID = Int(conn.lastInsertRowID)
            try conn.run("INSERT INTO accounts (org_id, login, name, kind, password_hash, must_change_password, enabled, created_at) VALUES (?, ?, '系统管理员', 'org_admin', ?, 1, 1, ?)",
                         [orgID, code, hash, now])
            try conn.appendAudit(caller.audit(.orgCreate, target: "org:\(orgID)",
                                              detail: #"{"code":"\#(code)","name":\#(jsonString(name)),"kind":"\#(kind.rawValue)","parent":\#(parent.id)}"#, orgID: parent.id))
            guard let org = try conn.org(orgID) else { throw ZhichengError.internal("org vanished") }
            return CreatedOrg(org: org, adminLogin: code, adminPassword: password)
        }
    }

    /// Refuses a name another live org under the same parent has: in 机构树, 申报人员状态查询 and
    /// an application's route the name is how people tell units apart (a form posted twice,
    /// e.g. from a reloaded page, would otherwise add the same unit twice).
    static func requireUniqueName(_ name: String, under parentID: Int, except id: Int? = nil, field: String, _ conn: SQLiteConnection) throws {
        let taken = try conn.scalar("SELECT count(*) FROM orgs WHERE parent_id = ? AND name = ? AND deleted_at IS NULL AND id != ?",
                                    [parentID, name, id ?? 0])?.int ?? 0
        guard taken == 0 else { throw ZhichengError(.conflict, "同一上级下已有名为“\(name)”的机构", field: field) }
    }

    /// The next unused code for a child; sequences only grow, so codes are never reused.
    static func allocateCode(parent: OrgRecord, kind: OrgKind, name: String, _ conn: SQLiteConnection) throws -> String {
        if kind == .office, let district = OrgCode.districtCode(under: parent.code, named: name),
           try conn.scalar("SELECT count(*) FROM orgs WHERE code = ?", [district])?.int == 0 {
            return district
        }
        let column = "next_\(kind.rawValue)_seq"
        var sequence = try conn.scalar("SELECT \(column) FROM orgs WHERE id = ?", [parent.id])?.int ?? 1
        if kind == .office, parent.code.count == 4 {
            // Under a city, 01–70 are the GB/T 2260 codes of its districts and counties;
            // other offices (development zones …) count from 71 so they never take one.
            sequence = max(sequence, 71)
        }
        while true {
            let code = try OrgCode.child(of: parent.code, kind: kind, sequence: sequence)
            sequence += 1
            let reserved = kind == .office && Division.henan.contains { $0.code == code }
            if !reserved, try conn.scalar("SELECT count(*) FROM orgs WHERE code = ?", [code])?.int == 0 {
                try conn.run("UPDATE orgs SET \(column) = ? WHERE id = ?", [sequence, parent.id])
                return code
            }
        }
    }

    /// Renames and/or moves an org the caller manages, the new parent named by its id.
    public func update(_ id: Int, name rawName: String?, parentID: Int?, caller: SignedIn) async throws -> OrgRecord {
        try await update(id, name: rawName, parent: parentID.map(NewParent.id), caller: caller)
    }

    /// Renames and/or moves an org the caller manages. A move stays inside the
    /// caller's subtree and never under the org itself; the code does not change.
    /// The new parent by its id, or by its 单位编号 (`parentID(_:moving:caller:_:)`).
    public func update(_ id: Int, name rawName: String?, parent rawParent: NewParent?, caller: SignedIn) async throws -> OrgRecord {
        try Access.requireOrgAdmin(caller)
        let name = try rawName.map { (n: String) throws(ZhichengError) in try TenantInfo.validateName(n) }
        let parent = try rawParent.map { (p: NewParent) throws(ZhichengError) -> NewParent in
            guard case .code(let typed) = p else { return p }
            return .code(try OrgCode.typed(typed, of: "新上级机构", field: "parent_code"))
        }
        let (updated, told) = try await store.write(caller) { conn -> (OrgRecord, Bool) in
            try Access.requireApprovedOrg(caller, conn)
            let org = try Access.managedOrg(id, caller: caller, conn)
            let parentID = try parent.map { try Self.parentID($0, moving: org, caller: caller, conn) }
            let renamed = name.map { $0 != org.name } ?? false, moved = parentID.map { $0 != org.parentID } ?? false
            if moved, let parentID {
                let target = try Access.visibleOrg(parentID, caller: caller, conn)
                guard !(try conn.subtree(of: id)).contains(target.id) else {
                    throw ZhichengError.invalid("不能把机构移到它自己或它的下级之下", field: "parent_id")
                }
                guard target.kind.mayContain(org.kind) else {
                    throw ZhichengError.invalid("\(target.kind.label)下不能放\(org.kind.label)", field: "parent_id")
                }
                try OrgTree.requireRoom(parentLevel: try conn.level(of: target.id), height: try conn.subtreeHeight(of: id), field: "parent_id")
                // An application under way keeps the route it was submitted on, also one at the
                // province, which the province may send back to climb that route again.
                let subtree = try conn.subtree(of: id)
                let underWay = try conn.scalar("""
                    SELECT count(*) FROM applications WHERE state IN ('in_review', 'returned', 'awaiting_province') AND org_id IN (\(subtree.map { _ in "?" }.joined(separator: ",")))
                    """, subtree)?.int ?? 0
                guard underWay == 0 else {
                    throw ZhichengError.conflict("该机构（含下级）有 \(underWay) 份申报正在审查、退回修改中或在省里审查，审查结束后方可移动")
                }
            }
            // Checked where it goes, once the caller may put it there (a name under a parent the
            // caller cannot see is never told).
            if renamed || moved, let parent = parentID ?? org.parentID {
                try Self.requireUniqueName(name ?? org.name, under: parent, except: id, field: renamed ? "name" : "parent_id", conn)
            }
            var changes: [String] = []
            var told = false
            if renamed, let name {
                told = try Self.rename(org, to: name, tenant: caller.tenant, conn)
                // The 单位信息 form shows (and saves back) the profile's name: it follows, or the
                // unit's next save would undo the rename.
                var profile = org.profile
                profile.name = name
                try conn.saveProfile(id, profile)
                changes.append(#""name":\#(jsonString(name))"#)
            }
            if moved, let parentID {
                try conn.run("UPDATE orgs SET parent_id = ? WHERE id = ?", [parentID, id])
                changes.append(#""parent_id":\#(parentID)"#)
            }
            if !changes.isEmpty {
                try conn.appendAudit(caller.audit(.orgUpdate, target: "org:\(id)", detail: "{" + changes.joined(separator: ",") + "}", orgID: org.parentID))
            }
            return (try conn.org(id)!, told)
        }
        if told { relay?.kick(caller.tenant) }
        return updated
    }

    /// Deletes an org the caller manages, refused while anything depends on it.
    /// The row stays (marked deleted) so its code is never reused.
    public func delete(_ id: Int, caller: SignedIn) async throws {
        try await store.write(caller) { conn in
            try Access.requireApprovedOrg(caller, conn)
            let org = try Access.managedOrg(id, caller: caller, conn)
            if !(try conn.children(of: id)).isEmpty { throw ZhichengError.conflict("\(org.name)下还有下级机构，不能删除") }
            let people = try conn.scalar("SELECT count(*) FROM accounts WHERE org_id = ? AND kind != 'org_admin' AND deleted_at IS NULL", [id])?.int ?? 0
            if people > 0 { throw ZhichengError.conflict("\(org.name)还有\(people)个人员或申报人账户，不能删除") }
            // An application still on its way would be left with an org nobody can act for.
            let live = try conn.scalar("""
                SELECT count(*) FROM applications WHERE (org_id = ? OR current_org_id = ?) AND state IN (\(ApplicationState.underWaySQL))
                """, [id, id])?.int ?? 0
            if live > 0 { throw ZhichengError.conflict("\(org.name)还有\(live)份申报在审查、退回修改或评审中，不能删除") }
            let now = Date().timeIntervalSince1970
            // A 人员调动 offered to it that waits ends with it: the person stays where they are,
            // and the unit that offered it finds why in its 操作日志.
            var waiting = 0
            for row in try conn.query("SELECT id FROM applicant_moves WHERE to_org_id = ? AND state = 'pending' ORDER BY id", [id]) {
                if try PeopleService.cancelWaiting(row["id"].int ?? 0, reason: "调入单位已删除", by: caller, conn) != nil { waiting += 1 }
            }
            try conn.run("UPDATE orgs SET deleted_at = ? WHERE id = ?", [now, id])
            for account in try conn.query("SELECT id FROM accounts WHERE org_id = ? AND deleted_at IS NULL", [id]) {
                if let accountID = account["id"].int { try conn.retireAccount(accountID) }
            }
            try conn.appendAudit(caller.audit(.orgDelete, target: "org:\(id)",
                                              detail: #"{"code":"\#(org.code)"\#(waiting > 0 ? #","moves_cancelled":\#(waiting)"# : "")}"#, orgID: org.parentID))
        }
    }

    // MARK: Unit info (单位信息维护) and review (审核)

    public func profile(of id: Int, caller: SignedIn) async throws -> OrgRecord {
        try await store.read(caller) { conn in try Access.visibleOrg(id, caller: caller, conn) }
    }

    /// What 所属地市(或省直) starts with in the 单位信息 form of an org that has not filled it in
    /// (`UnitProfile.suggestedCity`): the city of the tenant (`division`) and the district the
    /// org's code falls in, which the codes of its ancestors confirm. Only the name of a division
    /// is told, none of the ancestors the caller may not see.
    public func suggestedCity(of id: Int, in division: DivisionCode, caller: SignedIn) async throws -> String? {
        try await store.read(caller) { conn in
            let org = try Access.visibleOrg(id, caller: caller, conn)
            let ancestors = try conn.ancestors(of: org.id).compactMap { try conn.org($0)?.code }
            return UnitProfile.suggestedCity(tenant: division, code: org.code, ancestorCodes: ancestors)
        }
    }

    /// Saves the caller's own org info as a draft: every filled-in field is validated.
    public func saveProfile(of id: Int, _ profile: UnitProfile, caller: SignedIn) async throws -> OrgRecord {
        try Access.requireOrgAdmin(caller)
        let checked = try profile.validated(complete: false)
        let (saved, told) = try await store.write(caller) { conn -> (OrgRecord, Bool) in
            let org = try Access.ownOrg(id, caller: caller, conn)
            guard org.profileState != .submitted else { throw ZhichengError.conflict("单位信息已提交，等待上级审核，暂不能修改") }
            if !checked.name.isEmpty, checked.name != org.name, let parent = org.parentID {
                try Self.requireUniqueName(checked.name, under: parent, except: id, field: "name", conn)
            }
            let placed = try checked.placed(as: org.kind)
            // Approved info stays approved when corrected (the unit keeps working), so a
            // correction must leave it complete, as it was when approved.
            if org.parentID != nil, org.profileState == .approved { _ = try placed.validated(complete: true) }
            try conn.saveProfile(id, placed)
            let told = !checked.name.isEmpty && checked.name != org.name ? try Self.rename(org, to: checked.name, tenant: caller.tenant, conn) : false
            // The change is in the audit log its ancestors read.
            try conn.appendAudit(caller.audit(.orgProfileSave, target: "org:\(id)",
                                              detail: #"{"state":"\#(org.profileState.rawValue)"}"#))
            return (try conn.org(id)!, told)
        }
        if told { relay?.kick(caller.tenant) }
        return saved
    }

    /// Submits the caller's own org info for review: it must be complete and have a certificate.
    public func submitProfile(of id: Int, caller: SignedIn) async throws -> OrgRecord {
        try await store.write(caller) { conn in
            let org = try Access.ownOrg(id, caller: caller, conn)
            guard org.parentID != nil else { throw ZhichengError.conflict("顶级职改办无需提交审核") }
            guard org.profileState == .draft || org.profileState == .rejected else {
                throw ZhichengError.conflict("单位信息当前状态为“\(org.profileState.label)”，不能再次提交")
            }
            _ = try org.profile.validated(complete: true)
            guard org.certificateFileID != nil else { throw ZhichengError.invalid("请上传一张带有本单位统一社会信用代码的证件图片", field: "certificate") }
            try conn.run("UPDATE orgs SET profile_state = 'submitted', profile_reject_reason = NULL WHERE id = ?", [id])
            try conn.appendAudit(caller.audit(.orgProfileSubmit, target: "org:\(id)"))
            return try conn.org(id)!
        }
    }

    /// The parent's 审核: approve, or reject with a reason the unit sees.
    public func reviewProfile(of id: Int, approve: Bool, reason rawReason: String?, caller: SignedIn) async throws -> OrgRecord {
        try Access.requireOrgAdmin(caller)
        let reason = approve ? try FreeText.returnReason.validate(rawReason) : try FreeText.returnReason.require(rawReason, else: "退回时请填写原因")
        return try await store.write(caller) { conn in
            try Access.requireApprovedOrg(caller, conn)
            let org = try Access.managedOrg(id, caller: caller, conn)
            guard org.parentID == caller.orgID else { throw ZhichengError(.forbidden, "单位信息由直接上级审核") }
            guard org.profileState == .submitted else { throw ZhichengError.conflict("该单位信息尚未提交，无需审核") }
            try conn.run("UPDATE orgs SET profile_state = ?, profile_reject_reason = ? WHERE id = ?",
                         [approve ? "approved" : "rejected", approve ? nil : reason as String?, id])
            try conn.appendAudit(caller.audit(approve ? .orgProfileApprove : .orgProfileReject, target: "org:\(id)",
                                              detail: #"{"reason":\#(jsonString(reason))}"#, orgID: caller.orgID))
            return try conn.org(id)!
        }
    }

    // MARK: Sub-org admin (编辑信息, 初始化密码)

    public func updateAdmin(of id: Int, name: String?, phone: String?, email: String?, caller: SignedIn) async throws -> AccountRecord {
        try Access.requireOrgAdmin(caller)
        let name = try name.map { (n: String) throws(ZhichengError) in try TenantInfo.validateName(n) }
        let phone = try phone.map { (p: String) throws(ZhichengError) in try ContactValidation.optionalPhone(p) }
        let email = try email.map { (e: String) throws(ZhichengError) in e.isEmpty ? e : try ContactValidation.email(e) }
        return try await store.write(caller) { conn in
            try Access.requireApprovedOrg(caller, conn)
            let org = try Access.managedOrg(id, caller: caller, conn)
            guard let admin = try conn.adminAccount(of: org.id) else { throw ZhichengError.notFound("该机构没有系统管理员账户") }
            try conn.run("UPDATE accounts SET name = ?, phone = ?, email = ? WHERE id = ?", [name ?? admin.name, phone ?? admin.phone, email ?? admin.email, admin.id])
            try conn.appendAudit(caller.audit(.orgAdminUpdate, target: "account:\(admin.id)", orgID: org.id))
            return try conn.account(admin.id)!
        }
    }

    /// 初始化密码: a new one-time password for a sub-org's admin.
    public func resetAdminPassword(of id: Int, caller: SignedIn) async throws -> (login: String, password: String) {
        let password = OneTimePassword.generate()
        let hash = try await hasher.hash(password)
        return try await store.write(caller) { conn in
            try Access.requireApprovedOrg(caller, conn)
            let org = try Access.managedOrg(id, caller: caller, conn)
            guard let admin = try conn.adminAccount(of: org.id) else { throw ZhichengError.notFound("该机构没有系统管理员账户") }
            try conn.resetPassword(accountID: admin.id, oneTimeHash: hash)
            try conn.appendAudit(caller.audit(.orgAdminResetPassword, target: "account:\(admin.id)", orgID: org.id))
            return (admin.login, password)
        }
    }

    // MARK: Certificate and seal

    public enum ImagePurpose: String, Sendable { case certificate, seal }

    /// Stores an uploaded certificate or seal for the caller's own org; the type is
    /// told from the bytes, and the size is limited.
    public func upload(_ purpose: ImagePurpose, of id: Int, bytes: [UInt8], caller: SignedIn) async throws {
        guard bytes.count <= maxUploadBytes else { throw ZhichengError(.tooLarge, "图片不能超过 \(FileSize.text(maxUploadBytes, roundingDown: true))") }
        let type = try ImageType.detect(bytes)
        let digest = sha256Hex(bytes)
        try await store.write(caller) { conn in
            let org = try Access.ownOrg(id, caller: caller, conn)
            if purpose == .seal { try Access.requireApprovedOrg(caller, conn) }
            if purpose == .certificate, org.profileState == .submitted {
                throw ZhichengError.conflict("单位信息已提交，等待上级审核，暂不能更换证件")
            }
            try conn.run("INSERT INTO files (org_id, purpose, mime, size, sha256, bytes, uploaded_by, created_at) VALUES (?,?,?,?,?,?,?,?)",
                         [id, purpose.rawValue, type.rawValue, bytes.count, digest, bytes, caller.accountID, Date().timeIntervalSince1970])
            let fileID = Int(conn.lastInsertRowID)
            try conn.run("UPDATE orgs SET \(purpose.rawValue)_file_id = ? WHERE id = ?", [fileID, id])
            try conn.appendAudit(caller.audit(purpose == .seal ? .orgSealUpload : .orgCertificateUpload, target: "org:\(id)",
                                              detail: #"{"sha256":"\#(digest)","bytes":\#(bytes.count),"type":"\#(type.rawValue)"}"#))
        }
    }

    /// Who may read a seal's image (of an org they can see): its admins, and admins above it,
    /// who print the 评审表 it is stamped on. Not reviewers, not applicants.
    public static func mayReadSeal(_ caller: SignedIn) -> Bool { caller.kind == .orgAdmin }

    /// The current certificate or seal image of a visible org. The seal only for an org
    /// admin (the org's own, or one above it): an official seal's image is not for every
    /// reviewer and applicant of the org to download (`mayReadSeal`).
    public func image(_ purpose: ImagePurpose, of id: Int, caller: SignedIn) async throws -> FileRecord {
        try await store.read(caller) { conn in
            let org = try Access.visibleOrg(id, caller: caller, conn)
            if purpose == .seal, !Self.mayReadSeal(caller) { throw ZhichengError(.forbidden, "只有单位系统管理员可以查看印章") }
            guard let fileID = purpose == .seal ? org.sealFileID : org.certificateFileID, let file = try conn.file(fileID) else {
                throw ZhichengError.notFound(purpose == .seal ? "尚未上传印章" : "尚未上传证件图片")
            }
            return file
        }
    }

    // MARK: Audit

    /// The most entries `audit` reads for one call (a larger `limit` is taken as this).
    public static let auditMaximum = 500

    /// Audit entries of the caller's org and its descendants, newest first; the root office's
    /// also those filed under no org: the tenant's own (suspended, backed up, restored,
    /// archived), which earlier versions wrote so (`appendTenantAudit` files them under it now).
    ///
    /// A few orgs (a unit, a department: up to 64, or up to 1,000 that are at most a quarter
    /// of the tenant's): the newest page of each from `audit_org` (schema v18), merged; their
    /// entries may be rare in the tenant's log, which it once walked from the newest for every
    /// page. Many orgs (an office's whole tree): the log from the newest, where their entries
    /// are most of it.
    public func audit(caller: SignedIn, limit: Int = 100, before: Int? = nil) async throws -> [AuditRow] {
        try Access.requireOrgAdmin(caller)
        let limit = Paging.clamp(limit, maximum: Self.auditMaximum)
        return try await store.read(caller) { conn in
            try Access.requireApprovedOrg(caller, conn)
            let orgs = try conn.subtreeIncludingDeleted(of: caller.orgID)
            let root = try conn.scalar("SELECT parent_id IS NULL FROM orgs WHERE id = ?", [caller.orgID])?.int == 1
            let columns = "seq, at, actor, org_id, action, target, detail, source"
            let rows: [SQLiteRow]
            let total = try conn.scalar("SELECT count(*) FROM orgs")?.int ?? 0
            if Self.readsByOrg(subtree: orgs.count, total: total) {
                // Org by org (the root office: and no org), only the entries' numbers (from the
                // index alone), each read stopping below the newest `limit` found so far; then
                // those entries, whole.
                var newest: [Int] = []
                for org in orgs.map(Optional.some) + (root ? [nil] : []) {
                    let floor = newest.count == limit ? newest[limit - 1] : 0
                    newest += try conn.rows("SELECT seq FROM audit INDEXED BY audit_org WHERE org_id \(org == nil ? "IS NULL" : "= ?") AND seq < ? AND seq > ? ORDER BY seq DESC LIMIT ?",
                                            (org.map { [$0] } ?? []) + [before ?? Int.max, floor, limit]) { $0.int(0) }
                    newest = Array(newest.sorted(by: >).prefix(limit))
                }
                rows = newest.isEmpty ? [] : try conn.query("SELECT \(columns) FROM audit WHERE seq IN (SELECT value FROM json_each(?)) ORDER BY seq DESC",
                                                            ["[" + newest.map(String.init).joined(separator: ",") + "]"])
            } else {
                let placeholders = orgs.map { _ in "?" }.joined(separator: ",")
                rows = try conn.query("""
                    SELECT \(columns) FROM audit NOT INDEXED WHERE (org_id IN (\(placeholders))\(root ? " OR org_id IS NULL" : "")) AND seq < ?
                    ORDER BY seq DESC LIMIT ?
                    """, orgs + [before ?? Int.max, limit])
            }
            return rows.map { row in
                AuditRow(seq: row["seq"].int ?? 0, entry: AuditEntry(row: row))
            }
        }
    }

    /// The names and codes of the orgs among `ids` in the caller's subtree (deleted ones too):
    /// how 操作日志 names an entry's target `org:<id>` (the id is the database's, not the 单位编号
    /// people know). Others are left out.
    public func auditOrgNames(_ ids: Set<Int>, caller: SignedIn) async throws -> [Int: (name: String, code: String)] {
        try Access.requireOrgAdmin(caller)
        guard !ids.isEmpty else { return [:] }
        return try await store.read(caller) { conn in
            let wanted = Array(Set(try conn.subtreeIncludingDeleted(of: caller.orgID)).intersection(ids))
            guard !wanted.isEmpty else { return [:] }
            let rows = try conn.query("SELECT id, name, code FROM orgs WHERE id IN (\(wanted.map { _ in "?" }.joined(separator: ",")))", wanted)
            return Dictionary(rows.compactMap { row in row["id"].int.map { ($0, (row["name"].string ?? "", row["code"].string ?? "")) } },
                              uniquingKeysWith: { a, _ in a })
        }
    }

    /// Up to this many orgs, the audit page is read org by org from `audit_org` whatever their share.
    static let auditOrgsByIndex = 64

    /// Whether a page of rows of `subtree` orgs (of the tenant's `total`) is read org by org
    /// from an index on the org: a few orgs (up to 64), or up to 1,000 that are at most a
    /// quarter of the tenant's; rather than by walking the table from the newest, where many
    /// orgs' rows are most of it (the 操作日志, 申报人员状态查询 with the units below).
    static func readsByOrg(subtree: Int, total: Int) -> Bool {
        subtree <= auditOrgsByIndex || (subtree <= 1000 && subtree * 4 <= total)
    }
}

/// One audit entry as `GET /audit` shows it: the entry and its place in the chain.
public struct AuditRow: Sendable {
    public var seq: Int
    public var entry: AuditEntry
}

