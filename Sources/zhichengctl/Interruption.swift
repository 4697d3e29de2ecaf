import Foundation
import Synchronization

/// SIGINT and SIGTERM caught while a request is on its way or its answer awaited, so that
/// zhichengctl says the command goes on in the daemon instead of dying silently (exit status
/// 128 + the signal: 130 for Ctrl-C). The handler records the signal and writes a byte to a
/// pipe (both safe in a handler); the client polls that pipe beside the socket, so a signal
/// is seen whenever it comes, also between two reads. Installed without `SA_RESTART`: a
/// blocked `write` returns `EINTR`. The previous dispositions come back at `end()`.
final class Interruption {
    /// The signal caught since the last `init`, 0 for none (one request at a time).
    private static let signal = Atomic<Int32>(0)
    /// The pipe's write end, -1 when there is none.
    private static let wakeWriter = Atomic<Int32>(-1)

    /// The pipe's read end, to poll: readable once a signal came.
    let wake: Int32
    private let writer: Int32
    private var previous: [(Int32, sigaction)] = []

    init() {
        var ends: [Int32] = [-1, -1]
        if pipe(&ends) == 0 {
            // Non-blocking: a handler run for many signals must never block on a full pipe.
            for fd in ends { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        } else {
            ends = [-1, -1]
        }
        (wake, writer) = (ends[0], ends[1])
        Self.signal.store(0, ordering: .relaxed)
        Self.wakeWriter.store(writer, ordering: .relaxed)
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { number in
            Interruption.signal.store(number, ordering: .relaxed)
            var byte: UInt8 = 1
            let fd = Interruption.wakeWriter.load(ordering: .relaxed)
            if fd >= 0 { _ = write(fd, &byte, 1) }
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        for number in [SIGINT, SIGTERM] {
            var old = sigaction()
            if sigaction(number, &action, &old) == 0 { previous.append((number, old)) }
        }
    }

    /// The signal caught, if one was.
    var caught: Int32? {
        let number = Self.signal.load(ordering: .relaxed)
        return number == 0 ? nil : number
    }

    /// Puts back the dispositions `init` replaced and closes the pipe.
    func end() {
        for (number, old) in previous {
            var old = old
            sigaction(number, &old, nil)
        }
        previous = []
        Self.wakeWriter.store(-1, ordering: .relaxed)
        for fd in [wake, writer] where fd >= 0 { close(fd) }
    }

    static func name(_ number: Int32) -> String {
        switch number {
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        default: "signal \(number)"
        }
    }
}
