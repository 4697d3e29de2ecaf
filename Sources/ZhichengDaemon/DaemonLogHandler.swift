import CSystemd
import Foundation
import Logging
import Synchronization
import ZhichengCore

/// The log level every handler reads, so `log.level` and config reload change it at once.
public final class LogLevelControl: Sendable {
    private let raw = Atomic<Int>(0)
    private static let levels = Logger.Level.allCases

    public init(_ level: Logger.Level) { set(level) }

    public var level: Logger.Level { Self.levels[raw.load(ordering: .relaxed)] }
    public func set(_ level: Logger.Level) { raw.store(Self.levels.firstIndex(of: level) ?? 2, ordering: .relaxed) }
}

/// Structured logging: native journald fields (MESSAGE, PRIORITY, CODE_*, and each
/// metadata key as an upper-case field, e.g. `tenant.id` → `TENANT_ID`) when run by
/// systemd; one logfmt-style line on stderr otherwise.
public struct DaemonLogHandler: LogHandler {
    public enum Sink: Sendable { case journal, stderr }

    public let label: String
    let sink: Sink
    let control: LogLevelControl
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    public init(label: String, sink: Sink, control: LogLevelControl) {
        self.label = label
        self.sink = sink
        self.control = control
    }

    public var logLevel: Logger.Level {
        get { control.level }
        set { control.set(newValue) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// The journal when stderr is the stream systemd connected (JOURNAL_STREAM matches), else stderr.
    public static func detectSink() -> Sink {
        guard let stream = ProcessInfo.processInfo.environment["JOURNAL_STREAM"] else { return .stderr }
        var st = stat()
        guard fstat(2, &st) == 0 else { return .stderr }
        return stream == "\(st.st_dev):\(st.st_ino)" ? .journal : .stderr
    }

    public func log(event: LogEvent) {
        var all = metadata
        if let provided = metadataProvider?.get() { all.merge(provided) { $1 } }
        if let extra = event.metadata { all.merge(extra) { $1 } }
        switch sink {
        case .journal: journal(event, all)
        case .stderr: stderrLine(event, all)
        }
    }

    private func journal(_ event: LogEvent, _ metadata: Logger.Metadata) {
        var fields = [
            "MESSAGE=\(IDCardNumber.maskingEvery(in: "\(event.message)"))",
            "PRIORITY=\(Self.priority(event.level))",
            "SYSLOG_IDENTIFIER=zhichengd",
            "LOGGER=\(label)",
            "CODE_FILE=\(event.file)",
            "CODE_LINE=\(event.line)",
            "CODE_FUNC=\(event.function)",
        ]
        for (key, value) in metadata {
            fields.append("\(Self.fieldName(key))=\(IDCardNumber.maskingEvery(in: "\(value)"))")
        }
        var storage = fields.map { Array($0.utf8) }
        var iovecs = [iovec]()
        iovecs.reserveCapacity(storage.count)
        for index in storage.indices {
            storage[index].withUnsafeMutableBytes { buffer in
                iovecs.append(iovec(iov_base: buffer.baseAddress, iov_len: buffer.count))
            }
        }
        // The arrays in `storage` stay alive (and unmoved) until sendv returns.
        withExtendedLifetime(storage) {
            _ = sd_journal_sendv(&iovecs, Int32(iovecs.count))
        }
    }

    private func stderrLine(_ event: LogEvent, _ metadata: Logger.Metadata) {
        var line = "\(Self.timestamp()) \(event.level) \(IDCardNumber.maskingEvery(in: "\(event.message)"))"
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            let text = IDCardNumber.maskingEvery(in: "\(value)")
            line += text.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) ? " \(key)=\(String(reflecting: text))" : " \(key)=\(text)"
        }
        line += "\n"
        FileHandle.standardError.write(Data(line.utf8))
    }

    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// Journal field names are upper-case letters, digits and underscores, not starting with one.
    static func fieldName(_ key: String) -> String {
        var name = String(key.uppercased().map { ($0.isASCII && ($0.isLetter || $0.isNumber)) ? $0 : "_" })
        while name.hasPrefix("_") { name.removeFirst() }
        return name.isEmpty ? "FIELD" : name
    }

    static func timestamp() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        var t = ts.tv_sec
        var parts = tm()
        gmtime_r(&t, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                      parts.tm_hour, parts.tm_min, parts.tm_sec, ts.tv_nsec / 1_000_000)
    }
}
