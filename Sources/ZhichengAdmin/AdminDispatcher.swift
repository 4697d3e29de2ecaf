import Foundation
import Logging
import Metrics
import Synchronization
import ZhichengAdminProtocol
import ZhichengApp
import ZhichengCore
import ZhichengStorage

/// Carries out admin commands by calling the application services. It holds no
/// rules of its own: it decodes arguments, calls one service method, and encodes
/// the result.
public final class AdminDispatcher: Sendable {
    let tenants: TenantService
    let control: any DaemonControl
    /// Review sessions, for `draw.verify`.
    let sessions: SessionService
    /// Open admin connections, for `status`.
    let connections = Atomic<Int>(0)
    private let counters: [String: Counter]
    private let logger: Logger

    public init(tenants: TenantService, control: any DaemonControl, sessions: SessionService, logger: Logger = Logger(label: "zhicheng.admin")) {
        self.tenants = tenants
        self.control = control
        self.sessions = sessions
        self.logger = logger
        var counters: [String: Counter] = [:]
        for command in AdminCommand.allCases {
            counters[command.rawValue] = Counter(label: "zhicheng_admin_commands_total", dimensions: [("cmd", command.rawValue)])
            // At 0 from the start for the code an alert watches (a failure that is not the
            // sysadmin's): its first one is an increase, not a new series. The other codes
            // (refusals) appear at their first use: every command × code would be ~170 series.
            _ = Counter(label: "zhicheng_admin_command_errors_total", dimensions: [("cmd", command.rawValue), ("code", AdminErrorCode.internal.rawValue)])
        }
        self.counters = counters
    }

    /// Counts a refused or failed command by command and error code (both from fixed sets:
    /// an unknown command counts as `unknown`).
    private func countFailure(_ cmd: String, _ code: AdminErrorCode) {
        let known = AdminCommand(rawValue: cmd) != nil ? cmd : "unknown"
        Counter(label: "zhicheng_admin_command_errors_total", dimensions: [("cmd", known), ("code", code.rawValue)]).increment()
    }

    /// The answer to `request` when it needs no I/O (`ping`, `help`, unknown
    /// commands), so the connection can reply on its event loop; nil otherwise.
    func immediateResponse(to request: AdminRequest) -> AdminResponse? {
        let command = AdminCommand(rawValue: request.cmd)
        if let command, let unknown = command.unknownArgument(in: request.args) {
            counters[request.cmd]?.increment()
            countFailure(request.cmd, .badRequest)
            let takes = command.arguments.isEmpty ? "it takes none" : "it takes " + command.arguments.joined(separator: ", ")
            return .failure(id: request.id, AdminError(code: .badRequest, message: "unknown argument \(unknown.prefix(64).showingInvisibles()) for \(command.rawValue); \(takes)"))
        }
        switch command {
        case .ping:
            counters[request.cmd]?.increment()
            return .success(id: request.id, result: ["pong": true])
        case .help:
            counters[request.cmd]?.increment()
            let commands = AdminCommand.allCases.map { JSONValue.object([("cmd", .string($0.rawValue)), ("summary", .string($0.summary))]) }
            return .success(id: request.id, result: ["commands": .array(commands)])
        case nil:
            countFailure(request.cmd, .unknownCommand)
            return .failure(id: request.id, AdminError(code: .unknownCommand, message: "unknown command \(request.cmd.prefix(64)); see help"))
        default:
            return nil
        }
    }

    /// Carries out `request` for `principal`.
    public func respond(to request: AdminRequest, from principal: Principal) async -> AdminResponse {
        if let immediate = immediateResponse(to: request) { return immediate }
        counters[request.cmd]?.increment()
        let command = AdminCommand(rawValue: request.cmd)
        let journaled = command?.isJournaled ?? false
        var metadata: Logger.Metadata = ["cmd": "\(request.cmd)", "principal": "\(principal.name)"]
        let args = AdminArguments(value: request.args)
        if let tenant = (try? args.optionalString("id")) ?? (try? args.optionalString("tenant")) { metadata["tenant.id"] = "\(tenant.prefix(64))" }
        if journaled { logger.notice("admin command started", metadata: metadata) }
        let started = ContinuousClock.now
        let failure: AdminError
        do {
            let result = try await execute(request, principal)
            if journaled { logger.notice("admin command done", metadata: metadata.merging(["seconds": "\(Self.seconds(since: started))"]) { $1 }) }
            return .success(id: request.id, result: result)
        } catch let error as AdminError {
            failure = error
        } catch let error as ZhichengError {
            failure = AdminError(error)
        } catch {
            failure = AdminError(code: .internal, message: "\(error)")
        }
        countFailure(request.cmd, failure.code)
        // What went wrong, for the journal: a failure that is not the sysadmin's at `error`, a
        // refusal (bad arguments, unknown tenant) of a command worth tracing at `notice`.
        metadata.merge(["code": "\(failure.code.rawValue)", "error": "\(failure.message)", "seconds": "\(Self.seconds(since: started))"]) { $1 }
        if failure.code == .internal {
            logger.error("admin command failed", metadata: metadata)
        } else if journaled {
            logger.notice("admin command refused", metadata: metadata)
        }
        return .failure(id: request.id, failure)
    }

    private static func seconds(since start: ContinuousClock.Instant) -> String {
        let elapsed = ContinuousClock.now - start
        return String(format: "%.3f", Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    private func execute(_ request: AdminRequest, _ principal: Principal) async throws -> JSONValue {
        let args = AdminArguments(value: request.args)
        switch AdminCommand(rawValue: request.cmd)! {
        case .ping, .help:
            preconditionFailure("answered by immediateResponse")
        case .status:
            let counts = try await tenants.counts()
            var fields = await control.statusFields()
            fields.append(("tenants", ["total": .init(counts.total), "open": .init(counts.open), "suspended": .init(counts.suspended)]))
            fields.append(("connections", ["admin": .init(connections.load(ordering: .relaxed))]))
            return .object(fields)
        case .tenantCreate:
            let created = try await tenants.create(
                id: try args.string("id"), name: try args.string("name"), divisionCode: try args.string("division_code"),
                kind: try args.optionalString("kind"), by: principal)
            return .object([
                ("id", .string(created.info.id.rawValue)), ("name", .string(created.info.name)),
                ("division_code", .string(created.info.divisionCode.short)), ("kind", .string(created.info.kind.rawValue)),
                ("state", .string(created.info.state.rawValue)),
                ("admin_login", .string(created.adminLogin)), ("admin_password", .string(created.adminPassword)),
                ("warnings", .array(created.warnings.map(JSONValue.string))),
            ])
        case .tenantList:
            return ["tenants": .array(try await tenants.list().map(Self.row))]
        case .tenantShow:
            let (row, outbox, backup, restore) = try await tenants.show(try args.string("id"))
            guard case .object(var fields) = Self.row(row) else { return .null }
            fields.append(("schema_version", row.stats.map { .init($0.schemaVersion) } ?? .null))
            fields.append(("messages", outbox.map { ["waiting": .init($0.waiting), "set_aside": .init($0.setAside)] } ?? .null))
            fields.append(("last_backup", backup.map(Self.backup) ?? .null))
            fields.append(("restore", restore.map { r -> JSONValue in
                ["from": .string(r.path), "by": .string(r.actor), "since": .string(WireTime.iso8601(r.startedAt))]
            } ?? .null))
            return .object(fields)
        case .tenantSuspend, .tenantResume:
            let id = try args.string("id")
            let state = try await tenants.setState(id, request.cmd == AdminCommand.tenantSuspend.rawValue ? .suspended : .active, by: principal)
            return ["id": .string(id), "state": .string(state.rawValue)]
        case .tenantBackup:
            let id = try args.string("id")
            let (record, pruning) = try await tenants.backup(id, by: principal)
            guard case .object(let fields) = Self.backup(record) else { return .null }
            return .object([("id", .string(id))] + fields + [
                ("pruned", .array(pruning.removed.map(JSONValue.string))),
                ("prune_errors", .array(pruning.failures.map { ["path": .string($0.path), "error": .string($0.reason)] })),
            ])
        case .tenantRestore:
            let id = try args.string("id")
            let record = try await tenants.restore(id, from: try args.string("path"), force: try args.flag("force"), by: principal)
            return ["id": .string(id), "restored_from": .string(record.path), "bytes": .init(record.bytes), "sha256": .string(record.sha256)]
        case .tenantCheck:
            let id = try args.string("id")
            let report = try await tenants.check(id)
            return [
                "id": .string(id), "ok": .bool(report.ok),
                "integrity": .array(report.integrity.map(JSONValue.string)),
                "foreign_keys": .array(report.foreignKeys.map(JSONValue.string)),
                "audit_chain": .string(report.auditProblem ?? "ok"),
                "login_case_pairs": .array(report.loginCasePairs.map { .array($0.map(JSONValue.string)) }),
            ]
        case .tenantArchive:
            let id = try args.string("id")
            let archived = try await tenants.archive(id, confirm: try args.string("confirm"), by: principal)
            return ["id": .string(id), "archived_to": .string(archived.path), "undelivered_messages": .init(archived.undeliveredMessages),
                    "undecided_applications": .init(archived.undecidedApplications)]
        case .tenantConfigure:
            let id = try args.string("id")
            if let field = request.args["province_levels"] {
                guard let list = field.arrayValue, list.allSatisfy({ $0.stringValue != nil }) else {
                    throw AdminError(code: .badRequest, message: "argument province_levels must be an array of strings")
                }
                let levels = try await tenants.configure(id, provinceLevels: list.compactMap(\.stringValue), by: principal)
                return ["id": .string(id), "province_levels": .array(levels.map(JSONValue.string))]
            }
            return ["id": .string(id), "province_levels": .array(try await tenants.provinceLevels(id).map(JSONValue.string))]
        case .tenantRename:
            let renamed = try await tenants.rename(try args.string("id"), name: try args.string("name"), by: principal)
            return .object([
                ("id", .string(renamed.info.id.rawValue)), ("name", .string(renamed.info.name)),
                ("former_name", renamed.formerName.map(JSONValue.string) ?? .null),
                ("office", .string(renamed.officeName)), ("office_renamed", .bool(renamed.officeRenamed)),
            ])
        case .accountResetPassword:
            let tenant = try args.string("tenant")
            let reset = try await tenants.resetPassword(tenant: tenant, login: try args.string("login"), by: principal)
            return ["tenant": .string(tenant), "login": .string(reset.login), "password": .string(reset.password)]
        case .drawVerify:
            let tenant = try TenantID(try args.string("tenant"))
            _ = try await tenants.show(tenant.rawValue)
            let report = try await sessions.verify(tenant: tenant, session: try args.int("session"))
            return [
                "tenant": .string(tenant.rawValue), "session": .init(report.session), "seed": .string(report.seed),
                "inputs_digest": .string(report.inputsDigest), "digest_matches": .bool(report.digestMatches),
                "panel": .array(report.panel.map { JSONValue($0) }), "reserves": .array(report.reserves.map { JSONValue($0) }),
                "recomputed_panel": .array(report.recomputedPanel.map { JSONValue($0) }),
                "recomputed_reserves": .array(report.recomputedReserves.map { JSONValue($0) }),
                "reproduced": .bool(report.reproduced), "matches": .bool(report.matches), "inputs_current": .bool(report.inputsCurrent),
                "current_panel": report.currentPanel.map { .array($0.map { JSONValue($0) }) } ?? .null,
            ]
        case .pluginList:
            return try await control.plugins(reload: false)
        case .pluginReload:
            return try await control.plugins(reload: true)
        case .configReload:
            return try await control.reloadConfig()
        case .logLevel:
            return ["level": .string(try await control.setLogLevel(try args.string("level")))]
        }
    }

    static func row(_ row: TenantRow) -> JSONValue {
        .object([
            ("id", .string(row.info.id.rawValue)), ("name", .string(row.info.name)),
            ("division_code", .string(row.info.divisionCode.short)), ("kind", .string(row.info.kind.rawValue)),
            ("state", .string(row.info.state.rawValue)),
            ("db_bytes", row.stats.map { .init($0.dbBytes) } ?? .null),
            ("orgs", row.stats.map { .init($0.orgs) } ?? .null),
            ("accounts", row.stats.map { .init($0.accounts) } ?? .null),
            ("applications", row.stats.map { .init($0.applications) } ?? .null),
        ] + (row.unreadable.map { [("error", JSONValue.string("database cannot be read: \($0)"))] } ?? []))
    }

    static func backup(_ record: BackupRecord) -> JSONValue {
        .object([
            ("path", .string(record.path)), ("bytes", .init(record.bytes)), ("sha256", .string(record.sha256)),
            ("at", .string(WireTime.iso8601(record.at))),
        ])
    }
}

extension AdminError {
    /// The admin protocol's view of a service error.
    public init(_ error: ZhichengError) {
        let code: AdminErrorCode = switch error.code {
        case .badRequest: .badRequest
        case .unknownCommand: .unknownCommand
        case .methodNotAllowed: .badRequest  // HTTP only; the admin protocol has commands, not methods
        case .invalid, .tooLarge, .unsupportedMediaType: .invalid
        case .notFound: .notFound
        case .conflict: .conflict
        case .forbidden, .unauthorized: .forbidden
        case .unavailable, .tooManyRequests: .unavailable
        case .lineTooLong: .lineTooLong
        case .internal: .internal
        }
        // The value that failed validation, unless the message starts with its name already
        // (名称不能为空 → name: 名称不能为空; "keep must be …" stays as it is). Only for `invalid`:
        // another refusal's field is context, not the value to correct.
        let message = error.field.map { field in
            error.code != .invalid || error.message.hasPrefix(field) ? error.message : "\(field): \(error.message)"
        } ?? error.message
        self.init(code: code, message: message)
    }
}

extension AdminCommand {
    /// Whether a sysadmin must be able to trace the command in the journal afterwards: it is
    /// logged when it starts and when it ends, with how long it took (a backup or a restore
    /// can outlast `zhichengctl --timeout`, whose message points here). Every command that
    /// changes a tenant, the plugins or the configuration is (`log.level` logs its own change);
    /// a switch, so a new command must be placed.
    var isJournaled: Bool {
        switch self {
        case .tenantCreate, .tenantSuspend, .tenantResume, .tenantBackup, .tenantRestore, .tenantCheck, .tenantArchive,
             .tenantConfigure, .tenantRename, .accountResetPassword, .pluginReload, .configReload:
            true
        case .ping, .help, .status, .tenantList, .tenantShow, .drawVerify, .pluginList, .logLevel:
            false
        }
    }
}
