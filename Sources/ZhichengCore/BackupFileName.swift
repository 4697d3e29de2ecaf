/// The name `tenant.backup` gives a tenant's regular backup in `<backup_dir>/<id>/`:
/// `<id>-<UTC time>.sqlite`, the time written `yyyyMMdd'T'HHmmss.SSS'Z'`
/// (`zhengzhou-20261129T071502.123Z.sqlite`), or `<id>-<UTC time>-<n>.sqlite` (n ≥ 2) for a
/// later backup in the same millisecond (the storage layer's `unusedPath` adds `-<n>`).
///
/// Only a name of exactly this shape is a regular backup. A restore's
/// `<id>-pre-restore-<UTC time>.sqlite`, a `.partial` copy under way, a backup of another
/// tenant, and whatever a person put in the directory are not: retention never touches them.
public struct BackupFileName: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let tenant: TenantID
    /// The UTC time as the name writes it, e.g. `20261129T071502.123Z`.
    public let stamp: String
    /// 1 for the first backup of its millisecond, then 2, 3 …
    public let sequence: Int
    /// The file name itself, as read.
    public let name: String

    /// What every regular backup's name ends with.
    public static let suffix = ".sqlite"

    /// The name before any `-<n>` and the suffix: `<id>-<stamp>`.
    public static func stem(of tenant: TenantID, at stamp: String) -> String { tenant.rawValue + "-" + stamp }

    /// Reads `name` as a regular backup of `tenant`; nil for anything else.
    public init?(_ name: String, of tenant: TenantID) {
        // Bytes, not Characters: String's comparisons treat canonically equivalent text as equal.
        let bytes = Array(name.utf8), prefix = Array((tenant.rawValue + "-").utf8), suffix = Array(Self.suffix.utf8)
        guard bytes.count > prefix.count + suffix.count, bytes.starts(with: prefix), bytes.suffix(suffix.count).elementsEqual(suffix) else { return nil }
        let middle = Array(bytes.dropFirst(prefix.count).dropLast(suffix.count))
        guard middle.count >= Self.stampLength, Self.isStamp(middle[..<Self.stampLength]) else { return nil }
        let rest = middle[Self.stampLength...]
        if rest.isEmpty {
            sequence = 1
        } else {
            // "-<n>", n ≥ 2, written without leading zeros, as `unusedPath` writes it.
            let digits = rest.dropFirst()
            guard rest.first == UInt8(ascii: "-"), (1...9).contains(digits.count), digits.first != UInt8(ascii: "0"),
                  digits.allSatisfy(Self.isDigit), let n = Int(String(decoding: digits, as: UTF8.self)), n >= 2 else { return nil }
            sequence = n
        }
        self.tenant = tenant
        self.name = name
        stamp = String(decoding: middle[..<Self.stampLength], as: UTF8.self)
    }

    public var description: String { name }

    /// The time the name writes, in milliseconds since 1970 (UTC). (A day the stamp's
    /// check lets through that its month lacks, such as the 31st of April, runs on into the
    /// next month; the daemon never writes one.)
    public var millisecondsSince1970: Int64 {
        let b = Array(stamp.utf8)
        func number(_ range: Range<Int>) -> Int64 { b[range].reduce(0) { $0 * 10 + Int64($1 - 0x30) } }
        let days = Self.daysSince1970(year: number(0..<4), month: number(4..<6), day: number(6..<8))
        let seconds = ((days * 24 + number(9..<11)) * 60 + number(11..<13)) * 60 + number(13..<15)
        return seconds * 1000 + number(16..<19)
    }

    /// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (Howard Hinnant's
    /// `days_from_civil`).
    static func daysSince1970(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// A time (seconds since 1970) in milliseconds as a backup's name writes it: rounded to
    /// the nearest millisecond, as the storage layer's `timestamp` (a `DateFormatter`) does.
    public static func milliseconds(_ secondsSince1970: Double) -> Int64 {
        let ms = (secondsSince1970 * 1000).rounded(.toNearestOrAwayFromZero)
        if ms.isNaN { return 0 }
        return ms >= 9.2e18 ? .max : ms <= -9.2e18 ? .min : Int64(ms)
    }

    /// Older first: by time, then by the order of a millisecond's backups.
    public static func < (lhs: Self, rhs: Self) -> Bool { (lhs.stamp, lhs.sequence) < (rhs.stamp, rhs.sequence) }

    /// `yyyyMMdd'T'HHmmss.SSS'Z'`: 20 bytes. Its fields sort as the times they write.
    static let stampLength = 20

    static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }

    /// A time as the storage layer's `timestamp` writes it, each field in its range.
    static func isStamp(_ bytes: ArraySlice<UInt8>) -> Bool {
        let b = Array(bytes)
        guard b.count == stampLength, b[8] == UInt8(ascii: "T"), b[15] == UInt8(ascii: "."), b[19] == UInt8(ascii: "Z") else { return false }
        let digitPositions = Array(0..<8) + Array(9..<15) + Array(16..<19)
        guard digitPositions.allSatisfy({ isDigit(b[$0]) }) else { return false }
        func number(_ range: Range<Int>) -> Int { b[range].reduce(0) { $0 * 10 + Int($1 - 0x30) } }
        return (1...12).contains(number(4..<6)) && (1...31).contains(number(6..<8))
            && number(9..<11) <= 23 && number(11..<13) <= 59 && number(13..<15) <= 59
    }
}
