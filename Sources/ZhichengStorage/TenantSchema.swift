/// The schema of a tenant database, one migration per version. Never edit a
/// released migration: add the next one.
public enum TenantSchema {
    public static let migrations: [Migration] = [
        Migration(version: 1, name: "tenant, orgs, accounts, audit", sql: """
            CREATE TABLE tenant_meta (
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL
            ) STRICT;

            CREATE TABLE orgs (
                id INTEGER PRIMARY KEY,
                parent_id INTEGER REFERENCES orgs(id),
                code TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('office', 'department', 'unit')),
                profile_state TEXT NOT NULL DEFAULT 'draft'
                    CHECK (profile_state IN ('draft', 'submitted', 'approved', 'rejected')),
                created_at REAL NOT NULL
            ) STRICT;
            CREATE INDEX orgs_parent ON orgs(parent_id);

            CREATE TABLE accounts (
                id INTEGER PRIMARY KEY,
                org_id INTEGER NOT NULL REFERENCES orgs(id),
                login TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('org_admin', 'staff', 'applicant')),
                password_hash TEXT NOT NULL,
                must_change_password INTEGER NOT NULL DEFAULT 1,
                enabled INTEGER NOT NULL DEFAULT 1,
                created_at REAL NOT NULL
            ) STRICT;
            CREATE INDEX accounts_org ON accounts(org_id);

            -- Append-only and hash-chained: each row's hash covers the previous
            -- row's hash, so an edit, deletion or reordering behind the daemon's
            -- back is found by `tenant.check`.
            CREATE TABLE audit (
                seq INTEGER PRIMARY KEY,
                at REAL NOT NULL,
                actor TEXT NOT NULL,
                org_id INTEGER,
                action TEXT NOT NULL,
                target TEXT NOT NULL,
                detail TEXT NOT NULL,
                source TEXT NOT NULL,
                prev_hash TEXT NOT NULL,
                hash TEXT NOT NULL
            ) STRICT;
            CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
            CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
                BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
            """),
    ]

    /// The version a freshly migrated tenant database has.
    public static var latestVersion: Int { migrations.last?.version ?? 0 }
}
