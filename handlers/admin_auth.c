/* admin_auth.c: POST /api/v1/admin/login and POST /api/v1/me/console-code.
 *
 * Password sign-in tells nobody whether a name exists: a wrong name and a
 * wrong password get the same reply, and an unknown name is verified
 * against a dummy hash of the same cost so both take the same time.
 * Attempts are counted per name and per client address as they are
 * admitted (ratelimit.h; a success gives its count back), so past the
 * limit the server answers 429 without hashing at all, even to many
 * requests sent at once, and a guesser cannot make it burn CPU. Failures
 * per name are counted per name and address together, so a stranger's
 * failures from another address cannot lock an organizer out; the
 * address limit bounds what one address may try over all names.
 *
 * Redis down: the counters fall back to each process's own table (see
 * ratelimit.h), so sign-in keeps working and stays throttled. */
#include "handlers/admin_auth.h"
#include "handlers/handlers.h"
#include "engines/accounts/password.h"
#include "engines/accounts/ratelimit.h"
#include "engines/accounts/session.h"
#include "rules/console_code.h"
#include "lib/crypto.h"

#include <string.h>

#define USERNAME_MAX 64

static const char *addr_of(req_t *r)
{
    return r->remote_addr && *r->remote_addr ? r->remote_addr : "-";
}

static int limited(req_t *r, int wait_s)
{
    reply_header(r, "Retry-After", arena_sprintf(r->arena, "%d", wait_s > 0 ? wait_s : 1));
    return reply_error(r, 429, "rate_limited", "too many failed sign-ins; try again later");
}

static int reply_session(req_t *r, const char *token, const char *role, const char *area,
                         long long unit_id)
{
    json_t *body = json_pack("{s:s,s:s}", "token", token, "role", role);
    json_object_set_new(body, "region_code", area && *area ? json_string(area) : json_null());
    json_object_set_new(body, "unit_id", unit_id ? json_integer(unit_id) : json_null());
    return reply_json(r, 200, body);
}

/* user and pw as the body held them: a name or password holding a NUL
 * (JSON "\u0000") matches no account and is refused as wrong. */
static int password_login(req_t *r, json_t *userv, json_t *pwv)
{
    const char *name = json_string_value(userv), *pw = json_string_value(pwv);
    int clean = req_text(userv) && req_text(pwv);
    const char *addr = addr_of(r);
    int w = rl_take(r, "adm-addr", addr, ADMIN_RL_ADDR, ADMIN_RL_WINDOW_S);
    if (w)
        return limited(r, w);
    /* the name and the address together (a unit separator between them) */
    const char *user = arena_sprintf(r->arena, "%s\x1f%s", name, addr);
    w = rl_take(r, "adm-acct", user, ADMIN_RL_ACCOUNT, ADMIN_RL_WINDOW_S);
    if (w) {
        rl_give_back(r, "adm-addr", addr);
        return limited(r, w);
    }

    size_t pwlen = strlen(pw);
    const char *hash = NULL, *area = "";
    long long id = 0;
    int disabled = 1;
    if (clean && strlen(name) <= USERNAME_MAX && pwlen <= PASSWORD_MAX_LEN) {
        db_res_t *res = db_query(req_db(r), r->arena,
                                 "SELECT id, password_hash, area, disabled FROM organizers"
                                 " WHERE username = ?", "s", name);
        if (!res) {
            rl_give_back(r, "adm-acct", user);     /* not the caller's failure */
            rl_give_back(r, "adm-addr", addr);
            return ST_STORE;
        }
        if (res->nrows) {
            id = db_int(res, 0, 0);
            hash = db_get(res, 0, 1);
            area = db_get(res, 0, 2) ? db_get(res, 0, 2) : "";
            disabled = db_int(res, 0, 3) != 0;
        }
    }
    /* Hashing holds no store: give it back for the tens of milliseconds. */
    req_release_stores(r);
    int ok = password_verify(hash, pw, pwlen);
    if (ok == -2) {
        rl_give_back(r, "adm-acct", user);
        rl_give_back(r, "adm-addr", addr);
        reply_header(r, "Retry-After", "1");
        return reply_error(r, 503, "overloaded", "too many sign-ins at once; try again shortly");
    }
    if (ok != 1 || disabled) {
        /* counted when admitted: a failure leaves the counts as they are */
        log_info("admin login refused");
        return reply_error(r, 401, "invalid_credentials", "wrong user name or password");
    }
    rl_clear(r, "adm-acct", user);
    rl_give_back(r, "adm-addr", addr);
    session_info_t s = { .organizer_id = id, .roles = ROLE_ORGANIZER, .mask = ROLE_ORGANIZER,
                         .area = area };
    char token[64];
    int st = session_create(r, &s, token);
    if (st != ST_OK)
        return st;
    log_info("organizer %lld signed in", id);
    int rc = reply_session(r, token, "organizer", area, 0);
    explicit_bzero(token, sizeof token);
    return rc;
}

static int code_login(req_t *r, const char *typed)
{
    const char *addr = addr_of(r);
    int w = rl_take(r, "adm-addr", addr, ADMIN_RL_ADDR, ADMIN_RL_WINDOW_S);
    if (w)
        return limited(r, w);
    char code[CONSOLE_CODE_LEN + 1], hash[65];
    long long n = 0, now = clock_now_s();
    db_t *db = req_db(r);
    if (rules_console_code_normalize(typed, code) == 0) {
        crypto_sha256_hex(code, strlen(code), hash);
        /* Single use: only one request can flip used_at. */
        n = db_exec(db, "UPDATE console_codes SET used_at = ?"
                        " WHERE code_hash = ? AND used_at IS NULL AND expires_at > ?",
                    "isi", now, hash, now);
        if (n < 0) {
            rl_give_back(r, "adm-addr", addr);
            return ST_STORE;
        }
    }
    long long user_id = 0, unit_id = 0;
    if (n == 1) {
        db_res_t *res = db_query(db, r->arena,
                                 "SELECT c.user_id, c.unit_id, u.roles, IFNULL(u.admin_unit_id, 0)"
                                 " FROM console_codes c JOIN users u ON u.id = c.user_id"
                                 " WHERE c.code_hash = ?", "s", hash);
        if (!res) {
            return ST_STORE;
        }
        /* Still the admin of that unit? The role may have gone since. */
        if (res->nrows && (db_int(res, 0, 2) & ROLE_UNIT_ADMIN) &&
            db_int(res, 0, 3) == db_int(res, 0, 1)) {
            user_id = db_int(res, 0, 0);
            unit_id = db_int(res, 0, 1);
        }
    }
    if (!user_id)
        return reply_error(r, 400, "invalid_code", "the code is wrong, used or expired");
    rl_give_back(r, "adm-addr", addr);
    /* A console session is a unit admin's only: not the mini-program user. */
    session_info_t s = { .user_id = user_id, .admin_unit_id = unit_id,
                         .roles = ROLE_UNIT_ADMIN, .mask = ROLE_UNIT_ADMIN };
    char token[64];
    int st = session_create(r, &s, token);
    if (st != ST_OK)
        return st;
    log_info("unit admin %lld signed in to the console for unit %lld", user_id, unit_id);
    int rc = reply_session(r, token, "unit_admin", NULL, unit_id);
    explicit_bzero(token, sizeof token);
    return rc;
}

int h_admin_login(req_t *r)
{
    json_t *j = req_json(r);
    if (!j)
        return 0;
    json_t *code = json_object_get(j, "code");
    json_t *user = json_object_get(j, "username"), *pw = json_object_get(j, "password");
    /* A code holding a NUL is no code: "" fails the code's own rule. */
    if (json_is_string(code))
        return code_login(r, req_text(code) ? req_text(code) : "");
    if (json_is_string(user) && json_is_string(pw) && json_string_length(user) > 0)
        return password_login(r, user, pw);
    return reply_error(r, 400, "invalid_parameter",
                       "send username and password, or the console code");
}

typedef struct {
    long long user_id, unit, now;
    const char *hash;
} code_ctx_t;

/* One live code per user: a new one replaces the older ones. Under db_tx. */
static int code_tx(db_t *db, void *ctx)
{
    code_ctx_t *x = ctx;
    if (db_exec(db, "DELETE FROM console_codes WHERE user_id = ?", "i", x->user_id) < 0 ||
        db_exec(db, "INSERT INTO console_codes (code_hash, user_id, unit_id, created_at, expires_at)"
                    " VALUES (?, ?, ?, ?, ?)",
                "siiii", x->hash, x->user_id, x->unit, x->now, x->now + CONSOLE_CODE_TTL_S) < 0 ||
        db_commit(db) < 0)
        return ST_STORE;
    return ST_OK;
}

int h_console_code(req_t *r)
{
    long long unit = session_caller(r)->admin_unit_id;
    if (!unit)
        return reply_error(r, 403, "forbidden", "this account administers no unit");
    unsigned char rnd[5];
    char code[CONSOLE_CODE_LEN + 1], hash[65];
    if (crypto_random_bytes(rnd, sizeof rnd) != 0)
        return -1;
    rules_console_code_make(rnd, code);
    crypto_sha256_hex(code, strlen(code), hash);
    long long now = clock_now_s();
    code_ctx_t x = { r->auth.user_id, unit, now, hash };
    int st = db_tx(req_db(r), code_tx, &x);
    if (st != ST_OK)
        return st;
    return reply_json(r, 200, json_pack("{s:s,s:i}", "code", code, "expires_in",
                                        CONSOLE_CODE_TTL_S));
}
