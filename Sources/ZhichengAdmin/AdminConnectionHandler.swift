import Logging
import Synchronization
import NIOCore
import NIOPosix
import ZhichengAdminProtocol
import ZhichengApp

/// Serves one admin connection. Requests run strictly one after another, so a
/// pipelined `create` then `suspend` act in order, and responses leave in request
/// order. Commands that need no I/O (`ping`, `help`) are answered on the event
/// loop when nothing is queued ahead of them; the rest hop to a task.
final class AdminConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = AdminFrame
    typealias OutboundOut = ByteBuffer

    private let dispatcher: AdminDispatcher
    private let policy: @Sendable () -> AdminAccessPolicy
    private let logger: Logger
    private var principal: Principal?
    private var refused = false
    /// Completes when every request received so far has been answered.
    private var tail: EventLoopFuture<Void>?
    private var queued = 0
    private static let maxQueued = 256

    init(dispatcher: AdminDispatcher, policy: @escaping @Sendable () -> AdminAccessPolicy, logger: Logger) {
        self.dispatcher = dispatcher
        self.policy = policy
        self.logger = logger
    }

    /// Completes once the connection has answered everything it read (graceful shutdown).
    func drained(on eventLoop: any EventLoop) -> EventLoopFuture<Void> {
        tail ?? eventLoop.makeSucceededVoidFuture()
    }

    func channelActive(context: ChannelHandlerContext) {
        dispatcher.connections.add(1, ordering: .relaxed)
        context.fireChannelActive()
        // On the channel's event loop the option is read synchronously, so this
        // completes before any request of the connection is read.
        let box = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        Self.peerCredentials(of: context.channel).whenComplete { result in
            let (handler, context) = box.value
            handler.admit(context: context, credentials: try? result.get())
        }
    }

    private func admit(context: ChannelHandlerContext, credentials: PeerCredentials?) {
        guard let credentials else {
            refuse(context: context, reason: "cannot read the peer's credentials")
            return
        }
        if policy().allows(credentials) {
            principal = .admin(uid: credentials.uid, pid: credentials.pid)
        } else {
            logger.warning("admin connection refused", metadata: ["peer.uid": "\(credentials.uid)", "peer.gid": "\(credentials.gid)", "peer.pid": "\(credentials.pid)"])
            refuse(context: context, reason: "uid \(credentials.uid) may not use the admin socket: list it (or one of its groups) in [admin] "
                   + "allowed_uids / allowed_gids of zhichengd.toml, then config reload")
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        dispatcher.connections.subtract(1, ordering: .relaxed)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused, let principal else { return }
        switch unwrapInboundIn(data) {
        case .tooLong:
            refused = true
            let line = AdminResponse.failure(id: .null, AdminError(code: .lineTooLong, message: "a request line may hold at most \(AdminFraming.maxLineBytes) bytes")).line
            let box = NIOLoopBound(context, eventLoop: context.eventLoop)
            enqueue(context: context) { $0.makeSucceededFuture(line) }.whenComplete { _ in box.value.close(promise: nil) }
        case .line(let buffer):
            let bytes = buffer.readableBytesView
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return }  // blank line
            let request: AdminRequest
            do {
                request = try AdminRequest(line: bytes)
            } catch {
                reply(context: context, line: error.line)
                return
            }
            if let immediate = dispatcher.immediateResponse(to: request) {
                reply(context: context, line: immediate.line)
                return
            }
            let dispatcher = self.dispatcher
            enqueue(context: context) { eventLoop in
                eventLoop.makeFutureWithTask { await dispatcher.respond(to: request, from: principal).line }
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("admin connection error", metadata: ["error": "\(error)"])
        context.close(promise: nil)
    }

    /// Writes `line` now if nothing is queued, else after the queue.
    private func reply(context: ChannelHandlerContext, line: String) {
        if tail == nil {
            context.write(wrapOutboundOut(context.channel.allocator.buffer(string: line)), promise: nil)
        } else {
            enqueue(context: context) { $0.makeSucceededFuture(line) }
        }
    }

    /// Runs `work` after everything queued before it, then writes its line.
    @discardableResult
    private func enqueue(context: ChannelHandlerContext, _ work: @escaping @Sendable (any EventLoop) -> EventLoopFuture<String>) -> EventLoopFuture<Void> {
        let eventLoop = context.eventLoop
        let previous = tail ?? eventLoop.makeSucceededVoidFuture()
        queued += 1
        if queued == Self.maxQueued { context.channel.setOption(ChannelOptions.autoRead, value: false).whenComplete { _ in } }
        let handlerBox = NIOLoopBound((self, context), eventLoop: eventLoop)
        let next = previous.flatMap { work(eventLoop) }.hop(to: eventLoop).map { line in
            let (handler, context) = handlerBox.value
            context.writeAndFlush(handler.wrapOutboundOut(context.channel.allocator.buffer(string: line)), promise: nil)
            handler.dequeued(context: context)
        }
        tail = next
        next.whenComplete { _ in
            let (handler, _) = handlerBox.value
            if handler.tail === next { handler.tail = nil }
        }
        return next
    }

    private func dequeued(context: ChannelHandlerContext) {
        queued -= 1
        if queued == Self.maxQueued - 1 { context.channel.setOption(ChannelOptions.autoRead, value: true).whenComplete { _ in } }
    }

    private func refuse(context: ChannelHandlerContext, reason: String) {
        refused = true
        let line = AdminResponse.failure(id: .null, AdminError(code: .forbidden, message: "access denied: \(reason)")).line
        let box = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: line))).whenComplete { _ in
            box.value.close(promise: nil)
        }
    }

    /// SO_PEERCRED of a Unix-domain connection.
    static func peerCredentials(of channel: any Channel) -> EventLoopFuture<PeerCredentials> {
        guard let provider = channel as? any SocketOptionProvider else {
            return channel.eventLoop.makeFailedFuture(ChannelError.operationUnsupported)
        }
        let future: EventLoopFuture<UCred> = provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
        return future.map { PeerCredentials(pid: $0.pid, uid: $0.uid, gid: $0.gid) }
    }
}

/// The layout of Linux's `struct ucred` (not exported to Swift without _GNU_SOURCE).
struct UCred: Sendable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}
