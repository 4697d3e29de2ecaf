/// Application ids are never used twice under one tenant id: not after a restore to an
/// older backup, and not after the id is archived and created again.
///
/// Other tenants know an application by (tenant id, application id): the province's
/// received applications, and the message ids of the hand-off. A reused id would make
/// the province drop a new application as a repeat of an old one (it would wait for the
/// province forever), or apply an old application's notice or result to a new person's.
///
/// The mark is `tenant_meta.application_ids_after`: a new application's id is above it
/// and above every existing one. A restore raises it to what the replaced database had
/// used; an archive records it in the registry, and creating the id again starts there.
public enum ApplicationIDs {
    static let metaKey = "application_ids_after"

    /// The id expression for `INSERT INTO applications (id, …) VALUES (<this>, …)`.
    public static let next = """
        (SELECT max(coalesce((SELECT max(id) FROM applications), 0),
                    coalesce((SELECT CAST(value AS INTEGER) FROM tenant_meta WHERE key = '\(metaKey)'), 0)) + 1)
        """

    /// The highest application id this database has used or reserved (0 for none, also
    /// for a schema that predates applications).
    static func used(_ conn: SQLiteConnection) throws -> Int {
        let mark = try conn.scalar("SELECT CAST(value AS INTEGER) FROM tenant_meta WHERE key = ?", [metaKey])?.int ?? 0
        guard try conn.hasTable("applications") else { return mark }
        return max(mark, try conn.scalar("SELECT coalesce(max(id), 0) FROM applications")?.int ?? 0)
    }

    /// Reserves every id up to `used` (the mark only ever rises).
    static func reserve(upTo used: Int, _ conn: SQLiteConnection) throws {
        guard used > 0 else { return }
        try conn.run("""
            INSERT INTO tenant_meta (key, value) VALUES (?, CAST(? AS TEXT))
            ON CONFLICT (key) DO UPDATE SET value = CAST(max(CAST(value AS INTEGER), CAST(excluded.value AS INTEGER)) AS TEXT)
            """, [metaKey, used])
    }
}
