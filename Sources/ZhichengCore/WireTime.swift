import Foundation

/// Times as the JSON API and the admin protocol answer them: ISO 8601 in UTC, to the second
/// (`2026-12-01T01:35:03Z`). Every time either writes goes through `iso8601`, so that none
/// comes out as a number of seconds or in a format of its own; what people read on a page
/// is `ChinaTime`'s.
public enum WireTime {
    /// `at` (seconds since 1970) as `2026-12-01T01:35:03Z`; a fraction of a second is dropped.
    public static func iso8601(_ at: Double) -> String {
        Date(timeIntervalSince1970: at).ISO8601Format()
    }
}
