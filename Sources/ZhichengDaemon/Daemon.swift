import Foundation
import Logging
import Metrics
import NIOCore
import NIOPosix
import Prometheus
import ServiceLifecycle
import UnixSignals
import ZhichengAdmin
import ZhichengAdminProtocol
import ZhichengApp
import ZhichengCore
import ZhichengHTTP
import ZhichengPluginHost
import ZhichengStorage

/// The composition root: reads the config, opens the store, starts the admin
/// socket and HTTP listener (bound here or passed by systemd), tells systemd it
/// is ready, and runs until SIGTERM/SIGINT.
public enum Daemon {
    /// Exit status for a refused configuration (sysexits EX_CONFIG).
    public static let exitConfig: Int32 = 78

    public static func run(configFile: String?, overrides: DaemonConfig.Overrides, demo: Bool) async -> Int32 {
        umask(0o077)
        // A write to a plugin helper that has just died must fail with EPIPE, not kill
        // the daemon (NIO ignores SIGPIPE too, but only once it has made a socket).
        signal(SIGPIPE, SIG_IGN)
        keepFreedHeapTop()
        let config: DaemonConfig
        do {
            config = try DaemonConfig.load(file: configFile, overrides: overrides)
        } catch {
            let sink = DaemonLogHandler.detectSink()
            if case .journal = sink {
                // Under systemd: a journal entry at `critical`, naming the key, where `journalctl -p err`
                // finds it (a plain stderr line is stored at the stream's info priority).
                LoggingSystem.bootstrap { label in DaemonLogHandler(label: label, sink: sink, control: LogLevelControl(.info)) }
                Logger(label: "zhichengd").critical("configuration refused: \(error.message)", metadata: ["config.key": "\(error.key ?? "-")"])
            } else {
                FileHandle.standardError.write(Data("zhichengd: configuration refused: \(error.message)\n".utf8))
            }
            return exitConfig
        }
        let levels = LogLevelControl(config.logLevel)
        let sink = DaemonLogHandler.detectSink()
        // `request.id` on every line logged while an HTTP request is handled (`HTTPRequestID`).
        LoggingSystem.bootstrap({ label, provider in
            var handler = DaemonLogHandler(label: label, sink: sink, control: levels)
            handler.metadataProvider = provider
            return handler
        }, metadataProvider: HTTPRequestID.metadataProvider)
        let logger = Logger(label: "zhichengd")

        let registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.nameAndLabelSanitizer = { label, dimensions in
            (Self.sanitize(label), dimensions.map { (Self.sanitize($0.0), $0.1) })
        }
        MetricsSystem.bootstrap(factory)

        do {
            return try await serve(config: config, configFile: configFile, overrides: overrides, demo: demo, levels: levels, registry: registry, logger: logger)
        } catch {
            logger.critical("zhichengd cannot start", metadata: ["error": "\(error)"])
            FileHandle.standardError.write(Data("zhichengd: cannot start: \(error)\n".utf8))
            return 1
        }
    }

    /// Why the HTTP listener could not be bound, naming the address and the setting that gave
    /// it: NIO's own error (`bind(descriptor:ptr:bytes:): Address already in use) (errno: 98)`)
    /// names neither. A socket systemd passed is not bound here: its error stays as it is.
    static func bindFailure(_ error: any Error, of source: ListenerSource, setting: String) -> any Error {
        guard case let .tcp(host, port) = source else { return error }
        let why = (error as? IOError).map { String(cString: strerror($0.errnoCode)) } ?? "\(error)"
        let address = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
        return ZhichengError.unavailable("HTTP listener \(address) (\(setting)) cannot be bound: \(why)")
    }

    /// Raises glibc's trim threshold from 128 KiB to 1 MiB (unless the environment
    /// already sets it). Each unit of a group commit runs in a savepoint, and SQLite
    /// gives every savepoint a 64 KiB statement-journal buffer; freeing it let glibc
    /// hand the top of the thread's heap back to the kernel every time — one
    /// `madvise` and a TLB shoot-down across CPUs per decision (measured: ~9,000 a
    /// second at 64 reviewers, none with this). `mallopt` is not in Swift's Glibc
    /// module, hence `dlsym`.
    static func keepFreedHeapTop() {
        let tunables = getenv("GLIBC_TUNABLES").map { String(cString: $0) } ?? ""
        guard getenv("MALLOC_TRIM_THRESHOLD_") == nil, !tunables.contains("trim_threshold") else { return }
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(nil, "mallopt") else { return }
        let mTrimThreshold: Int32 = -1  // M_TRIM_THRESHOLD in <malloc.h>
        _ = unsafeBitCast(symbol, to: Mallopt.self)(mTrimThreshold, 1 << 20)
    }

    private static func serve(
        config: DaemonConfig, configFile: String?, overrides: DaemonConfig.Overrides, demo: Bool,
        levels: LogLevelControl, registry: PrometheusCollectorRegistry, logger: Logger
    ) async throws -> Int32 {
        let paths = TenantPaths(dataDir: config.dataDir, backupDir: config.backupDir, archiveDir: config.archiveDir)
        try paths.createDirectories()
        // Before anything touches the data: a second daemon on it stops here.
        let lock = try DataDirLock(dataDir: paths.dataDir)
        defer { withExtendedLifetime(lock) {} }
        let store = try TenantStore(paths: paths, maxOpen: config.maxOpenTenants, idleSeconds: Double(config.tenantIdleSeconds),
                                    backupRetention: config.backupRetention, logger: logger)
        try await store.reconcile()
        let relay = CrossTenantRelay(store: store, logger: logger)
        let tenants = TenantService(store: store, relay: relay, logger: logger)
        await tenants.finishInterruptedRestores()

        if demo {
            var lines: [String] = []
            let demo = try await tenants.ensureDemo()
            for created in demo.tenants {
                lines.append("demo tenant \(created.info.id) (\(created.info.name)) created: admin login \(created.adminLogin), one-time password \(created.adminPassword)")
            }
            for org in demo.orgs {
                lines.append("demo org \(org.name) in zhengzhou: admin login \(org.login), one-time password \(org.password)")
            }
            for info in try await store.registry.all() where ["province", "zhengzhou"].contains(info.id.rawValue) {
                lines.append("demo tenant \(info.id): http://\(config.httpHost):\(config.httpPort)/t/\(info.id)/  admin login \(info.divisionCode.short) (new password: zhichengctl account reset-password --tenant \(info.id) --login \(info.divisionCode.short))")
            }
            FileHandle.standardOutput.write(Data(lines.map { $0 + "\n" }.joined().utf8))
        }

        let supervisor = PluginSupervisor(directory: config.pluginDir, executable: Self.executablePath(), timeout: .seconds(config.pluginCallTimeoutSeconds),
                                          rssLimitBytes: config.pluginMemoryLimitMiB << 20,
                                          sectionNames: Set(ApplicationSection.allCases.map(\.rawValue)),
                                          stepPoints: ApplicationService.stepPoints, logger: logger)
        PluginSteps.countFailures(of: await supervisor.reload())
        let evaluations = EvaluationService(store: store, relay: relay, publicity: config.publicity, maxUploadBytes: config.uploadMaxBytes)
        let proxies = ProxyTrust(config.httpTrustedProxies)
        let controller = DaemonController(configFile: configFile, overrides: overrides, config: config, levels: levels, store: store,
                                          supervisor: supervisor, relay: relay, publicity: evaluations.publicity, proxies: proxies, logger: logger)
        let group = MultiThreadedEventLoopGroup.singleton
        let passed = PassedSocket.assign(Systemd.listenFDs())
        for socket in passed.ignored {
            logger.warning("ignoring a socket passed by systemd", metadata: ["fd.name": "\(socket.name)", "fd": "\(socket.fd)", "reason": "\(socket.why)"])
        }

        // HTTP first, then the admin socket, with `status` knowing both listeners
        // before the first admin connection can be accepted.
        var applications = ApplicationService(store: store, relay: relay, automatedSteps: PluginSteps(supervisor: supervisor, logger: logger))
        applications.showReviewerNamesToApplicants = config.showReviewerNamesToApplicants
        let sessions = SessionService(store: store, evaluations: evaluations)
        var auth = AuthService(store: store, hasher: PasswordHasher(admission: .init(total: config.passwordChecksQueued)))
        auth.sessionIdleSeconds = Double(config.sessionIdleSeconds)
        let appServices = AppServices(
            tenants: tenants, auth: auth,
            orgs: OrgService(store: store, relay: relay, maxUploadBytes: config.uploadMaxBytes), people: PeopleService(store: store, relay: relay),
            plans: PlanService(store: store, maxDocumentBytes: config.uploadMaxBytes), applications: applications,
            evaluations: evaluations, experts: ExpertService(store: store, relay: relay), sessions: sessions,
            provinceReviews: ProvinceReviewService(store: store, relay: relay))
        let dispatcher = AdminDispatcher(tenants: tenants, control: controller, sessions: sessions)
        let http = HTTPRoutes.server(services: appServices, metrics: registry, group: group, maxConnections: config.httpMaxConnections,
                                     timeouts: config.httpClientTimeouts, cookies: config.httpSecureCookies, proxies: proxies, logger: logger)
        let httpSource: ListenerSource = passed.http.map { .inherited(fd: $0, name: "http") } ?? .tcp(host: config.httpHost, port: config.httpPort)
        let httpAddress: String
        do {
            httpAddress = try await http.start(httpSource)
        } catch {
            let setting = overrides.http != nil ? "--http" : "http.listen" + (configFile.map { " in \($0)" } ?? "") + " / --http"
            throw Self.bindFailure(error, of: httpSource, setting: setting)
        }

        let admin = AdminServer(dispatcher: dispatcher, policy: AdminAccessPolicy(allowedUIDs: config.allowedUIDs, allowedGIDs: config.allowedGIDs), group: group, logger: logger)
        let adminSource: ListenerSource = passed.admin.map { .inherited(fd: $0, name: "admin") } ?? .unixPath(config.adminSocket)
        let adminName = passed.admin.flatMap(Self.unixPath(ofSocket:)) ?? config.adminSocket
        await controller.attach(admin: admin, listeners: [("admin", .string(adminName)), ("http", .string(httpAddress))])
        try await admin.start(adminSource, settings: UnixSocketSettings(mode: config.adminSocketMode, group: config.adminSocketGroup))

        var services: [any Service] = [
            HTTPService(server: http),
            AdminService(server: admin),
            IdleTenantSweeper(store: store, period: .seconds(max(1, min(30, config.tenantIdleSeconds / 2)))),
            await ReloadOnHangup(controller: controller, logger: logger),
            RelayService(relay: relay),
        ]
        if let interval = Systemd.watchdogInterval() { services.append(WatchdogService(interval: interval)) }
        let counts = try await tenants.counts()
        services.append(ReadinessNotifier(
            status: "Serving \(counts.total) tenants; admin socket \(adminName), HTTP \(httpAddress); version \(DaemonController.version)",
            logger: logger))

        let serviceGroup = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await serviceGroup.run()

        await supervisor.stopAll()
        logger.notice("closing tenant databases")
        await store.closeAll()
        logger.notice("zhichengd stopped")
        return 0
    }

    /// This executable, which also serves as the plugins' helper process.
    static func executablePath() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        return n > 0 ? String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : CommandLine.arguments[0]
    }

    /// The path a passed Unix-domain socket is bound to (getsockname), if any.
    static func unixPath(ofSocket fd: Int32) -> String? {
        var address = sockaddr_un()
        var length = socklen_t(MemoryLayout<sockaddr_un>.size)
        let ok = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) == 0 }
        }
        guard ok, address.sun_family == sa_family_t(AF_UNIX) else { return nil }
        return withUnsafeBytes(of: address.sun_path) { raw in
            let bytes = raw.prefix(while: { $0 != 0 })
            return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self)
        }
    }

    /// Prometheus names allow `[a-zA-Z0-9_:]`; swift-metrics labels use dots.
    static func sanitize(_ name: String) -> String {
        String(name.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") ? $0 : "_" })
    }
}

extension DaemonConfig {
    /// The HTTP server's limits for slow clients (`http.client_timeout_seconds`,
    /// `http.body_min_bytes_per_second`).
    var httpClientTimeouts: ClientTimeouts {
        ClientTimeouts(timeout: .seconds(Int64(httpClientTimeoutSeconds)), bodyMinBytesPerSecond: httpBodyMinBytesPerSecond)
    }
}
