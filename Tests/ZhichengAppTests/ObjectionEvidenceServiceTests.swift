import Foundation
import Testing
import ZhichengApp
import ZhichengCore
import ZhichengStorage

/// An objection's evidence files (证据材料) through the services: checked and stored with the
/// objection in one transaction, once for an objection sent twice, listed with it and served
/// to the committee's office and the person who lodged it; one to the province's result on a
/// city's application travels in the relay message, arrives once however often it is offered,
/// and leaves the city with the names alone.
@Suite("Objection evidence files")
struct ObjectionEvidenceServiceTests {
    static let pdf = Array("%PDF-1.4\n1 0 obj <<>> endobj\n% scan of a page\ntrailer <<>>\n%%EOF\n".utf8)
    static let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13] + Array("IHDR".utf8)
        + [0, 0, 0, 2, 0, 0, 0, 2, 8, 2, 0, 0, 0, 0x90, 0x77, 0x53, 0xDE, 0, 0, 0, 0] + Array("IEND".utf8) + [0xAE, 0x42, 0x60, 0x82]

    /// A PDF of `size` bytes (its end marker last).
    static func pdf(size: Int) -> [UInt8] {
        let head = Array("%PDF-1.4\n".utf8), tail = Array("\n%%EOF\n".utf8)
        return head + Array(repeating: UInt8(ascii: "x"), count: size - head.count - tail.count) + tail
    }

    static func count(_ w: ProvinceReviewTests.World, _ tenant: String, _ sql: String) async throws -> Int {
        try await w.f.store.withTenant(TenantID(tenant)) { db in try await db.read { conn in try conn.scalar(sql)?.int ?? -1 } }
    }

    /// A received application at the province office's committee with its result in 公示.
    static func inPublicity(_ w: ProvinceReviewTests.World, idNumber: String) async throws -> Int {
        let id = try await CommitteeDeskPageTests.received(w, idNumber: idNumber)
        if try await w.evaluations.committees(caller: w.office).isEmpty {
            _ = try await w.evaluations.createCommittee(name: "河南省中小学教师高级评委会", series: ["中小学教师"], levels: ["副高级"], caller: w.office)
        }
        _ = try await w.evaluations.recordResult(.received(id), result: "通过", note: nil, caller: w.office)
        return id
    }

    @Test func filesAreStoredWithTheObjectionOnceListedAndServedToTheOfficeAndTheLodger() async throws {
        let w = try await ProvinceReviewTests.world()
        let id = try await Self.inPublicity(w, idNumber: "410102199001013336")
        let files: [ObjectionEvidence.Upload] = [.init(name: "比对报告", bytes: Self.pdf), .init(name: "首页.png", bytes: Self.png)]
        guard case .objection(let objection) = try await w.evaluations.lodgeObjection(.received(id), text: "论文抄袭", evidence: "见附件", files: files, caller: w.handler) else {
            Issue.record("not lodged here"); return
        }
        // Sent again (a double click, a retry): the same objection, its files stored once.
        #expect(try await w.evaluations.lodgeObjection(.received(id), text: "论文抄袭", evidence: "见附件", files: files, caller: w.handler) == .objection(objection))
        #expect(try await Self.count(w, "province", "SELECT count(*) FROM objection_files") == 2)
        // The same words with other files are another objection.
        guard case .objection(let other) = try await w.evaluations.lodgeObjection(.received(id), text: "论文抄袭", evidence: "见附件",
                                                                                  files: [files[1]], caller: w.handler), other != objection else {
            Issue.record("the same words with other files were taken as the same objection"); return
        }

        let listed = try await w.evaluations.objections(.received(id), caller: w.office)
        #expect(listed.map { $0.files.map(\.name) } == [["比对报告.pdf", "首页.png"], ["首页.png"]])
        #expect(listed[0].files.map(\.mime) == ["application/pdf", "image/png"] && listed[0].files.map(\.size) == [Self.pdf.count, Self.png.count])
        let fileID = try #require(listed[0].files[0].id)
        for reader in [w.office, w.handler] {
            let file = try await w.evaluations.objectionFile(objection, file: fileID, caller: reader)
            #expect(file.bytes == Self.pdf && file.mime == "application/pdf" && file.name == "比对报告.pdf")
        }
        // Nobody else: another reviewer, a city's account (whose tenant has no such objection), the
        // right file under another objection's id.
        for stranger in [w.leader, w.city, w.applicant] {
            await expectCode(.notFound) { _ = try await w.evaluations.objectionFile(objection, file: fileID, caller: stranger) }
        }
        await expectCode(.notFound) { _ = try await w.evaluations.objectionFile(other, file: fileID, caller: w.office) }
        // Its author reads what they sent, each file with its id.
        let own = try await w.evaluations.ownObjections(caller: w.handler)
        #expect(own.map(\.id) == [other, objection] && own.last?.files.map(\.name) == ["比对报告.pdf", "首页.png"] && own.last?.files.allSatisfy { $0.id != nil } == true)
        let audit = try await w.f.store.withTenant(TenantID("province")) { db in
            try await db.read { conn in try conn.scalar("SELECT detail FROM audit WHERE action = 'objection.lodge' AND target = ?", ["objection:\(objection)"])?.string }
        }
        #expect(audit?.contains(sha256Hex(Self.png)) == true, "\(audit ?? "")")
    }

    @Test func aFaultyFileRefusesTheObjectionAndChangesNothing() async throws {
        let w = try await ProvinceReviewTests.world()
        let id = try await Self.inPublicity(w, idNumber: "410102199001013336")
        let small = EvaluationService(store: w.f.store, relay: w.f.relay, maxUploadBytes: 2048)
        #expect(small.maxEvidenceBytes == 2048)
        for files: [ObjectionEvidence.Upload] in [
            Array(repeating: .init(name: "a.pdf", bytes: Self.pdf), count: 4),
            [.init(name: "空.pdf", bytes: [])],
            [.init(name: "大.pdf", bytes: Self.pdf(size: 2049))],
            [.init(name: "证据.pdf", bytes: Array("MZ\u{90}\0 not a pdf".utf8))],
            [.init(name: "../../x.pdf", bytes: Self.pdf)],
            [.init(name: "好.pdf", bytes: Self.pdf), .init(name: "坏.pdf", bytes: Array("纯文本".utf8))],
        ] {
            do {
                _ = try await small.lodgeObjection(.received(id), text: "论文抄袭", evidence: "", files: files, caller: w.handler)
                Issue.record("accepted \(files.map(\.name))")
            } catch let error as ZhichengError {
                #expect(error.code == .invalid && error.field == "file", "\(error)")
            }
        }
        #expect(try await Self.count(w, "province", "SELECT (SELECT count(*) FROM objections) + (SELECT count(*) FROM objection_files)") == 0)
        // At the limit, it is taken.
        #expect(try await small.lodgeObjection(.received(id), text: "论文抄袭", evidence: "", files: [.init(name: "满.pdf", bytes: Self.pdf(size: 2048))],
                                               caller: w.handler) != .forwarded)
    }

    /// A city's 副高级 application handed over, passed by the province office and its result 通过
    /// in 公示, which the city has learnt: the world, the city's id of the application, the province's.
    static func provinceResultInNotice() async throws -> (ProvinceReviewTests.World, Int, Int) {
        let w = try await ProvinceReviewTests.world()
        let (appID, id) = try await w.handedOver()
        let first = try await w.reviews.decide(id, decision: "pass", comment: "", version: nil, caller: w.handler)
        _ = try await w.reviews.decide(id, decision: "pass", comment: "", version: first.application.version, caller: w.leader)
        _ = try await w.evaluations.createCommittee(name: "河南省中小学教师高级评委会", series: ["中小学教师"], levels: ["副高级"], caller: w.office)
        _ = try await w.evaluations.recordResult(.received(id), result: "通过", note: nil, caller: w.office)
        try await w.f.relay.deliverAll(from: TenantID("province"))
        return (w, appID, id)
    }

    @Test func filesSentToTheProvinceArriveOnceAndTheCityKeepsTheirNames() async throws {
        let (w, appID, id) = try await Self.provinceResultInNotice()
        // A scan larger than a page of messages reads at once (read at delivery: `CrossTenantRelay.deferredKind`), and a PNG.
        let scan = Self.pdf(size: 300 * 1024)
        let files: [ObjectionEvidence.Upload] = [.init(name: "扫描件.pdf", bytes: scan), .init(name: "照片", bytes: Self.png)]
        let objector = w.cityReviewers[0]
        #expect(try await w.evaluations.lodgeObjection(.application(appID), text: "业绩不实", evidence: "两份材料", files: files, caller: objector) == .forwarded)
        #expect(try await w.evaluations.lodgeObjection(.application(appID), text: "业绩不实", evidence: "两份材料", files: files, caller: objector) == .forwarded)
        #expect(try await Self.count(w, "zhengzhou", "SELECT count(*) FROM outbox WHERE kind = 'objection.lodge'") == 1)
        // The city keeps the names, types, sizes and digests; the bytes are in the message only.
        let kept = try await w.f.store.withTenant(TenantID("zhengzhou")) { db in
            try await db.read { conn in try conn.query("SELECT name, mime, size, sha256 FROM sent_objection_files ORDER BY position").map(\.values) }
        }
        #expect(kept == [[.text("扫描件.pdf"), .text("application/pdf"), .integer(Int64(scan.count)), .text(sha256Hex(scan))],
                         [.text("照片.png"), .text("image/png"), .integer(Int64(Self.png.count)), .text(sha256Hex(Self.png))]])
        let mine = try await w.evaluations.ownObjections(caller: objector)
        #expect(mine.map(\.toProvince) == [true] && mine[0].id == nil && mine[0].files.map(\.name) == ["扫描件.pdf", "照片.png"] && mine[0].files.allSatisfy { $0.id == nil })

        try await w.f.relay.deliverAll(from: TenantID("zhengzhou"))
        // The province's inbox keeps the message without the files' bytes (they are in objection_files).
        let inbox = try await w.f.store.withTenant(TenantID("province")) { db in
            try await db.read { conn in try conn.scalar("SELECT payload FROM inbox WHERE kind = 'objection.lodge'")?.string ?? "" }
        }
        #expect(!inbox.contains("base64") && inbox.contains(sha256Hex(scan)) && inbox.count < 4096)
        let arrived = try await w.evaluations.objections(.received(id), caller: w.office)
        #expect(arrived.count == 1 && arrived[0].files.map(\.name) == ["扫描件.pdf", "照片.png"])
        let served = try await w.evaluations.objectionFile(arrived[0].id, file: try #require(arrived[0].files[0].id), caller: w.office)
        #expect(served.bytes == scan && served.mime == "application/pdf")
        // The province's reviewers do not read it; nor does anyone there lodge as its author.
        await expectCode(.notFound) { _ = try await w.evaluations.objectionFile(arrived[0].id, file: arrived[0].files[0].id ?? 0, caller: w.handler) }

        // Offered again (as after a restore of the province): the inbox takes it once, the files stay two.
        _ = try await w.f.store.withTenant(TenantID("zhengzhou")) { db in try await db.write { conn in try conn.run("UPDATE outbox SET delivered_at = NULL") } }
        try await w.f.relay.deliverAll(from: TenantID("zhengzhou"))
        #expect(try await Self.count(w, "province", "SELECT count(*) FROM objection_files") == 2)
        #expect(try await w.evaluations.objections(.received(id), caller: w.office).count == 1)
    }

    @Test func aRelayedFileThatIsNotWhatItSaysIsLeftOutAndTheObjectionTakenIn() async throws {
        let (w, appID, id) = try await Self.provinceResultInNotice()
        _ = try await w.evaluations.lodgeObjection(.application(appID), text: "业绩不实", evidence: "", files: [.init(name: "a.pdf", bytes: Self.pdf), .init(name: "b.png", bytes: Self.png)],
                                                   caller: w.cityReviewers[0])
        // The message altered in the outbox: the PNG's digest no longer matches its bytes.
        _ = try await w.f.store.withTenant(TenantID("zhengzhou")) { db in
            try await db.write { conn in try conn.run("UPDATE outbox SET payload = replace(payload, ?, ?) WHERE kind = 'objection.lodge'", [sha256Hex(Self.png), String(repeating: "0", count: 64)]) }
        }
        try await w.f.relay.deliverAll(from: TenantID("zhengzhou"))
        let arrived = try await w.evaluations.objections(.received(id), caller: w.office)
        #expect(arrived.map(\.text) == ["业绩不实"] && arrived[0].files.map(\.name) == ["a.pdf"])
        let audit = try await w.f.store.withTenant(TenantID("province")) { db in
            try await db.read { conn in try conn.scalar("SELECT detail FROM audit WHERE action = 'objection.lodge'")?.string }
        }
        #expect(audit?.contains(#""files":1,"files_refused":1"#) == true, "\(audit ?? "")")
    }
}
