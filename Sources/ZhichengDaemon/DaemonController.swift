import Foundation
import Logging
import ZhichengAdmin
import ZhichengAdminProtocol
import ZhichengApp
import ZhichengCore
import ZhichengHTTP
import ZhichengPluginHost
import ZhichengStorage

/// The running daemon as the admin protocol sees it: status, config reload
/// (also on SIGHUP), log level. Reloads are serialized by the actor.
public actor DaemonController: DaemonControl {
    public static let version = "0.1.0"

    private let configFile: String?
    private let overrides: DaemonConfig.Overrides
    private(set) var config: DaemonConfig
    /// The configuration the daemon started with: what needs a restart is what differs from
    /// it, however many reloads came between (a change reverted needs none).
    private let startConfig: DaemonConfig
    private let levels: LogLevelControl
    private let store: TenantStore
    private let logger: Logger
    private let started = Date()
    private var admin: AdminServer?
    private var listeners: [(String, JSONValue)] = []
    let supervisor: PluginSupervisor
    let relay: CrossTenantRelay
    /// The 公示 calendar the committees use; a reload replaces it.
    let publicity: PublicityPolicy
    /// The reverse proxies the HTTP server believes; a reload replaces them.
    let proxies: ProxyTrust

    init(configFile: String?, overrides: DaemonConfig.Overrides, config: DaemonConfig, levels: LogLevelControl, store: TenantStore,
         supervisor: PluginSupervisor, relay: CrossTenantRelay, publicity: PublicityPolicy, proxies: ProxyTrust, logger: Logger) {
        self.proxies = proxies
        self.supervisor = supervisor
        self.relay = relay
        self.publicity = publicity
        self.configFile = configFile
        self.overrides = overrides
        self.config = config
        self.startConfig = config
        self.levels = levels
        self.store = store
        self.logger = logger
    }

    func attach(admin: AdminServer, listeners: [(String, JSONValue)]) {
        self.admin = admin
        self.listeners = listeners
    }

    public func statusFields() async -> [(String, JSONValue)] {
        [
            ("version", .string(Self.version)),
            ("uptime_seconds", .number((Date().timeIntervalSince(started) * 10).rounded() / 10)),
            ("pid", .init(Int(getpid()))),
            ("listeners", .object(listeners)),
            ("plugins", .array(await supervisor.list().map { .object([("name", .string($0.name)), ("state", .string($0.state.rawValue))]) })),
            ("relay", .object([("paused", .array(relayPauses()))])),
        ]
    }

    /// Cross-tenant deliveries the relay is holding back after a failure: whose,
    /// how many failures in a row, when it tries again, and why.
    private func relayPauses() -> [JSONValue] {
        let now = ContinuousClock.now
        return relay.pauses().map { key, pause in
            let (kind, name): (String, String) = switch key {
            case .target(let target): ("target", target)
            case .source(let source): ("source", source.rawValue)
            }
            let seconds = max(0, (pause.until - now) / .seconds(1))
            return .object([(kind, .string(name)), ("failures", .init(pause.failures)),
                             ("retry_in_seconds", .number((seconds * 10).rounded() / 10)), ("error", .string(pause.error))])
        }
    }

    /// Re-reads the config. A bad file is refused with the key named and the
    /// running config kept. Settings that need new listeners or directories are
    /// reported as needing a restart rather than half-applied.
    public func reloadConfig() async throws -> JSONValue {
        Systemd.reloading()
        var status = "Serving; configuration reloaded at \(Date())"
        defer { Systemd.ready(status: status) }
        let next: DaemonConfig
        do {
            next = try DaemonConfig.load(file: configFile, overrides: overrides)
        } catch {
            status = "Serving; configuration reload refused at \(Date()) (\(error.key ?? "file")), running configuration kept"
            logger.error("configuration reload refused; keeping the running configuration", metadata: ["config.key": "\(error.key ?? "-")", "error": "\(error.message)"])
            throw ZhichengError.invalid("configuration refused, old one kept: \(error.message)", field: error.key)
        }
        var restartRequired: [String] = []
        let running = startConfig
        if next.httpHost != running.httpHost || next.httpPort != running.httpPort { restartRequired.append("http.listen") }
        if next.httpMaxConnections != running.httpMaxConnections { restartRequired.append("http.max_connections") }
        if next.httpClientTimeoutSeconds != running.httpClientTimeoutSeconds { restartRequired.append("http.client_timeout_seconds") }
        if next.httpBodyMinBytesPerSecond != running.httpBodyMinBytesPerSecond { restartRequired.append("http.body_min_bytes_per_second") }
        if next.httpSecureCookies != running.httpSecureCookies { restartRequired.append("http.secure_cookies") }
        if next.adminSocket != running.adminSocket { restartRequired.append("admin.socket") }
        if next.adminSocketMode != running.adminSocketMode { restartRequired.append("admin.socket_mode") }
        if next.adminSocketGroup != running.adminSocketGroup { restartRequired.append("admin.socket_group") }
        if next.dataDir != running.dataDir { restartRequired.append("paths.data_dir") }
        if next.backupDir != running.backupDir { restartRequired.append("paths.backup_dir") }
        if next.archiveDir != running.archiveDir { restartRequired.append("paths.archive_dir") }
        if next.pluginDir != running.pluginDir { restartRequired.append("paths.plugin_dir") }
        // Read once, when the services are made: changing them needs a restart.
        if next.uploadMaxBytes != running.uploadMaxBytes { restartRequired.append("limits.upload_max_bytes") }
        if next.passwordChecksQueued != running.passwordChecksQueued { restartRequired.append("limits.password_checks_queued") }
        if next.sessionIdleSeconds != running.sessionIdleSeconds { restartRequired.append("auth.session_idle_seconds") }
        if next.showReviewerNamesToApplicants != running.showReviewerNamesToApplicants { restartRequired.append("review.show_reviewer_names_to_applicants") }
        if next.pluginCallTimeoutSeconds != running.pluginCallTimeoutSeconds { restartRequired.append("plugins.call_timeout_seconds") }
        if next.pluginMemoryLimitMiB != running.pluginMemoryLimitMiB { restartRequired.append("plugins.memory_limit_mib") }
        levels.set(next.logLevel)
        publicity.calendar = next.publicity
        proxies.set(next.httpTrustedProxies)
        _ = await supervisor.reload()
        // The series follow the plugins loaded now, not this scan's list: two scans overlapping
        // (a SIGHUP and `plugin reload`) must not leave the older one's list applied last.
        PluginSteps.countFailures(of: await supervisor.list())
        await store.setLimits(maxOpen: next.maxOpenTenants, idleSeconds: Double(next.tenantIdleSeconds))
        await store.setBackupRetention(next.backupRetention)
        admin?.setPolicy(AdminAccessPolicy(allowedUIDs: next.allowedUIDs, allowedGIDs: next.allowedGIDs))
        config = next
        logger.notice("configuration reloaded", metadata: ["restart_required": "\(restartRequired)", "config.file": "\(configFile ?? "none")"])
        var result: [(String, JSONValue)] = [
            ("reloaded", true), ("log_level", .string(next.logLevel.rawValue)), ("restart_required", .array(restartRequired.map(JSONValue.string))),
            ("config_file", configFile.map(JSONValue.string) ?? .null),
        ]
        // Without a file there is nothing new to read: said, so that nobody edits
        // /etc/zhicheng/zhichengd.toml and takes this reply for its being applied.
        if configFile == nil {
            result.append(("note", "started without --config: no file was read; the defaults and the command-line flags apply as before, and the plugins were scanned again"))
        }
        return .object(result)
    }

    public func setLogLevel(_ level: String) async throws -> String {
        do {
            let parsed = try DaemonConfig.parseLevel(level, key: "level")
            levels.set(parsed)
            logger.notice("log level changed", metadata: ["log.level": "\(parsed)"])
            return parsed.rawValue
        } catch {
            throw ZhichengError.invalid(error.message, field: "level")
        }
    }

    public func plugins(reload: Bool) async throws -> JSONValue {
        if reload {
            _ = await supervisor.reload()
            // As after a config reload: the plugins loaded now, whichever scan ended last.
            PluginSteps.countFailures(of: await supervisor.list())
        }
        let plugins = await supervisor.list()
        return ["plugins": .array(plugins.map(Self.json))]
    }

    static func json(_ p: PluginInfo) -> JSONValue {
        .object([
            ("name", .string(p.name)), ("version", .string(p.version)), ("abi", .init(p.abi)), ("file", .string(p.file)),
            ("steps", .array(p.steps.map { step in
                .object([("id", .string(step.id)), ("title", .string(step.title)), ("at", .string(step.at)),
                         ("sections", step.sections.map { .array($0.map(JSONValue.string)) } ?? .null)])
            })),
            ("state", .string(p.state.rawValue)), ("detail", p.detail.map(JSONValue.string) ?? .null),
        ])
    }
}
