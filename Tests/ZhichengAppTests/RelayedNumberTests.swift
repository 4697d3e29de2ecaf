import Foundation
import Testing
@testable import ZhichengApp
import ZhichengCore
import ZhichengStorage

/// The ID-card number a city's messages carry is read by one rule on both sides of a
/// correction (`CrossTenantRelay.givenNumber`, `IDCardNumber.normalized`): the number a
/// hand-over stores and the one an `applicant.renamed` finds its copies by. A rename that finds
/// none of the copies it names is kept unapplied and audited so (`relay.unapplied`), never
/// recorded as a rename.
@Suite("Hand-over: one reading of the ID-card number; a rename that finds nothing")
struct RelayedNumberTests {
    static let zhou = HandOverBlankNameTests.zhou, wu = "410102198502023458"
    let relay = HandOverBlankNameTests()

    @Test(arguments: [
        (" 4101 0219 9001 0112 34\u{200B}", "410102199001011234"),
        ("４１０１０２１９９００１０１１２３４", "410102199001011234"),
        ("41010219900101123x", "41010219900101123X"),
    ])
    func aRenameReadsTheNumberAsTheHandOverStoresIt(typed: String, read: String) {
        #expect(RelayedRename.parse("applicant.renamed", ["name": "周文", "source_application_ids": [7], "id_number": typed])
                == .success(RelayedRename(name: "周文", applications: [7], unitCode: "", idNumber: read)))
        #expect(CrossTenantRelay.givenNumber(typed) == read)
    }

    @Test func blanksAreNoNumber() {
        for blank in ["", " ", "\u{200B}", "\u{3000}"] {
            #expect(CrossTenantRelay.givenNumber(blank) == nil)
            #expect(RelayedRename.parse("applicant.renamed", ["name": "周文", "source_application_ids": [7], "id_number": blank]).failureDescription
                    == "id_number is blank")
        }
    }

    @Test func aNumberSentPaddedOrInFullWidthIsOneNumberOnBothSides() async throws {
        let f = try await RelayFixture.with("province", "zhengzhou")
        // A hand-over whose number carries blanks and an invisible character: stored as the number.
        try await relay.send(f, "application.forward", [
            "kind": "title", "source_application_id": 7, "submission": 1, "id_number": " 410102 19900101 1234\u{200B}", "applicant_name": "周申报",
            "unit_name": "育才实验小学", "unit_code": "4101040010003", "year": 2026, "series": "中小学教师", "level": "副高级", "title": "高级教师",
            "sections": "{}", "trail": "[]",
        ])
        #expect(try await f.rows("province", "SELECT id_number AS v FROM received_applications") == [Self.zhou])
        // Its correction in full width finds it.
        try await relay.send(f, "applicant.renamed", ["name": "周文", "source_application_ids": [7], "id_number": "４１０１０２１９９００１０１１２３４"])
        #expect(try await f.rows("province", "SELECT applicant_name || ' ' || former_applicant_names AS v FROM received_applications") == [#"周文 ["周申报"]"#])
        #expect(try await f.rows("province", "SELECT target || ' ' || detail AS v FROM audit WHERE action = 'applicant.renamed-in-city'")
                == [#"applicant:zhengzhou:410102********1234 {"city":"zhengzhou","name":"周文","applications":1,"experts":0}"#])
        // The same name again finds its copy, which already has it: a rename that changed nothing.
        try await relay.send(f, "applicant.renamed", ["name": "周文", "source_application_ids": [7], "id_number": Self.zhou])
        #expect(try await f.count("province", "SELECT count(*) FROM audit WHERE action = 'applicant.renamed-in-city'") == 2)
        #expect(try await f.count("province", "SELECT count(*) FROM audit WHERE action = 'relay.unapplied'") == 0)
    }

    @Test func aRenameThatFindsNoneOfItsCopiesIsKeptUnappliedAndAuditedSo() async throws {
        let f = try await RelayFixture.with("province", "zhengzhou")
        try await relay.handOver(f, submission: 1, applicant: "周申报", unit: "育才实验小学")
        let untouched = ["周申报|[]|育才实验小学|[]"]
        // Another person's number with the application's id; ids the province does not hold.
        let unmatched: [(kind: String, payload: [String: Any], reason: String)] = [
            ("applicant.renamed", ["name": "吴文", "source_application_ids": [7], "id_number": Self.wu],
             "the province holds none of the applications it names with its id_number"),
            ("applicant.renamed", ["name": "周文", "source_application_ids": [8, 9], "id_number": Self.zhou],
             "the province holds none of the applications it names with its id_number"),
            ("org.renamed", ["name": "育才小学", "source_application_ids": [8], "unit_code": "4101040010003"],
             "the province holds none of the applications it names"),
        ]
        var ids: [String] = []
        for message in unmatched { ids.append(try await relay.send(f, message.kind, message.payload)) }
        #expect(try await relay.names(f) == untouched)
        #expect(try await f.count("province", "SELECT count(*) FROM audit WHERE action IN ('org.renamed-in-city', 'applicant.renamed-in-city')") == 0)
        #expect(try await f.rows("province", "SELECT target || ' ' || detail AS v FROM audit WHERE action = 'relay.unapplied' ORDER BY seq")
                == zip(ids, unmatched).map { id, message in "message:\(id) " + #"{"kind":"\#(message.kind)","reason":"\#(message.reason)"}"# })
        // Kept in the inbox as they came; the relay went on, and a rename that finds its copy is applied.
        #expect(try await f.count("province", "SELECT count(*) FROM inbox") == 1 + unmatched.count)
        try await relay.send(f, "applicant.renamed", ["name": "周文", "source_application_ids": [7, 8], "id_number": Self.zhou])
        #expect(try await relay.names(f) == [#"周文|["周申报"]|育才实验小学|[]"#])
        #expect(try await f.count("province", "SELECT count(*) FROM audit WHERE action = 'applicant.renamed-in-city'") == 1)
    }
}
