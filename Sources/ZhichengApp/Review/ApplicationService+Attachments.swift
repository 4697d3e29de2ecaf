import Foundation
import ZhichengCore
import ZhichengStorage

extension ApplicationService {
    // MARK: Attachments (附件)

    /// Adds a file (PDF, PNG or JPEG, told from its bytes) to the 附件 section while editable.
    public func addAttachment(_ applicationID: Int, name rawName: String, bytes: [UInt8], maxBytes: Int, caller: SignedIn) async throws -> AttachmentInfo {
        guard bytes.count <= maxBytes else { throw ZhichengError(.tooLarge, "附件不能超过 \(FileSize.text(maxBytes, roundingDown: true))") }
        let mime = try DocumentType.detect(bytes)
        let name = AttachmentName.fitted(try AttachmentName.validate(rawName), toType: mime)
        let digest = sha256Hex(bytes)
        return try await store.write(caller) { conn in
            let (id, chain) = try Self.ownApplication(applicationID, caller: caller, conn)
            guard chain.state.editableByApplicant else { throw ZhichengError.conflict("申报当前状态为“\(chain.state.label)”，不能修改附件") }
            guard (try conn.scalar("SELECT count(*) FROM attachments WHERE owner = 'application' AND owner_id = ? AND removed_at IS NULL", [id])?.int ?? 0) < 20 else {
                throw ZhichengError.conflict("每份申报最多20个附件")
            }
            try conn.run("INSERT INTO attachments (owner, owner_id, name, mime, size, sha256, bytes, uploaded_by, created_at) VALUES ('application', ?, ?, ?, ?, ?, ?, ?, ?)",
                         [id, name, mime, bytes.count, digest, bytes, caller.accountID, Date().timeIntervalSince1970])
            let attachment = Int(conn.lastInsertRowID)
            try conn.run("UPDATE applications SET version = version + 1, updated_at = ? WHERE id = ?", [Date().timeIntervalSince1970, id])
            try conn.appendAudit(caller.audit(.applicationAttachmentAdd, target: "application:\(id)", detail: #"{"attachment":\#(attachment),"sha256":"\#(digest)"}"#))
            return AttachmentInfo(id: attachment, name: name, mime: mime, size: bytes.count, sha256: digest)
        }
    }

    /// Removes a file from a draft or returned application. Its row stays, marked removed
    /// (nothing leaves an application's history, and no other file gets its id); the
    /// snapshots of earlier submissions name it with its digest. A file no submission has
    /// included (no snapshot names its digest) also gives up its bytes: no reviewer saw it, and
    /// adding and removing files kept every byte for ever (5 MiB a time, by script).
    public func removeAttachment(_ applicationID: Int, attachment: Int, caller: SignedIn) async throws {
        try await store.write(caller) { conn in
            let (id, chain) = try Self.ownApplication(applicationID, caller: caller, conn)
            guard chain.state.editableByApplicant else { throw ZhichengError.conflict("申报当前状态为“\(chain.state.label)”，不能修改附件") }
            guard try conn.run("""
                UPDATE attachments SET removed_at = ?1,
                    bytes = CASE WHEN NOT EXISTS (SELECT 1 FROM application_snapshots s WHERE s.application_id = ?3 AND instr(s.sections, attachments.sha256) > 0)
                                 THEN x'' ELSE bytes END
                WHERE id = ?2 AND owner = 'application' AND owner_id = ?3 AND removed_at IS NULL
                """, [Date().timeIntervalSince1970, attachment, id]) == 1 else {
                throw ZhichengError.notFound("没有这个附件")
            }
            try conn.run("UPDATE applications SET version = version + 1, updated_at = ? WHERE id = ?", [Date().timeIntervalSince1970, id])
            try conn.appendAudit(caller.audit(.applicationAttachmentRemove, target: "application:\(id)", detail: #"{"attachment":\#(attachment)}"#))
        }
    }

    /// The files of an application, for whoever may see its 附件 section.
    public func attachments(_ applicationID: Int, caller: SignedIn) async throws -> [AttachmentInfo] {
        try await store.read(caller) { conn in
            let view = try Self.view(applicationID, for: caller, conn)
            guard !view.hiddenSections.contains(ApplicationSection.attachments.rawValue) || caller.kind == .applicant else {
                throw ZhichengError(.forbidden, "您没有查看附件的权限")
            }
            return try Self.attachmentList(applicationID, conn)
        }
    }

    public func attachment(_ applicationID: Int, attachment: Int, caller: SignedIn) async throws -> FileRecord {
        try await store.read(caller) { conn in
            let view = try Self.view(applicationID, for: caller, conn)
            guard !view.hiddenSections.contains(ApplicationSection.attachments.rawValue) || caller.kind == .applicant else {
                throw ZhichengError(.forbidden, "您没有查看附件的权限")
            }
            guard let row = try conn.query("SELECT id, name, mime, bytes FROM attachments WHERE id = ? AND owner = 'application' AND owner_id = ? AND removed_at IS NULL",
                                           [attachment, applicationID]).first,
                  case .blob(let bytes) = row["bytes"] else { throw ZhichengError.notFound("没有这个附件") }
            let mime = row["mime"].string ?? "application/octet-stream"
            // Fitted again for a file stored before names were fitted at upload.
            return FileRecord(id: attachment, mime: mime, bytes: bytes, name: row["name"].string.map { AttachmentName.fitted($0, toType: mime) })
        }
    }

    static func attachmentList(_ id: Int, _ conn: SQLiteConnection) throws -> [AttachmentInfo] {
        try conn.query("SELECT id, name, mime, size, sha256 FROM attachments WHERE owner = 'application' AND owner_id = ? AND removed_at IS NULL ORDER BY id", [id]).map {
            let mime = $0["mime"].string ?? ""
            return AttachmentInfo(id: $0["id"].int ?? 0, name: AttachmentName.fitted($0["name"].string ?? "", toType: mime), mime: mime,
                                  size: $0["size"].int ?? 0, sha256: $0["sha256"].string ?? "")
        }
    }
}
