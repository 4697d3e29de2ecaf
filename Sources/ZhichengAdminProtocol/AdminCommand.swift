/// Every command of the admin protocol with its one-line summary — the catalog
/// behind `help`, shared by the daemon and `zhichengctl`.
public enum AdminCommand: String, Sendable, CaseIterable {
    case ping
    case help
    case status
    case tenantCreate = "tenant.create"
    case tenantList = "tenant.list"
    case tenantShow = "tenant.show"
    case tenantSuspend = "tenant.suspend"
    case tenantResume = "tenant.resume"
    case tenantBackup = "tenant.backup"
    case tenantRestore = "tenant.restore"
    case tenantCheck = "tenant.check"
    case tenantArchive = "tenant.archive"
    case tenantConfigure = "tenant.configure"
    case tenantRename = "tenant.rename"
    case accountResetPassword = "account.reset-password"
    case drawVerify = "draw.verify"
    case pluginList = "plugin.list"
    case pluginReload = "plugin.reload"
    case configReload = "config.reload"
    case logLevel = "log.level"

    /// The names of the arguments the command takes (`args`' members); any other is refused
    /// (`bad_request`), so that a typo (`knid` for `kind`) is not taken for the default.
    public var arguments: [String] {
        switch self {
        case .ping, .help, .status, .tenantList, .pluginList, .pluginReload, .configReload: []
        case .tenantCreate: ["id", "name", "division_code", "kind"]
        case .tenantShow, .tenantSuspend, .tenantResume, .tenantBackup, .tenantCheck: ["id"]
        case .tenantRestore: ["id", "path", "force"]
        case .tenantArchive: ["id", "confirm"]
        case .tenantConfigure: ["id", "province_levels"]
        case .tenantRename: ["id", "name"]
        case .accountResetPassword: ["tenant", "login"]
        case .drawVerify: ["tenant", "session"]
        case .logLevel: ["level"]
        }
    }

    /// The first member of `args` the command does not take, if any.
    public func unknownArgument(in args: JSONValue) -> String? {
        guard case .object(let members) = args else { return nil }
        return members.first { !arguments.contains($0.0) }?.0
    }

    public var summary: String {
        switch self {
        case .ping: "check that the daemon answers"
        case .help: "list the commands"
        case .status: "version, uptime, listeners, tenant counts, connections"
        case .tenantCreate: "create a tenant: args id, name, division_code, kind (city|province)"
        case .tenantList: "list tenants with state, size and counts"
        case .tenantShow: "show one tenant with schema version and last backup: args id"
        case .tenantSuspend: "suspend a tenant (HTTP answers 503, data kept): args id"
        case .tenantResume: "resume a suspended tenant: args id"
        case .tenantBackup: "write an online, consistent copy to the backup dir, then remove its oldest beyond [backup] keep: args id"
        case .tenantRestore: "replace a suspended tenant's data with a verified backup: args id, path, force (a backup of an earlier tenant of the id)"
        case .tenantCheck: "run integrity, foreign-key and audit-chain checks: args id"
        case .tenantArchive: "move a tenant into the archive dir (never deletes): args id, confirm (= id); says how many of its messages had not left"
        case .tenantConfigure: "show or set which levels a city hands to the province: args id, province_levels? (default 副高级 and 正高级; any levels, each once, e.g. [\"中级\",\"副高级\",\"正高级\"], or [\"正高级\"] for a city given the 副高级 评审权)"
        case .tenantRename: "correct a tenant's own name (and its root office's, when derived from it): args id, name"
        case .accountResetPassword: "give an account a new one-time password: args tenant, login"
        case .drawVerify: "re-run a review session's recorded expert draw and compare: args tenant, session"
        case .pluginList: "list loaded plugins"
        case .pluginReload: "reload plugins from the plugin dir"
        case .configReload: "re-read the config file (same as SIGHUP)"
        case .logLevel: "set the log level: args level (trace|debug|info|notice|warning|error|critical)"
        }
    }
}
