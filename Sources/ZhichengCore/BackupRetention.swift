/// How many regular backups of each tenant `tenant.backup` keeps (`[backup] keep`): after a
/// backup, that tenant's regular backups beyond the newest `keep` are removed. 0 keeps every one.
public struct BackupRetention: Sendable, Equatable {
    /// The values `[backup] keep` takes.
    public static let keepRange = 0...10_000
    /// Nothing is removed.
    public static let keepAll = BackupRetention(checked: 0)
    /// How far after now a backup's name may be dated and still count (seconds): a clock
    /// stepped back a little by NTP, or another backup of the tenant finishing meanwhile.
    /// A name dated later than this was written while the host clock ran ahead.
    public static let futureSlack: Double = 60

    /// The regular backups kept per tenant, the newest; 0: all.
    public let keep: Int

    /// Refuses a count outside `keepRange`.
    public init(keep: Int) throws(ZhichengError) {
        guard Self.keepRange.contains(keep) else {
            throw .invalid("keep must be between \(Self.keepRange.lowerBound) and \(Self.keepRange.upperBound) (0 keeps every backup)", field: "keep")
        }
        self.keep = keep
    }

    private init(checked keep: Int) { self.keep = keep }

    /// What retention makes of a tenant's backup dir.
    public struct Plan: Sendable, Equatable {
        /// The names to remove, oldest first.
        public var remove: [String] = []
        /// Regular backups dated more than `futureSlack` after now (the host clock ran ahead
        /// when they were made), oldest first: neither counted nor removed, and worth a warning.
        public var datedAfterNow: [String] = []
        /// Regular backups dated before the tenant's creation, oldest first: an earlier tenant's
        /// under the same id, archived since (its only point-in-time copies): never counted, never
        /// removed.
        public var ofAnEarlierTenant: [String] = []

        public init(remove: [String] = [], datedAfterNow: [String] = [], ofAnEarlierTenant: [String] = []) {
            self.remove = remove
            self.datedAfterNow = datedAfterNow
            self.ofAnEarlierTenant = ofAnEarlierTenant
        }
    }

    /// Of the file names in `tenant`'s backup dir, those to remove, oldest first: its regular
    /// backups (`BackupFileName`; nothing else in the directory is even looked at) of the tenant
    /// as it is now, beyond the `keep` newest, except any named in `protected` (the backup just
    /// written, the one the registry records as the last: the one a restore is pointed to), which
    /// stay whatever their age. Nothing when `keep` is 0.
    ///
    /// Only backups made of this tenant count, and only by the time their names write:
    /// - one dated before `createdAt` (seconds since 1970; compared at the names' precision, the
    ///   creation time rounded to the millisecond as a name written then would be) was made of an
    ///   earlier tenant of this id, archived since: an archive leaves its backups where they are,
    ///   and a tenant may be created again under the id;
    /// - one dated more than `futureSlack` after `now` was made while the host clock ran ahead;
    ///   counted, it would be the newest for as long as the clock took to catch up, and each backup
    ///   meanwhile would remove the real one made before it.
    /// Neither is counted toward `keep`, nor removed: the plan lists them apart.
    public func prunable(_ names: some Sequence<String>, of tenant: TenantID, createdAt: Double, now: Double,
                         protected: Set<String> = []) -> Plan {
        let created = BackupFileName.milliseconds(createdAt)
        let latest = BackupFileName.milliseconds(now + Self.futureSlack)
        var plan = Plan(), current: [BackupFileName] = []
        for backup in names.compactMap({ BackupFileName($0, of: tenant) }).sorted() {
            let at = backup.millisecondsSince1970
            if at < created {
                plan.ofAnEarlierTenant.append(backup.name)
            } else if at > latest {
                plan.datedAfterNow.append(backup.name)
            } else {
                current.append(backup)
            }
        }
        guard keep > 0 else { return plan }
        plan.remove = current.dropLast(keep).map(\.name).filter { !protected.contains($0) }
        return plan
    }
}
