import Hummingbird
import HummingbirdCore
import Logging
import Metrics
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServiceLifecycle
import ZhichengCore

/// Serves the router over HTTP/1.1 on a listener we bind or one systemd passed
/// (Hummingbird's own server can only bind by address, so this small accept loop
/// hands each connection to Hummingbird's `HTTP1Channel`).
public final class HTTPServer: Sendable {
    private let responder: HTTPChannelHandler.Responder
    private let group: any EventLoopGroup
    private let logger: Logger
    private let server = NIOLockedValueBox<NIOAsyncChannel<HTTP1Channel.Value, Never>?>(nil)
    /// Connections open at once; one more is closed as soon as it is accepted.
    private let maxConnections: Int
    private let timeouts: ClientTimeouts
    /// `zhicheng_http_connections`: connections open now (those refused over the limit not counted).
    private let connections = Gauge(label: "zhicheng_http_connections")

    public init<Responder: HTTPResponder>(responder: Responder, group: any EventLoopGroup, maxConnections: Int = 4096,
                                          timeouts: ClientTimeouts = .init(), proxies: ProxyTrust = ProxyTrust(), logger: Logger)
    where Responder.Context == AppRequestContext {
        self.group = group
        self.maxConnections = max(1, maxConnections)
        self.timeouts = timeouts
        self.logger = logger
        let dateCache = HTTPDate()
        self.responder = { request, responseWriter, channel in
            // Every line logged while the request is handled carries its id, which the answer
            // returns (`X-Request-Id`) and an internal error's body or page shows.
            // Behind a trusted proxy (`http.trusted_proxies`), the client is the address it
            // forwarded. The id is always ours: a proxy passes on whatever its client sent, and
            // nobody may choose the id their log lines are found by (nginx logs ours from the
            // answer: `$upstream_http_x_request_id`).
            let client = proxies.current.client(of: channel.remoteAddress, headers: request.headers)
            let id = HTTPRequestID.next()
            var response = await HTTPRequestID.$current.withValue(id) { () async -> Response in
                let context = AppRequestContext(source: .init(channel: channel, logger: logger), remoteAddress: client.address,
                                                forwardingBelieved: client.forwardingBelieved)
                do {
                    return try await responder.respond(to: request, context: context)
                } catch let error as any HTTPResponseError {
                    return (try? error.response(from: request, context: context)) ?? Response(status: error.status)
                } catch {
                    // Not the client's doing (a storage error, a bug): logged once with its details
                    // (by `response`), and answered in the API's error shape without them (SPEC §5).
                    let failure = ZhichengError(.internal, "\(error)")
                    return (try? failure.response(from: request, context: context)) ?? Response(status: .internalServerError)
                }
            }
            // HEAD (answered wherever GET is: `HTTPRoutes.router`): the GET's status and headers,
            // its Content-Length too, and never a body (RFC 9110 §9.3.2), an error's included; a
            // body would be read as the start of the connection's next answer.
            if request.method == .head { response = Response(status: response.status, headers: response.headers, body: .init()) }
            response.headers[.date] = dateCache.now()
            response.headers[.xRequestID] = id
            try await responseWriter.write(response: response.head, body: response.body)
        }
        connections.record(0)
    }

    /// Hummingbird's HTTP/1.1 channel: its idle timeout bounds the wait for a request's
    /// header (and an idle keep-alive connection); `ClientTimeoutHandler` bounds a slow body
    /// and a response the client does not read.
    private func makeChannel() -> HTTP1Channel {
        let timeouts = self.timeouts
        let logger = self.logger
        let closed = ClientTimeoutHandler.Reason.allCases.reduce(into: [:]) { counters, reason in
            counters[reason] = Counter(label: "zhicheng_http_slow_clients_closed_total", dimensions: [("reason", reason.rawValue)])
        }
        return HTTP1Channel(responder: responder, configuration: .init(
            additionalChannelHandlers: [ClientTimeoutHandler(timeouts) { reason, peer in
                closed[reason]?.increment()
                // The peer as the audit log and sessions record a client (`IPAddress.recorded`:
                // 127.0.0.1, not NIO's [IPv6]::ffff:127.0.0.1/…:port), its port apart.
                var metadata: Logger.Metadata = ["reason": "\(reason.rawValue)", "peer": "\(IPAddress.recorded(peer))"]
                if let port = peer?.port { metadata["peer.port"] = "\(port)" }
                logger.debug("HTTP connection closed: client too slow", metadata: metadata)
            }],
            idleTimeout: timeouts.timeout))
    }

    /// Binds (or adopts) the listener; returns once it accepts connections.
    public func start(_ source: ListenerSource) async throws -> String {
        let channel = makeChannel()
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
        let logger = self.logger
        let initializer: @Sendable (any Channel) -> EventLoopFuture<HTTP1Channel.Value> = { channel.setup(channel: $0, logger: logger) }
        let server: NIOAsyncChannel<HTTP1Channel.Value, Never>
        switch source {
        case let .inherited(fd, _):
            server = try await bootstrap.bind(fd, childChannelInitializer: initializer)
        case let .tcp(host, port):
            server = try await bootstrap.bind(host: host, port: port, childChannelInitializer: initializer)
        case let .unixPath(path):
            server = try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true, childChannelInitializer: initializer)
        }
        self.server.withLockedValue { $0 = server }
        let address = server.channel.localAddress.map { address -> String in
            if let ip = address.ipAddress, let port = address.port { return "\(ip):\(port)" }
            return address.pathname ?? "\(address)"
        } ?? "\(source)"
        logger.info("HTTP listening", metadata: ["listener": "\(address)"])
        return address
    }

    /// Accepts connections until graceful shutdown; then stops accepting, and tells every
    /// open connection to quiesce: an idle keep-alive connection closes at once, a busy one
    /// after the response it is writing. (Without that, one idle keep-alive connection, a
    /// metrics scraper's, held the stop until systemd killed the daemon, before its WAL
    /// checkpoint.)
    public func run() async throws {
        guard let server = server.withLockedValue({ $0 }) else { return }
        let channel = makeChannel()
        let logger = self.logger
        let limit = maxConnections
        let gauge = connections
        struct Open {
            var channels: [ObjectIdentifier: any Channel] = [:]
            var quiescing = false
            /// Refusing connections since the last one accepted (said once in the log).
            var refusing = false
        }
        let open = NIOLockedValueBox(Open())
        try await withGracefulShutdownHandler {
            try await server.executeThenClose { inbound in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await connection in inbound {
                        let child = connection.channel
                        let key = ObjectIdentifier(child)
                        let (late, full, firstRefused) = open.withLockedValue { state -> (Bool, Bool, Bool) in
                            guard state.channels.count < limit else {
                                defer { state.refusing = true }
                                return (state.quiescing, true, !state.refusing)
                            }
                            state.channels[key] = child
                            gauge.record(state.channels.count)
                            state.refusing = false
                            return (state.quiescing, false, false)
                        }
                        if full {
                            if firstRefused {
                                logger.warning("HTTP connections refused: the limit of open connections is reached", metadata: ["limit": "\(limit)"])
                            }
                            // Closed through its async wrapper, which must finish its writer.
                            group.addTask { try? await connection.executeThenClose { _, _ in } }
                            continue
                        }
                        if late { child.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent()) }
                        group.addTask {
                            await channel.handle(value: connection, logger: logger)
                            open.withLockedValue { state in
                                state.channels.removeValue(forKey: key)
                                gauge.record(state.channels.count)
                            }
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            server.channel.close(promise: nil)
            let channels = open.withLockedValue { state -> [any Channel] in
                state.quiescing = true
                return Array(state.channels.values)
            }
            for child in channels { child.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent()) }
        }
    }
}

/// The `Date` header value, recomputed at most once a second.
final class HTTPDate: Sendable {
    private let cache = NIOLockedValueBox<(second: Int, text: String)>((0, ""))

    func now() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        let second = ts.tv_sec
        return cache.withLockedValue { cached in
            if cached.second == second { return cached.text }
            var t = time_t(second)
            var parts = tm()
            gmtime_r(&t, &parts)
            var buffer = [CChar](repeating: 0, count: 64)
            let count = strftime(&buffer, buffer.count, "%a, %d %b %Y %H:%M:%S GMT", &parts)
            let text = String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            cached = (second, text)
            return text
        }
    }
}
