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

int websession_create(req_t *r, char id[WEBSESSION_ID_LEN + 1], char secret[64])
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
        db_exec(db, "INSERT INTO web_sessions (id, secret_hash, created_at, expires_at) VALUES (?, ?, ?, ?)",
                "ssii", id, hash, now, now + WEBSESSION_TTL_S) < 0) {
        return -1;
    }
    return 0;
}

/* Hand the session over: only the request that flips delivered_at makes
 * one, in the same transaction, so two polls at once yield one token.
 * Returns 1 (token set), 0 (someone else collected it), -1 store. */
static int deliver(req_t *r, const char *id, long long user_id, char token[64])
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
    db_res_t *u = db_query(db, r->arena, "SELECT roles FROM users WHERE id = ?", "i", user_id);
    if (!u)
        goto fail;
    /* The web page answers quizzes: the user role only, never unit admin. */
    session_info_t info = { .user_id = user_id, .mask = ROLE_USER,
                            .roles = u->nrows ? (int)db_int(u, 0, 0) & ROLE_USER : 0 };
    if (!info.roles) {   /* the account is gone: nothing to hand over */
        db_rollback(db);
        return 0;
    }
    if (session_insert(r, &info, token, hash) < 0 || db_commit(db) < 0)
        goto fail;
    session_cache_new(r, &info, hash);
    log_info("web session %.6s... handed to user %lld", id, user_id);
    return 1;
fail:
    db_rollback(db);
    token[0] = '\0';
    return -1;
}

int websession_poll(req_t *r, const char *id, const char *secret, ws_state_t *state, char token[64])
{
    token[0] = '\0';
    *state = WS_NOT_FOUND;
    if (!websession_id_valid(id) || !secret || strlen(secret) != CRYPTO_TOKEN_LEN)
        return 0;
    db_res_t *res = db_query(req_db(r), r->arena,
                             "SELECT secret_hash, IFNULL(user_id, 0), confirmed_at IS NOT NULL,"
                             " delivered_at IS NOT NULL, expires_at FROM web_sessions WHERE id = ?", "s", id);
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
    int rc = deliver(r, id, db_int(res, 0, 1), token);
    if (rc < 0)
        return -1;
    *state = WS_CONFIRMED;
    return 0;
}

int websession_confirm(req_t *r, const char *id, long long user_id)
{
    if (!websession_id_valid(id))
        return WS_NOT_FOUND;
    db_t *db = req_db(r);
    long long now = clock_now_s();
    long long n = db_exec(db, "UPDATE web_sessions SET user_id = ?, confirmed_at = ?, expires_at = ?"
                              " WHERE id = ? AND confirmed_at IS NULL AND expires_at > ?",
                          "iiisi", user_id, now, now + WEBSESSION_TTL_S, id, now);
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
