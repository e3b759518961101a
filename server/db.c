/* db.c: see db.h. */
#include "server/db.h"
#include "server/config.h"
#include "server/log.h"

#include <mysql.h>
#include <errmsg.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define STMT_CACHE 96
#define MAX_PARAMS 32

_Atomic unsigned long db_errors_total;

typedef struct {
    char *sql;          /* owned copy; NULL = empty slot */
    uint32_t hash;
    MYSQL_STMT *stmt;
} stmt_slot_t;

struct db {
    MYSQL *my;
    int err;
    char errmsg[256];
    long long last_id;
    stmt_slot_t cache[STMT_CACHE];
    unsigned next_evict;
    int in_tx;          /* between db_begin and db_commit/db_rollback */
    int replica;        /* connects to db_replica_* */
};

db_t *db_new(void)
{
    db_t *db = calloc(1, sizeof *db);
    if (!db)
        abort();
    return db;
}

db_t *db_new_replica(void)
{
    if (!g_config.db_replica_host[0] && !g_config.db_replica_socket[0])
        return NULL;
    db_t *db = db_new();
    db->replica = 1;
    return db;
}

static void cache_clear(db_t *db)
{
    for (int i = 0; i < STMT_CACHE; i++) {
        if (db->cache[i].stmt)
            mysql_stmt_close(db->cache[i].stmt);
        free(db->cache[i].sql);
        db->cache[i] = (stmt_slot_t){ 0 };
    }
}

static void disconnect(db_t *db)
{
    cache_clear(db);
    if (db->my)
        mysql_close(db->my);
    db->my = NULL;
}

void db_free(db_t *db)
{
    if (!db)
        return;
    disconnect(db);
    free(db);
}

/* A connection that was open and is gone: the server went away or killed
 * it (a restart kills idle connections with ER_CONNECTION_KILLED; 4031 is
 * an idle timeout). Nothing sent on it stays uncommitted, so a read, or a
 * whole transaction, may run again on a new one. The one definition for
 * dropping the connection (set_err), repeating a read (run) and
 * repeating a transaction (db_tx_transient). */
static int connection_lost(int no)
{
    return no == CR_SERVER_GONE_ERROR || no == CR_SERVER_LOST || no == 1927 /* ER_CONNECTION_KILLED */ ||
           no == 4031 /* ER_CLIENT_INTERACTION_TIMEOUT */;
}

static void set_err(db_t *db, int no, const char *msg)
{
    db->err = no;
    snprintf(db->errmsg, sizeof db->errmsg, "%s", msg ? msg : "");
    atomic_fetch_add(&db_errors_total, 1);
    /* A lost connection, or one that could not be made, is dropped here
     * and reopened by the next call. */
    if (connection_lost(no) || no == CR_CONNECTION_ERROR || no == CR_CONN_HOST_ERROR)
        disconnect(db);
}

static int connect_db(db_t *db)
{
    if (db->my)
        return 0;
    MYSQL *my = mysql_init(NULL);
    if (!my)
        abort();
    unsigned int timeout = 2;
    mysql_options(my, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    unsigned int rw = 30;
    mysql_options(my, MYSQL_OPT_READ_TIMEOUT, &rw);
    mysql_options(my, MYSQL_OPT_WRITE_TIMEOUT, &rw);
    mysql_options(my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    const config_t *c = &g_config;
    const char *sock = c->db_socket[0] ? c->db_socket : NULL;
    const char *host = c->db_host, *user = c->db_user, *pw = c->db_password;
    unsigned port = (unsigned)c->db_port;
    if (db->replica) {
        sock = c->db_replica_socket[0] ? c->db_replica_socket : NULL;
        host = c->db_replica_host;
        port = (unsigned)c->db_replica_port;
        if (c->db_replica_user[0]) {
            user = c->db_replica_user;
            pw = c->db_replica_password;
        }
    }
    if (!mysql_real_connect(my, sock ? NULL : host, user, pw, c->db_name, sock ? 0 : port, sock,
                            CLIENT_FOUND_ROWS)) {
        set_err(db, (int)mysql_errno(my), mysql_error(my));
        mysql_close(my);
        return -1;
    }
    db->my = my;
    /* Every time is passed in by the server's clock; the session zone only
     * affects how DATETIME literals print in tools. */
    mysql_query(my, "SET time_zone = '+08:00'");
    /* READ COMMITTED takes no gap locks on plain reads: fewer deadlocks
     * between concurrent upserts (see DESIGN.md). */
    mysql_query(my, "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED");
    return 0;
}

int db_replica_lag(db_t *db)
{
    if (db_ping(db) < 0)
        return -2;
    if (mysql_query(db->my, "SHOW SLAVE STATUS") != 0) {
        set_err(db, (int)mysql_errno(db->my), mysql_error(db->my));
        return db->my ? -1 : -2;
    }
    MYSQL_RES *res = mysql_store_result(db->my);
    if (!res)
        return -1;
    int lag = -1;
    MYSQL_ROW row = mysql_fetch_row(res);
    unsigned n = mysql_num_fields(res);
    MYSQL_FIELD *f = mysql_fetch_fields(res);
    int io = 0, sql = 0;
    for (unsigned i = 0; row && i < n; i++) {
        if (strcmp(f[i].name, "Slave_IO_Running") == 0)
            io = row[i] && strcmp(row[i], "Yes") == 0;
        else if (strcmp(f[i].name, "Slave_SQL_Running") == 0)
            sql = row[i] && strcmp(row[i], "Yes") == 0;
        else if (strcmp(f[i].name, "Seconds_Behind_Master") == 0 && row[i])
            lag = atoi(row[i]);
    }
    mysql_free_result(res);
    return io && sql ? lag : -1;
}

int db_ping(db_t *db)
{
    if (connect_db(db) < 0)
        return -1;
    if (mysql_ping(db->my) != 0) {
        set_err(db, (int)mysql_errno(db->my), mysql_error(db->my));
        return connect_db(db);
    }
    return 0;
}

static uint32_t hash_str(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static MYSQL_STMT *prepare(db_t *db, const char *sql)
{
    if (connect_db(db) < 0)
        return NULL;
    uint32_t h = hash_str(sql);
    for (int i = 0; i < STMT_CACHE; i++)
        if (db->cache[i].sql && db->cache[i].hash == h && strcmp(db->cache[i].sql, sql) == 0)
            return db->cache[i].stmt;
    MYSQL_STMT *st = mysql_stmt_init(db->my);
    if (!st) {
        set_err(db, (int)mysql_errno(db->my), mysql_error(db->my));
        return NULL;
    }
    if (mysql_stmt_prepare(st, sql, strlen(sql)) != 0) {
        set_err(db, (int)mysql_stmt_errno(st), mysql_stmt_error(st));
        log_error("db: prepare failed (%d): %.120s", db->err, sql);
        mysql_stmt_close(st);
        return NULL;
    }
    my_bool on = 1;
    mysql_stmt_attr_set(st, STMT_ATTR_UPDATE_MAX_LENGTH, &on);
    int slot = -1;
    for (int i = 0; i < STMT_CACHE; i++)
        if (!db->cache[i].sql) {
            slot = i;
            break;
        }
    if (slot < 0) {
        slot = (int)(db->next_evict++ % STMT_CACHE);
        mysql_stmt_close(db->cache[slot].stmt);
        free(db->cache[slot].sql);
    }
    db->cache[slot].sql = strdup(sql);
    db->cache[slot].hash = h;
    db->cache[slot].stmt = st;
    return st;
}

/* Bind parameters from the type string; returns 0 or -1. */
static int bind_params(db_t *db, MYSQL_STMT *st, const char *types, va_list ap,
                       MYSQL_BIND *b, long long *ints, double *dbls, unsigned long *lens)
{
    size_t n = strlen(types);
    if (n > MAX_PARAMS || n != mysql_stmt_param_count(st)) {
        set_err(db, -1, "parameter count mismatch");
        log_error("db: parameter count mismatch (%zu given, %lu wanted)", n,
                  mysql_stmt_param_count(st));
        return -1;
    }
    memset(b, 0, sizeof(MYSQL_BIND) * (n ? n : 1));
    for (size_t i = 0; i < n; i++) {
        switch (types[i]) {
        case 'i':
            ints[i] = va_arg(ap, long long);
            b[i].buffer_type = MYSQL_TYPE_LONGLONG;
            b[i].buffer = &ints[i];
            break;
        case 'd':
            dbls[i] = va_arg(ap, double);
            b[i].buffer_type = MYSQL_TYPE_DOUBLE;
            b[i].buffer = &dbls[i];
            break;
        case 's': {
            const char *s = va_arg(ap, const char *);
            if (!s) {
                b[i].buffer_type = MYSQL_TYPE_NULL;
                break;
            }
            lens[i] = strlen(s);
            b[i].buffer_type = MYSQL_TYPE_STRING;
            b[i].buffer = (void *)s;
            b[i].buffer_length = lens[i];
            b[i].length = &lens[i];
            break;
        }
        case 'b': {
            const void *p = va_arg(ap, const void *);
            lens[i] = va_arg(ap, size_t);
            b[i].buffer_type = MYSQL_TYPE_BLOB;
            b[i].buffer = (void *)p;
            b[i].buffer_length = lens[i];
            b[i].length = &lens[i];
            break;
        }
        default:
            set_err(db, -1, "bad parameter type");
            return -1;
        }
    }
    if (n && mysql_stmt_bind_param(st, b) != 0) {
        set_err(db, (int)mysql_stmt_errno(st), mysql_stmt_error(st));
        return -1;
    }
    return 0;
}

static MYSQL_STMT *run_once(db_t *db, const char *sql, const char *types, va_list ap)
{
    db->err = 0;
    MYSQL_STMT *st = prepare(db, sql);
    if (!st)
        return NULL;
    MYSQL_BIND b[MAX_PARAMS];
    long long ints[MAX_PARAMS];
    double dbls[MAX_PARAMS];
    unsigned long lens[MAX_PARAMS];
    if (bind_params(db, st, types, ap, b, ints, dbls, lens) < 0)
        return NULL;
    if (mysql_stmt_execute(st) != 0) {
        set_err(db, (int)mysql_stmt_errno(st), mysql_stmt_error(st));
        /* the number and the statement's start only: MariaDB's message may
         * quote a value (a duplicate key's, say), and values are personal.
         * Errors the callers expect (a duplicate key of an INSERT, a
         * deadlock or lock wait db_tx retries) are theirs to report. */
        if (strncmp(sql, "SELECT", 6) == 0 || (db->err != 1062 && db->err != 1213 && db->err != 1205))
            log_warn("db: statement failed (error %d): %.60s", db->err, sql);
        return NULL;
    }
    return st;
}

/* After MariaDB restarts, every pooled connection is stale and fails its
 * next call. A read outside a transaction is repeated once on a new
 * connection, so a restart costs no reader an error; a write is not (it
 * may have been applied before the connection died) and neither is
 * anything inside a transaction (its earlier statements are gone). */
static MYSQL_STMT *run(db_t *db, const char *sql, const char *types, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    MYSQL_STMT *st = run_once(db, sql, types, ap);
    if (!st && !db->in_tx && connection_lost(db->err) && strncmp(sql, "SELECT", 6) == 0)
        st = run_once(db, sql, types, again);
    va_end(again);
    return st;
}

/* A CALL answers with its result sets and then a status of its own: read
 * past them all, so the connection is ready for the next statement. An
 * error raised after the first result set (inside a procedure) shows here. */
static int drain(db_t *db, MYSQL_STMT *st)
{
    while (mysql_stmt_more_results(st)) {
        int rc = mysql_stmt_next_result(st);
        if (rc > 0) {
            set_err(db, (int)mysql_stmt_errno(st), mysql_stmt_error(st));
            log_warn("db: a later result failed (error %d)", db->err);
            return -1;
        }
        if (rc < 0)
            break;
        mysql_stmt_free_result(st);
    }
    return 0;
}

long long db_exec(db_t *db, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    MYSQL_STMT *st = run(db, sql, types, ap);
    va_end(ap);
    if (!st)
        return -1;
    long long n = (long long)mysql_stmt_affected_rows(st);
    db->last_id = (long long)mysql_stmt_insert_id(st);
    /* A statement that returned rows anyway (a CALL, say) must be drained. */
    mysql_stmt_free_result(st);
    if (drain(db, st) < 0)
        return -1;
    return n < 0 ? 0 : n;
}

/* Column-wise array binding (Connector/C's bulk execution): parameter k's
 * buffer is cols[k], an array of n long long ('i') or of n const char *
 * ('s', with a length array and, where one is NULL, indicators). */
static int bind_columns(db_t *db, MYSQL_STMT *st, const char *types, size_t n, const void *const *cols,
                        MYSQL_BIND *b, unsigned long **lens, char **ind)
{
    size_t np = strlen(types);
    if (np == 0 || np > MAX_PARAMS || np != mysql_stmt_param_count(st)) {
        set_err(db, -1, "parameter count mismatch");
        log_error("db: bulk parameter count mismatch (%zu given, %lu wanted)", np, mysql_stmt_param_count(st));
        return -1;
    }
    memset(b, 0, sizeof(MYSQL_BIND) * np);
    for (size_t k = 0; k < np; k++) {
        if (types[k] == 'i') {
            b[k].buffer_type = MYSQL_TYPE_LONGLONG;
            b[k].buffer = (void *)cols[k];
            continue;
        }
        if (types[k] != 's') {
            set_err(db, -1, "bad parameter type");
            return -1;
        }
        const char *const *v = cols[k];
        lens[k] = malloc(n * sizeof **lens);
        ind[k] = malloc(n);
        if (!lens[k] || !ind[k])
            abort();
        for (size_t i = 0; i < n; i++) {
            lens[k][i] = v[i] ? strlen(v[i]) : 0;
            ind[k][i] = v[i] ? STMT_INDICATOR_NONE : STMT_INDICATOR_NULL;
        }
        b[k].buffer_type = MYSQL_TYPE_STRING;
        b[k].buffer = (void *)v;
        b[k].length = lens[k];
        b[k].u.indicator = ind[k];
    }
    return 0;
}

long long db_exec_bulk(db_t *db, const char *sql, const char *types, size_t n, const void *const *cols)
{
    if (n == 0)
        return 0;
    db->err = 0;
    MYSQL_STMT *st = prepare(db, sql);
    if (!st)
        return -1;
    MYSQL_BIND b[MAX_PARAMS];
    unsigned long *lens[MAX_PARAMS] = { 0 };
    char *ind[MAX_PARAMS] = { 0 };
    unsigned int rows = (unsigned int)n, single = 0;
    long long affected = -1;
    int err = 0;
    char msg[256] = "";
    if (bind_columns(db, st, types, n, cols, b, lens, ind) == 0) {
        if (mysql_stmt_attr_set(st, STMT_ATTR_ARRAY_SIZE, &rows) != 0 || mysql_stmt_bind_param(st, b) != 0 ||
            mysql_stmt_execute(st) != 0) {
            err = (int)mysql_stmt_errno(st);
            snprintf(msg, sizeof msg, "%s", mysql_stmt_error(st));
        } else {
            affected = (long long)mysql_stmt_affected_rows(st);
            if (affected < 0)
                affected = 0;
        }
    }
    /* the statement stays cached: a later single execution binds one row
     * (before set_err, which closes it when the connection is lost) */
    mysql_stmt_attr_set(st, STMT_ATTR_ARRAY_SIZE, &single);
    if (err) {
        set_err(db, err, msg);
        if (err != 1062 && err != 1213 && err != 1205)
            log_warn("db: bulk statement failed (error %d): %.60s", err, sql);
    }
    for (size_t k = 0; k < MAX_PARAMS; k++) {
        free(lens[k]);
        free(ind[k]);
    }
    return affected;
}

db_res_t *db_query(db_t *db, arena_t *a, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    MYSQL_STMT *st = run(db, sql, types, ap);
    va_end(ap);
    if (!st)
        return NULL;
    if (mysql_stmt_store_result(st) != 0) {
        set_err(db, (int)mysql_stmt_errno(st), mysql_stmt_error(st));
        log_warn("db: reading a result failed (error %d): %.60s", db->err, sql);
        return NULL;
    }
    db_res_t *r = arena_alloc(a, sizeof *r);
    MYSQL_RES *meta = mysql_stmt_result_metadata(st);
    if (!meta) {
        mysql_stmt_free_result(st);
        return drain(db, st) < 0 ? NULL : r;
    }
    r->ncols = mysql_num_fields(meta);
    r->nrows = (size_t)mysql_stmt_num_rows(st);
    MYSQL_FIELD *f = mysql_fetch_fields(meta);
    MYSQL_BIND *b = arena_alloc(a, sizeof(MYSQL_BIND) * r->ncols);
    unsigned long *len = arena_alloc(a, sizeof(unsigned long) * r->ncols);
    my_bool *isnull = arena_alloc(a, sizeof(my_bool) * r->ncols);
    for (size_t c = 0; c < r->ncols; c++) {
        /* Numbers print in at most 32 characters; strings need max_length. */
        size_t cap = f[c].max_length > 32 ? f[c].max_length : 32;
        b[c].buffer_type = MYSQL_TYPE_STRING;
        b[c].buffer = arena_alloc(a, cap + 1);
        b[c].buffer_length = cap + 1;
        b[c].length = &len[c];
        b[c].is_null = &isnull[c];
    }
    mysql_free_result(meta);
    r->cells = arena_alloc(a, sizeof(char *) * (r->nrows * r->ncols + 1));
    r->lens = arena_alloc(a, sizeof(unsigned long) * (r->nrows * r->ncols + 1));
    if (r->ncols && mysql_stmt_bind_result(st, b) != 0) {
        set_err(db, (int)mysql_stmt_errno(st), mysql_stmt_error(st));
        mysql_stmt_free_result(st);
        return NULL;
    }
    for (size_t row = 0; row < r->nrows; row++) {
        int rc = mysql_stmt_fetch(st);
        if (rc == MYSQL_NO_DATA || rc == 1) {
            r->nrows = row;
            break;
        }
        for (size_t c = 0; c < r->ncols; c++) {
            size_t i = row * r->ncols + c;
            if (isnull[c]) {
                r->cells[i] = NULL;
                continue;
            }
            r->cells[i] = arena_strndup(a, b[c].buffer, len[c]);
            r->lens[i] = len[c];
        }
    }
    mysql_stmt_free_result(st);
    return drain(db, st) < 0 ? NULL : r;
}

/* The column buffers of a streamed result: sized by the columns' declared
 * lengths, grown when a value is longer (MYSQL_DATA_TRUNCATED). */
typedef struct {
    MYSQL_BIND *b;
    unsigned long *len;
    my_bool *isnull;
    char **buf;
    const char **cells;
    size_t n;
} stream_cols_t;

static void stream_cols_free(stream_cols_t *sc)
{
    for (size_t c = 0; sc->buf && c < sc->n; c++)
        free(sc->buf[c]);
    free(sc->buf);
    free(sc->b);
    free(sc->len);
    free(sc->isnull);
    free(sc->cells);
}

static void *zalloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (!p)
        abort();
    return p;
}

static void stream_cols_init(stream_cols_t *sc, MYSQL_RES *meta)
{
    sc->n = mysql_num_fields(meta);
    MYSQL_FIELD *f = mysql_fetch_fields(meta);
    sc->b = zalloc(sizeof(MYSQL_BIND) * sc->n);
    sc->len = zalloc(sizeof(unsigned long) * sc->n);
    sc->isnull = zalloc(sizeof(my_bool) * sc->n);
    sc->buf = zalloc(sizeof(char *) * sc->n);
    sc->cells = zalloc(sizeof(char *) * sc->n);
    for (size_t c = 0; c < sc->n; c++) {
        size_t cap = f[c].length < 32 ? 32 : f[c].length > 4096 ? 4096 : f[c].length;
        sc->buf[c] = zalloc(cap + 1);
        sc->b[c].buffer_type = MYSQL_TYPE_STRING;
        sc->b[c].buffer = sc->buf[c];
        sc->b[c].buffer_length = cap + 1;
        sc->b[c].length = &sc->len[c];
        sc->b[c].is_null = &sc->isnull[c];
    }
}

/* After each fetch (MYSQL_DATA_TRUNCATED or not): grow each column that
 * did not fit, fetch it whole and bind the larger buffer for the rows to
 * come. Nothing to do for a row that fit, the usual case. */
static int stream_refetch(MYSQL_STMT *st, stream_cols_t *sc)
{
    int grown = 0;
    for (size_t c = 0; c < sc->n; c++) {
        if (sc->isnull[c] || sc->len[c] < sc->b[c].buffer_length)
            continue;
        char *nb = realloc(sc->buf[c], sc->len[c] + 1);
        if (!nb)
            abort();
        sc->buf[c] = nb;
        sc->b[c].buffer = nb;
        sc->b[c].buffer_length = sc->len[c] + 1;
        if (mysql_stmt_fetch_column(st, &sc->b[c], (unsigned)c, 0) != 0)
            return -1;
        grown = 1;
    }
    return grown && mysql_stmt_bind_result(st, sc->b) ? -1 : 0;
}

long long db_stream(db_t *db, db_row_fn fn, void *ud, const char *sql, const char *types, ...)
{
    va_list ap;
    va_start(ap, types);
    MYSQL_STMT *st = run(db, sql, types, ap);
    va_end(ap);
    if (!st)
        return -1;
    MYSQL_RES *meta = mysql_stmt_result_metadata(st);
    if (!meta) {
        mysql_stmt_free_result(st);
        return 0;
    }
    stream_cols_t sc = { 0 };
    stream_cols_init(&sc, meta);
    mysql_free_result(meta);
    long long rows = 0;
    int failed = sc.n && mysql_stmt_bind_result(st, sc.b) != 0;
    while (!failed) {
        /* no mysql_stmt_store_result: each fetch reads the next row off
         * the connection (the statement's mysql_use_result) */
        int rc = mysql_stmt_fetch(st);
        if (rc == MYSQL_NO_DATA)
            break;
        if (rc == 1 || stream_refetch(st, &sc) < 0) {
            failed = 1;
            break;
        }
        for (size_t c = 0; c < sc.n; c++) {
            sc.buf[c][sc.isnull[c] ? 0 : sc.len[c]] = 0;
            sc.cells[c] = sc.isnull[c] ? NULL : sc.buf[c];
        }
        rows++;
        if (fn(ud, sc.cells, sc.n) != 0)
            break;
    }
    if (failed)
        set_err(db, (int)mysql_stmt_errno(st), mysql_stmt_error(st));
    mysql_stmt_free_result(st);   /* also reads and drops rows a stop left unread */
    stream_cols_free(&sc);
    return failed ? -1 : rows;
}

long long db_int(const db_res_t *r, size_t row, size_t col)
{
    const char *s = db_get(r, row, col);
    return s ? strtoll(s, NULL, 10) : 0;
}

long long db_last_id(db_t *db) { return db->last_id; }
int db_errno(db_t *db) { return db->err; }
const char *db_error(db_t *db) { return db->errmsg; }

static int simple(db_t *db, const char *q)
{
    db->err = 0;
    if (connect_db(db) < 0)
        return -1;
    if (mysql_real_query(db->my, q, strlen(q)) != 0) {
        set_err(db, (int)mysql_errno(db->my), mysql_error(db->my));
        return -1;
    }
    return 0;
}

int db_begin(db_t *db)
{
    /* A transaction may start on a connection that died while idle. */
    if (simple(db, "START TRANSACTION") < 0 && connection_lost(db->err) &&
        simple(db, "START TRANSACTION") < 0)
        return -1;
    db->in_tx = 1;
    return 0;
}

void db_tx_ended(db_t *db) { db->in_tx = 0; }

int db_commit(db_t *db)
{
    db->in_tx = 0;
    return simple(db, "COMMIT");
}

int db_rollback(db_t *db)
{
    db->in_tx = 0;
    return db->my ? simple(db, "ROLLBACK") : -1;
}

int db_exec_script(db_t *db, const char *sql)
{
    db->err = 0;
    if (connect_db(db) < 0)
        return -1;
    mysql_set_server_option(db->my, MYSQL_OPTION_MULTI_STATEMENTS_ON);
    int rc = 0;
    if (mysql_real_query(db->my, sql, strlen(sql)) != 0) {
        set_err(db, (int)mysql_errno(db->my), mysql_error(db->my));
        rc = -1;
    } else {
        /* Drain every result; an error in a later statement shows here. */
        int more;
        do {
            MYSQL_RES *res = mysql_store_result(db->my);
            if (res)
                mysql_free_result(res);
            more = mysql_next_result(db->my);
            if (more > 0) {
                set_err(db, (int)mysql_errno(db->my), mysql_error(db->my));
                rc = -1;
            }
        } while (more == 0);
    }
    if (db->my)
        mysql_set_server_option(db->my, MYSQL_OPTION_MULTI_STATEMENTS_OFF);
    return rc;
}

/* ---- the transaction runner ---- */

_Atomic unsigned long db_tx_retries_total;

int db_tx_transient(int err)
{
    return err == DB_ER_DEADLOCK || err == DB_ER_LOCK_WAIT || connection_lost(err);
}

static int tx_loop(db_t *db, db_tx_fn fn, void *ctx, int begin)
{
    for (int tries = 1;; tries++) {
        int st = begin && db_begin(db) < 0 ? ST_STORE : fn(db, ctx);
        if (st >= 0) {
            /* fn ends its transaction itself; one it left open is rolled
             * back here, so the connection's next request neither runs in
             * its snapshot nor commits its writes by a later BEGIN */
            if (db->in_tx) {
                log_warn("transaction: left open (status %d); rolled back", st);
                db_rollback(db);
            }
            return st;
        }
        int e = db_errno(db);   /* before the rollback resets it */
        db_rollback(db);
        if (st != ST_STORE && st != ST_RETRY)
            return st;
        if (!db_tx_transient(e) || tries == DB_TX_TRIES) {
            if (db_tx_transient(e))
                log_warn("transaction: gave up after %d tries (error %d)", tries, e);
            return ST_STORE;
        }
        atomic_fetch_add(&db_tx_retries_total, 1);
    }
}

int db_tx(db_t *db, db_tx_fn fn, void *ctx)
{
    return tx_loop(db, fn, ctx, 1);
}

int db_tx_own(db_t *db, db_tx_fn fn, void *ctx)
{
    return tx_loop(db, fn, ctx, 0);
}

static int cmp_id(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return x < y ? -1 : x > y;
}

const char *db_ids_json(arena_t *a, long long *ids, size_t n)
{
    if (n > 1)
        qsort(ids, n, sizeof *ids, cmp_id);
    size_t cap = n * 22 + 3, used = 0;
    char *out = arena_alloc(a, cap);
    out[used++] = '[';
    for (size_t i = 0; i < n; i++)
        if (i == 0 || ids[i] != ids[i - 1])
            used += (size_t)snprintf(out + used, cap - used, "%s%lld", used > 1 ? "," : "", ids[i]);
    out[used++] = ']';
    out[used] = '\0';
    return out;
}
