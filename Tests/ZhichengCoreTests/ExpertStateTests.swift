import Testing
import ZhichengCore

/// Who the 专家信息库 still holds (ExpertState.isInLibrary): a recommendation of them is refused
/// and marked 已在专家库中; a retired expert has left it and may be recommended again.
@Suite("Expert states")
struct ExpertStateTests {
    @Test func aRetiredExpertHasLeftTheLibraryASuspendedOneHasNot() {
        #expect(ExpertState.active.isInLibrary)
        #expect(ExpertState.suspended.isInLibrary, "暂停 is a pause the office ends with 恢复")
        #expect(!ExpertState.retired.isInLibrary, "退出 is for good")
        #expect(ExpertState.inLibrarySQL == "'active', 'suspended'")
    }
}
