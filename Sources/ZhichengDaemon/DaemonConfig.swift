import Foundation
import Logging
import TOMLKit
import ZhichengCore
import ZhichengHTTP

/// Everything `zhichengd` can be configured with: the TOML file
/// (`etc/zhicheng/zhichengd.toml`), then command-line flags on top.
public struct DaemonConfig: Sendable, Equatable {
    public var httpHost = "127.0.0.1"
    public var httpPort = 8080
    /// HTTP connections open at once; one more is closed as soon as it is accepted. Well
    /// below `LimitNOFILE` (65536), so clients holding connections open (a slow upload, a
    /// response never read) cannot leave the daemon without descriptors for tenant files.
    public var httpMaxConnections = 4096
    /// How long a slow client may hold a connection: to send a request header (and to
    /// keep an idle keep-alive connection), before its body must move at
    /// `httpBodyMinBytesPerSecond`, and to start reading a response (`ClientTimeouts`).
    /// Below systemd's `TimeoutStopSec` (60 s): a stop waits at most this for a response
    /// a client does not read.
    public var httpClientTimeoutSeconds = 30
    /// Each byte of a request body buys its client 1/rate s more; 0: only gaps count.
    public var httpBodyMinBytesPerSecond = 1024
    /// When cookies are marked `Secure`: behind a TLS proxy that says so (`auto`), always, never.
    public var httpSecureCookies = CookieSecurity.auto
    /// The reverse proxies whose `X-Forwarded-For` names the client, and only whose
    /// `X-Forwarded-Proto` says HTTPS; none: the first is ignored, the second believed from anyone.
    public var httpTrustedProxies = TrustedProxies.none
    public var adminSocket = "/run/zhicheng/admin.sock"
    public var adminSocketMode: mode_t = 0o660
    public var adminSocketGroup: String? = "zhicheng-admin"
    public var allowedUIDs: Set<UInt32> = [0]
    public var allowedGIDs: Set<UInt32> = []
    public var dataDir = "/var/lib/zhicheng"
    public var backupDir: String?
    public var archiveDir: String?
    public var pluginDir = "/usr/lib/zhicheng/plugins"
    /// Regular backups kept per tenant: after a backup, its oldest beyond this many are
    /// removed. 0 (the default) keeps every one: an upgrade never starts deleting backups
    /// a sysadmin has kept so far, and deleting is the one step that cannot be taken back.
    public var backupKeep = 0
    public var maxOpenTenants = 64
    public var tenantIdleSeconds = 300
    public var uploadMaxBytes = 5 << 20
    /// Password checks under way at once (running or waiting), three quarters of them for
    /// one tenant; more are refused (503) instead of queued (`PasswordHasher.Admission`).
    public var passwordChecksQueued = 256
    /// A session unused for this long ends (自动退出); 0: only the 12 h lifetime counts.
    public var sessionIdleSeconds = 7200
    /// Working days a committee's result stands in public notice (公示).
    public var publicityWorkingDays = 5
    /// Statutory holidays and the weekend days made working days (调休), for counting 公示.
    public var holidays: Set<CalendarDay> = []
    public var workingWeekends: Set<CalendarDay> = []
    /// The backup retention these settings make (checked when the file is read).
    public var backupRetention: BackupRetention { (try? BackupRetention(keep: backupKeep)) ?? .keepAll }
    /// The public-notice calendar these settings make (checked when the file is read).
    public var publicity: PublicityCalendar {
        (try? PublicityCalendar(workingDays: publicityWorkingDays, holidays: holidays, workingWeekends: workingWeekends)) ?? .standard
    }
    /// Whether applicants see reviewers' names in their trail (else only org and step).
    public var showReviewerNamesToApplicants = false
    /// A plugin step answering later than this is killed and the plugin marked faulty.
    public var pluginCallTimeoutSeconds = 5
    /// A plugin helper using more memory than this is killed and marked faulty.
    public var pluginMemoryLimitMiB = 256
    public var logLevel: Logger.Level = .info

    public init() {}

    /// Flags given on the command line; each one set wins over the file.
    public struct Overrides: Sendable, Equatable {
        public var dataDir: String?
        public var adminSocket: String?
        public var http: String?
        public var pluginDir: String?
        public var backupDir: String?
        public var archiveDir: String?
        public var logLevel: String?
        public init() {}
    }

    /// Reads `file` (when given) and applies `overrides`. Throws naming the
    /// offending key; unknown keys are refused so a typo never passes silently.
    public static func load(file: String?, overrides: Overrides) throws(ConfigError) -> DaemonConfig {
        var config = DaemonConfig()
        if let file {
            let text: String
            do { text = try String(contentsOfFile: file, encoding: .utf8) } catch {
                throw ConfigError(key: nil, message: "cannot read config file \(file): \(error.localizedDescription)")
            }
            try config.apply(toml: text, file: file)
        }
        try config.apply(overrides)
        return config
    }

    mutating func apply(toml text: String, file: String) throws(ConfigError) {
        let table: TOMLTable
        do { table = try TOMLTable(string: text) } catch let error as TOMLParseError {
            throw ConfigError(key: nil, message: "\(file): \(error.description) at \(error.source.begin.debugDescription)")
        } catch {
            throw ConfigError(key: nil, message: "\(file): \(error)")
        }
        let known: [String: Set<String>] = [
            "http": ["listen", "max_connections", "client_timeout_seconds", "body_min_bytes_per_second", "secure_cookies", "trusted_proxies"],
            "admin": ["socket", "socket_mode", "socket_group", "allowed_uids", "allowed_gids"],
            "paths": ["data_dir", "backup_dir", "archive_dir", "plugin_dir"],
            "backup": ["keep"],
            "limits": ["max_open_tenants", "tenant_idle_seconds", "upload_max_bytes", "publicity_working_days", "password_checks_queued"],
            "log": ["level"],
            "auth": ["session_idle_seconds"],
            "review": ["show_reviewer_names_to_applicants"],
            "plugins": ["call_timeout_seconds", "memory_limit_mib"],
            "calendar": ["holidays", "working_weekends"],
        ]
        for section in table.keys {
            guard let keys = known[section] else { throw ConfigError(key: section, message: "unknown section [\(section)]") }
            guard let sub = table[section]?.table else { throw ConfigError(key: section, message: "[\(section)] must be a table") }
            for key in sub.keys where !keys.contains(key) {
                throw ConfigError(key: "\(section).\(key)", message: "unknown key \(section).\(key)")
            }
        }
        func value(_ section: String, _ key: String) -> (any TOMLValueConvertible)? { table[section]?.table?[key] }
        func string(_ section: String, _ key: String) throws(ConfigError) -> String? {
            guard let v = value(section, key) else { return nil }
            guard let s = v.string else { throw ConfigError(key: "\(section).\(key)", message: "\(section).\(key) must be a string") }
            return s
        }
        func int(_ section: String, _ key: String, range: ClosedRange<Int>) throws(ConfigError) -> Int? {
            guard let v = value(section, key) else { return nil }
            guard let n = v.int else { throw ConfigError(key: "\(section).\(key)", message: "\(section).\(key) must be an integer") }
            guard range.contains(n) else { throw ConfigError(key: "\(section).\(key)", message: "\(section).\(key) must be between \(range.lowerBound) and \(range.upperBound)") }
            return n
        }
        func ids(_ section: String, _ key: String) throws(ConfigError) -> Set<UInt32>? {
            guard let v = value(section, key) else { return nil }
            guard let array = v.array else { throw ConfigError(key: "\(section).\(key)", message: "\(section).\(key) must be an array of numeric ids") }
            var out: Set<UInt32> = []
            for element in array {
                guard let n = element.int, n >= 0, n < Int(UInt32.max) else {
                    throw ConfigError(key: "\(section).\(key)", message: "\(section).\(key) must hold numeric ids (0 … 4294967294)")
                }
                out.insert(UInt32(n))
            }
            return out
        }

        if let listen = try string("http", "listen") { (httpHost, httpPort) = try Self.parseHostPort(listen, key: "http.listen") }
        if let n = try int("http", "max_connections", range: 1...60_000) { httpMaxConnections = n }
        if let n = try int("http", "client_timeout_seconds", range: 1...3600) { httpClientTimeoutSeconds = n }
        if let n = try int("http", "body_min_bytes_per_second", range: 0...100_000_000) { httpBodyMinBytesPerSecond = n }
        if let text = try string("http", "secure_cookies") {
            guard let value = CookieSecurity(rawValue: text) else {
                throw ConfigError(key: "http.secure_cookies", message: "http.secure_cookies must be one of \(CookieSecurity.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", "))")
            }
            httpSecureCookies = value
        }
        if let v = value("http", "trusted_proxies") {
            let key = "http.trusted_proxies"
            let rule = "\(key) must be an array of the proxies' IP addresses (or networks that hold only proxies), such as [\"127.0.0.1\", \"::1\"]"
            guard let array = v.array else { throw ConfigError(key: key, message: rule) }
            guard array.count <= 1000 else { throw ConfigError(key: key, message: "\(key) holds more than 1000 entries") }
            var networks: [IPNetwork] = []
            for element in array {
                guard let text = element.string, let network = IPNetwork(text) else {
                    throw ConfigError(key: key, message: "\(rule); not \(element.string.map { "\"\($0.prefix(60))\"" } ?? "\(element)")")
                }
                // Every address: every client could write the address recorded for it.
                guard !network.isEverything else {
                    throw ConfigError(key: key, message: "\(key) must not trust every address (\"\(text)\"): list the proxies' own addresses")
                }
                networks.append(network)
            }
            httpTrustedProxies = TrustedProxies(networks: networks)
        }
        if let socket = try string("admin", "socket") { adminSocket = try Self.absolute(socket, key: "admin.socket") }
        if let mode = try string("admin", "socket_mode") {
            guard let parsed = mode_t(mode, radix: 8), parsed <= 0o777 else {
                throw ConfigError(key: "admin.socket_mode", message: "admin.socket_mode must be an octal mode string such as \"0660\"")
            }
            adminSocketMode = parsed
        }
        if let group = try string("admin", "socket_group") { adminSocketGroup = group.isEmpty ? nil : group }
        if let uids = try ids("admin", "allowed_uids") { allowedUIDs = uids }
        if let gids = try ids("admin", "allowed_gids") { allowedGIDs = gids }
        if let dir = try string("paths", "data_dir") { dataDir = try Self.absolute(dir, key: "paths.data_dir") }
        if let dir = try string("paths", "backup_dir") { backupDir = try Self.absolute(dir, key: "paths.backup_dir") }
        if let dir = try string("paths", "archive_dir") { archiveDir = try Self.absolute(dir, key: "paths.archive_dir") }
        if let dir = try string("paths", "plugin_dir") { pluginDir = try Self.absolute(dir, key: "paths.plugin_dir") }
        if let n = try int("backup", "keep", range: BackupRetention.keepRange) { backupKeep = n }
        if let n = try int("limits", "max_open_tenants", range: 1...100_000) { maxOpenTenants = n }
        if let n = try int("limits", "tenant_idle_seconds", range: 1...86_400) { tenantIdleSeconds = n }
        if let n = try int("limits", "upload_max_bytes", range: 1024...(1 << 30)) { uploadMaxBytes = n }
        if let n = try int("limits", "password_checks_queued", range: 4...100_000) { passwordChecksQueued = n }
        if let n = try int("auth", "session_idle_seconds", range: 0...43_200) { sessionIdleSeconds = n }
        if let n = try int("limits", "publicity_working_days", range: 0...30) { publicityWorkingDays = n }
        func days(_ section: String, _ key: String) throws(ConfigError) -> Set<CalendarDay>? {
            guard let v = value(section, key) else { return nil }
            let name = "\(section).\(key)"
            guard let array = v.array else { throw ConfigError(key: name, message: "\(name) must be an array of dates such as 2026-10-01") }
            guard array.count <= 1000 else { throw ConfigError(key: name, message: "\(name) holds more than 1000 dates") }
            var out: Set<CalendarDay> = []
            for element in array {
                let day = element.date.flatMap { CalendarDay(year: $0.year, month: $0.month, day: $0.day) } ?? element.string.flatMap(CalendarDay.init)
                guard let day else {
                    throw ConfigError(key: name, message: "\(name) must hold real dates written YYYY-MM-DD, not \(element.string.map { "\"\($0.prefix(40))\"" } ?? "\(element)")")
                }
                out.insert(day)
            }
            return out
        }
        if let d = try days("calendar", "holidays") { holidays = d }
        if let d = try days("calendar", "working_weekends") { workingWeekends = d }
        do {
            _ = try PublicityCalendar(workingDays: publicityWorkingDays, holidays: holidays, workingWeekends: workingWeekends)
        } catch {
            throw ConfigError(key: "calendar", message: "calendar: \(error)")
        }
        if let level = try string("log", "level") { logLevel = try Self.parseLevel(level, key: "log.level") }
        if let n = try int("plugins", "call_timeout_seconds", range: 1...300) { pluginCallTimeoutSeconds = n }
        if let n = try int("plugins", "memory_limit_mib", range: 16...65536) { pluginMemoryLimitMiB = n }
        if let v = value("review", "show_reviewer_names_to_applicants") {
            guard let flag = v.bool else { throw ConfigError(key: "review.show_reviewer_names_to_applicants", message: "review.show_reviewer_names_to_applicants must be true or false") }
            showReviewerNamesToApplicants = flag
        }
    }

    mutating func apply(_ o: Overrides) throws(ConfigError) {
        if let v = o.dataDir { dataDir = try Self.absolute(v, key: "--data-dir") }
        if let v = o.adminSocket { adminSocket = try Self.absolute(v, key: "--admin-socket") }
        if let v = o.http { (httpHost, httpPort) = try Self.parseHostPort(v, key: "--http") }
        if let v = o.pluginDir { pluginDir = try Self.absolute(v, key: "--plugin-dir") }
        if let v = o.backupDir { backupDir = try Self.absolute(v, key: "--backup-dir") }
        if let v = o.archiveDir { archiveDir = try Self.absolute(v, key: "--archive-dir") }
        if let v = o.logLevel { logLevel = try Self.parseLevel(v, key: "--log-level") }
    }

    static func parseHostPort(_ text: String, key: String) throws(ConfigError) -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw ConfigError(key: key, message: "\(key) must be HOST:PORT, e.g. 127.0.0.1:8080, not \"\(text)\"")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw ConfigError(key: key, message: "\(key) needs a host, e.g. 127.0.0.1:8080") }
        return (host, port)
    }

    static func absolute(_ path: String, key: String) throws(ConfigError) -> String {
        guard !path.isEmpty else { throw ConfigError(key: key, message: "\(key) must not be empty") }
        if path.hasPrefix("/") { return path }
        return FileManager.default.currentDirectoryPath + "/" + path
    }

    public static func parseLevel(_ text: String, key: String) throws(ConfigError) -> Logger.Level {
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            throw ConfigError(key: key, message: "\(key) must be one of trace, debug, info, notice, warning, error, critical; not \"\(text)\"")
        }
        return level
    }
}

/// A configuration the daemon refuses, naming the key at fault.
public struct ConfigError: Error, Sendable, CustomStringConvertible {
    public var key: String?
    public var message: String
    public var description: String { message }
}
