import ZhichengAdminProtocol

/// What the admin protocol needs from the running daemon beyond the tenant
/// services: its status, config reload and log level. The composition root
/// implements it; tests can supply their own.
public protocol DaemonControl: Sendable {
    /// version, uptime_seconds, pid, listeners, plugins — `status` adds tenants and connections.
    func statusFields() async -> [(String, JSONValue)]
    /// Re-reads the config file; throws `invalid` naming the key when it is bad (the old config stays).
    func reloadConfig() async throws -> JSONValue
    /// Sets the log level; throws `invalid` for an unknown level.
    func setLogLevel(_ level: String) async throws -> String
    /// The plugins as `plugin.list` shows them; throws `unavailable` while there is no plugin host.
    func plugins(reload: Bool) async throws -> JSONValue
}
