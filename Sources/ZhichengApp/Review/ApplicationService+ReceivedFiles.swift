import Foundation
import ZhichengCore
import ZhichengStorage

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
            guard let row = try conn.query("""
                SELECT id, kind, series, source_tenant, source_application_id, sections, previous_sections FROM received_applications WHERE id = ?
                """, [id]).first else {
                throw ZhichengError.notFound("没有这个报送到省里的申报")
            }
            // A panel's expert is shown the hand-over as it is now (not the one the office returned).
            let expert = try ReceivedFiles.requireReadable(row, caller: caller, conn)
            let named = SectionSnapshot.files(row["sections"].string ?? "{}") + (expert ? [] : SectionSnapshot.files(row["previous_sections"].string ?? "{}"))
            guard let file = named.first(where: { $0.sha256 == raw }) else { throw ZhichengError.notFound("该申报的附件中没有这个文件") }
            // Only as found among that city application's own files when copied (a name may spell out another's digest).
            guard let stored = try conn.query("""
                SELECT f.id, f.mime, f.bytes FROM received_file_sources l JOIN received_files f ON f.source_tenant = l.source_tenant AND f.sha256 = l.sha256
                WHERE l.source_tenant = ? AND l.source_application_id = ? AND l.sha256 = ?
                """, [row["source_tenant"].string ?? "", row["source_application_id"].int ?? 0, raw]).first,
                  case .blob(let bytes) = stored["bytes"] else {
                throw ZhichengError.notFound("该文件未收到（报送时所在市已没有这个文件）")
            }
            let mime = stored["mime"].string ?? "application/octet-stream"
            return FileRecord(id: stored["id"].int ?? 0, mime: mime, bytes: bytes, name: AttachmentName.fitted(file.name, toType: mime))
        }
    }
}
