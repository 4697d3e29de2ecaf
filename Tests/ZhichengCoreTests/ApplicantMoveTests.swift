import Testing
import ZhichengCore

/// 人员调动 (`ApplicantMove`): the unit moved to, typed by its 单位编号; a move to the same
/// unit or to one not yet approved refused, naming it; only drafts go with the person.
@Suite("人员调动 (ApplicantMove)")
struct ApplicantMoveTests {
    @Test(arguments: [
        ("4101040010002", "4101040010002"),
        ("  4101040010002 ", "4101040010002"),
        ("４１０１０４００１０００２", "4101040010002"),   // full width, as an IME types it
        ("\u{200B}4101040010002\u{FEFF}", "4101040010002"), // invisible characters pasted around it
    ])
    func aCodeIsReadAsTyped(_ typed: String, _ code: String) throws {
        #expect(try ApplicantMove.unitCode(typed) == code)
    }

    @Test(arguments: ["", "   ", "逸夫小学", "4101-04", "4101 04", "٤١٠١", String(repeating: "1", count: 41)])
    func anythingButDigitsIsRefusedNamingTheField(_ typed: String) {
        #expect {
            try ApplicantMove.unitCode(typed)
        } throws: { error in
            guard let error = error as? ZhichengError else { return false }
            return error.code == .invalid && error.field == "unit_code"
        }
    }

    static let school = ApplicantMove.Target(id: 7, code: "4101040010002", name: "紫荆山小学", approved: true)

    @Test func aMoveToAnotherApprovedUnitIsAllowed() throws {
        try ApplicantMove.check(from: 6, to: Self.school)
    }

    @Test func aMoveToTheUnitTheyAreInIsRefusedNamingIt() {
        #expect {
            try ApplicantMove.check(from: 7, to: Self.school)
        } throws: { error in
            let error = error as? ZhichengError
            return error?.code == .invalid && error?.field == "unit_code" && error?.message.contains("单位编号4101040010002") == true
        }
    }

    @Test func aMoveToAUnitNotYetApprovedIsAConflictByItsCodeOnly() {
        var unapproved = Self.school
        unapproved.approved = false
        #expect {
            try ApplicantMove.check(from: 6, to: unapproved)
        } throws: { error in
            // A unit outside the caller's line is not named to them anywhere else either.
            let error = error as? ZhichengError
            return error?.code == .conflict && error?.message.contains("单位编号4101040010002") == true
                && error?.message.contains("审核") == true && error?.message.contains("紫荆山小学") == false
        }
    }

    @Test(arguments: [ApplicantMove.State.accepted, .declined, .cancelled])
    func aWaitingOfferIsDecidedOnce(_ next: ApplicantMove.State) throws {
        #expect(try ApplicantMove.State.pending.decide(next) == next)
        let says: [ApplicantMove.State: String] = [
            .accepted: "该调动已由调入单位接收，不能再办理", .declined: "调入单位已不接收该调动，不能再办理", .cancelled: "该调动已撤销，不能再办理",
        ]
        for (settled, message) in says {
            #expect {
                try settled.decide(next)
            } throws: { error in
                let error = error as? ZhichengError
                return error?.code == .conflict && error?.message == message
            }
        }
    }

    @Test func anExpertRecommendationUnderWayHoldsTheMove() throws {
        try ApplicantMove.checkUnderWay(name: "严调动", expertRecommendationsUnderWay: 0)
        #expect {
            try ApplicantMove.checkUnderWay(name: "严调动", expertRecommendationsUnderWay: 1)
        } throws: { error in
            let error = error as? ZhichengError
            return error?.code == .conflict && error?.message == "严调动的专家推荐申报尚未办结（审查中或退回修改），办结后再调动"
        }
    }

    @Test func anOfferIsNotMadeWaitingAgain() {
        #expect(throws: ZhichengError.self) { try ApplicantMove.State.pending.decide(.pending) }
    }

    @Test func onlyDraftsGoWithThePerson() {
        let going = ApplicationState.allCases.filter(ApplicantMove.goesWithPerson)
        #expect(going == [.draft])
        // What stays is either under way on its route or ended: nothing is left in between.
        for state in ApplicationState.allCases where state != .draft {
            #expect(!ApplicantMove.goesWithPerson(state))
        }
    }
}
