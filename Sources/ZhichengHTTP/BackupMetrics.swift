import Prometheus
import Synchronization

/// `zhicheng_backup_last_success_timestamp_seconds{tenant}`: when each registered tenant's last
/// backup succeeded (its creation, for one never backed up: the alert below then fires a day
/// after a new tenant's creation without a backup, not at once), set at each scrape from the registry, which records every backup
/// that succeeds, so that it holds from the start and across restarts. An alert on
/// `time() - zhicheng_backup_last_success_timestamp_seconds > 90000` finds a tenant whose
/// nightly backup stopped (or never ran). One series per registered tenant; an archived
/// tenant's is removed.
final class BackupMetrics: Sendable {
    private let registry: PrometheusCollectorRegistry
    private let gauges = Mutex<[String: Gauge]>([:])
    static let name = "zhicheng_backup_last_success_timestamp_seconds"
    static let help = "When the tenant's last backup succeeded, in seconds since 1970 (its creation if never)"

    init(registry: PrometheusCollectorRegistry) { self.registry = registry }

    func update(_ backups: [(id: String, at: Double?)]) {
        gauges.withLock { gauges in
            var gone = gauges
            for (id, at) in backups {
                gone[id] = nil
                let gauge = gauges[id] ?? registry.makeGauge(name: Self.name, labels: [("tenant", id)], help: Self.help)
                gauges[id] = gauge
                gauge.set(at ?? 0)
            }
            for (id, gauge) in gone {
                registry.unregisterGauge(gauge)
                gauges[id] = nil
            }
        }
    }
}
