/* websession.c: see websession.h. */
#include "engines/websession/websession.h"
#include "engines/accounts/accounts.h"
#include "server/clock.h"
#include "server/config.h"
#include "server/log.h"
#include "lib/crypto.h"

#include <string.h>

int websession_id_valid(const char *s)
{
    if (!s || strlen(s) != WEBSESSION_ID_LEN)
        return 0;
    return strspn(s, "0123456789abcdef") == WEBSESSION_ID_LEN;
}

status_t websession_create(req_t *r, ws_purpose_t purpose, char id[WEBSESSION_ID_LEN + 1], char secret[64])
{
    unsigned char rnd[WEBSESSION_ID_LEN / 2];
    char hash[65];
    if (crypto_random_bytes(rnd, sizeof rnd) < 0 || crypto_random_token(secret, 64) < 0)
        return ST_ERR;
    crypto_hex_encode(rnd, sizeof rnd, id);
    crypto_sha256_hex(secret, strlen(secret), hash);
    long long now = clock_now_s();
    db_t *db = req_db(r);
    /* Old rows go as new ones come: the table stays about as large as an
     * hour of sign-ins, with no job of its own. */
    if (db_exec(db, "DELETE FROM web_sessions WHERE expires_at < ? LIMIT 50", "i", now - 3600) < 0 ||
        db_exec(db, "INSERT INTO web_sessions (id, secret_hash, purpose, created_at, expires_at)"
                    " VALUES (?, ?, ?, ?, ?)", "sssii", id, hash,
                purpose == WS_FOR_CONSOLE ? "console" : "quiz", now, now + WEBSESSION_TTL_S) < 0) {
        return ST_STORE;
    }
    return ST_OK;
}

/* The session a confirmed web session hands over, from the user's row
 * now: a quiz page gets the user role only (it answers quizzes, never
 * administers); a console page the unit admin role for the unit confirmed
 * (unit, nonzero), as the one-time code gives, and only while the person
 * still administers that unit. info->roles is 0 when nothing is due. */
static status_t session_due(req_t *r, long long user_id, long long unit, session_info_t *info)
{
    db_res_t *u = db_query(req_db(r), r->arena, "SELECT roles, IFNULL(admin_unit_id, 0) FROM users WHERE id = ?",
                           "i", user_id);
    if (!u)
        return ST_STORE;
    int roles = u->nrows ? (int)db_int(u, 0, 0) : 0;
    *info = (session_info_t){ .user_id = user_id, .mask = ROLE_USER, .roles = roles & ROLE_USER };
    if (unit) {
        int still = (roles & ROLE_UNIT_ADMIN) && db_int(u, 0, 1) == unit;
        *info = (session_info_t){ .user_id = user_id, .admin_unit_id = unit, .mask = ROLE_UNIT_ADMIN,
                                  .roles = still ? ROLE_UNIT_ADMIN : 0 };
    }
    return ST_OK;
}

/* Hand the session over: only the request that flips delivered_at makes
 * one, in the same transaction, so two polls at once yield one token. */
typedef struct {
    req_t *r;
    const char *id;
    long long user_id, unit;
    char *token;       /* set (64 bytes) when this call handed the session over */
    char hash[65];
    session_info_t info;
} deliver_t;

/* db_tx's fn: ST_OK with x->token set, ST_NOT_FOUND when someone else
 * collected it or nothing is due (rolled back), ST_STORE. */
static int deliver_tx(db_t *db, void *ctx)
{
    deliver_t *x = ctx;
    x->token[0] = '\0';
    long long n = db_exec(db, "UPDATE web_sessions SET delivered_at = ? WHERE id = ? AND delivered_at IS NULL",
                          "is", (long long)clock_now_s(), x->id);
    if (n < 0)
        return ST_STORE;
    if (n == 0) {
        db_rollback(db);
        return ST_NOT_FOUND;
    }
    if (session_due(x->r, x->user_id, x->unit, &x->info) != ST_OK)
        return ST_STORE;
    if (!x->info.roles) {   /* the account is gone, or no longer that unit's admin */
        db_rollback(db);
        return ST_NOT_FOUND;
    }
    int st = session_insert(x->r, &x->info, x->token, x->hash);
    if (st != ST_OK) {
        x->token[0] = '\0';
        return st;
    }
    if (db_commit(db) < 0) {
        x->token[0] = '\0';
        return ST_STORE;
    }
    return ST_OK;
}

/* ST_OK (token set), ST_NOT_FOUND (someone else collected it, or nothing
 * is due), or a failure. */
static status_t deliver(req_t *r, const char *id, long long user_id, long long unit, char token[64])
{
    deliver_t x = { .r = r, .id = id, .user_id = user_id, .unit = unit, .token = token };
    int st = db_tx(req_db(r), deliver_tx, &x);
    if (st != ST_OK) {
        token[0] = '\0';
        return st;
    }
    session_cache_new(r, NULL, &x.info, x.hash);
    log_info("web session %.6s... handed to user %lld%s", id, user_id, unit ? " (console)" : "");
    return ST_OK;
}

status_t websession_poll(req_t *r, const char *id, const char *secret, ws_state_t *state, char token[64],
                    long long *unit_id)
{
    token[0] = '\0';
    *unit_id = 0;
    *state = WS_NOT_FOUND;
    if (!websession_id_valid(id) || !secret || strlen(secret) != CRYPTO_TOKEN_LEN)
        return ST_OK;
    db_res_t *res = db_query(req_db(r), r->arena,
                             "SELECT secret_hash, IFNULL(user_id, 0), confirmed_at IS NOT NULL,"
                             " delivered_at IS NOT NULL, expires_at, IFNULL(unit_id, 0) FROM web_sessions WHERE id = ?", "s", id);
    if (!res)
        return ST_STORE;
    char hash[65];
    crypto_sha256_hex(secret, strlen(secret), hash);
    if (!res->nrows || !crypto_hex_equal(hash, db_get(res, 0, 0)))
        return ST_OK;
    long long now = clock_now_s();
    int confirmed = db_int(res, 0, 2) != 0, delivered = db_int(res, 0, 3) != 0;
    if (confirmed && delivered) {
        *state = WS_CONFIRMED;
        return ST_OK;
    }
    if (now >= db_int(res, 0, 4)) {
        *state = WS_EXPIRED;
        return ST_OK;
    }
    if (!confirmed) {
        *state = WS_PENDING;
        return ST_OK;
    }
    long long unit = db_int(res, 0, 5);
    status_t st = deliver(r, id, db_int(res, 0, 1), unit, token);
    if (st < 0)
        return st;
    *state = WS_CONFIRMED;
    if (st == ST_OK)
        *unit_id = unit;
    return ST_OK;
}

/* ST_OK when id is a console sign-in (then *unit is the unit user_id
 * administers now, 0 for none), ST_NOT_FOUND when not (or no such id),
 * ST_STORE. */
static status_t admin_unit_for_console(req_t *r, const char *id, long long user_id, long long *unit)
{
    db_res_t *res = db_query(req_db(r), r->arena,
                             "SELECT IF(u.roles & ?, IFNULL(u.admin_unit_id, 0), 0)"
                             " FROM web_sessions w LEFT JOIN users u ON u.id = ?"
                             " WHERE w.id = ? AND w.purpose = 'console'", "iis", (long long)ROLE_UNIT_ADMIN,
                             user_id, id);
    if (!res)
        return ST_STORE;
    *unit = res->nrows ? db_int(res, 0, 0) : 0;
    return res->nrows > 0 ? ST_OK : ST_NOT_FOUND;
}

status_t websession_confirm(req_t *r, const char *id, long long user_id, ws_state_t *state)
{
    *state = WS_NOT_FOUND;
    if (!websession_id_valid(id))
        return ST_OK;
    db_t *db = req_db(r);
    long long now = clock_now_s(), unit = 0;
    status_t console = admin_unit_for_console(r, id, user_id, &unit);
    if (console < 0)
        return console;
    if (console == ST_OK && !unit) {
        *state = WS_FORBIDDEN;
        return ST_OK;
    }
    long long n = db_exec(db, "UPDATE web_sessions SET user_id = ?, unit_id = NULLIF(?, 0), confirmed_at = ?,"
                              " expires_at = ? WHERE id = ? AND confirmed_at IS NULL AND expires_at > ?",
                          "iiiisi", user_id, unit, now, now + WEBSESSION_TTL_S, id, now);
    if (n < 0)
        return ST_STORE;
    if (n == 1) {
        *state = WS_CONFIRMED;
        return ST_OK;
    }
    db_res_t *res = db_query(db, r->arena, "SELECT IFNULL(user_id, 0), confirmed_at IS NOT NULL"
                                           " FROM web_sessions WHERE id = ?", "s", id);
    if (!res)
        return ST_STORE;
    if (!res->nrows)
        return ST_OK;          /* WS_NOT_FOUND */
    if (db_int(res, 0, 1))     /* a retried confirm by the same person is fine */
        *state = db_int(res, 0, 0) == user_id ? WS_CONFIRMED : WS_NOT_FOUND;
    else
        *state = WS_EXPIRED;
    return ST_OK;
}

status_t websession_is_pending(req_t *r, const char *id)
{
    if (!websession_id_valid(id))
        return ST_NOT_FOUND;
    db_res_t *res = db_query(req_db(r), r->arena,
                             "SELECT 1 FROM web_sessions WHERE id = ? AND confirmed_at IS NULL AND expires_at > ?",
                             "si", id, clock_now_s());
    if (!res)
        return ST_STORE;
    return res->nrows > 0 ? ST_OK : ST_NOT_FOUND;
}
