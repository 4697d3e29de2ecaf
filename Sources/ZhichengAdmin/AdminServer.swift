import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ZhichengAdminProtocol
import ZhichengCore

/// File-system settings for a socket the daemon binds itself.
public struct UnixSocketSettings: Sendable, Equatable {
    public var mode: mode_t
    /// Applied when the group exists; ignored otherwise (e.g. on a developer machine).
    public var group: String?

    public init(mode: mode_t = 0o660, group: String? = nil) {
        self.mode = mode
        self.group = group
    }
}

/// The admin protocol's Unix-socket server.
public final class AdminServer: Sendable {
    private let dispatcher: AdminDispatcher
    private let policy: NIOLockedValueBox<AdminAccessPolicy>
    private let logger: Logger
    private let group: any EventLoopGroup
    private let state = NIOLockedValueBox<State>(State())

    private struct State {
        var server: (any Channel)?
        var connections: [ObjectIdentifier: (any Channel, NIOLoopBound<AdminConnectionHandler>)] = [:]
    }

    public init(dispatcher: AdminDispatcher, policy: AdminAccessPolicy, group: any EventLoopGroup, logger: Logger) {
        self.dispatcher = dispatcher
        self.policy = NIOLockedValueBox(policy)
        self.group = group
        self.logger = logger
    }

    /// Replaces who may connect (config reload); applies to new connections.
    public func setPolicy(_ policy: AdminAccessPolicy) { self.policy.withLockedValue { $0 = policy } }

    /// Starts listening; returns the socket's path once it accepts connections.
    @discardableResult
    public func start(_ source: ListenerSource, settings: UnixSocketSettings) async throws -> String {
        let policy = self.policy
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .childChannelInitializer { [dispatcher, logger, state] channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = AdminConnectionHandler(dispatcher: dispatcher, policy: { policy.withLockedValue { $0 } }, logger: logger)
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(AdminLineDecoder()))
                    try channel.pipeline.syncOperations.addHandler(handler)
                    let key = ObjectIdentifier(channel)
                    let bound = NIOLoopBound(handler, eventLoop: channel.eventLoop)
                    state.withLockedValue { $0.connections[key] = (channel, bound) }
                    channel.closeFuture.whenComplete { _ in _ = state.withLockedValue { $0.connections.removeValue(forKey: key) } }
                }
            }
        let channel: any Channel
        switch source {
        case let .inherited(fd, _):
            channel = try await bootstrap.withBoundSocket(fd).get()
        case let .unixPath(path):
            try Self.prepareDirectory(for: path)
            try SocketPathCheck.requireFree(path, purpose: "admin socket")
            channel = try await bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).get()
            try Self.apply(settings, to: path, logger: logger)
        case let .tcp(host, port):
            channel = try await bootstrap.bind(host: host, port: port).get()
        }
        state.withLockedValue { $0.server = channel }
        let address = channel.localAddress?.pathname ?? "\(source)"
        logger.info("admin socket listening", metadata: ["listener": "\(address)", "source": "\(source)"])
        return address
    }

    /// Stops accepting, lets every connection finish what it has read, then closes it.
    public func shutdown() async {
        let (server, connections) = state.withLockedValue { ($0.server, Array($0.connections.values)) }
        try? await server?.close().get()
        for (channel, handler) in connections {
            let drained = channel.eventLoop.flatSubmit { handler.value.drained(on: channel.eventLoop) }
            _ = try? await drained.get()
            try? await channel.close().get()
        }
    }

    static func prepareDirectory(for path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        guard !dir.isEmpty, !FileManager.default.fileExists(atPath: dir) else { return }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
    }

    static func apply(_ settings: UnixSocketSettings, to path: String, logger: Logger) throws {
        if let name = settings.group {
            if let entry = getgrnam(name) {
                if chown(path, uid_t.max, entry.pointee.gr_gid) != 0 {
                    logger.warning("cannot give the admin socket to its group", metadata: ["group": "\(name)", "errno": "\(errno)"])
                }
            } else {
                logger.debug("admin socket group does not exist; left as is", metadata: ["group": "\(name)"])
            }
        }
        guard chmod(path, settings.mode) == 0 else {
            throw AdminError(code: .internal, message: "cannot set mode \(String(settings.mode, radix: 8)) on \(path): errno \(errno)")
        }
    }
}
