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
        /// Regular backups of an earlier tenant of this id, oldest first: dated before the
        /// cutoff (`prunable`), or in the directory already when the tenant was created. Never
        /// counted, never removed (an archived tenant's only point-in-time copies).
        public var ofAnEarlierTenant: [String] = []
        /// The id was archived before: backups dated after now may be the earlier tenant's.
        public var archivedBefore = false
        /// Why retention cannot apply to the backups dated before the cutoff, when they may well
        /// be this tenant's own; nil when it can (or there are none).
        public var cannotApply: CannotApply?

        public init(remove: [String] = [], datedAfterNow: [String] = [], ofAnEarlierTenant: [String] = [],
                    archivedBefore: Bool = false, cannotApply: CannotApply? = nil) {
            self.remove = remove
            self.datedAfterNow = datedAfterNow
            self.ofAnEarlierTenant = ofAnEarlierTenant
            self.archivedBefore = archivedBefore
            self.cannotApply = cannotApply
        }
    }

    /// Why backups dated before a tenant's creation may be its own, which retention then never
    /// counts nor removes: the disk fills unless someone acts.
    public enum CannotApply: Sendable, Equatable {
        /// No tenant of this id was ever archived: the backups dated before the creation are no
        /// archived tenant's. Most likely the tenant was created while the host clock ran ahead
        /// and the clock was corrected since (or a tenant directory was removed by hand).
        case noEarlierArchive
        /// The creation itself is dated more than `futureSlack` after now: the tenant was created
        /// while the host clock ran ahead, and every backup made since is dated before it.
        case createdAfterNow

        /// The reason, as a log line gives it.
        public var reason: String {
            switch self {
            case .noEarlierArchive:
                return "backups are dated before the tenant's creation (registry created_at), but no tenant of this id was ever archived: "
                    + "if the tenant was created while the host clock ran ahead, they are its own, and none of them is ever counted or removed"
            case .createdAfterNow:
                return "the tenant's creation (registry created_at) is dated after now: it was created while the host clock ran ahead, "
                    + "so every backup made since is dated before it, and none of them is ever counted or removed"
            }
        }
    }

    /// Of the file names in `tenant`'s backup dir, those to remove, oldest first: its regular
    /// backups (`BackupFileName`; nothing else in the directory is even looked at) of the tenant
    /// as it is now, beyond the `keep` newest, except any named in `protected` (the backup just
    /// written, the one the registry records as the last: the one a restore is pointed to), which
    /// stay whatever their age. Nothing when `keep` is 0.
    ///
    /// Only backups made of this tenant count, and only by the time their names write:
    /// - one dated before the cutoff, the later of `createdAt` and `lastArchived` (the id's
    ///   latest archive; seconds since 1970, compared at the names' precision: rounded to the
    ///   millisecond as a name written then would be), was made of an earlier tenant of this
    ///   id, archived since: an archive leaves its backups where they are, and a tenant may be
    ///   created again under the id (the archive: its creation time is read before the archive
    ///   it follows may have been recorded);
    /// - one named in `presentAtCreation` (the regular backups dated after the creation that
    ///   were in the directory when the tenant was created, as its database records them) is
    ///   an earlier tenant's too, made while the host clock ran ahead, whatever now is;
    /// - one dated more than `futureSlack` after `now` was made while the host clock ran ahead;
    ///   counted, it would be the newest for as long as the clock took to catch up, and each backup
    ///   meanwhile would remove the real one made before it.
    /// None is counted toward `keep`, nor removed: the plan lists them apart, and says when
    /// the backups dated before the cutoff may be this tenant's own (`cannotApply`).
    public func prunable(_ names: some Sequence<String>, of tenant: TenantID, createdAt: Double, lastArchived: Double? = nil,
                         presentAtCreation: Set<String> = [], now: Double, protected: Set<String> = []) -> Plan {
        let created = BackupFileName.milliseconds(createdAt)
        // The archive counts only as far as `futureSlack` past the creation: it may be recorded a
        // moment after the creation it precedes, but an archive dated later than that was dated
        // by a clock that ran ahead, and would hide every backup of this tenant until its date
        // (the earlier tenant's files dated after the creation are in `presentAtCreation`).
        let archived = lastArchived.map { min(BackupFileName.milliseconds($0), BackupFileName.milliseconds(createdAt + Self.futureSlack)) }
        let cutoff = max(created, archived ?? .min)
        let latest = BackupFileName.milliseconds(now + Self.futureSlack)
        var plan = Plan(archivedBefore: lastArchived != nil), current: [BackupFileName] = [], datedBeforeCutoff = false
        for backup in names.compactMap({ BackupFileName($0, of: tenant) }).sorted() {
            let at = backup.millisecondsSince1970
            if at < cutoff {
                plan.ofAnEarlierTenant.append(backup.name)
                datedBeforeCutoff = true
            } else if presentAtCreation.contains(backup.name) {
                plan.ofAnEarlierTenant.append(backup.name)
            } else if at > latest {
                plan.datedAfterNow.append(backup.name)
            } else {
                current.append(backup)
            }
        }
        if datedBeforeCutoff {
            plan.cannotApply = created > latest ? .createdAfterNow : lastArchived == nil ? .noEarlierArchive : nil
        }
        guard keep > 0 else { return plan }
        plan.remove = current.dropLast(keep).map(\.name).filter { !protected.contains($0) }
        return plan
    }
}
