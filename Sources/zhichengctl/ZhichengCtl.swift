import ArgumentParser
import Foundation
import ZhichengAdminProtocol

/// Options every subcommand takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "Admin socket path (default: $ZHICHENG_ADMIN_SOCKET or /run/zhicheng/admin.sock).")
    var socket: String?
    @Flag(name: .long, help: "Print the raw JSON result instead of a table.")
    var json = false
    @Option(name: .long, help: "Seconds to wait for the daemon's answer, 1–86400 (a backup or restore of a large tenant takes a while).")
    var timeout = 300

    mutating func validate() throws {
        // 0 would wait for ever (SO_RCVTIMEO): refused rather than meaning that.
        guard (1...86_400).contains(timeout) else { throw ValidationError("--timeout must be 1 to 86400 seconds") }
    }

    var socketPath: String {
        socket ?? ProcessInfo.processInfo.environment["ZHICHENG_ADMIN_SOCKET"] ?? AdminFraming.defaultSocketPath
    }

    /// Sends `command`, prints its result (a table, or JSON with `--json`) and returns it; an
    /// error goes to stderr with a non-zero exit status.
    @discardableResult
    func run(_ command: AdminCommand, _ args: [(String, JSONValue)] = [], render: ((JSONValue) -> String)? = nil) throws -> JSONValue {
        switch send(command, args) {
        case .success(let result):
            print(json ? result.pretty() : (render ?? Rendering.render)(result))
            return result
        case .failure(let failure):
            Self.fail(failure.message, status: failure.status)
        }
    }

    /// Sends `command` and returns its result, or why there is none with the exit status it
    /// maps to (1 for a refusal, `forbidden` 77, a transport failure its own); prints nothing.
    func send(_ command: AdminCommand, _ args: [(String, JSONValue)] = []) -> Result<JSONValue, AdminClient.Failure> {
        let client = AdminClient(path: socketPath, timeoutSeconds: timeout)
        let response: AdminResponse
        do {
            response = try client.send(AdminRequest(id: 1, cmd: command.rawValue, args: .object(args)))
        } catch {
            return .failure(error)
        }
        switch response {
        case let .success(_, result):
            return .success(result)
        case let .failure(_, error):
            return .failure(.init(message: "\(error.code.rawValue): \(error.message)", status: error.code == .forbidden ? 77 : 1))
        }
    }

    static func fail(_ message: String, status: Int32) -> Never {
        FileHandle.standardError.write(Data("zhichengctl: \(message)\n".utf8))
        Foundation.exit(status)
    }
}

@main
struct ZhichengCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zhichengctl",
        abstract: "Administer a running zhichengd over its admin socket.",
        discussion: """
            Prints readable tables by default and raw JSON with --json. Exit status:
              0   success
              1   the daemon refused the command, or `tenant check` / `draw verify` found a problem
              64  bad usage
              69  the daemon is not running
              71  no socket could be created
              75  no answer within --timeout
              76  the daemon closed the connection or answered something that is not a response
              77  access denied
              130 interrupted (Ctrl-C, SIGINT; 143 for SIGTERM) before the answer came: the
                  command was not cancelled and may still finish in the daemon
            """,
        subcommands: [Ping.self, Help.self, Status.self, Tenant.self, Account.self, Draw.self, Plugin.self, Config.self, Log.self])

    /// Declared here too so `--socket` and `--json` may come before the subcommand.
    @OptionGroup var options: GlobalOptions

    func run() throws { try Self.missingSubcommand(of: Self.self) }

    /// A command that only groups others run alone (`zhichengctl`, `zhichengctl tenant`) is bad
    /// usage, as an unknown one is: its help on stderr (nothing on stdout, where a script would
    /// read a result), exit 64. ArgumentParser's default printed the help and exited 0.
    static func missingSubcommand<Group: ParsableCommand>(of group: Group.Type) throws {
        let needs = Group.self == ZhichengCtl.self ? "a subcommand is needed" : "\(Group._commandName) needs a subcommand"
        let names = Group.configuration.subcommands.map { $0._commandName }.joined(separator: ", ")
        FileHandle.standardError.write(Data("zhichengctl: \(needs): \(names)\n\n\(helpMessage(for: group))\n".utf8))
        throw ExitCode(64)
    }
}

struct Ping: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: AdminCommand.ping.summary)
    @OptionGroup var options: GlobalOptions
    func run() throws { try options.run(.ping) { _ in "pong" } }
}

struct Help: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "help", abstract: "List the daemon's admin commands, or describe one of zhichengctl's.")
    @OptionGroup var options: GlobalOptions
    @Argument(help: "A zhichengctl subcommand to describe, e.g. `tenant create` (as `zhichengctl tenant create --help`).")
    var subcommand: [String] = []

    func run() throws {
        guard subcommand.isEmpty else {
            // An unknown subcommand is a usage error, with the help of the last one known on
            // stderr (ArgumentParser's `--help` after it printed the root's help, exit 0).
            var command: any ParsableCommand.Type = ZhichengCtl.self
            var known: [String] = []
            for name in subcommand {
                guard let next = command.configuration.subcommands.first(where: { $0._commandName == name }) else {
                    let what = known.isEmpty ? "no subcommand" : known.joined(separator: " ") + " has no subcommand"
                    FileHandle.standardError.write(Data("zhichengctl: help: \(what) \(name.prefix(64))\n\n\(ZhichengCtl.helpMessage(for: command))\n".utf8))
                    throw ExitCode(64)
                }
                command = next
                known.append(name)
            }
            // The help ArgumentParser prints for `<subcommand> --help` (which its own usage
            // lines point to as `zhichengctl help <subcommand>`).
            do {
                var described = try ZhichengCtl.parseAsRoot(subcommand + ["--help"])
                try described.run()
            } catch { ZhichengCtl.exit(withError: error) }
            return
        }
        try options.run(.help)
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: AdminCommand.status.summary)
    @OptionGroup var options: GlobalOptions
    func run() throws { try options.run(.status, render: Self.render) }

    /// The usual key/value lines (the plugins as `name (state), …`), then the relay's paused
    /// deliveries as a table.
    static func render(_ result: JSONValue) -> String {
        guard case .object(var members) = result else { return Rendering.render(result) }
        members = members.map { key, value in
            guard key == "plugins", let plugins = value.arrayValue else { return (key, value) }
            let shown = plugins.map { "\($0["name"].map(Rendering.text) ?? "?") (\($0["state"].map(Rendering.text) ?? "?"))" }
            return (key, .string(shown.isEmpty ? "none" : shown.joined(separator: ", ")))
        }
        guard let relay = result["relay"] else { return Rendering.render(.object(members)) }
        let paused = relay["paused"]?.arrayValue ?? []
        if paused.isEmpty { return Rendering.render(.object(members.map { $0.0 == "relay" ? ("relay", "nothing paused") : $0 })) }
        return Rendering.render(.object(members.filter { $0.0 != "relay" }))
            + "\nrelay: deliveries paused after a failure (retried; nothing is lost)\n" + Rendering.table(paused)
    }
}

struct Account: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage accounts inside a tenant.", subcommands: [ResetPassword.self])
    func run() throws { try ZhichengCtl.missingSubcommand(of: Self.self) }

    struct ResetPassword: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: AdminCommand.accountResetPassword.summary)
        @OptionGroup var options: GlobalOptions
        @Option(help: "Tenant id.") var tenant: String
        @Option(help: "The account's login (an org code or an ID-card number).") var login: String
        func run() throws { try options.run(.accountResetPassword, [("tenant", .string(tenant)), ("login", .string(login))]) }
    }
}

struct Draw: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Expert draws (专家抽取) of review sessions.", subcommands: [Verify.self])
    func run() throws { try ZhichengCtl.missingSubcommand(of: Self.self) }

    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: AdminCommand.drawVerify.summary,
            discussion: "Exits 0 when the recorded draw is reproduced from its recorded seed and inputs, 1 otherwise.")
        @OptionGroup var options: GlobalOptions
        @Option(help: "Tenant id (the province).") var tenant: String
        @Option(help: "Review session id.") var session: Int
        func run() throws {
            let result = try options.run(.drawVerify, [("tenant", .string(tenant)), ("session", JSONValue(session))], render: Self.render)
            if result["matches"]?.boolValue != true { throw ExitCode(1) }
        }

        static func render(_ r: JSONValue) -> String {
            func ids(_ key: String) -> String { (r[key]?.arrayValue ?? []).compactMap(\.intValue).map(String.init).joined(separator: ", ") }
            func yes(_ key: String) -> String { r[key]?.boolValue == true ? "yes" : "NO" }
            var lines = [
                "session          \(r["session"]?.intValue ?? 0)",
                "seed             \(r["seed"]?.stringValue ?? "")",
                "inputs sha256    \(r["inputs_digest"]?.stringValue ?? "")  (matches recorded inputs: \(yes("digest_matches")))",
                "panel            \(ids("panel"))",
                "reserves         \(ids("reserves"))",
                "re-run panel     \(ids("recomputed_panel"))",
                "re-run reserves  \(ids("recomputed_reserves"))",
                "reproduced       \(yes("reproduced"))",
                "inputs current   \(yes("inputs_current"))",
            ]
            if r["inputs_current"]?.boolValue != true { lines.append("today's panel    \(ids("current_panel"))") }
            return lines.joined(separator: "\n")
        }
    }
}

struct Plugin: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Review-step plugins.", subcommands: [List.self, Reload.self])
    func run() throws { try ZhichengCtl.missingSubcommand(of: Self.self) }

    /// The plugin table with each step as `id@where` (where it runs in a route).
    static func render(_ result: JSONValue) -> String {
        guard let plugins = result["plugins"]?.arrayValue else { return Rendering.render(result) }
        let rows = plugins.map { plugin -> JSONValue in
            guard case .object(let members) = plugin else { return plugin }
            return .object(members.map { key, value in
                guard key == "steps", let steps = value.arrayValue else { return (key, value) }
                return (key, .string(steps.map { "\($0["id"]?.stringValue ?? "?")@\($0["at"]?.stringValue ?? "?")" }.joined(separator: ", ")))
            })
        }
        return Rendering.render(.object([("plugins", .array(rows))]))
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: AdminCommand.pluginList.summary)
        @OptionGroup var options: GlobalOptions
        func run() throws { try options.run(.pluginList, render: Plugin.render) }
    }

    struct Reload: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: AdminCommand.pluginReload.summary)
        @OptionGroup var options: GlobalOptions
        func run() throws { try options.run(.pluginReload, render: Plugin.render) }
    }
}

struct Config: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The daemon's configuration.", subcommands: [Reload.self])
    func run() throws { try ZhichengCtl.missingSubcommand(of: Self.self) }

    struct Reload: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: AdminCommand.configReload.summary)
        @OptionGroup var options: GlobalOptions
        func run() throws { try options.run(.configReload) }
    }
}

struct Log: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Logging.", subcommands: [Level.self])
    func run() throws { try ZhichengCtl.missingSubcommand(of: Self.self) }

    struct Level: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: AdminCommand.logLevel.summary)
        @OptionGroup var options: GlobalOptions
        @Argument(help: "trace, debug, info, notice, warning, error or critical.") var level: String
        func run() throws { try options.run(.logLevel, [("level", .string(level))]) }
    }
}
