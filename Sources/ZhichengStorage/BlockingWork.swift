import Dispatch
import Foundation
import Synchronization

/// Runs blocking work (SQLite on short-lived connections, password hashing) on
/// threads of its own: a few serial queues, used in turn.
///
/// A concurrent `DispatchQueue` would not do: on Linux it runs on the same global
/// pool as Swift concurrency, so blocking or long work there holds the threads that
/// serve every request (measured: during a burst of sign-ins, `/healthz` p99 went
/// from 0.1 ms to 62 ms). A serial queue gets a thread of its own, and the kernel
/// shares the cores between it and the request threads. `width` also bounds how
/// many jobs run at once (one password hash's memory per queue).
public final class BlockingWork: Sendable {
    private let queues: [DispatchQueue]
    private let next = Atomic<Int>(0)

    public init(label: String, width: Int = ProcessInfo.processInfo.activeProcessorCount) {
        queues = (0..<max(1, width)).map { DispatchQueue(label: "\(label).\($0)") }
    }

    /// Runs `body` on the next queue and returns its result.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await queues[next.add(1, ordering: .relaxed).oldValue % queues.count].perform(body)
    }
}

extension DispatchQueue {
    /// Runs `body` on this queue and returns its result to the awaiting task.
    func perform<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            async { continuation.resume(with: Result { try body() }) }
        }
    }

    /// Runs `body` on this queue; returns once it has run.
    func perform(_ body: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { continuation in
            async {
                body()
                continuation.resume()
            }
        }
    }
}
