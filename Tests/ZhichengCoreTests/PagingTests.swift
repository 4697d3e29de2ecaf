import Testing
import ZhichengCore

@Suite("Paging: a page is read one row longer than shown")
struct PagingTests {
    @Test func aSizeAskedForIsKeptWithinOneAndTheMaximum() {
        #expect(Paging(50, maximum: 199).size == 50)
        #expect(Paging(0, maximum: 199).size == 1)
        #expect(Paging(-5, maximum: 199).size == 1)
        #expect(Paging(1_000_000, maximum: 199).size == 199)
        #expect(Paging(Int.max, maximum: 500).rowsToRead == 501)
        #expect(Paging.clamp(Int.min, maximum: 200) == 1)
    }

    @Test func theRowReadPastThePageSaysAnotherFollowsAndIsNotShown() {
        let paging = Paging(3, maximum: 10)
        let read = [11, 12, 13, 14]
        #expect(read.count == paging.rowsToRead)
        let (rows, next) = paging.cut(read) { $0 * 10 }
        #expect(rows == [11, 12, 13])
        // The next page starts after the last row shown, not after the one read past it.
        #expect(next == 130)
    }

    @Test func aFullLastPageAndAShortOneHaveNoNext() {
        let paging = Paging(3, maximum: 10)
        let full = paging.cut([1, 2, 3]) { $0 }
        #expect(full.rows == [1, 2, 3] && full.next == nil)
        let short = paging.cut([1]) { $0 }
        #expect(short.rows == [1] && short.next == nil)
        let empty = paging.cut([Int]()) { $0 }
        #expect(empty.rows.isEmpty && empty.next == nil)
    }
}
