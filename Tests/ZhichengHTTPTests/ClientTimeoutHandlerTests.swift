import HTTPTypes
import NIOConcurrencyHelpers
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import Testing
@testable import ZhichengHTTP

/// `ClientTimeoutHandler` on an `EmbeddedChannel`, whose loop's clock moves only when the
/// test advances it: a slow body is measured only while the daemon asks for bytes, a
/// body at the minimum rate is never cut, a response the client does not take is.
@Suite("Slow HTTP clients")
struct ClientTimeoutHandlerTests {
    /// A channel with the handler (30 s, 1,024 bytes/s unless told) and the reasons it closed for.
    final class Harness {
        let channel: EmbeddedChannel
        let loop: EmbeddedEventLoop
        let closes = NIOLockedValueBox<[ClientTimeoutHandler.Reason]>([])

        init(timeout: Int64 = 30, rate: Int = 1024) throws {
            loop = EmbeddedEventLoop()
            let closes = self.closes
            channel = EmbeddedChannel(handler: ClientTimeoutHandler(.init(timeout: .seconds(timeout), bodyMinBytesPerSecond: rate)) { reason, _ in
                closes.withLockedValue { $0.append(reason) }
            }, loop: loop)
            try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        }

        func head() throws { try channel.writeInbound(HTTPRequestPart.head(HTTPRequest(method: .post, scheme: nil, authority: "x", path: "/upload"))) }
        func body(_ bytes: Int) throws { try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(repeating: 0x61, count: bytes))) }
        func end() throws { try channel.writeInbound(HTTPRequestPart.end(nil)) }
        /// The daemon asks the socket for more (what NIO's auto-read does after each read).
        func ask() { channel.read() }
        func wait(_ seconds: Int64) { loop.advanceTime(by: .seconds(seconds)) }
        func writable(_ yes: Bool) {
            channel.isWritable = yes
            channel.pipeline.fireChannelWritabilityChanged()
        }
        var open: Bool { channel.isActive }
        var reasons: [ClientTimeoutHandler.Reason] { closes.withLockedValue { $0 } }

        deinit { _ = try? channel.finish(acceptAlreadyClosed: true) }
    }

    @Test func aBodyThatStopsComingIsClosedAfterTheTimeout() throws {
        let h = try Harness()
        try h.head()
        h.ask()
        h.wait(29)
        #expect(h.open)
        try h.body(10)                      // 10 bytes buy about 10 ms
        h.ask()
        h.wait(1)
        #expect(h.open, "29 + 1 s waited of the 30.01 s earned")
        h.wait(1)
        #expect(h.open == false)
        #expect(h.reasons == [.body])
    }

    @Test func aBodyAtTheMinimumRateIsNeverCut() throws {
        let h = try Harness()
        try h.head()
        h.wait(20)                          // not asking yet: the handler has not read the body
        for _ in 0..<300 {                  // five minutes at 1,024 bytes a second
            h.ask()
            h.wait(1)
            try h.body(1024)
        }
        try h.end()
        #expect(h.open)
        #expect(h.reasons.isEmpty)
    }

    @Test func aTrickleBelowTheRateIsCutOnceItsAllowanceIsSpent() throws {
        let h = try Harness()
        try h.head()
        var seconds = 0
        while h.open && seconds < 600 {     // one byte every 10 s earns ~10 ms each
            h.ask()
            h.wait(10)
            seconds += 10
            if h.open { try h.body(1) }
        }
        #expect(h.open == false)
        #expect((30...40).contains(seconds), "cut once about 30 s of waiting was used, at \(seconds) s")
        #expect(h.reasons == [.body])
    }

    @Test func timeTheDaemonIsNotAskingIsNotTheClients() throws {
        let h = try Harness()
        try h.head()
        h.wait(600)                         // back-pressure, or a handler busy before reading
        #expect(h.open)
        h.ask()
        h.ask()                             // a second read while the first waits changes nothing
        h.wait(29)
        #expect(h.open)
        h.wait(1)
        #expect(h.open == false)
    }

    @Test func nothingIsTimedBetweenRequestsOrWhileTheResponseIsMade() throws {
        let h = try Harness()
        try h.head()
        try h.end()
        h.ask()
        h.wait(3600)                        // the header's wait is Hummingbird's idle timeout
        #expect(h.open)
        try h.head()
        h.ask()
        h.wait(20)
        try h.end()                         // the pending check is dropped with the body
        h.wait(3600)
        #expect(h.open)
        #expect(h.reasons.isEmpty)
    }

    @Test func withoutARateOnlyAGapLongerThanTheTimeoutCuts() throws {
        let h = try Harness(rate: 0)
        try h.head()
        for _ in 0..<10 {
            h.ask()
            h.wait(25)
            try h.body(1)
        }
        #expect(h.open)
        h.ask()
        h.wait(30)
        #expect(h.open == false)
        #expect(h.reasons == [.body])
    }

    @Test func aResponseTheClientDoesNotTakeIsClosed() throws {
        let h = try Harness()
        h.writable(false)
        h.wait(29)
        #expect(h.open)
        h.writable(true)                    // the client read some: the clock starts again
        h.wait(600)
        #expect(h.open)
        h.writable(false)
        h.wait(29)
        h.writable(false)                   // told again while already waiting: same deadline
        #expect(h.open)
        h.wait(1)
        #expect(h.open == false)
        #expect(h.reasons == [.write])
    }

    @Test func closingOnceCountsOnce() throws {
        let h = try Harness(timeout: 5)
        try h.head()
        h.ask()
        h.writable(false)
        h.wait(10)
        #expect(h.open == false)
        #expect(h.reasons.count == 1)
    }
}
