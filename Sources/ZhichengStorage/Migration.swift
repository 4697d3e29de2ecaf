/// One schema step. Versions strictly increase from 1 (gaps are allowed: a number never
/// used must stay unused, since a file already past it would never run it); `PRAGMA
/// user_version` records the last one applied, so a file made by an older build opens in a
/// newer one. `MigrationTests` checks the order.
public struct Migration: Sendable {
    public let version: Int
    public let name: String
    public let sql: String

    public init(version: Int, name: String, sql: String) {
        self.version = version
        self.name = name
        self.sql = sql
    }
}

extension SQLiteConnection {
    /// Applies every migration newer than the file's `user_version`, each in its own
    /// transaction. Refuses a file written by a newer build.
    func migrate(_ migrations: [Migration]) throws {
        let current = try scalar("PRAGMA user_version")?.int ?? 0
        let latest = migrations.last?.version ?? 0
        guard current <= latest else {
            throw SQLiteError(code: 1, message: "schema version \(current) is newer than this build's \(latest)", sql: nil)
        }
        for migration in migrations where migration.version > current {
            try transaction {
                try execute(migration.sql)
                try execute("PRAGMA user_version = \(migration.version)")
            }
        }
    }
}
