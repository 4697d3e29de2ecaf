import Foundation
import ZhichengCore
import ZhichengStorage

/// A file a received application's 附件 names, as the province lists it: the name and digest
/// the hand-over gave, and what the province holds of it (`received_files`, schema v42).
public struct ReceivedFile: Sendable, Equatable {
    public var name: String
    public var sha256: String
    /// Its size and type once its bytes arrived from the city; nil when they did not (the city
    /// no longer had it when it handed the application over, or it was handed over before
    /// files were copied).
    public var size: Int?
    public var mime: String?

    /// Whether the province holds its bytes (it can be opened).
    public var received: Bool { size != nil }
}

/// The province's side of a hand-over's files: listed for the screens that show a received
/// application's 附件, and served to whoever may read that section there.
enum ReceivedFiles {
    /// The files `snapshot` (a received application's `sections` or `previous_sections`) names,
    /// in its order, each with what the province holds of it from `source`.
    static func listed(_ snapshot: String?, source: String, _ conn: SQLiteConnection) throws -> [ReceivedFile] {
        let named = SectionSnapshot.files(snapshot ?? "{}")
        guard !named.isEmpty else { return [] }
        let held = Dictionary(try conn.query("""
            SELECT sha256, mime, size FROM received_files WHERE source_tenant = ? AND sha256 IN (SELECT value FROM json_each(?))
            """, [source, try CrossTenantRelay.json(named.map(\.sha256))]).map { ($0["sha256"].string ?? "", ($0["mime"].string ?? "", $0["size"].int ?? 0)) },
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
    /// other expert). Throws when not.
    static func requireReadable(_ row: SQLiteRow, caller: SignedIn, _ conn: SQLiteConnection) throws {
        let id = row["id"].int ?? 0
        let missing = ApplicationKind(rawValue: row["kind"].string ?? "") == .expert ? "没有这个专家申报" : "没有这个报送到省里的申报"
        if let expert = try SessionService.expertID(of: caller, conn) {
            guard try conn.scalar("""
                SELECT EXISTS (SELECT 1 FROM session_applications sa JOIN session_experts m ON m.session_id = sa.session_id
                               WHERE sa.received_id = ? AND m.expert_id = ? AND m.role = 'panel')
                """, [id, expert])?.int == 1 else { throw ZhichengError.notFound(missing) }
            return
        }
        let me = try ExpertService.requireProvinceOffice(caller, conn)
        guard caller.kind == .staff else { return }
        guard me.permittedSeries.contains(row["series"].string ?? "") else { throw ZhichengError.notFound(missing) }
        guard me.permittedSections.contains(ApplicationSection.attachments.rawValue) else {
            throw ZhichengError(.forbidden, "您没有查看附件的权限")
        }
    }
}

extension ApplicationService {
    // MARK: Files of received applications

    /// A file of the application `id` the province received from a city (either kind), by its
    /// digest, for whoever may read its 附件 there (`ReceivedFiles.requireReadable`): only one
    /// its sections name, now or in the hand-over the office returned (`previous_sections`,
    /// which its reviewers compare with), under the name they give it. A digest that is not
    /// 64 hex digits (either case) is invalid; one it does not name, or whose bytes did not
    /// arrive, is not found.
    public func receivedFile(_ id: Int, sha256 given: String, caller: SignedIn) async throws -> FileRecord {
        let raw = given.lowercased()
        guard ReceivedFiles.isDigest(raw) else {
            throw ZhichengError.invalid("文件摘要应为64位十六进制数字（SHA-256）", field: "sha256")
        }
        return try await store.read(caller) { conn in
            guard let row = try conn.query("SELECT id, kind, series, source_tenant, sections, previous_sections FROM received_applications WHERE id = ?", [id]).first else {
                throw ZhichengError.notFound("没有这个报送到省里的申报")
            }
            try ReceivedFiles.requireReadable(row, caller: caller, conn)
            let named = SectionSnapshot.files(row["sections"].string ?? "{}") + SectionSnapshot.files(row["previous_sections"].string ?? "{}")
            guard let file = named.first(where: { $0.sha256 == raw }) else { throw ZhichengError.notFound("该申报的附件中没有这个文件") }
            guard let stored = try conn.query("SELECT id, mime, bytes FROM received_files WHERE source_tenant = ? AND sha256 = ?",
                                              [row["source_tenant"].string ?? "", raw]).first,
                  case .blob(let bytes) = stored["bytes"] else {
                throw ZhichengError.notFound("该文件未收到（报送时所在市已没有这个文件）")
            }
            let mime = stored["mime"].string ?? "application/octet-stream"
            return FileRecord(id: stored["id"].int ?? 0, mime: mime, bytes: bytes, name: AttachmentName.fitted(file.name, toType: mime))
        }
    }
}
