#include "zc_sqlite.h"
#include <string.h>
#include <strings.h>

/* PRAGMAs a tenant connection may run. Everything else (writable_schema,
 * trusted_schema, temp_store_directory, legacy_* …) is refused. */
static const char *const allowed_pragmas[] = {
    "application_id", "busy_timeout", "cache_size", "data_version",
    "foreign_key_check", "foreign_key_list", "foreign_keys", "freelist_count",
    "index_info", "index_list", "index_xinfo", "integrity_check", "journal_mode",
    "journal_size_limit", "optimize", "page_count", "page_size", "quick_check",
    "schema_version", "synchronous", "table_info", "table_list", "table_xinfo",
    "user_version", "wal_autocheckpoint", "wal_checkpoint", NULL,
};

int zc_sqlite_pragma_allowed(const char *name) {
    if (name == NULL) return 0;
    for (const char *const *p = allowed_pragmas; *p != NULL; p++) {
        if (strcasecmp(*p, name) == 0) return 1;
    }
    return 0;
}

/* Functions that reach outside the database file. load_extension is also
 * disabled through SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION; this is a second lock. */
static int function_denied(const char *name) {
    if (name == NULL) return 0;
    return strcasecmp(name, "load_extension") == 0 || strcasecmp(name, "readfile") == 0 ||
           strcasecmp(name, "writefile") == 0 || strcasecmp(name, "edit") == 0 ||
           strcasecmp(name, "fts3_tokenizer") == 0;
}

static int authorizer(void *unused, int action, const char *arg1, const char *arg2,
                      const char *db_name, const char *trigger) {
    (void)unused; (void)arg2; (void)trigger;
    switch (action) {
    case SQLITE_ATTACH:
    case SQLITE_DETACH:
        return SQLITE_DENY;
    case SQLITE_PRAGMA:
        /* A schema-qualified pragma (other.user_version) names a database we never have. */
        if (db_name != NULL && strcmp(db_name, "main") != 0) return SQLITE_DENY;
        return zc_sqlite_pragma_allowed(arg1) ? SQLITE_OK : SQLITE_DENY;
    case SQLITE_FUNCTION:
        return function_denied(arg2) ? SQLITE_DENY : SQLITE_OK;
    default:
        return SQLITE_OK;
    }
}

const volatile void *zc_sqlite_wal_index(sqlite3 *db) {
    sqlite3_file *file = 0;
    if (sqlite3_file_control(db, "main", SQLITE_FCNTL_FILE_POINTER, &file) != SQLITE_OK || file == 0 || file->pMethods == 0) return 0;
    if (file->pMethods->iVersion < 2 || file->pMethods->xShmMap == 0) return 0;
    volatile void *region = 0;
    if (file->pMethods->xShmMap(file, 0, 32768, 0, &region) != SQLITE_OK) return 0;
    return region;
}

int zc_sqlite_harden(sqlite3 *db) {
    int rc, flag = 0;
    rc = sqlite3_db_config(db, SQLITE_DBCONFIG_DEFENSIVE, 1, &flag);
    if (rc != SQLITE_OK) return rc;
    rc = sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, &flag);
    if (rc != SQLITE_OK) return rc;
#ifdef SQLITE_DBCONFIG_TRUSTED_SCHEMA
    rc = sqlite3_db_config(db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, &flag);
    if (rc != SQLITE_OK) return rc;
#endif
    rc = sqlite3_db_config(db, SQLITE_DBCONFIG_ENABLE_TRIGGER, 1, &flag);
    if (rc != SQLITE_OK) return rc;
    sqlite3_limit(db, SQLITE_LIMIT_ATTACHED, 0);
    return sqlite3_set_authorizer(db, authorizer, NULL);
}

int zc_sqlite_bind_text(sqlite3_stmt *stmt, int index, const char *text, int bytes) {
    return sqlite3_bind_text(stmt, index, text, bytes, SQLITE_TRANSIENT);
}

int zc_sqlite_bind_blob(sqlite3_stmt *stmt, int index, const void *data, int bytes) {
    /* An empty buffer may come with no address; sqlite3_bind_blob would bind NULL then. */
    if (data == NULL && bytes == 0) return sqlite3_bind_zeroblob(stmt, index, 0);
    return sqlite3_bind_blob(stmt, index, data, bytes, SQLITE_TRANSIENT);
}
