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
    /// The gauges by tenant, and the newest reading applied to them.
    private let state = Mutex<(gauges: [String: Gauge], applied: UInt64)>(([:], 0))
    private let readings = Atomic<UInt64>(0)
    /// `zhicheng_backup_last_success_timestamp` + `_seconds`: the name the alerts use. Made
    /// each time (the descriptor is not `Sendable`).
    static var descriptor: MetricNameDescriptor {
        MetricNameDescriptor(metricName: "zhicheng_backup_last_success_timestamp", unitName: "seconds",
                             helpText: "When the tenant's last backup succeeded, in seconds since 1970 (its creation if never)")
    }

    init(registry: PrometheusCollectorRegistry) { self.registry = registry }

    /// Reads the registry (`read`) and sets the gauges from it. Two scrapes at once may apply
    /// their readings in either order: an older one than the last applied is dropped (it
    /// would bring back an archived tenant, or move a backup's time back).
    func refresh(_ read: () async throws -> [(id: String, at: Double)]) async throws {
        let reading = readings.wrappingAdd(1, ordering: .relaxed).newValue
        let backups = try await read()
        state.withLock { state in
            guard reading > state.applied else { return }
            state.applied = reading
            var gone = state.gauges
            for (id, at) in backups {
                gone[id] = nil
                let gauge = state.gauges[id] ?? registry.makeGauge(descriptor: Self.descriptor, labels: [("tenant", id)])
                state.gauges[id] = gauge
                gauge.set(at)
            }
            for (id, gauge) in gone {
                registry.unregisterGauge(gauge)
                state.gauges[id] = nil
            }
        }
    }
}
