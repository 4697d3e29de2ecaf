import NIOCore
import NIOHTTPTypes

/// How long the daemon waits for a slow HTTP client (`http.client_timeout_seconds`,
/// `http.body_min_bytes_per_second`).
public struct ClientTimeouts: Sendable, Equatable {
    /// A request's header must arrive within this of the connection's start or of the
    /// end of its last response (Hummingbird's idle timeout, which also closes an idle
    /// keep-alive connection); a request body gets this much waiting before the rate
    /// below applies; a response may wait this long for a client that does not read it.
    public var timeout: TimeAmount
    /// Each byte of a request body buys its client `1 / rate` s more waiting (Apache's
    /// `mod_reqtimeout` `MinRate`); 0: the body only has to keep moving, a gap of at
    /// most `timeout` between two reads.
    public var bodyMinBytesPerSecond: Int

    public init(timeout: TimeAmount = .seconds(30), bodyMinBytesPerSecond: Int = 1024) {
        self.timeout = timeout
        self.bodyMinBytesPerSecond = bodyMinBytesPerSecond
    }
}

/// Closes an HTTP/1.1 connection whose client holds it without doing its part, which
/// Hummingbird's idle timeout does not cover (it sees only whole HTTP parts):
/// - **a request body that trickles in** (one byte a minute kept the connection, and a
///   handler waiting for the body, for as long as the upload limit allowed): the time
///   the daemon spends *asking for* body bytes that do not come is counted against an
///   allowance of `timeout`, plus `1 / rate` s for each byte received. Time in which the
///   daemon does not ask (a handler that has not started reading the body, NIO's
///   back-pressure) is not the client's and is not counted.
/// - **a response the client does not read**: a connection that stays unwritable (NIO
///   holds more than its high-water mark that the kernel cannot send) for `timeout`.
///   Before this, a client that pipelined requests and never read the answers held its
///   connection for ever, and the daemon's graceful stop with it (it waits for the
///   response being written), until systemd killed the daemon before its checkpoint.
///
/// Placed after the HTTP codec (it sees request and response parts and the `read()`
/// calls going out), on the connection's event loop; the clock is the loop's, so tests
/// drive it with `EmbeddedEventLoop.advanceTime`.
final class ClientTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    enum Reason: String, Sendable, CaseIterable { case body, write }

    private let limits: ClientTimeouts
    /// Told once when this handler closes the connection (metrics and log).
    private let onClose: @Sendable (Reason, SocketAddress?) -> Void

    /// Between a request's head and its end.
    private var readingBody = false
    /// How much waiting the body's client has earned, and how much it has used.
    private var allowance = TimeAmount.zero
    private var waited = TimeAmount.zero
    /// Since when the daemon has asked for bytes that have not come (nil: not asking).
    private var askingSince: NIODeadline?
    private var bodyCheck: Scheduled<Void>?
    private var writeStall: Scheduled<Void>?
    private var closing = false

    /// The most waiting a body can earn: keeps the arithmetic far from overflow.
    private static let maxAllowance = TimeAmount.hours(24)

    init(_ limits: ClientTimeouts, onClose: @escaping @Sendable (Reason, SocketAddress?) -> Void) {
        self.limits = limits
        self.onClose = onClose
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            readingBody = true
            allowance = limits.timeout
            waited = .zero
            askingSince = nil
            cancel(&bodyCheck)
        case .body(let bytes):
            let now = context.eventLoop.now
            if let since = askingSince {
                waited = waited + (now - since)
                askingSince = nil
                cancel(&bodyCheck)
            }
            if limits.bodyMinBytesPerSecond > 0 {
                let earned = TimeAmount.nanoseconds(Int64(bytes.readableBytes) * 1_000_000_000 / Int64(limits.bodyMinBytesPerSecond))
                allowance = min(allowance + earned, Self.maxAllowance)
            } else {
                // Only a gap counts: each wait may last up to `timeout`.
                waited = .zero
            }
        case .end:
            readingBody = false
            askingSince = nil
            cancel(&bodyCheck)
        }
        context.fireChannelRead(data)
    }

    func read(context: ChannelHandlerContext) {
        if readingBody, askingSince == nil, !closing {
            askingSince = context.eventLoop.now
            scheduleBodyCheck(context)
        }
        context.read()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            cancel(&writeStall)
        } else if writeStall == nil, !closing {
            writeStall = context.eventLoop.assumeIsolated().scheduleTask(in: limits.timeout) { [self] in
                writeStall = nil
                if !context.channel.isWritable { close(context, .write) }
            }
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelAll()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelAll()
    }

    private func scheduleBodyCheck(_ context: ChannelHandlerContext) {
        let left = allowance - waited
        bodyCheck = context.eventLoop.assumeIsolated().scheduleTask(in: max(left, .zero)) { [self] in
            bodyCheck = nil
            guard readingBody, let since = askingSince else { return }
            if waited + (context.eventLoop.now - since) >= allowance {
                close(context, .body)
            } else {
                scheduleBodyCheck(context)
            }
        }
    }

    private func close(_ context: ChannelHandlerContext, _ reason: Reason) {
        guard !closing else { return }
        closing = true
        cancelAll()
        onClose(reason, context.channel.remoteAddress)
        context.close(promise: nil)
    }

    private func cancelAll() {
        cancel(&bodyCheck)
        cancel(&writeStall)
    }

    private func cancel(_ task: inout Scheduled<Void>?) {
        task?.cancel()
        task = nil
    }
}
