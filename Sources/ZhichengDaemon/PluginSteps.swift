import Foundation
import Logging
import Metrics
import Synchronization
import ZhichengApp
import ZhichengPluginHost

/// Runs plugin steps for the application services through the supervisor.
struct PluginSteps: AutomatedSteps {
    let supervisor: PluginSupervisor
    let logger: Logger

    func run(at point: String, tenant: String, application: String) async -> [AutomatedOutcome] {
        var outcomes: [AutomatedOutcome] = []
        for (file, step) in await supervisor.steps(at: point) {
            let plugin = await supervisor.list().first { $0.file == file }?.name ?? file
            do {
                let output = try await supervisor.call(file: file, step: step.id,
                                                       input: Self.input(step: step.id, tenant: tenant, application: Self.only(step.sections, of: application)))
                let result = AutomatedOutcome.Result(decision: output)
                if case .failed(let reason) = result {
                    Self.failures(of: file)?.increment()
                    // The helper is sound (it answered JSON): the plugin stays loaded, its author learns why here.
                    logger.error("plugin step answered a decision that is not valid; the application goes on to people",
                                 metadata: ["plugin.file": "\(file)", "plugin.name": "\(plugin)", "plugin.step": "\(step.id)", "reason": "\(reason)"])
                }
                outcomes.append(AutomatedOutcome(plugin: plugin, step: step.id, title: step.title, result: result))
            } catch {
                Self.failures(of: file)?.increment()
                // The application reads 自动审查失败（转人工审查）; why is for the journal (the plugin
                // returned nothing, it is paused as faulty, its helper died…).
                logger.warning("plugin step failed; the application goes on to people",
                               metadata: ["plugin.file": "\(file)", "plugin.name": "\(plugin)", "plugin.step": "\(step.id)", "tenant.id": "\(tenant)",
                                          "application.id": "\(Self.id(of: application).map(String.init) ?? "-")", "reason": "\(error.reason)"])
                outcomes.append(AutomatedOutcome(plugin: plugin, step: step.id, title: step.title, result: .failed(error.reason)))
            }
        }
        return outcomes
    }

    /// `zhicheng_plugin_step_failures_total{plugin}`: steps that failed (no answer, a faulty
    /// plugin, a decision that is not valid), each sending its application on to people. By
    /// the plugin's file name, which it has before its manifest is read (a plugin that has not
    /// started yet is listed under it) and keeps: a series for each file the last scan of the
    /// plugin dir found and did not refuse (`countFailures`), nil for any other (a file removed
    /// while its step ran: its series is gone, and its failure is not counted).
    static func failures(of file: String) -> Counter? {
        counters.withLock { $0[file] }
    }

    /// The failure counters on /metrics, by plugin file.
    private static let counters = Mutex<[String: Counter]>([:])

    /// Makes the failure counter of each plugin `plugins` (a scan of the dir: at start, by
    /// `plugin.reload`, by a config reload or SIGHUP) lists and does not refuse, at 0, so that
    /// a plugin's first failure is an increase on /metrics rather than a new series; and takes
    /// away the series of every other file, one removed from the dir or refused now, which can
    /// run no step. A file that comes back starts again at 0, as a new series: Prometheus reads
    /// that as a counter reset (`increase`, `rate`), and it may be another build of the plugin.
    static func countFailures(of plugins: [PluginInfo]) {
        let files = Set(plugins.filter { $0.state != .refused }.map(\.file))
        counters.withLock { counters in
            for (file, counter) in counters where !files.contains(file) {
                counter.destroy()
                counters[file] = nil
            }
            for file in files where counters[file] == nil {
                counters[file] = Counter(label: "zhicheng_plugin_step_failures_total", dimensions: [("plugin", file)])
            }
        }
    }

    /// The application's id, as the log names it.
    static func id(of application: String) -> Int? {
        (try? JSONSerialization.jsonObject(with: Data(application.utf8)) as? [String: Any])?["id"] as? Int
    }

    func provides(_ point: String) async -> Bool { !(await supervisor.steps(at: point)).isEmpty }

    /// The application with only `sections` of its sections (all of them when nil): a
    /// plugin gets what its step says it reads, not the rest of a person's data.
    static func only(_ sections: [String]?, of application: String) -> String {
        guard let sections, var object = try? JSONSerialization.jsonObject(with: Data(application.utf8)) as? [String: Any] else { return application }
        let all = object["sections"] as? [String: Any] ?? [:]
        object["sections"] = all.filter { sections.contains($0.key) }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return application }
        return String(decoding: data, as: UTF8.self)
    }

    /// `{"step", "tenant", "application": {...}}` with the application embedded as an object.
    static func input(step: String, tenant: String, application: String) -> String {
        let head = String(decoding: (try? JSONSerialization.data(withJSONObject: ["step": step, "tenant": tenant], options: [.sortedKeys])) ?? Data("{}".utf8), as: UTF8.self)
        return String(head.dropLast()) + ",\"application\":" + application + "}"
    }
}
