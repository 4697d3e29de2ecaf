import Foundation
import Testing
import ZhichengApp
import ZhichengCore
import ZhichengStorage

/// A draw recorded while the province listed an applicant's current names among their former
/// ones (before commit 079b389) still verifies once schema v29 has taken them out: the record is
/// read as drawn, never rewritten, and today's inputs are current while nothing else changed.
@Suite("A recorded draw and the former names schema v29 cleaned")
struct DrawFormerNamesTests {
    func province<T: Sendable>(_ d: SessionCancelTests.Desk, _ body: @escaping @Sendable (SQLiteConnection) throws -> T) async throws -> T {
        try await d.w.f.store.withTenant(TenantID("province")) { db in try await db.write(body) }
    }

    @Test func aDrawRecordedWithTheCurrentNamesAmongTheFormerOnesStillVerifiesAfterTheMigration() async throws {
        let d = try await SessionCancelTests.desk()
        _ = try await SessionCancelTests.experts(d)
        let received = try await CommitteeDeskPageTests.received(d.w, idNumber: "410102199001013336")
        // As v28 could leave it: the unit's and the applicant's current names among the former ones.
        _ = try await province(d) { conn in
            try conn.run("""
                UPDATE received_applications SET former_unit_names = json_array('旧单位', unit_name), former_applicant_names = json_array(applicant_name)
                WHERE id = ?
                """, [received])
        }
        let session = try await d.sessions.create(committee: d.committee.id, name: "曾用名评审会", series: "中小学教师", specialty: "小学数学", panelSize: 3,
                                                  reserves: 0, applications: [received], caller: d.w.office)
        _ = try await d.sessions.draw(session.id, seed: "v28", caller: d.w.office)
        let record = { @Sendable (conn: SQLiteConnection) throws -> [SQLiteValue] in
            try conn.query("SELECT inputs, inputs_digest, result FROM review_sessions WHERE id = ?", [session.id]).first?.values ?? []
        }
        let drawn = try await province(d, record)
        let inputs = try #require(drawn.first?.string)
        #expect(inputs.contains(#""former_names":["市336"]"#) && inputs.contains(#""former_units":["旧单位","#), "\(inputs)")
        let before = try await d.sessions.verify(session.id, caller: d.w.office)
        #expect(before.matches && before.inputsCurrent)

        // The migration, on this file as it is (it changes data only).
        let v29 = try #require(TenantSchema.migrations.first { $0.version == 29 })
        let cleaned = try await province(d) { conn -> [String] in
            try conn.execute(v29.sql)
            return try conn.query("SELECT former_unit_names || ' ' || former_applicant_names AS v FROM received_applications WHERE id = ?", [received])
                .compactMap { $0["v"].string }
        }
        #expect(cleaned == [#"["旧单位"] []"#])
        #expect(try await province(d, record) == drawn, "the record is not rewritten")
        let after = try await d.sessions.verify(session.id, caller: d.w.office)
        #expect(after.matches && after.digestMatches && after.reproduced)
        #expect(after.inputsCurrent, "only the current names left the former ones: the same draw")
        #expect(after.recomputedPanel == before.recomputedPanel && after.currentPanel == before.panel)
        #expect(try await d.sessions.verify(tenant: TenantID("province"), session: session.id).inputsCurrent)

        // A former name that really changed since is a change.
        _ = try await province(d) { conn in
            try conn.run("UPDATE received_applications SET former_unit_names = json_array('旧单位', '又一个旧名') WHERE id = ?", [received])
        }
        let changed = try await d.sessions.verify(session.id, caller: d.w.office)
        #expect(changed.matches && !changed.inputsCurrent)
    }
}
