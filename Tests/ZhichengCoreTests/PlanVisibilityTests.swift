import Testing
import ZhichengCore

/// Who sees a 申报计划 in which state: a draft is its unit's own; the orgs above it see it
/// from its submission on, whatever the city decides.
@Suite("Plan visibility")
struct PlanVisibilityTests {
    @Test(arguments: [(PlanState.draft, false), (.submitted, true), (.approved, true), (.rejected, true)])
    func aDraftIsTheUnitsOwn(state: PlanState, seen: Bool) {
        #expect(state.isSeenAboveItsUnit == seen)
    }

    @Test func theStatesSeenAboveAreEveryStateButTheDraft() {
        #expect(PlanState.seenAboveItsUnit == [.submitted, .approved, .rejected])
    }
}
