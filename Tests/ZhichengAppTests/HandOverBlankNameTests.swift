import Foundation
import Testing
@testable import ZhichengApp
import ZhichengCore
import ZhichengStorage

/// A name the province holds for a city's unit or applicant is never replaced by none: a
/// hand-over without a unit or applicant name (empty, or blanks only) keeps the names known and
/// files nothing as former; a rename message without a name is malformed. A malformed rename
/// message (or a payload that is no JSON object) is kept in the inbox without its effect, written
/// to the audit log as `relay.unapplied` with what was wrong, and the messages behind it go on.
@Suite("Hand-over: no name never replaces a name; malformed rename messages")
struct HandOverBlankNameTests {
    static let zhou = "410102199001011234"

    /// Writes a message of `kind` with the payload `text` (as stored: JSON, or not) into
    /// zhengzhou's outbox to the province, as a city daemon would, and delivers the outbox.
    @discardableResult
    func send(_ f: RelayFixture, _ kind: String, text: String) async throws -> String {
        let id = "zhengzhou:\(kind):\(UUID().uuidString)"
        _ = try await f.store.withTenant(TenantID("zhengzhou")) { db in
            try await db.write { conn in
                try conn.run("INSERT INTO outbox (message_id, target, kind, payload, created_at) VALUES (?, ?, ?, ?, ?)",
                             [id, CrossTenantRelay.provinceTarget, kind, text, 0])
            }
        }
        let pass = try await f.relay.deliverAll(from: TenantID("zhengzhou"))
        #expect(pass.delivered == 1 && pass.waiting == 0, "\(kind) \(text)")
        return id
    }

    @discardableResult
    func send(_ f: RelayFixture, _ kind: String, _ payload: [String: Any]) async throws -> String {
        try await send(f, kind, text: String(decoding: try JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys]), as: UTF8.self))
    }

    func handOver(_ f: RelayFixture, submission: Int, applicant: Any?, unit: Any?) async throws {
        var payload: [String: Any] = [
            "kind": "title", "source_application_id": 7, "submission": submission, "id_number": Self.zhou, "unit_code": "4101040010003",
            "year": 2026, "series": "中小学教师", "level": "副高级", "title": "高级教师", "sections": "{}", "trail": "[]",
        ]
        if let applicant { payload["applicant_name"] = applicant }
        if let unit { payload["unit_name"] = unit }
        try await send(f, "application.forward", payload)
    }

    /// applicant | former applicant names | unit | former unit names, of the one received application.
    func names(_ f: RelayFixture) async throws -> [String] {
        try await f.rows("province", """
            SELECT applicant_name || '|' || former_applicant_names || '|' || unit_name || '|' || former_unit_names AS v FROM received_applications
            """)
    }

    @Test func aHandOverWithoutANameKeepsTheNamesKnownAndFilesNoneAsFormer() async throws {
        let f = try await RelayFixture.with("province", "zhengzhou")
        try await handOver(f, submission: 1, applicant: "周申报", unit: "育才实验小学")
        #expect(try await names(f) == ["周申报|[]|育才实验小学|[]"])
        // Handed over again (a resubmission the office had not acted on) with no names: empty,
        // blanks only (a full-width space, a zero-width space), missing altogether, not text.
        for (applicant, unit) in [("", ""), (" \u{3000}", "\u{200B} "), (nil, nil), (7 as Any?, [] as Any?)] as [(Any?, Any?)] {
            try await handOver(f, submission: 2, applicant: applicant, unit: unit)
            #expect(try await names(f) == ["周申报|[]|育才实验小学|[]"], "\(String(describing: applicant)) \(String(describing: unit))")
        }
        // A name again replaces the one known, which joins the former ones, once.
        try await handOver(f, submission: 3, applicant: "周文", unit: "育才小学")
        try await handOver(f, submission: 4, applicant: "", unit: "  ")
        #expect(try await names(f) == [#"周文|["周申报"]|育才小学|["育才实验小学"]"#])
        // A first hand-over without names is taken, and a later name is no rename of a blank.
        try await send(f, "application.forward", ["kind": "title", "source_application_id": 8, "submission": 1, "id_number": "410102198502023458",
                                                   "applicant_name": "   ", "unit_name": "", "year": 2026, "series": "中小学教师", "level": "副高级",
                                                   "title": "高级教师", "sections": "{}", "trail": "[]"])
        try await send(f, "application.forward", ["kind": "title", "source_application_id": 8, "submission": 2, "id_number": "410102198502023458",
                                                   "applicant_name": "吴申报", "unit_name": "育才小学", "year": 2026, "series": "中小学教师", "level": "副高级",
                                                   "title": "高级教师", "sections": "{}", "trail": "[]"])
        #expect(try await f.rows("province", "SELECT applicant_name || '|' || former_applicant_names || '|' || unit_name || '|' || former_unit_names AS v FROM received_applications WHERE source_application_id = 8")
                == ["吴申报|[]|育才小学|[]"])
    }

    @Test func aRenameMessageWithoutANameOrWithAMalformedPayloadIsKeptUnappliedAndTheNextIsApplied() async throws {
        let f = try await RelayFixture.with("province", "zhengzhou")
        try await handOver(f, submission: 1, applicant: "周申报", unit: "育才实验小学")
        let bad: [(kind: String, text: String, reason: String)] = [
            ("org.renamed", #"{"name":" \u3000","source_application_ids":[7],"unit_code":"4101040010003"}"#, "name is blank"),
            ("org.renamed", #"{"source_application_ids":[7],"unit_code":"4101040010003"}"#, "name is missing"),
            ("org.renamed", #"{"name":"育才小学","source_application_ids":"7"}"#, "source_application_ids is not a non-empty list of application ids"),
            ("org.renamed", #"{"name":"育才小学","source_application_ids":[7,"8"]}"#, "source_application_ids is not a non-empty list of application ids"),
            ("applicant.renamed", #"{"name":"","source_application_ids":[]}"#,
             "name is blank; source_application_ids is not a non-empty list of application ids; id_number is missing"),
            ("applicant.renamed", #"{"name":"周文","source_application_ids":[7],"id_number":""}"#, "id_number is blank"),
            ("applicant.renamed", #"not json {"#, "the payload is not a JSON object"),
            ("application.interview", #"[1,2]"#, "the payload is not a JSON object"),
        ]
        var ids: [String] = []
        for message in bad { ids.append(try await send(f, message.kind, text: message.text)) }
        #expect(try await names(f) == ["周申报|[]|育才实验小学|[]"])
        // Each is in the inbox as it came, and in the audit log with what was wrong; no rename is recorded.
        #expect(try await f.count("province", "SELECT count(*) FROM inbox") == 1 + bad.count)
        let unapplied = try await f.rows("province", "SELECT target || ' ' || detail AS v FROM audit WHERE action = 'relay.unapplied' ORDER BY seq")
        #expect(unapplied == zip(ids, bad).map { id, message in
            "message:\(id) " + #"{"kind":"\#(message.kind)","reason":"\#(message.reason)"}"#
        })
        #expect(try await f.count("province", "SELECT count(*) FROM audit WHERE action IN ('org.renamed-in-city', 'applicant.renamed-in-city')") == 0)
        // The relay went on: the messages behind them are applied.
        try await send(f, "applicant.renamed", ["name": "周文", "source_application_ids": [7], "id_number": Self.zhou])
        try await send(f, "org.renamed", ["name": "育才小学", "source_application_ids": [7], "unit_code": "4101040010003"])
        #expect(try await names(f) == [#"周文|["周申报"]|育才小学|["育才实验小学"]"#])
    }

    @Test(arguments: [
        (#"{"name":" 育才小学 ","source_application_ids":[7,9],"unit_code":"4101040010003"}"#, "育才小学 [7, 9] 4101040010003 "),
        (#"{"name":"育才小学","source_application_ids":[7]}"#, "育才小学 [7]  "),
        (#"{"name":"育才小学","source_application_ids":[7.5]}"#, "source_application_ids is not a non-empty list of application ids"),
        (#"{"name":"育才小学","source_application_ids":[0]}"#, "source_application_ids is not a non-empty list of application ids"),
        (#"{"name":5,"source_application_ids":[7]}"#, "name is not text"),
        (#"{"name":null,"source_application_ids":null}"#, "name is missing; source_application_ids is missing"),
    ])
    func anOrgRenamedPayloadIsReadOrSaysWhatIsWrong(payload: String, expected: String) throws {
        let object = try #require(try JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any])
        switch RelayedRename.parse("org.renamed", object) {
        case .success(let rename): #expect("\(rename.name) \(rename.applications) \(rename.unitCode) \(rename.idNumber)" == expected)
        case .failure(let malformed): #expect(malformed.description == expected)
        }
    }

    @Test func anApplicantRenamedPayloadNeedsTheIDCardNumber() {
        #expect(RelayedRename.parse("applicant.renamed", ["name": "周文", "source_application_ids": [7], "id_number": Self.zhou])
                == .success(RelayedRename(name: "周文", applications: [7], unitCode: "", idNumber: Self.zhou)))
        #expect(RelayedRename.parse("applicant.renamed", ["name": "周文", "source_application_ids": [7], "id_number": 410102]).failureDescription
                == "id_number is not text")
    }

    /// `org.renamed` of a unit people moved to: their expert recommendations, apart from the
    /// unit's own applications (which may be none then); a list that is not one is malformed.
    @Test func anOrgRenamedPayloadMayNameTheRecommendationsOfPeopleWhoMovedThere() {
        #expect(RelayedRename.parse("org.renamed", ["name": "调入小学", "source_application_ids": [], "expert_application_ids": [9], "unit_code": "41"])
                == .success(RelayedRename(name: "调入小学", applications: [], unitCode: "41", idNumber: "", experts: [9])))
        #expect(RelayedRename.parse("org.renamed", ["name": "调入小学", "source_application_ids": [7], "expert_application_ids": [9], "unit_code": "41"])
                == .success(RelayedRename(name: "调入小学", applications: [7], unitCode: "41", idNumber: "", experts: [9])))
        #expect(RelayedRename.parse("org.renamed", ["name": "调入小学", "source_application_ids": [], "unit_code": "41"]).failureDescription
                == "source_application_ids is not a non-empty list of application ids")
        #expect(RelayedRename.parse("org.renamed", ["name": "调入小学", "source_application_ids": [7], "expert_application_ids": ["9"]]).failureDescription
                == "expert_application_ids is not a non-empty list of application ids")
    }

    /// `applicant.moved` (人员调动): the unit's name and code, the expert applications, the number;
    /// the code is what the draw's same-unit 回避 goes by, so a move without it is malformed.
    @Test func anApplicantMovedPayloadNeedsTheNumberAndTheUnitCode() {
        #expect(RelayedRename.parse("applicant.moved", ["name": "回民中学", "source_application_ids": [7], "id_number": Self.zhou, "unit_code": " 4101040010002 "])
                == .success(RelayedRename(name: "回民中学", applications: [7], unitCode: "4101040010002", idNumber: Self.zhou)))
        #expect(RelayedRename.parse("applicant.moved", ["name": "回民中学", "source_application_ids": [7], "id_number": Self.zhou]).failureDescription
                == "unit_code is missing")
        #expect(RelayedRename.parse("applicant.moved", ["name": " ", "source_application_ids": [7], "unit_code": "4101040010002"]).failureDescription
                == "name is blank; id_number is missing")
    }
}

extension Result where Failure == RelayedRename.Malformed {
    var failureDescription: String? {
        if case .failure(let malformed) = self { return malformed.description }
        return nil
    }
}
