import ArgumentParser
import Foundation
import ZhichengAdminProtocol

struct Tenant: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, inspect, suspend, back up, restore, check, archive, configure and rename tenants.",
        subcommands: [Create.self, List.self, Show.self, Suspend.self, Resume.self, Backup.self, Restore.self, Check.self, Archive.self, Configure.self, Rename.self])
    func run() throws { try ZhichengCtl.missingSubcommand(of: Self.self) }

    struct Configure: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: AdminCommand.tenantConfigure.summary)
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Tenant id (a city).") var id: String
        @Option(help: "Comma-separated levels handed to the province (default 副高级,正高级; 中级 added for the province to decide it too, 正高级 alone for a city given the 副高级 评审权; omit to show).") var provinceLevels: String?
        func run() throws {
            var args: [(String, JSONValue)] = [("id", .string(id))]
            if let provinceLevels {
                args.append(("province_levels", .array(provinceLevels.split(separator: ",").map { .string(String($0).trimmingCharacters(in: .whitespaces)) })))
            }
            try options.run(.tenantConfigure, args)
        }
    }

    struct Rename: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: AdminCommand.tenantRename.summary)
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Tenant id.") var id: String
        @Option(help: "The tenant's new name, e.g. 郑州市.") var name: String
        func run() throws { try options.run(.tenantRename, [("id", .string(id)), ("name", .string(name))]) }
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: AdminCommand.tenantCreate.summary,
            discussion: """
                Prints `warning: …` on stderr when another tenant in service holds the division code \
                already, or when the name is not the code's (郑州市 for 4105, which is 安阳市); the \
                tenant is created all the same (exit 0). --json has them in `warnings`.
                """)
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Tenant id: a lowercase letter, then 1–31 of a-z, 0-9, '-'.") var id: String
        @Option(help: "Display name, e.g. 郑州市.") var name: String
        @Option(help: "Henan division code, e.g. 4101 or 410100.") var divisionCode: String
        @Option(help: "city (default) or province.") var kind: String?
        func run() throws {
            var args: [(String, JSONValue)] = [("id", .string(id)), ("name", .string(name)), ("division_code", .string(divisionCode))]
            if let kind { args.append(("kind", .string(kind))) }
            // The warnings on stderr, one line each, not in the table (the tenant is made: exit 0).
            let created = try options.run(.tenantCreate, args) { result in
                Rendering.render(.object((result.objectValue ?? []).filter { $0.0 != "warnings" }))
            }
            guard !options.json else { return }
            for warning in created["warnings"]?.arrayValue ?? [] {
                FileHandle.standardError.write(Data("warning: \(Rendering.text(warning))\n".utf8))
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: AdminCommand.tenantList.summary)
        @OptionGroup var options: GlobalOptions
        func run() throws { try options.run(.tenantList) }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: AdminCommand.tenantShow.summary)
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Tenant id.") var id: String
        func run() throws { try options.run(.tenantShow, [("id", .string(id))]) }
    }

    struct Suspend: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: AdminCommand.tenantSuspend.summary)
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Tenant id.") var id: String
        func run() throws { try options.run(.tenantSuspend, [("id", .string(id))]) }
    }

    struct Resume: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: AdminCommand.tenantResume.summary)
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Tenant id.") var id: String
        func run() throws { try options.run(.tenantResume, [("id", .string(id))]) }
    }

    struct Backup: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: AdminCommand.tenantBackup.summary,
            discussion: """
                With --all, backs up every tenant `tenant list` shows (active and suspended), one \
                after the other, printing a line for each, in columns: its id, size, path and how many old \
                backups [backup] keep removed, or the error (on stderr). It goes on past a failure \
                and exits 1 if any tenant's backup failed. --timeout applies to each tenant.
                """)
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Tenant id (none with --all).") var id: String?
        @Flag(help: "Back up every tenant (what zhichengd-backup.service runs).") var all = false

        func validate() throws {
            if all, id != nil { throw ValidationError("give a tenant id or --all, not both") }
            if !all, id == nil { throw ValidationError("give a tenant id, or --all for every tenant") }
        }

        func run() throws {
            guard let id else { return try backUpAll() }
            let result = try options.run(.tenantBackup, [("id", .string(id))])
            Self.warnPruneErrors(of: id, result)
        }
    }

    struct Restore: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: AdminCommand.tenantRestore.summary)
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Tenant id (must be suspended).") var id: String
        @Option(help: "Path of the backup file (a relative one is taken from the current directory).") var path: String
        @Flag(help: "Restore a backup of an earlier tenant of this id (archived, the id created again), which is refused otherwise.") var force = false
        func run() throws {
            try options.run(.tenantRestore, [("id", .string(id)), ("path", .string(try Self.absolute(path)))] + (force ? [("force", .bool(true))] : []))
        }

        /// `path` made absolute against zhichengctl's working directory: the daemon, whose own
        /// directory is another, takes absolute paths only. `.` parts are dropped; `..` parts are
        /// kept for the kernel to follow (dropping them with the part before would be wrong when
        /// that part is a symbolic link).
        static func absolute(_ path: String) throws -> String {
            guard !path.hasPrefix("/") else { return path }
            guard !path.isEmpty else { throw ValidationError("--path must not be empty") }
            let cwd = FileManager.default.currentDirectoryPath
            guard cwd.hasPrefix("/") else {
                throw ValidationError("--path \(path) is relative, and the current directory cannot be read: give an absolute path")
            }
            let parts = path.split(separator: "/", omittingEmptySubsequences: true).filter { $0 != "." }
            return ([cwd == "/" ? "" : cwd] + parts.map(String.init)).joined(separator: "/")
        }
    }

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: AdminCommand.tenantCheck.summary,
                                                        discussion: "Exits 0 when every check passes, 1 when one finds a problem (the report says which).")
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Tenant id.") var id: String
        func run() throws {
            if try options.run(.tenantCheck, [("id", .string(id))])["ok"]?.boolValue != true { throw ExitCode(1) }
        }
    }

    struct Archive: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: AdminCommand.tenantArchive.summary)
        @OptionGroup var options: GlobalOptions
        @Argument(help: "Tenant id.") var id: String
        @Option(help: "Repeat the tenant id to confirm.") var confirm: String
        func run() throws { try options.run(.tenantArchive, [("id", .string(id)), ("confirm", .string(confirm))]) }
    }
}
