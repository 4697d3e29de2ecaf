import Foundation
import ZhichengCore
import ZhichengStorage

/// An objection's evidence files (证据材料, schema v43): stored with the objection, listed with
/// it, served to the committee's office and to whoever lodged it; those the relay brings from
/// a city with an objection to the province's result.
extension EvaluationService {
    /// A checked evidence file with its digest.
    struct EvidenceFile: Sendable {
        var name: String
        var mime: String
        var bytes: [UInt8]
        var sha256: String

        init(_ file: ObjectionEvidence.File) {
            name = file.name
            mime = file.mime
            bytes = file.bytes
            sha256 = sha256Hex(file.bytes)
        }

        /// What makes two objections' files the same: each file's name and digest, in order.
        var key: String { name + "\n" + sha256 }
    }

    /// Stores `files` as the evidence of objection `id`, in the caller's transaction.
    static func storeEvidence(_ files: [EvidenceFile], objection id: Int, _ conn: SQLiteConnection) throws {
        for (index, file) in files.enumerated() {
            try conn.run("INSERT INTO objection_files (objection_id, position, name, mime, size, sha256, bytes) VALUES (?, ?, ?, ?, ?, ?, ?)",
                         [id, index + 1, file.name, file.mime, file.bytes.count, file.sha256, file.bytes])
        }
    }

    /// The files of an audit row's detail (`,"files":[<sha256>,…]`), nothing when there are none.
    static func auditFiles(_ files: [EvidenceFile]) -> String {
        files.isEmpty ? "" : #","files":[\#(files.map { "\"\($0.sha256)\"" }.joined(separator: ","))]"#
    }

    /// The keys (`EvidenceFile.key`) of an objection's files, in order.
    static func evidenceKeys(objection id: Int, _ conn: SQLiteConnection) throws -> [String] {
        try conn.query("SELECT name, sha256 FROM objection_files WHERE objection_id = ? ORDER BY position", [id]).map {
            ($0["name"].string ?? "") + "\n" + ($0["sha256"].string ?? "")
        }
    }

    /// The same of an objection sent to the province (`sent_objection_files`).
    static func evidenceKeys(sentObjection id: Int, _ conn: SQLiteConnection) throws -> [String] {
        try conn.query("SELECT name, sha256 FROM sent_objection_files WHERE sent_objection_id = ? ORDER BY position", [id]).map {
            ($0["name"].string ?? "") + "\n" + ($0["sha256"].string ?? "")
        }
    }

    /// The files of the objections `ids` by objection, each list in order; never their bytes.
    static func evidenceFiles(objections ids: [Int], _ conn: SQLiteConnection) throws -> [Int: [ObjectionFileInfo]] {
        guard !ids.isEmpty else { return [:] }
        return Dictionary(grouping: try conn.query("""
            SELECT id, objection_id AS owner, name, mime, size FROM objection_files WHERE objection_id IN (SELECT value FROM json_each(?)) ORDER BY objection_id, position
            """, [try CrossTenantRelay.json(ids)]), by: { $0["owner"].int ?? 0 }).mapValues { rows in
            rows.map { ObjectionFileInfo(id: $0["id"].int, name: $0["name"].string ?? "", mime: $0["mime"].string ?? "", size: $0["size"].int ?? 0) }
        }
    }

    /// The files sent with the objections `ids` to the province, by name (no id: the city has no bytes to serve).
    static func evidenceFiles(sentObjections ids: [Int], _ conn: SQLiteConnection) throws -> [Int: [ObjectionFileInfo]] {
        guard !ids.isEmpty else { return [:] }
        return Dictionary(grouping: try conn.query("""
            SELECT sent_objection_id AS owner, name, mime, size FROM sent_objection_files
            WHERE sent_objection_id IN (SELECT value FROM json_each(?)) ORDER BY sent_objection_id, position
            """, [try CrossTenantRelay.json(ids)]), by: { $0["owner"].int ?? 0 }).mapValues { rows in
            rows.map { ObjectionFileInfo(id: nil, name: $0["name"].string ?? "", mime: $0["mime"].string ?? "", size: $0["size"].int ?? 0) }
        }
    }

    /// An evidence file of objection `objectionID`, for the admin of the office whose
    /// committee's result it objects to (who resolves it) and for the person who lodged it (an
    /// account of this tenant: one lodged from a city through the relay has none here, so at
    /// the province only the office reads it). Anyone else is told there is no such file, as
    /// for a file that does not exist: an objection is the office's to weigh, and the applicant
    /// and the route are not told of one (`objections`).
    public func objectionFile(_ objectionID: Int, file fileID: Int, caller: SignedIn) async throws -> FileRecord {
        try await store.read(caller) { conn in
            try Access.requireApprovedOrg(caller, conn)
            let missing = ZhichengError.notFound("没有这个证据材料")
            guard let row = try conn.query("""
                SELECT f.name, f.mime, o.account_id, c.org_id FROM objection_files f JOIN objections o ON o.id = f.objection_id
                JOIN evaluations e ON e.id = o.evaluation_id JOIN committees c ON c.id = e.committee_id
                WHERE f.id = ? AND f.objection_id = ?
                """, [fileID, objectionID]).first else { throw missing }
            let office = caller.kind == .orgAdmin && row["org_id"].int == caller.orgID
            let lodger = row["account_id"].int == caller.accountID
            guard office || lodger,
                  case .blob(let bytes) = try conn.query("SELECT bytes FROM objection_files WHERE id = ?", [fileID]).first?["bytes"] else { throw missing }
            return FileRecord(id: fileID, mime: row["mime"].string ?? "application/octet-stream", bytes: bytes, name: row["name"].string)
        }
    }

    /// Stores at the province the evidence files an `objection.lodge` message brings
    /// (`forwardObjection`) as the files of objection `id`, in the transaction that writes the
    /// objection and the message into the inbox (a message applied once, its files stored once).
    /// Each is held to the rules of a file lodged here (`ObjectionEvidence`, under its
    /// `relayCap`: the city's own limit is the city's) and to its digest; one that fails is left
    /// out and counted (the objection itself is taken in: it stood in time). Returns how many
    /// were stored and how many were left out.
    static func storeRelayedEvidence(_ sent: Any?, objection id: Int, _ conn: SQLiteConnection) throws -> (stored: Int, refused: Int) {
        guard let sent else { return (0, 0) }
        guard let entries = sent as? [Any] else { return (0, 1) }
        var files: [EvidenceFile] = []
        var refused = 0
        for entry in entries {
            guard files.count < ObjectionEvidence.maxFiles, let entry = entry as? [String: Any], let name = entry["name"] as? String,
                  let encoded = entry["base64"] as? String, let data = Data(base64Encoded: encoded),
                  let checked = try? ObjectionEvidence.validate([ObjectionEvidence.Upload(name: name, bytes: Array(data))], maxBytes: ObjectionEvidence.relayCap).first,
                  sha256Hex(checked.bytes) == entry["sha256"] as? String else {
                refused += 1
                continue
            }
            files.append(EvidenceFile(checked))
        }
        try storeEvidence(files, objection: id, conn)
        return (files.count, refused)
    }
}
