/* db.h: MariaDB through prepared statements only.
 *
 * Each worker owns one db_t (a connection and its cache of prepared
 * statements). Parameters are passed by a type string, one letter each:
 *   'i' long long   's' const char * (NULL binds SQL NULL)
 *   'b' const void *, size_t (binary)   'd' double
 * Results are copied into the caller's arena as NUL-terminated strings.
 *
 * After the server restarts, the next call reconnects: a broken connection
 * is dropped at the failing call and reopened at the next one. */
#ifndef DB_H
#define DB_H

#include <stddef.h>
#include "server/arena.h"

typedef struct db db_t;

typedef struct {
    size_t nrows, ncols;
    char **cells;           /* nrows * ncols, NULL for SQL NULL */
    unsigned long *lens;
} db_res_t;

/* MariaDB error numbers handlers act on. */
#define DB_ER_DUP_ENTRY   1062
#define DB_ER_LOCK_WAIT   1205
#define DB_ER_DEADLOCK    1213

db_t *db_new(void);              /* never NULL; connects lazily */
/* A connection to the configured replica (db_replica_*), or NULL when none
 * is configured. Read-only use: reports. */
db_t *db_new_replica(void);
/* How far the replica is behind its primary, in seconds (>= 0); -1 when it
 * is not replicating (threads stopped, no status), -2 when it cannot be
 * reached. */
int db_replica_lag(db_t *db);
void db_free(db_t *db);
/* Connect if needed; 0 when the server answers, -1 otherwise. */
int db_ping(db_t *db);

/* Run a query returning rows. NULL on error (see db_errno). */
db_res_t *db_query(db_t *db, arena_t *a, const char *sql, const char *types, ...);
/* Run a statement. Returns affected rows (>= 0) or -1 on error. */
long long db_exec(db_t *db, const char *sql, const char *types, ...);
long long db_last_id(db_t *db);
int db_errno(db_t *db);          /* last error number, 0 if none */
const char *db_error(db_t *db);  /* last error text: for logs only, never for clients */

int db_begin(db_t *db);
int db_commit(db_t *db);
int db_rollback(db_t *db);

/* Whole-text statements (migrations, admin tools): may hold several
 * statements; not for anything with outside input. */
int db_exec_script(db_t *db, const char *sql);

static inline const char *db_get(const db_res_t *r, size_t row, size_t col)
{
    return (r && row < r->nrows && col < r->ncols) ? r->cells[row * r->ncols + col] : NULL;
}
long long db_int(const db_res_t *r, size_t row, size_t col);   /* 0 for NULL */

/* Counters for /metrics. */
extern _Atomic unsigned long db_errors_total;

#endif
