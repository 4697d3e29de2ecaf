import Dispatch
import Foundation
import Testing
@testable import ZhichengStorage

@Suite("Reader choice")
struct ReaderChoiceTests {
    static let schema = [Migration(version: 1, name: "t", sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER NOT NULL) STRICT;")]

    /// Reads one after another stay on one reader (its thread is the one awake), where
    /// taking turns sent every other read to the other.
    @Test func readsOneAfterAnotherStayOnOneReader() async throws {
        let dir = try TemporaryDirectory()
        let db = try Database(path: dir.path + "/t.sqlite", migrations: Self.schema)
        let first = db.chooseReader()
        var connections: Set<ObjectIdentifier> = []
        for _ in 0..<5 {
            connections.insert(try await db.read { conn in ObjectIdentifier(conn) })
            #expect(db.chooseReader() == first)
            #expect(db.readsInFlight == [0, 0])
        }
        #expect(connections.count == 1, "each read ran on the same reader's connection")
        await db.close()
    }

    /// A read while another is running goes to the other reader and runs at once, and a
    /// write commits while both readers are inside their transactions. The test waits for
    /// the reads without holding a thread of the concurrency pool (they need one to start).
    @Test func aReadWhileOneRunsTakesTheIdleReaderAndNeitherBlocksTheWriter() async throws {
        let dir = try TemporaryDirectory()
        let db = try Database(path: dir.path + "/t.sqlite", migrations: Self.schema)
        let started = Started()
        let gate = DispatchSemaphore(value: 0)
        let busy = db.chooseReader()
        let blocked = { @Sendable in
            try await db.read { conn -> Int? in
                let n = try conn.scalar("SELECT count(*) FROM t")?.int
                started.add()
                gate.wait()   // on the reader's own thread
                return n
            }
        }
        let one = Task { try await blocked() }
        // Whatever fails below, the readers' threads are let go.
        var opened = false
        defer { if !opened { gate.signal(); gate.signal() } }
        #expect(await started.reach(1))
        #expect(db.readsInFlight[busy] == 1)
        #expect(db.chooseReader() != busy)
        let two = Task { try await blocked() }
        // Behind the first read it would not start until the gate opens.
        #expect(await started.reach(2))
        #expect(db.readsInFlight == [1, 1])
        try await db.write { conn in try conn.run("INSERT INTO t (n) VALUES (1)") }
        gate.signal()
        gate.signal()
        opened = true
        #expect(try await one.value == 0)
        #expect(try await two.value == 0)
        #expect(db.readsInFlight == [0, 0])
        #expect(try await db.read { conn in try conn.scalar("SELECT count(*) FROM t")?.int } == 1)
        await db.close()
    }

    /// How many reads have started, counted on the readers' threads.
    final class Started: @unchecked Sendable {
        private let lock = NSLock()
        private var count = 0
        func add() { lock.withLock { count += 1 } }
        /// Whether `n` reads have started within 60 s, sleeping (not blocking) between looks: a
        /// bound on a hang, not a timing (under `make test` the other suites keep both cores and
        /// the concurrency pool busy, and a read's task may wait seconds for a thread to start).
        func reach(_ n: Int) async -> Bool {
            let deadline = ContinuousClock.now + .seconds(60)
            while lock.withLock({ count }) < n {
                guard ContinuousClock.now < deadline else { return false }
                try? await Task.sleep(for: .milliseconds(2))
            }
            return true
        }
    }
}
