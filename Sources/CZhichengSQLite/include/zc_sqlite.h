#ifndef ZC_SQLITE_H
#define ZC_SQLITE_H
#include <sqlite3.h>

/// Puts a tenant connection in its sandbox: defensive mode, no extension loading,
/// untrusted schema, no attached databases, and an authorizer that refuses ATTACH,
/// DETACH, VACUUM INTO-style file access and every PRAGMA outside an allow-list.
/// Returns SQLITE_OK or the first failing result code.
int zc_sqlite_harden(sqlite3 *db);

/// SQLite's own mapping of the first 32 KiB region of the connection's wal-index (the
/// `-shm` file), through the VFS's xShmMap without extending it; NULL if the database
/// is not in WAL mode or the region is not mapped. Valid until the connection closes.
/// No descriptor of the file is opened: closing one would drop SQLite's POSIX locks.
const volatile void *zc_sqlite_wal_index(sqlite3 *db);

/// Binds text with SQLITE_TRANSIENT (the macro is not importable into Swift).
int zc_sqlite_bind_text(sqlite3_stmt *stmt, int index, const char *text, int bytes);

/// Binds a blob with SQLITE_TRANSIENT.
int zc_sqlite_bind_blob(sqlite3_stmt *stmt, int index, const void *data, int bytes);

/// True when `name` (a PRAGMA, lower case or not) is on the allow-list.
int zc_sqlite_pragma_allowed(const char *name);

#endif
