/// How many regular backups of each tenant `tenant.backup` keeps (`[backup] keep`): after a
/// backup, that tenant's regular backups beyond the newest `keep` are removed. 0 keeps every one.
public struct BackupRetention: Sendable, Equatable {
    /// The values `[backup] keep` takes.
    public static let keepRange = 0...10_000
    /// Nothing is removed.
    public static let keepAll = BackupRetention(checked: 0)

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

    /// Of the file names in `tenant`'s backup dir, those to remove, oldest first: its regular
    /// backups (`BackupFileName`; nothing else in the directory is even looked at) beyond the
    /// `keep` newest, except any named in `protected` (the backup just written, the one the
    /// registry records as the last: the one a restore is pointed to), which stay whatever
    /// their age. Nothing when `keep` is 0.
    public func prunable(_ names: some Sequence<String>, of tenant: TenantID, protected: Set<String> = []) -> [String] {
        guard keep > 0 else { return [] }
        let backups = names.compactMap { BackupFileName($0, of: tenant) }.sorted(by: >)
        return backups.dropFirst(keep).reversed().map(\.name).filter { !protected.contains($0) }
    }
}
