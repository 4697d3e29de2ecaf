import HTTPTypes
import Logging
import Synchronization

/// The id of one HTTP request, which joins what a user is shown of an internal error (the API's
/// error body, the web UI's 错误编号) to its line in the log: the `X-Request-Id` header of every
/// answer, and `request.id` on every log line written while the request is handled.
///
/// A counter behind a prefix drawn once per process (`3f9a1c-0000002a`): unique within a run,
/// and the prefix tells runs apart in a journal that spans restarts. Fifteen ASCII bytes, so the
/// string is stored inline (no allocation) on the hot path: no UUID, no Foundation formatting.
public enum HTTPRequestID {
    /// The id of the request whose handling is running in this task; nil outside a request.
    @TaskLocal public static var current: String?

    private static let counter = Atomic<UInt32>(0)
    /// Six hex digits, drawn once per process.
    private static let prefix: UInt32 = UInt32.random(in: 0...0xFF_FFFF)

    /// A new id: six hex digits of the process's prefix, `-`, eight of the counter.
    public static func next() -> String {
        let n = counter.wrappingAdd(1, ordering: .relaxed).newValue
        return String(unsafeUninitializedCapacity: 15) { buffer in
            for i in 0..<6 { buffer[i] = hexDigit(prefix >> (4 * (5 - i))) }
            buffer[6] = UInt8(ascii: "-")
            for i in 0..<8 { buffer[7 + i] = hexDigit(n >> (4 * (7 - i))) }
            return 15
        }
    }

    /// The lower-case hex digit of the low four bits of `value`.
    private static func hexDigit(_ value: UInt32) -> UInt8 {
        let nibble = UInt8(truncatingIfNeeded: value & 0xF)
        return nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
    }

    /// Adds `request.id` to every log line written within a request's task (installed with
    /// the daemon's log handler); nothing outside a request.
    public static let metadataProvider = Logger.MetadataProvider {
        guard let id = current else { return [:] }
        return ["request.id": .string(id)]
    }
}

extension HTTPField.Name {
    /// The request's id, on every answer (`HTTPRequestID`).
    static let xRequestID = Self("X-Request-Id")!
}
