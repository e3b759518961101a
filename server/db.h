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
#include "server/status.h"

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
int db_ping(db_t *db) __attribute__((warn_unused_result));

/* Run a query returning rows. NULL on error (see db_errno). */
db_res_t *db_query(db_t *db, arena_t *a, const char *sql, const char *types, ...) __attribute__((warn_unused_result));
/* Run a query and hand each row to fn as MariaDB sends it (an unbuffered
 * result, mysql_use_result's way for a prepared statement): a result of
 * any size costs the memory of one row. fn gets the row's columns as
 * NUL-terminated text (NULL for SQL NULL), valid during the call only,
 * and returns 0 to go on or non-zero to stop; it must not use db (the
 * connection is busy sending the rows). Returns the rows handed
 * over, or -1 on an error (see db_errno). */
typedef int (*db_row_fn)(void *ud, const char *const *cols, size_t ncols);
long long db_stream(db_t *db, db_row_fn fn, void *ud, const char *sql, const char *types, ...)
    __attribute__((warn_unused_result));
/* Run a statement. Returns affected rows (>= 0) or -1 on error. */
long long db_exec(db_t *db, const char *sql, const char *types, ...) __attribute__((warn_unused_result));
/* Run one statement (an UPDATE or INSERT) for each of n rows of
 * parameters in one round trip (MariaDB's bulk execution). types as
 * db_exec's, 'i' and 's' only; cols[k] is parameter k's n values, an array
 * of long long for 'i' and of const char * for 's' (NULL binds SQL NULL).
 * Returns the rows affected in all (>= 0) or -1 on error (see db_errno). */
long long db_exec_bulk(db_t *db, const char *sql, const char *types, size_t n, const void *const *cols)
    __attribute__((warn_unused_result));
long long db_last_id(db_t *db);
int db_errno(db_t *db);          /* last error number, 0 if none */
const char *db_error(db_t *db);  /* last error text: for logs only, never for clients */

int db_begin(db_t *db) __attribute__((warn_unused_result));
int db_commit(db_t *db) __attribute__((warn_unused_result));
int db_rollback(db_t *db);
/* The transaction was committed by a statement (a stored procedure that
 * ends with COMMIT): the connection is outside a transaction again. */
void db_tx_ended(db_t *db);

/* The transaction runner: the only place that retries a transaction.
 * Runs BEGIN, then fn. fn runs its statements and ends the transaction
 * itself: it COMMITs (and may reply after) or rolls back (and may reply a
 * 4xx), then returns ST_OK or ST_REPLIED, which db_tx returns. When a
 * statement or the COMMIT fails, fn returns ST_STORE at once without
 * rolling back; db_tx then reads the error, rolls back and, for a deadlock
 * (1213), a lock wait timeout (1205) or a lost connection (2006, 2013,
 * 1927 killed, 4031 idle: nothing of the transaction stays), runs BEGIN
 * and fn again, up to
 * DB_TX_TRIES in all. Other failures, and the last try's, return
 * ST_STORE. fn must be safe to run again: it reads what it decides on
 * inside the transaction. Any other status fn returns (ST_ERR) is
 * returned after a rollback. */
#define DB_TX_TRIES 4
typedef int (*db_tx_fn)(db_t *db, void *ctx);
int db_tx(db_t *db, db_tx_fn fn, void *ctx) __attribute__((warn_unused_result));
/* db_tx for fn whose transaction is one statement that opens and ends it
 * itself (a procedure with START TRANSACTION ... COMMIT inside): no BEGIN
 * round trip of its own; the same retries, and the same rollback after an
 * error (a lock wait timeout leaves the procedure's transaction open). */
int db_tx_own(db_t *db, db_tx_fn fn, void *ctx) __attribute__((warn_unused_result));
/* 1 for the errors db_tx retries. */
int db_tx_transient(int err);
extern _Atomic unsigned long db_tx_retries_total;

/* Whole-text statements (migrations, admin tools): may hold several
 * statements; not for anything with outside input. */
int db_exec_script(db_t *db, const char *sql) __attribute__((warn_unused_result));

static inline const char *db_get(const db_res_t *r, size_t row, size_t col)
{
    return (r && row < r->nrows && col < r->ncols) ? r->cells[row * r->ncols + col] : NULL;
}
long long db_int(const db_res_t *r, size_t row, size_t col);   /* 0 for NULL */

/* ids as a JSON array ("[1,2,3]") for a statement's JSON_TABLE: sorted in
 * place, ascending and each once, the order a group's locking read takes
 * its rows in, so that two writers lock in one order. In a's memory. */
const char *db_ids_json(arena_t *a, long long *ids, size_t n);

/* Counters for /metrics. */
extern _Atomic unsigned long db_errors_total;

#endif
