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

int websession_create(req_t *r, ws_purpose_t purpose, char id[WEBSESSION_ID_LEN + 1], char secret[64])
{
    unsigned char rnd[WEBSESSION_ID_LEN / 2];
    char hash[65];
    if (crypto_random_bytes(rnd, sizeof rnd) < 0 || crypto_random_token(secret, 64) < 0)
        return -1;
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
        return -1;
    }
    return 0;
}

/* The session a confirmed web session hands over, from the user's row
 * now: a quiz page gets the user role only (it answers quizzes, never
 * administers); a console page the unit admin role for the unit confirmed
 * (unit, nonzero), as the one-time code gives, and only while the person
 * still administers that unit. info->roles is 0 when nothing is due. */
static int session_due(req_t *r, long long user_id, long long unit, session_info_t *info)
{
    db_res_t *u = db_query(req_db(r), r->arena, "SELECT roles, IFNULL(admin_unit_id, 0) FROM users WHERE id = ?",
                           "i", user_id);
    if (!u)
        return -1;
    int roles = u->nrows ? (int)db_int(u, 0, 0) : 0;
    *info = (session_info_t){ .user_id = user_id, .mask = ROLE_USER, .roles = roles & ROLE_USER };
    if (unit) {
        int still = (roles & ROLE_UNIT_ADMIN) && db_int(u, 0, 1) == unit;
        *info = (session_info_t){ .user_id = user_id, .admin_unit_id = unit, .mask = ROLE_UNIT_ADMIN,
                                  .roles = still ? ROLE_UNIT_ADMIN : 0 };
    }
    return 0;
}

/* Hand the session over: only the request that flips delivered_at makes
 * one, in the same transaction, so two polls at once yield one token.
 * Returns 1 (token set), 0 (someone else collected it, or nothing is due),
 * -1 store. */
static int deliver(req_t *r, const char *id, long long user_id, long long unit, char token[64])
{
    db_t *db = req_db(r);
    char hash[65];
    long long now = clock_now_s();
    if (db_begin(db) < 0)
        goto fail;
    long long n = db_exec(db, "UPDATE web_sessions SET delivered_at = ? WHERE id = ? AND delivered_at IS NULL",
                          "is", now, id);
    if (n < 0)
        goto fail;
    if (n == 0) {
        db_rollback(db);
        return 0;
    }
    session_info_t info;
    if (session_due(r, user_id, unit, &info) < 0)
        goto fail;
    if (!info.roles) {   /* the account is gone, or no longer that unit's admin */
        db_rollback(db);
        return 0;
    }
    if (session_insert(r, &info, token, hash) < 0 || db_commit(db) < 0)
        goto fail;
    session_cache_new(r, NULL, &info, hash);
    log_info("web session %.6s... handed to user %lld%s", id, user_id, unit ? " (console)" : "");
    return 1;
fail:
    db_rollback(db);
    token[0] = '\0';
    return -1;
}

int websession_poll(req_t *r, const char *id, const char *secret, ws_state_t *state, char token[64],
                    long long *unit_id)
{
    token[0] = '\0';
    *unit_id = 0;
    *state = WS_NOT_FOUND;
    if (!websession_id_valid(id) || !secret || strlen(secret) != CRYPTO_TOKEN_LEN)
        return 0;
    db_res_t *res = db_query(req_db(r), r->arena,
                             "SELECT secret_hash, IFNULL(user_id, 0), confirmed_at IS NOT NULL,"
                             " delivered_at IS NOT NULL, expires_at, IFNULL(unit_id, 0) FROM web_sessions WHERE id = ?", "s", id);
    if (!res) {
        return -1;
    }
    char hash[65];
    crypto_sha256_hex(secret, strlen(secret), hash);
    if (!res->nrows || !crypto_hex_equal(hash, db_get(res, 0, 0)))
        return 0;
    long long now = clock_now_s();
    int confirmed = db_int(res, 0, 2) != 0, delivered = db_int(res, 0, 3) != 0;
    if (confirmed && delivered) {
        *state = WS_CONFIRMED;
        return 0;
    }
    if (now >= db_int(res, 0, 4)) {
        *state = WS_EXPIRED;
        return 0;
    }
    if (!confirmed) {
        *state = WS_PENDING;
        return 0;
    }
    long long unit = db_int(res, 0, 5);
    int rc = deliver(r, id, db_int(res, 0, 1), unit, token);
    if (rc < 0)
        return -1;
    *state = WS_CONFIRMED;
    if (rc == 1)
        *unit_id = unit;
    return 0;
}

/* 1 when id is a console sign-in (then *unit is the unit user_id
 * administers now, 0 for none), 0 when not (or no such id), -1 store. */
static int admin_unit_for_console(req_t *r, const char *id, long long user_id, long long *unit)
{
    db_res_t *res = db_query(req_db(r), r->arena,
                             "SELECT IF(u.roles & ?, IFNULL(u.admin_unit_id, 0), 0)"
                             " FROM web_sessions w LEFT JOIN users u ON u.id = ?"
                             " WHERE w.id = ? AND w.purpose = 'console'", "iis", (long long)ROLE_UNIT_ADMIN,
                             user_id, id);
    if (!res)
        return -1;
    *unit = res->nrows ? db_int(res, 0, 0) : 0;
    return res->nrows > 0;
}

int websession_confirm(req_t *r, const char *id, long long user_id)
{
    if (!websession_id_valid(id))
        return WS_NOT_FOUND;
    db_t *db = req_db(r);
    long long now = clock_now_s(), unit = 0;
    int console = admin_unit_for_console(r, id, user_id, &unit);
    if (console < 0)
        return -1;
    if (console && !unit)
        return WS_FORBIDDEN;
    long long n = db_exec(db, "UPDATE web_sessions SET user_id = ?, unit_id = NULLIF(?, 0), confirmed_at = ?,"
                              " expires_at = ? WHERE id = ? AND confirmed_at IS NULL AND expires_at > ?",
                          "iiiisi", user_id, unit, now, now + WEBSESSION_TTL_S, id, now);
    if (n < 0) {
        return -1;
    }
    if (n == 1)
        return 0;
    db_res_t *res = db_query(db, r->arena, "SELECT IFNULL(user_id, 0), confirmed_at IS NOT NULL"
                                           " FROM web_sessions WHERE id = ?", "s", id);
    if (!res) {
        return -1;
    }
    if (!res->nrows)
        return WS_NOT_FOUND;
    if (db_int(res, 0, 1))   /* a retried confirm by the same person is fine */
        return db_int(res, 0, 0) == user_id ? 0 : WS_NOT_FOUND;
    return WS_EXPIRED;
}

int websession_is_pending(req_t *r, const char *id)
{
    if (!websession_id_valid(id))
        return 0;
    db_res_t *res = db_query(req_db(r), r->arena,
                             "SELECT 1 FROM web_sessions WHERE id = ? AND confirmed_at IS NULL AND expires_at > ?",
                             "si", id, clock_now_s());
    if (!res) {
        return -1;
    }
    return res->nrows > 0;
}
