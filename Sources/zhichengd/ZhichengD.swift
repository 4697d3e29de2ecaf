import ArgumentParser
import ZhichengDaemon
import ZhichengPluginHost

/// `zhichengd`: the Zhicheng daemon.
@main
struct ZhichengD: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zhichengd",
        abstract: "Zhicheng: professional-title (职称) applications and reviews, one sandboxed SQLite database per tenant.",
        discussion: "Flags override the config file. Under systemd it takes the admin socket and HTTP listener passed as 'admin' and 'http'.")

    @Option(name: .long, help: "TOML config file (e.g. /etc/zhicheng/zhichengd.toml).")
    var config: String?
    @Option(name: .long, help: "State directory (tenants/, registry.sqlite).")
    var dataDir: String?
    @Option(name: .long, help: "Admin Unix socket path.")
    var adminSocket: String?
    @Option(name: .long, help: "HTTP listen address, HOST:PORT.")
    var http: String?
    @Option(name: .long, help: "Directory of review-step plugins (.so).")
    var pluginDir: String?
    @Option(name: .long, help: "Where tenant backups go (default DATA_DIR/backups).")
    var backupDir: String?
    @Option(name: .long, help: "Where archived tenants go (default DATA_DIR/archive).")
    var archiveDir: String?
    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String?
    @Flag(name: .long, help: "Create the demo tenants (province, zhengzhou) if they do not exist.")
    var demo = false
    @Option(name: .long, help: .hidden)
    var pluginHost: String?

    func run() async throws {
        if let pluginHost {
            // The supervised helper process of one plugin (started by the daemon itself).
            throw ExitCode(PluginChild.run(path: pluginHost))
        }
        var overrides = DaemonConfig.Overrides()
        overrides.dataDir = dataDir
        overrides.adminSocket = adminSocket
        overrides.http = http
        overrides.pluginDir = pluginDir
        overrides.backupDir = backupDir
        overrides.archiveDir = archiveDir
        overrides.logLevel = logLevel
        let status = await Daemon.run(configFile: config, overrides: overrides, demo: demo)
        if status != 0 { throw ExitCode(status) }
    }
}
