import Foundation
import ZhichengCore
import ZhichengStorage

/// The province's side of a hand-over's files: listed for the screens that show a received
/// application's 附件, and served to whoever may read that section there.
enum ReceivedFiles {
    /// The files `snapshot` (a received application's `sections` or `previous_sections`) names,
    /// in its order, each with what the province holds of it from `source`, found among that
    /// city application's own files (`received_file_sources`).
    static func listed(_ snapshot: String?, source: String, application: Int, _ conn: SQLiteConnection) throws -> [ReceivedFile] {
        let named = SectionSnapshot.files(snapshot ?? "{}")
        guard !named.isEmpty else { return [] }
        let held = Dictionary(try conn.query("""
            SELECT f.sha256, f.mime, f.size FROM received_file_sources l JOIN received_files f ON f.source_tenant = l.source_tenant AND f.sha256 = l.sha256
            WHERE l.source_tenant = ? AND l.source_application_id = ? AND l.sha256 IN (SELECT value FROM json_each(?))
            """, [source, application, try CrossTenantRelay.json(named.map(\.sha256))]).map { ($0["sha256"].string ?? "", ($0["mime"].string ?? "", $0["size"].int ?? 0)) },
            uniquingKeysWith: { a, _ in a })
        return named.map { file in
            let stored = held[file.sha256]
            return ReceivedFile(name: file.name, sha256: file.sha256, size: stored?.1, mime: stored?.0)
        }
    }

    /// Whether `text` is a file's digest as the province keeps them: 64 hex digits, lower case.
    static func isDigest(_ text: String) -> Bool {
        text.utf8.count == 64 && text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }

    /// Whether the caller may read the 附件 of the received application `row`, as the province's
    /// screens show its sections: the office's admin (every section); a reviewer of the office
    /// in its series (not found otherwise, as the application is not) with 附件 among their
    /// content permissions (forbidden otherwise, as in a city); an expert of the panel of a
    /// review session that holds it (the session shows them every section; not found for any
    /// other expert). Throws when not; answers whether the caller is such an expert (who is shown
    /// the hand-over as it is now, not the one the office returned).
    @discardableResult
    static func requireReadable(_ row: SQLiteRow, caller: SignedIn, _ conn: SQLiteConnection) throws -> Bool {
        let id = row["id"].int ?? 0
        let missing = ApplicationKind(rawValue: row["kind"].string ?? "") == .expert ? "没有这个专家申报" : "没有这个报送到省里的申报"
        if let expert = try SessionService.expertID(of: caller, conn) {
            guard try conn.scalar("""
                SELECT EXISTS (SELECT 1 FROM session_applications sa JOIN session_experts m ON m.session_id = sa.session_id
                               WHERE sa.received_id = ? AND m.expert_id = ? AND m.role = 'panel')
                """, [id, expert])?.int == 1 else { throw ZhichengError.notFound(missing) }
            return true
        }
        let me = try ExpertService.requireProvinceOffice(caller, conn)
        guard caller.kind == .staff else { return false }
        guard me.permittedSeries.contains(row["series"].string ?? "") else { throw ZhichengError.notFound(missing) }
        guard me.permittedSections.contains(ApplicationSection.attachments.rawValue) else {
            throw ZhichengError(.forbidden, "您没有查看附件的权限")
        }
        return false
    }
}
