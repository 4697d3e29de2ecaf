import Foundation
import Testing
import ZhichengApp
import ZhichengCore
import ZhichengStorage

/// The province's inbox takes a hand-over with the applicant's unit code (单位编号, schema v22)
/// and one from a city daemon of the previous version, which sends none.
@Suite("Hand-over: the applicant's unit code")
struct HandOverUnitCodeTests {
    /// Writes an `application.forward` of application 7 into zhengzhou's outbox, as a city
    /// daemon would: `code` nil is the previous version's payload, which has no `unit_code`.
    func handOver(_ f: RelayFixture, submission: Int, code: String?) async throws {
        var payload: [String: Any] = [
            "kind": "title", "source_application_id": 7, "submission": submission, "applicant_name": "周申报", "id_number": "410102199001011234",
            "unit_name": "育才实验小学", "year": 2026, "series": "中小学教师", "level": "副高级", "title": "高级教师", "sections": "{}", "trail": "[]",
        ]
        if let code { payload["unit_code"] = code }
        let text = String(decoding: try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys]), as: UTF8.self)
        _ = try await f.store.withTenant(TenantID("zhengzhou")) { db in
            try await db.write { conn in
                try conn.run("INSERT INTO outbox (message_id, target, kind, payload, created_at) VALUES (?, ?, 'application.forward', ?, ?)",
                             ["zhengzhou:application.forward:7:\(submission):\(UUID().uuidString)", CrossTenantRelay.provinceTarget, text, 0])
            }
        }
        let pass = try await f.relay.deliverAll(from: TenantID("zhengzhou"))
        #expect(pass.delivered == 1 && pass.waiting == 0)
    }

    func received(_ f: RelayFixture) async throws -> [String] {
        try await f.rows("province", "SELECT applicant_name || ' ' || unit_name || ' ' || coalesce(unit_code, 'NULL') || ' ' || state || ' ' || source_submission AS v FROM received_applications")
    }

    @Test func aHandOverWithoutAUnitCodeIsReceivedAndOneWithItIsKept() async throws {
        let f = try await RelayFixture.with("province", "zhengzhou")
        // The previous version's hand-over: received as ever, the unit known by name only.
        try await handOver(f, submission: 1, code: nil)
        #expect(try await received(f) == ["周申报 育才实验小学 NULL in_review 1"])
        // This version's: the code is stored.
        try await handOver(f, submission: 2, code: "4101040010003")
        #expect(try await received(f) == ["周申报 育才实验小学 4101040010003 in_review 2"])
        // A later hand-over without it (a city daemon rolled back) does not forget the code.
        try await handOver(f, submission: 3, code: nil)
        #expect(try await received(f) == ["周申报 育才实验小学 4101040010003 in_review 3"])
        // Each was acknowledged to the city.
        #expect(try await f.count("province", "SELECT count(*) FROM outbox WHERE kind = 'application.received'") == 3)
    }
}
