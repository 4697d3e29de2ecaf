import Foundation
import Synchronization
import Testing
@testable import ZhichengStorage

@Suite("Blocking work off the concurrency pool")
struct BlockingWorkTests {
    struct Failure: Error, Equatable {}

    @Test func returnsTheResultAndRethrows() async throws {
        let work = BlockingWork(label: "test.result", width: 2)
        #expect(try await work.run { 6 * 7 } == 42)
        await #expect(throws: Failure.self) { try await work.run { throw Failure() } }
    }

    final class Counter: Sendable {
        let running = Atomic<Int>(0)
        let most = Atomic<Int>(0)
        let started = Atomic<Int>(0)
    }

    /// `width` jobs run at once (each queue has a thread of its own), never more.
    @Test func widthBoundsHowManyJobsRunAtOnce() async throws {
        let work = BlockingWork(label: "test.width", width: 2)
        let counter = Counter()
        let partner = DispatchSemaphore(value: 0)
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<6 {
                group.addTask {
                    try await work.run {
                        let now = counter.running.add(1, ordering: .acquiringAndReleasing).newValue
                        _ = counter.most.max(now, ordering: .acquiringAndReleasing)
                        defer { counter.running.subtract(1, ordering: .acquiringAndReleasing) }
                        // The first job to start waits for a second one, which can only
                        // start on the other queue while the first is still running.
                        switch counter.started.add(1, ordering: .acquiringAndReleasing).newValue {
                        case 1: return partner.wait(timeout: .now() + 10) == .success
                        case 2: partner.signal()
                        default: break
                        }
                        usleep(2000)
                        return true
                    }
                }
            }
            for try await metPartner in group { #expect(metPartner) }
        }
        #expect(counter.most.load(ordering: .acquiring) == 2)
    }
}
