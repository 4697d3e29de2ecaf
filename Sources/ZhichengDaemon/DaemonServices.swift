import Logging
import ServiceLifecycle
import UnixSignals
import ZhichengAdmin
import ZhichengApp
import ZhichengHTTP
import ZhichengStorage

/// Tells systemd the daemon is ready once the service group runs (so SIGTERM is
/// already handled gracefully), and `STOPPING=1` as soon as shutdown begins
/// (it is the last service, so it is shut down first).
struct ReadinessNotifier: Service {
    let status: String
    let logger: Logger

    func run() async throws {
        Systemd.ready(status: status)
        logger.notice("zhichengd ready", metadata: ["status": "\(status)"])
        try? await gracefulShutdown()
        Systemd.stopping()
    }
}

/// Keeps the watchdog fed at half its interval while the runtime is healthy.
struct WatchdogService: Service {
    let interval: Duration

    func run() async throws {
        let period = interval / 2
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            Systemd.notify("WATCHDOG=1")
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: period) }
        }
    }
}

/// Closes tenant databases that have been idle for too long.
struct IdleTenantSweeper: Service {
    let store: TenantStore
    let period: Duration

    func run() async throws {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: period) }
            guard !Task.isShuttingDownGracefully else { return }
            await store.closeIdle()
        }
    }
}

/// Reloads the configuration (and plugins) on SIGHUP. The signal is trapped when
/// this is made — before READY=1 — so an early SIGHUP cannot kill the daemon.
struct ReloadOnHangup: Service {
    let controller: DaemonController
    let logger: Logger
    let signals: UnixSignalsSequence

    init(controller: DaemonController, logger: Logger) async {
        self.controller = controller
        self.logger = logger
        signals = await UnixSignalsSequence(trapping: .sighup)
    }

    func run() async throws {
        for await _ in signals.cancelOnGracefulShutdown() {
            logger.info("SIGHUP: reloading configuration")
            _ = try? await controller.reloadConfig()
        }
    }
}

/// Delivers cross-tenant messages (applications to the province, answers back).
struct RelayService: Service {
    let relay: CrossTenantRelay

    func run() async throws {
        await withGracefulShutdownHandler {
            await relay.run()
        } onGracefulShutdown: {
            relay.stop()
        }
    }
}

/// Serves HTTP until shutdown.
struct HTTPService: Service {
    let server: HTTPServer
    func run() async throws { try await server.run() }
}

/// Keeps the admin socket open until shutdown, then drains its connections.
struct AdminService: Service {
    let server: AdminServer
    func run() async throws {
        try? await gracefulShutdown()
        await server.shutdown()
    }
}
