import Testing
import ZhichengCore

@Suite("Addressee: a message belongs to the tenant that had the id when it was written")
struct AddresseeTests {
    @Test func aTenantInServiceSinceBeforeTheMessageReceivesIt() {
        #expect(Addressee.of(writtenAt: 200, inServiceSince: 100, lastArchivedAt: nil) == .inService)
        // Archived once, created again, and the message was written to the new one.
        #expect(Addressee.of(writtenAt: 400, inServiceSince: 300, lastArchivedAt: 250) == .inService)
    }

    @Test func aMessageToAnArchivedTenantIsSetAside() {
        // Written while the city was in service, or after it was archived (the province
        // publishing a result for one of its applications): either way to that city.
        #expect(Addressee.of(writtenAt: 200, inServiceSince: nil, lastArchivedAt: 250) == .archived(at: 250))
        #expect(Addressee.of(writtenAt: 260, inServiceSince: nil, lastArchivedAt: 250) == .archived(at: 250))
    }

    @Test func aNewTenantOfTheSameIdNeverReceivesTheOldOnesMessages() {
        #expect(Addressee.of(writtenAt: 200, inServiceSince: 300, lastArchivedAt: 250) == .archived(at: 250))
        #expect(Addressee.of(writtenAt: 299.5, inServiceSince: 300, lastArchivedAt: 250) == .archived(at: 250))
    }

    @Test func anIdNoTenantEverHadWaits() {
        #expect(Addressee.of(writtenAt: 200, inServiceSince: nil, lastArchivedAt: nil) == .unknown)
    }

    @Test func aTenantNeverArchivedReceivesEvenOlderMessages() {
        // No earlier tenant to have written them to (a clock set back, a hand-made row):
        // the one in service is the only candidate.
        #expect(Addressee.of(writtenAt: 50, inServiceSince: 100, lastArchivedAt: nil) == .inService)
    }
}
