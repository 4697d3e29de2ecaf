import Foundation
import Logging
import ZhichengCore
import ZhichengStorage

/// The files of a hand-over (`application.forward`): its message carries the 附件 section's
/// files by name and SHA-256 only (`SectionSnapshot.files`); the bytes go from the city's
/// `attachments` to the province's `received_files` before the message itself is delivered.
extension CrossTenantRelay {
    /// What one copy of a hand-over's files did, for the log and the tests.
    struct FileCopies: Sendable, Equatable {
        /// Files copied now.
        var copied = 0
        /// Files the province held already for this application (an earlier submission, a copy
        /// before a crash), or whose bytes it held for another of the city's, found now among
        /// this one's files too.
        var held = 0
        /// Files the city no longer has (or whose bytes no longer match their digest, or whose
        /// type cannot be told from them): skipped, their names still listed by the application.
        var missing = 0
    }

    /// One file of the city's, read for a copy (its type is told again from the bytes).
    private struct CityFile: Sendable {
        var bytes: [UInt8]
    }

    /// Copies into `target` (the province; `db`, leased by the caller) every file `message` (a
    /// hand-over from `source`) names that was not found among that application's files before
    /// (`received_file_sources`, which alone lets the province serve it for that application): each
    /// read from the city's `attachments` of the application (a removed row too, whose bytes
    /// are kept when a submission named it: `ApplicationService.removeAttachment`), checked
    /// against its digest, and inserted in a transaction of its own with its audit row
    /// (`application.file-receive`), so that one file at a time is held in memory and a crash
    /// repeats only copies, which the unique (city, digest) makes do nothing. A file the city
    /// no longer has is skipped with a warning: it never holds the hand-over back (its name
    /// stays listed, shown as not received). Nothing for other kinds.
    @discardableResult
    func copyFiles(of message: Message, from source: TenantID, into db: Database, target: TenantID) async throws -> FileCopies {
        var result = FileCopies()
        guard message.kind == RelayMessageKind.forward.rawValue,
              let payload = (try? JSONSerialization.jsonObject(with: Data(message.payload.utf8))) as? [String: Any],
              let sourceID = payload["source_application_id"] as? Int, let sections = payload["sections"] as? String else { return result }
        var digests: [String] = []
        for file in SectionSnapshot.files(sections) where !digests.contains(file.sha256) { digests.append(file.sha256) }
        guard !digests.isEmpty else { return result }
        let wanted = try Self.json(digests)
        // Those found among this application's files before (a digest another application brought
        // is looked for among this one's all the same: a name may spell out another's digest).
        let held = try await db.read { conn in
            Set(try conn.query("""
                SELECT sha256 FROM received_file_sources WHERE source_tenant = ? AND source_application_id = ? AND sha256 IN (SELECT value FROM json_each(?))
                """, [source.rawValue, sourceID, wanted]).compactMap { $0["sha256"].string })
        }
        for digest in digests {
            if held.contains(digest) { result.held += 1; continue }
            // The row the application has now first, else the latest removed one with its bytes.
            let file = try await store.withTenant(source) { city in
                try await city.read { conn -> CityFile? in
                    guard let row = try conn.query("""
                        SELECT bytes FROM attachments WHERE owner = 'application' AND owner_id = ? AND sha256 = ? AND length(bytes) > 0
                        ORDER BY removed_at IS NULL DESC, id DESC LIMIT 1
                        """, [sourceID, digest]).first, case .blob(let bytes) = row["bytes"] else { return nil }
                    return CityFile(bytes: bytes)
                }
            }
            // Its type told from its bytes again, as the city's upload did: never a stored type taken on trust.
            guard let file, sha256Hex(file.bytes) == digest, let mime = try? DocumentType.detect(file.bytes) else {
                result.missing += 1
                logger.warning("relay: a file the hand-over names is not in the city (or its bytes no longer match, or are of no type a file may have); the application goes without it",
                               metadata: ["relay.message": "\(message.messageID)", "tenant.id": "\(source)", "application": "\(sourceID)",
                                          "sha256": "\(digest)", "found": "\(file != nil)"])
                continue
            }
            let inserted = try await db.write { conn in
                let inserted = try conn.run("""
                    INSERT INTO received_files (source_tenant, sha256, mime, size, bytes, received_at) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (source_tenant, sha256) DO NOTHING
                    """, [source.rawValue, digest, mime, file.bytes.count, file.bytes, Date().timeIntervalSince1970])
                try conn.run("""
                    INSERT INTO received_file_sources (source_tenant, source_application_id, sha256) VALUES (?, ?, ?)
                    ON CONFLICT DO NOTHING
                    """, [source.rawValue, sourceID, digest])
                if inserted == 1 {
                    try conn.appendTenantAudit(AuditEntry(
                        actor: "relay", action: .applicationFileReceive, target: "received_file:\(conn.lastInsertRowID)",
                        detail: #"{"from":\#(jsonString(source.rawValue)),"source_application_id":\#(sourceID),"sha256":"\#(digest)","size":\#(file.bytes.count)}"#,
                        source: "tenant:\(source)"))
                }
                return inserted
            }
            if inserted == 1 { result.copied += 1 } else { result.held += 1 }
            FaultInjection.point("relay.after-file.\(message.kind)")
        }
        if result.copied > 0 || result.missing > 0 {
            logger.info("relay: the files of a hand-over copied", metadata: [
                "relay.message": "\(message.messageID)", "tenant.id": "\(source)", "target": "\(target)",
                "files.copied": "\(result.copied)", "files.held": "\(result.held)", "files.missing": "\(result.missing)"])
        }
        return result
    }
}
