import Foundation
import Logging

/// A plugin as `plugin.list` shows it.
public struct PluginInfo: Sendable, Equatable {
    public struct Step: Sendable, Equatable {
        public var id: String
        public var title: String
        /// Where it runs in a route, e.g. `submit`.
        public var at: String
        /// The application sections it reads (its manifest's `sections`); nil: every one.
        public var sections: [String]?

        public init(id: String, title: String, at: String, sections: [String]? = nil) {
            self.id = id
            self.title = title
            self.at = at
            self.sections = sections
        }
    }

    public enum State: String, Sendable {
        /// Running and answering.
        case loaded
        /// Crashed, hung, leaked, answered garbage or did not start; retried after a pause.
        case faulty
        /// Not loadable (wrong ABI version, missing symbol, bad manifest, the name of a plugin
        /// whose file sorts first); tried again at each reload.
        case refused
    }

    public var file: String
    public var name: String
    public var version: String
    public var abi: Int
    public var steps: [Step]
    public var state: State
    /// Why it is faulty or refused.
    public var detail: String?
}

/// Why a step call failed.
public struct PluginFailure: Error, Sendable, CustomStringConvertible {
    public var plugin: String
    public var reason: String
    public var description: String { "\(plugin): \(reason)" }
}

/// Loads every `.so` of the plugin dir into its own helper process
/// (`zhichengd --plugin-host FILE`), supervises them, and calls their steps with
/// a deadline. A crash, a hang (deadline), a leak (RSS limit) or a malformed
/// answer kills only that helper: the call fails and the plugin is marked faulty,
/// to be restarted on a later call after a pause. A plugin that never got as far as its
/// manifest offers no step to call: it is started again by the next `steps(at:)` past
/// its pause, and by every reload.
///
/// Two files whose manifests give one name: the one whose file name sorts first keeps
/// it, the other is refused (the trail, the audit log and `plugin.list` tell plugins
/// apart by name).
///
/// A reload never breaks a call in flight: a replaced or removed plugin's helper
/// is *retired* — out of the table, so new calls go to its successor (or fail
/// with "no such plugin") — and is stopped once its calls in flight are done.
///
/// A helper answers one request at a time, so concurrent calls to one plugin take
/// turns: each call writes its request and reads its answer as one item on the
/// plugin's serial queue (never two requests interleaved in the pipe, never one
/// call's answer read by another), and its deadline starts when its turn comes.
public actor PluginSupervisor {
    let directory: String
    let executable: String
    let timeout: Duration
    let rssLimitBytes: Int
    let sectionNames: Set<String>
    let stepPoints: Set<String>
    let logger: Logger
    private var plugins: [String: Entry] = [:]
    /// Helpers a reload replaced or dropped that still have calls in flight.
    private var draining: [Entry] = []
    /// The pause before a faulty plugin is started again, doubled for each start in a row
    /// that failed, up to `retryAfterMax`: a plugin that cannot start is tried ever less often.
    static let retryAfter: Double = 5
    static let retryAfterMax: Double = 300

    /// One plugin file: what is known of it and its current helper. Touched only on
    /// the supervisor actor.
    final class Entry: @unchecked Sendable {
        var info: PluginInfo
        /// The running helper, if any.
        var helper: Helper?
        /// A restart in progress, which concurrent calls wait for instead of starting another.
        var restarting: Task<Void, Never>?
        var identity: String
        /// When it last became faulty (monotonic: a clock stepped by NTP neither holds nor hurries a retry).
        var faultyAt: ContinuousClock.Instant?
        /// Starts in a row that did not load it (0 once one did).
        var failedStarts = 0
        /// A helper of this entry has handed over a valid manifest: `info` names its steps.
        var manifestRead = false
        /// Calls between lookup and answer.
        var inFlight = 0
        /// Replaced or dropped by a reload: stop the helper when `inFlight` drops to 0.
        var retired = false
        /// Runs every exchange with this plugin's helpers, one at a time, and closes their pipes.
        let queue: DispatchQueue

        init(info: PluginInfo, identity: String) {
            self.info = info
            self.identity = identity
            queue = DispatchQueue(label: "zhicheng.plugin.\(info.file)")
        }
    }

    /// One helper process and our ends of its stdin and stdout. The pipes are read,
    /// written and closed only on the entry's queue, so a pipe is never closed (and its
    /// descriptor reused) under an exchange still using it.
    final class Helper: @unchecked Sendable {
        let process: Process
        let requests: FileHandle
        let answers: FileHandle
        /// Bytes read past the last answer line (on the queue).
        var buffer: [UInt8] = []

        init(process: Process, requests: FileHandle, answers: FileHandle) {
            self.process = process
            self.requests = requests
            self.answers = answers
        }
    }

    /// `sectionNames`: what a step's manifest `sections` may name (the application's
    /// sections); a step naming anything else, or giving something other than a list of
    /// names, refuses its plugin rather than be handed every section, or none.
    /// `stepPoints`: the `at` values the daemon runs steps at; a step placed anywhere else
    /// refuses its plugin (empty: any).
    public init(directory: String, executable: String, timeout: Duration = .seconds(5), rssLimitBytes: Int = 256 << 20,
                sectionNames: Set<String> = [], stepPoints: Set<String> = [], logger: Logger) {
        self.directory = directory
        self.executable = executable
        self.timeout = timeout
        self.rssLimitBytes = rssLimitBytes
        self.sectionNames = sectionNames
        self.stepPoints = stepPoints
        self.logger = logger
    }

    /// The plugins, sorted by file name.
    public func list() -> [PluginInfo] { plugins.values.map(\.info).sorted { $0.file < $1.file } }

    /// Rescans the plugin dir: starts new files, restarts changed ones, drops removed
    /// ones. A changed file gets a new helper, which takes new calls once it has
    /// started; the old helper, like a removed file's, finishes its calls in flight
    /// (each still bound by the call deadline) and is then stopped.
    @discardableResult
    public func reload() async -> [PluginInfo] {
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0.hasSuffix(".so") }.sorted()
        for (file, entry) in plugins where !files.contains(file) {
            plugins[file] = nil
            retire(entry)
            logger.notice("plugin removed", metadata: ["plugin.file": "\(file)"])
        }
        for file in files {
            let identity = Self.identity(of: directory + "/" + file)
            let previous = plugins[file]
            // Unchanged and known: kept. Refused, or faulty before its manifest was ever read
            // (its start failed, so it offers no step a call could restart it by): tried again.
            if let previous, previous.identity == identity, previous.info.state != .refused, previous.manifestRead { continue }
            let entry = Entry(info: PluginInfo(file: file, name: file, version: "", abi: 0, steps: [], state: .faulty, detail: "not started"), identity: identity)
            // Started before it is listed, so that calls meanwhile go to the previous
            // helper instead of racing this start.
            await start(entry)
            guard plugins[file] === previous else {
                // A concurrent reload settled this file while we were starting.
                retire(entry)
                continue
            }
            plugins[file] = entry
            if let previous { retire(previous) }
        }
        refuseDuplicates()
        return list()
    }

    /// The steps of loaded (or retryable) plugins placed at `at`, in file order. Plugins
    /// that never started are started again, in the background, if their pause is over: a
    /// start may take up to its 10 s handshake, which no submission (of any tenant, for any
    /// plugin's steps) waits for; the submissions after it see its steps.
    public func steps(at: String) async -> [(file: String, step: PluginInfo.Step)] {
        if retryingUnstarted == nil, !stopped, plugins.values.contains(where: Self.unstartedAndDue) {
            // Detached: it outlives the submission that set it off, whose task-locals (the
            // request id its log lines carry) are not this work's.
            retryingUnstarted = Task.detached { [self] in
                await self.retryUnstarted()
                await self.retryFinished()
            }
        }
        return list().filter { $0.state != .refused }.flatMap { info in info.steps.filter { $0.at == at }.map { (info.file, $0) } }
    }

    /// The background start of the plugins that never started, while one runs.
    private var retryingUnstarted: Task<Void, Never>?
    private func retryFinished() { retryingUnstarted = nil }
    /// Set by `stopAll` (shutdown): nothing is started from then on.
    private var stopped = false

    static func unstartedAndDue(_ entry: Entry) -> Bool {
        !entry.manifestRead && entry.info.state == .faulty && retryDue(entry)
    }

    /// Calls a step; the answer must be a JSON object. Failures mark the plugin faulty.
    public func call(file: String, step: String, input: String) async throws(PluginFailure) -> String {
        guard let entry = plugins[file] else { throw PluginFailure(plugin: file, reason: "no such plugin") }
        // From here on only `entry` is used, never `plugins[file]`: a reload during
        // an await may retire it, and it must still answer this call.
        entry.inFlight += 1
        defer { finished(entry) }
        if entry.info.state == .faulty {
            guard Self.retryDue(entry) else {
                throw PluginFailure(plugin: entry.info.name, reason: "faulty: \(entry.info.detail ?? "")")
            }
            await restart(entry)
        }
        guard entry.info.state == .loaded, let helper = entry.helper else {
            throw PluginFailure(plugin: entry.info.name, reason: "\(entry.info.state.rawValue): \(entry.info.detail ?? "")")
        }
        let request = (try? JSONSerialization.data(withJSONObject: ["step": step, "input": input])) ?? Data()
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        let answer = await Self.exchange(helper, on: entry.queue, request: request, timeout: seconds, rssLimit: rssLimitBytes)
        switch answer {
        case .failed(let reason):
            markFaulty(entry, helper, reason)
            throw PluginFailure(plugin: entry.info.name, reason: reason)
        case .line(let line):
            if let rss = Self.rss(of: helper.process.processIdentifier), rss > rssLimitBytes {
                markFaulty(entry, helper, Self.overLimit(rss, rssLimitBytes))
                throw PluginFailure(plugin: entry.info.name, reason: "memory limit exceeded")
            }
            guard let reply = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                markFaulty(entry, helper, "sent a line that is not JSON")
                throw PluginFailure(plugin: entry.info.name, reason: "malformed answer")
            }
            guard reply["ok"] as? Bool == true, let output = reply["output"] as? String else {
                throw PluginFailure(plugin: entry.info.name, reason: reply["error"] as? String ?? "failed")
            }
            guard (try? JSONSerialization.jsonObject(with: Data(output.utf8))) is [String: Any] else {
                markFaulty(entry, helper, "returned malformed JSON for step \(step)")
                throw PluginFailure(plugin: entry.info.name, reason: "malformed JSON from the plugin")
            }
            return output
        }
    }

    /// Stops every helper (shutdown), retired ones with calls in flight included.
    public func stopAll() {
        // A background start under way stops what it starts (see `retryUnstarted`).
        stopped = true
        retryingUnstarted?.cancel()
        for entry in plugins.values { stop(entry) }
        for entry in draining { stop(entry) }
        draining = []
    }

    // MARK: Helpers

    /// Whether a faulty entry's pause is over.
    static func retryDue(_ entry: Entry) -> Bool {
        guard let at = entry.faultyAt else { return true }
        return at.duration(to: .now) >= .seconds(retryDelay(failedStarts: entry.failedStarts))
    }

    /// `retryAfter` after a failed call or a first failed start, doubled for each further
    /// start in a row that failed, at most `retryAfterMax`.
    static func retryDelay(failedStarts: Int) -> Double {
        min(retryAfter * pow(2, Double(min(max(failedStarts - 1, 0), 16))), retryAfterMax)
    }

    /// Starts again the plugins whose start failed before their manifest was read, once
    /// their pause is over: until then they offer no step, so no call would ever do it.
    private func retryUnstarted() async {
        let due = plugins.values.filter(Self.unstartedAndDue)
        guard !due.isEmpty else { return }
        for entry in due.sorted(by: { $0.info.file < $1.info.file }) where !entry.retired && !stopped {
            // Counted as a call in flight, so a reload meanwhile stops the helper it starts.
            entry.inFlight += 1
            await restart(entry)
            finished(entry)
            // The daemon stopped while it started: no helper outlives it.
            if stopped { stop(entry) }
        }
        refuseDuplicates()
    }

    /// The file sorted before `file` whose plugin holds `name` (loaded, or faulty after
    /// loading): the first file keeps a name.
    private func holder(of name: String, before file: String) -> String? {
        plugins.values.filter { $0.info.file < file && $0.manifestRead && $0.info.state != .refused && $0.info.name == name }.map(\.info.file).min()
    }

    /// Refuses every plugin whose name a plugin of an earlier file holds: one that loaded
    /// before that file came (or started), too. A fresh refused entry takes its place, and
    /// its helper is retired, so its calls in flight still get their answers.
    private func refuseDuplicates() {
        for file in plugins.keys.sorted() {
            guard let entry = plugins[file], entry.manifestRead, entry.info.state != .refused,
                  let first = holder(of: entry.info.name, before: file) else { continue }
            let refused = Entry(info: entry.info, identity: entry.identity)
            refused.manifestRead = true
            refuse(refused, "same name as \(first)")
            plugins[file] = refused
            retire(entry)
        }
    }

    /// Refuses the entry's plugin, saying why, and stops its helper.
    private func refuse(_ entry: Entry, _ reason: String) {
        entry.info.state = .refused
        entry.info.detail = reason
        stop(entry)
        logger.error("plugin refused", metadata: ["plugin.file": "\(entry.info.file)", "plugin.name": "\(entry.info.name)", "reason": "\(reason)"])
    }

    /// Takes an entry that is no longer in the table out of service: stopped now if
    /// idle, otherwise once its last call in flight is done (see `finished`).
    private func retire(_ entry: Entry) {
        entry.retired = true
        guard entry.inFlight > 0 else { return stop(entry) }
        draining.append(entry)
        logger.notice("plugin helper retired; finishing its calls in flight",
                      metadata: ["plugin.file": "\(entry.info.file)", "plugin.version": "\(entry.info.version)", "calls": "\(entry.inFlight)"])
    }

    private func finished(_ entry: Entry) {
        entry.inFlight -= 1
        guard entry.retired, entry.inFlight == 0 else { return }
        stop(entry)
        draining.removeAll { $0 === entry }
        logger.notice("retired plugin helper stopped after draining",
                      metadata: ["plugin.file": "\(entry.info.file)", "plugin.version": "\(entry.info.version)"])
    }

    /// Restarts a faulty plugin's helper; calls that find a restart in progress wait
    /// for it instead of starting another (which would kill the first one's helper).
    private func restart(_ entry: Entry) async {
        if let restarting = entry.restarting { return await restarting.value }
        let task = Task { await start(entry) }
        entry.restarting = task
        await task.value
        entry.restarting = nil
    }

    /// Starts a helper for the entry and reads its manifest; counts the starts in a row
    /// that failed.
    private func start(_ entry: Entry) async {
        await launch(entry)
        entry.failedStarts = entry.info.state == .loaded ? 0 : entry.failedStarts + 1
    }

    private func launch(_ entry: Entry) async {
        stop(entry)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--plugin-host", directory + "/" + entry.info.file]
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.standardError
        do {
            try process.run()
        } catch {
            markFaulty(entry, nil, "cannot start the helper: \(error)")
            return
        }
        // Our end of its stdin does not block: a write waits for room with poll, under
        // the call's deadline.
        let requests = stdin.fileHandleForWriting
        _ = fcntl(requests.fileDescriptor, F_SETFL, fcntl(requests.fileDescriptor, F_GETFL) | O_NONBLOCK)
        let helper = Helper(process: process, requests: requests, answers: stdout.fileHandleForReading)
        entry.helper = helper
        let handshake = await withCheckedContinuation { continuation in
            entry.queue.async { [rssLimitBytes] in continuation.resume(returning: Self.readLine(helper, deadline: .now + .seconds(10), rssLimit: rssLimitBytes)) }
        }
        switch handshake {
        case .failed(let reason):
            markFaulty(entry, helper, "did not start: \(reason)")
        case .line(let line):
            guard let hello = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                return markFaulty(entry, helper, "sent a malformed handshake")
            }
            guard hello["ok"] as? Bool == true, let manifestText = hello["manifest"] as? String,
                  let manifest = try? JSONSerialization.jsonObject(with: Data(manifestText.utf8)) as? [String: Any],
                  let name = manifest["name"] as? String, let version = manifest["version"] as? String,
                  let steps = manifest["steps"] as? [[String: Any]] else {
                return refuse(entry, hello["error"] as? String ?? "its manifest is not valid")
            }
            var parsed: [PluginInfo.Step] = []
            for (index, s) in steps.enumerated() {
                // A step the daemon would never run (no id, an `at` it does not know, e.g. a
                // misspelt "sumbit") refuses its plugin: loaded, it would look in place and do nothing.
                guard let id = s["id"] as? String, !id.isEmpty else { return refuse(entry, "step \(index + 1): id must be a non-empty string") }
                let at = s["at"] as? String ?? ""
                guard stepPoints.isEmpty || stepPoints.contains(at) else {
                    return refuse(entry, "step \(id): at must be one of \(stepPoints.sorted().joined(separator: ", ")), not \"\(at.prefix(40))\"")
                }
                var sections: [String]?
                if let raw = s["sections"], !(raw is NSNull) {
                    guard let names = raw as? [String], names.allSatisfy(sectionNames.contains) else {
                        return refuse(entry, "step \(id): sections must be a list of the application's section names (\(sectionNames.sorted().joined(separator: "、")))")
                    }
                    sections = names
                }
                parsed.append(PluginInfo.Step(id: id, title: s["title"] as? String ?? id, at: at, sections: sections))
            }
            entry.info = PluginInfo(file: entry.info.file, name: name, version: version, abi: hello["abi"] as? Int ?? 0, steps: parsed, state: .loaded, detail: nil)
            entry.manifestRead = true
            if let first = holder(of: name, before: entry.info.file) { return refuse(entry, "same name as \(first)") }
            logger.notice("plugin loaded", metadata: ["plugin.name": "\(name)", "plugin.version": "\(version)", "plugin.file": "\(entry.info.file)"])
        }
    }

    /// Marks the plugin faulty because `helper` failed, and stops that helper. When the
    /// entry has moved on to another helper meanwhile (a restart, a reload), that one
    /// is left alone: the failure belonged to a helper already stopped.
    private func markFaulty(_ entry: Entry, _ helper: Helper?, _ reason: String) {
        if let helper, entry.helper !== helper { return }
        var detail = reason
        if let process = helper?.process {
            if reason.contains("exited") {
                // Its output closed: the helper is most likely exiting; a moment to learn why.
                // Never an unbounded wait on this actor: a plugin may close its output and
                // live on, and everything that asks the supervisor would hang behind it.
                let deadline = ContinuousClock.now + .milliseconds(250)
                while process.isRunning && ContinuousClock.now < deadline { usleep(5_000) }
                if process.isRunning { detail += " (it closed its output but kept running: killed)" }
            }
            if !process.isRunning, process.terminationReason == .uncaughtSignal {
                detail += " (helper killed by signal \(process.terminationStatus))"
            }
        }
        entry.info.state = .faulty
        entry.info.detail = detail
        entry.faultyAt = .now
        stop(entry)
        logger.error("plugin faulty", metadata: ["plugin.file": "\(entry.info.file)", "reason": "\(detail)"])
    }

    /// Kills the entry's helper now (an exchange waiting on it sees end of file at
    /// once); its pipes are closed and the process reaped on the entry's queue, after
    /// the exchanges queued before.
    private func stop(_ entry: Entry) {
        guard let helper = entry.helper else { return }
        entry.helper = nil
        if helper.process.isRunning { kill(helper.process.processIdentifier, SIGKILL) }
        entry.queue.async {
            helper.process.waitUntilExit()
            try? helper.requests.close()
            try? helper.answers.close()
        }
    }

    enum LineResult: Sendable {
        case line(String)
        case failed(String)
    }

    /// Writes one request line and reads its answer line, as one item on `queue` (the
    /// helper's turn), within `timeout` seconds from the start of that turn.
    static func exchange(_ helper: Helper, on queue: DispatchQueue, request: Data, timeout: Double, rssLimit: Int) async -> LineResult {
        await withCheckedContinuation { continuation in
            queue.async {
                let deadline = ContinuousClock.now + .seconds(timeout)
                if let failure = write(request + Data("\n".utf8), to: helper, deadline: deadline) {
                    return continuation.resume(returning: .failed(failure))
                }
                continuation.resume(returning: readLine(helper, deadline: deadline, rssLimit: rssLimit))
            }
        }
    }

    /// Writes all of `data` to the helper's stdin before `deadline` (on the queue);
    /// returns why not, or nil.
    static func write(_ data: Data, to helper: Helper, deadline: ContinuousClock.Instant) -> String? {
        let fd = helper.requests.fileDescriptor
        return data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> String? in
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n > 0 {
                    offset += n
                    continue
                }
                if n < 0 && errno == EINTR { continue }
                guard n < 0 && errno == EAGAIN else { return "the helper is gone (errno \(errno))" }
                let left = ContinuousClock.now.duration(to: deadline)
                guard left > .zero else { return "did not take its request within the deadline (hung)" }
                var fds = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                if poll(&fds, 1, pollMilliseconds(left)) < 0 && errno != EINTR { return "poll failed: errno \(errno)" }
            }
            return nil
        }
    }

    /// A poll's wait for `left` of a deadline: at most a second (then the deadline is looked at
    /// again), at least 1 ms (a wait of 0 would spin).
    static func pollMilliseconds(_ left: Duration) -> Int32 {
        Int32(max(1, min(left, .seconds(1)) / .milliseconds(1)))
    }

    /// Reads one line from the helper (on the queue) before `deadline`; end of file
    /// means the helper died. Its memory is looked at every tick of the wait (100 ms), not
    /// only once it answers: a runaway allocation is stopped before it takes the machine.
    static func readLine(_ helper: Helper, deadline: ContinuousClock.Instant, rssLimit: Int) -> LineResult {
        let fd = helper.answers.fileDescriptor
        while true {
            if let rss = rss(of: helper.process.processIdentifier), rss > rssLimit {
                return .failed(overLimit(rss, rssLimit))
            }
            if let newline = helper.buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: helper.buffer[..<newline], as: UTF8.self)
                helper.buffer.removeSubrange(...newline)
                return .line(line)
            }
            let left = ContinuousClock.now.duration(to: deadline)
            guard left > .zero else { return .failed("no answer within the deadline (hung)") }
            var fds = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&fds, 1, pollMilliseconds(min(left, .milliseconds(100))))
            if ready < 0 && errno != EINTR { return .failed("poll failed: errno \(errno)") }
            guard ready > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = read(fd, &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return .failed("the helper exited (crashed)") }
            helper.buffer.append(contentsOf: chunk[..<n])
            if helper.buffer.count > 16 << 20 { return .failed("answer larger than 16 MiB") }
        }
    }

    static func identity(of path: String) -> String {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        return "\((attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0)/\(attributes?[.size] as? Int ?? 0)/\(attributes?[.systemFileNumber] as? Int ?? 0)"
    }

    static func overLimit(_ rss: Int, _ limit: Int) -> String { "uses \(rss >> 20) MiB, over the \(limit >> 20) MiB limit" }

    static func rss(of pid: Int32) -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return nil }
        return line.split(separator: " ").compactMap { Int($0) }.first.map { $0 * 1024 }
    }
}
