import ArgumentParser
import Foundation
import ZhichengAdminProtocol

extension Tenant.Backup {
    /// The states whose tenants `--all` backs up: every state a registered tenant has (an
    /// archived tenant is no longer listed). A state this client does not know is reported
    /// and skipped rather than guessed at.
    static let statesBackedUp: Set<String> = ["active", "suspended"]

    /// `tenant backup --all`: `tenant.list`, then `tenant.backup` for each tenant, one at a
    /// time (a backup is disk-bound work; several at once would only compete), each on a
    /// connection of its own so that one answer not coming in time does not hold the rest.
    /// A line per tenant as it goes; exit status 1 if any failed, after trying every one.
    func backUpAll() throws {
        let listed: JSONValue
        switch options.send(.tenantList) {
        case .success(let result): listed = result
        case .failure(let failure): GlobalOptions.fail(failure.message, status: failure.status)
        }
        let rows = listed["tenants"]?.arrayValue ?? []
        // Columns, as each line is printed when its tenant is done: the ids are known from the
        // list, a size is at most 10 wide (`1023.9 MiB`), right-aligned.
        let idWidth = rows.compactMap { $0["id"]?.stringValue }.map(Rendering.displayWidth).max() ?? 0
        func line(_ id: String, _ rest: String...) -> String { Rendering.columns([id] + rest, widths: [idWidth] + rest.map { _ in 0 }) }
        var results: [JSONValue] = []
        var failed: [String] = []
        for row in rows {
            guard let id = row["id"]?.stringValue else { continue }
            let state = row["state"]?.stringValue ?? "?"
            guard Self.statesBackedUp.contains(state) else {
                say(line(id, "skipped: state \(state)"), error: true)
                results.append(["id": .string(id), "ok": false, "error": .string("skipped: state \(state)")])
                failed.append(id)
                continue
            }
            switch options.send(.tenantBackup, [("id", .string(id))]) {
            case .success(let result):
                let pruned = result["pruned"]?.arrayValue ?? []
                let size = result["bytes"].map { Rendering.text("bytes", $0) } ?? "?"
                say(line(id, String(repeating: " ", count: max(0, 10 - size.count)) + size, result["path"]?.stringValue ?? "?",
                         pruned.isEmpty ? "" : "removed \(pruned.count) old backup\(pruned.count == 1 ? "" : "s")"))
                Self.warnPruneErrors(of: id, result)
                results.append(.object([("id", .string(id)), ("ok", true)] + (result.objectValue ?? []).filter { $0.0 != "id" }))
            case .failure(let failure) where failure.interrupted:
                // Told to stop: the tenants after this one are not begun.
                let left = rows.count - results.count - 1
                GlobalOptions.fail("\(id): \(failure.message)" + (left > 0 ? " (\(left) more tenant\(left == 1 ? "" : "s") not backed up)" : ""), status: failure.status)
            case .failure(let failure):
                say(line(id, "FAILED", failure.message), error: true)
                results.append(["id": .string(id), "ok": false, "error": .string(failure.message)])
                failed.append(id)
            }
        }
        let summary = "backed up \(rows.count - failed.count) of \(rows.count) tenant\(rows.count == 1 ? "" : "s")"
            + (failed.isEmpty ? "" : "; failed: \(failed.joined(separator: ", "))")
        if options.json {
            print(JSONValue.object([("tenants", .array(results)), ("failed", .array(failed.map(JSONValue.string)))]).pretty())
        } else {
            say(summary, error: !failed.isEmpty)
        }
        if !failed.isEmpty {
            if options.json { FileHandle.standardError.write(Data("zhichengctl: \(summary)\n".utf8)) }
            throw ExitCode(1)
        }
    }

    /// What went wrong with `[backup] keep` (an old backup it could not remove, a removal it
    /// could not audit), one line each on stderr: the backup itself stands, so the exit status
    /// does not change.
    static func warnPruneErrors(of id: String, _ result: JSONValue) {
        for entry in result["prune_errors"]?.arrayValue ?? [] {
            FileHandle.standardError.write(Data("zhichengctl: \(id): backup retention: \(entry["path"]?.stringValue ?? "?"): \(entry["error"]?.stringValue ?? "?")\n".utf8))
        }
    }

    /// A progress line, written at once, unbuffered (a run over many tenants is followed as
    /// it goes, also in the journal, and stdout and stderr lines stay in order): stdout, or
    /// stderr for a failure. Nothing with `--json`, which prints one result at the end.
    private func say(_ line: String, error: Bool = false) {
        guard !options.json else { return }
        (error ? FileHandle.standardError : FileHandle.standardOutput).write(Data((line + "\n").utf8))
    }
}
