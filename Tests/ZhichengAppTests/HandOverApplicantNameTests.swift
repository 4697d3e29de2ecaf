import Foundation
import Testing
import ZhichengApp
import ZhichengCore
import ZhichengStorage

/// The province's copies of a city applicant's name (`received_applications.applicant_name`)
/// follow the city's corrections (`applicant.renamed`): by the city, the applications the message
/// names and the person's ID-card number, nothing else; and a hand-over again takes the name it
/// carries.
@Suite("Hand-over: the applicant's name corrected in the city")
struct HandOverApplicantNameTests {
    static let zhou = "410102199001011234", wu = "410102198502023458"

    /// Writes a message of `kind` into `city`'s outbox to the province, as a city daemon would,
    /// and delivers it.
    func send(_ f: RelayFixture, from city: String, _ kind: String, _ payload: [String: Any]) async throws {
        let text = String(decoding: try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys]), as: UTF8.self)
        _ = try await f.store.withTenant(TenantID(city)) { db in
            try await db.write { conn in
                try conn.run("INSERT INTO outbox (message_id, target, kind, payload, created_at) VALUES (?, ?, ?, ?, ?)",
                             ["\(city):\(kind):\(UUID().uuidString)", CrossTenantRelay.provinceTarget, kind, text, 0])
            }
        }
        let pass = try await f.relay.deliverAll(from: TenantID(city))
        #expect(pass.delivered >= 1 && pass.waiting == 0)
    }

    func handOver(_ f: RelayFixture, from city: String, id: Int, submission: Int = 1, name: String, idNumber: String,
                  unit: String = "育才实验小学") async throws {
        try await send(f, from: city, "application.forward", [
            "kind": "title", "source_application_id": id, "submission": submission, "applicant_name": name, "id_number": idNumber,
            "unit_name": unit, "unit_code": "4101040010003", "year": 2026, "series": "中小学教师", "level": "副高级", "title": "高级教师",
            "sections": "{}", "trail": "[]",
        ])
    }

    func names(_ f: RelayFixture) async throws -> [String] {
        try await f.rows("province", "SELECT source_tenant || ' ' || source_application_id || ' ' || applicant_name AS v FROM received_applications ORDER BY source_tenant, source_application_id")
    }

    @Test func aCorrectedNameReachesOnlyThatPersonsApplicationsOfThatCity() async throws {
        let f = try await RelayFixture.with("province", "zhengzhou", "kaifeng")
        try await handOver(f, from: "zhengzhou", id: 7, name: "周申报", idNumber: Self.zhou)
        try await handOver(f, from: "zhengzhou", id: 8, name: "吴申报", idNumber: Self.wu)
        // The same person handed over by another city (moved there), under the same id there.
        try await handOver(f, from: "kaifeng", id: 7, name: "周申报", idNumber: Self.zhou)
        // Naming 8 too, whose row is someone else's (an id a city restored to an older backup
        // gave again): only the person's own row changes, and only in the city that sent it.
        try await send(f, from: "zhengzhou", "applicant.renamed", ["source_application_ids": [7, 8], "id_number": Self.zhou, "name": "周文"])
        #expect(try await names(f) == ["kaifeng 7 周申报", "zhengzhou 7 周文", "zhengzhou 8 吴申报"])
        #expect(try await f.rows("province", "SELECT target || ' ' || detail AS v FROM audit WHERE action = 'applicant.renamed-in-city'")
                == [#"applicant:zhengzhou:410102********1234 {"city":"zhengzhou","name":"周文","applications":1,"experts":0}"#])
        // A message without what identifies the person changes nothing, and is not recorded as a rename.
        try await send(f, from: "zhengzhou", "applicant.renamed", ["source_application_ids": [8], "id_number": "", "name": "无名"])
        #expect(try await names(f) == ["kaifeng 7 周申报", "zhengzhou 7 周文", "zhengzhou 8 吴申报"])
        #expect(try await f.count("province", "SELECT count(*) FROM audit WHERE action = 'applicant.renamed-in-city'") == 1)
        // A hand-over again (a resubmission the office had not acted on) carries the name the city uses now.
        try await handOver(f, from: "zhengzhou", id: 8, submission: 2, name: "吴新", idNumber: Self.wu)
        #expect(try await names(f) == ["kaifeng 7 周申报", "zhengzhou 7 周文", "zhengzhou 8 吴新"])
    }

    /// The names each copy has had, other than the current one (`former_unit_names`,
    /// `former_applicant_names`): "unit [former] · person [former]".
    func formerNames(_ f: RelayFixture) async throws -> [String] {
        try await f.rows("province", """
            SELECT unit_name || ' ' || former_unit_names || ' · ' || applicant_name || ' ' || former_applicant_names AS v
            FROM received_applications ORDER BY source_tenant, source_application_id
            """)
    }

    /// A name that comes back — a correction undone, a hand-over again from a city restored to
    /// before a correction — is the current name again, not one of the former ones; every
    /// other name it had stays among them, once, oldest first. By a correction's message
    /// (`renameCopies`) and by a hand-over again (its upsert), which keep them the same way.
    @Test func aNameThatComesBackIsCurrentNotFormer() async throws {
        let f = try await RelayFixture.with("province", "zhengzhou")
        try await handOver(f, from: "zhengzhou", id: 7, name: "周申报", idNumber: Self.zhou)
        try await send(f, from: "zhengzhou", "applicant.renamed", ["source_application_ids": [7], "id_number": Self.zhou, "name": "周文"])
        try await send(f, from: "zhengzhou", "org.renamed", ["source_application_ids": [7], "unit_code": "4101040010003", "name": "育才小学"])
        #expect(try await formerNames(f) == [#"育才小学 ["育才实验小学"] · 周文 ["周申报"]"#])
        // Undone: back to the first names, the corrected ones now former.
        try await send(f, from: "zhengzhou", "applicant.renamed", ["source_application_ids": [7], "id_number": Self.zhou, "name": "周申报"])
        try await send(f, from: "zhengzhou", "org.renamed", ["source_application_ids": [7], "unit_code": "4101040010003", "name": "育才实验小学"])
        #expect(try await formerNames(f) == [#"育才实验小学 ["育才小学"] · 周申报 ["周文"]"#])
        // A hand-over again (not acted on yet) under the corrected names: each former name once.
        try await handOver(f, from: "zhengzhou", id: 7, submission: 2, name: "周文", idNumber: Self.zhou, unit: "育才小学")
        #expect(try await formerNames(f) == [#"育才小学 ["育才实验小学"] · 周文 ["周申报"]"#])
        // And a name never had before joins them after the ones it had.
        try await send(f, from: "zhengzhou", "applicant.renamed", ["source_application_ids": [7], "id_number": Self.zhou, "name": "周雯"])
        #expect(try await formerNames(f) == [#"育才小学 ["育才实验小学"] · 周雯 ["周申报","周文"]"#])
    }
}
