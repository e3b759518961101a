/* session.c: see session.h. */
#include "engines/accounts/session.h"
#include "engines/accounts/accounts.h"
#include "server/clock.h"
#include "server/config.h"
#include "server/log.h"
#include "server/request.h"
#include "server/router.h"
#include "lib/crypto.h"
#include "lib/ttl_cache.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A cached session stays at most a day in Redis (sessions last a week): a
 * busy contest's sessions need not all sit in memory, and the ones in use
 * come back from MariaDB in one primary-key read. */
#define SESSION_CACHE_MAX_S 86400

/* The cached form: "1 user org roles unit expires area mac" (area "-" =
 * all), where mac is an HMAC under a key derived from the sealing key
 * (accounts.h) over the token's hash and the fields before it: whoever can
 * write to Redis but does not hold the server's key cannot make an entry
 * the server accepts, and an entry cannot be moved to another token.
 * One string, so caching is one SET ... EX and a lookup one GET.
 * An organizer's cached session is confirmed in MariaDB on every use, with
 * the account's area read afresh, and a unit admin's is not cached at all
 * (there are few of either), so disabling an organizer, changing their
 * area or taking a unit away from its admin takes effect at the next
 * request. A plain user's cached session holds only the user role; a role
 * granted later shows after session_forget_user(). */
static int entry_mac(const char *hash, const char *fields, char mac[65])
{
    char msg[256];
    int n = snprintf(msg, sizeof msg, "%s %s", hash, fields);
    if (n < 0 || (size_t)n >= sizeof msg)
        return -1;
    return accounts_mac_hex("session-cache", msg, (size_t)n, mac);
}

static const caller_t no_caller;

const caller_t *session_caller(const req_t *r)
{
    return r->auth.app ? r->auth.app : &no_caller;
}

/* A new caller_t in r's arena, hung on r->auth (all zero). */
static caller_t *caller_new(req_t *r)
{
    caller_t *c = arena_alloc(r->arena, sizeof *c);
    r->auth.app = c;
    return c;
}

/* SET the cached form: added to b when given (the caller runs it), else
 * sent now. */
static void cache_session(req_t *r, kv_batch_t *b, const char *hash, const auth_t *a, const caller_t *c,
                          long long expires_at)
{
    long long ttl = expires_at - clock_now_s();
    if (ttl <= 0 || (a->roles & ROLE_UNIT_ADMIN))
        return;
    if (ttl > SESSION_CACHE_MAX_S)
        ttl = SESSION_CACHE_MAX_S;
    char mac[65];
    const char *fields = arena_sprintf(r->arena, "1 %lld %lld %d %lld %lld %s", a->user_id,
                                       c->organizer_id, a->roles, c->admin_unit_id, expires_at,
                                       c->area[0] ? c->area : "-");
    if (entry_mac(hash, fields, mac) < 0)
        return;
    const char **argv = arena_alloc(r->arena, 5 * sizeof *argv);
    argv[0] = "SET";
    argv[1] = arena_sprintf(r->arena, "sess:%s", hash);
    argv[2] = arena_sprintf(r->arena, "%s %s", fields, mac);
    argv[3] = "EX";
    argv[4] = arena_sprintf(r->arena, "%lld", ttl);
    if (b)
        kv_batch_add(b, 5, argv);
    else
        kv_cmdargv(req_kv(r), r->arena, 5, argv, NULL);
}

/* Organizers' sessions are shorter than the mini-program's. */
static long long session_ttl(const session_info_t *s)
{
    return s->organizer_id ? g_config.organizer_session_ttl_s : g_config.session_ttl_s;
}

int session_insert(req_t *r, const session_info_t *s, char token[64], char hash[65])
{
    if (crypto_random_token(token, 64) < 0)
        return -1;
    crypto_sha256_hex(token, strlen(token), hash);
    long long now = clock_now_s();
    if (db_exec(req_db(r),
                "INSERT INTO sessions (token_hash, user_id, organizer_id, roles, admin_unit_id, area,"
                " created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                "siiiisii", hash, s->user_id, s->organizer_id, (long long)(s->mask ? s->mask : s->roles),
                s->admin_unit_id, s->area ? s->area : "", now,
                now + session_ttl(s)) < 0)
        return ST_STORE;
    return ST_OK;
}

void session_cache_new(req_t *r, kv_batch_t *b, const session_info_t *s, const char *hash)
{
    auth_t a = { .roles = s->roles, .user_id = s->user_id };
    caller_t c = { .organizer_id = s->organizer_id, .admin_unit_id = s->admin_unit_id };
    snprintf(c.area, sizeof c.area, "%s", s->area ? s->area : "");
    cache_session(r, b, hash, &a, &c, clock_now_s() + session_ttl(s));
}

int session_create(req_t *r, const session_info_t *s, char token[64])
{
    char hash[65];
    int st = session_insert(r, s, token, hash);
    if (st != ST_OK)
        return st;
    session_cache_new(r, NULL, s, hash);
    return ST_OK;
}

/* Parse the cached form of hash's session. Returns 1 when its MAC holds
 * and it is a user's session, not expired. */
static int parse_cached(const char *hash, const char *v, auth_t *a, caller_t *c, long long now)
{
    long long u, o, unit, exp;
    int roles, used = 0;
    char area[sizeof c->area], mac[65], want[65];
    if (!v || strlen(v) > 200 ||
        sscanf(v, "1 %lld %lld %d %lld %lld %6s %n", &u, &o, &roles, &unit, &exp, area, &used) != 6 ||
        !used || used < 2 || sscanf(v + used, "%64s", mac) != 1)
        return 0;
    char fields[201];
    size_t flen = (size_t)used - 1;             /* without the space before the MAC */
    memcpy(fields, v, flen);
    fields[flen] = '\0';
    if (entry_mac(hash, fields, want) < 0 || !crypto_hex_equal(mac, want))
        return 0;
    if (exp <= now || roles == 0 || (roles & ROLE_UNIT_ADMIN))
        return 0;
    a->user_id = u;
    c->organizer_id = o;
    a->roles = roles;
    c->admin_unit_id = unit;
    if (strcmp(area, "-") == 0)
        area[0] = '\0';
    memcpy(c->area, area, sizeof c->area);    /* same size, NUL-terminated by %6s */
    return 1;
}

/* The first half of a resolve: r->auth emptied, with the token's hash.
 * -1 when the token cannot be one. */
static int resolve_begin(req_t *r, const char *token)
{
    size_t len = strlen(token);
    if (len < 20 || len > 128)
        return -1;
    memset(&r->auth, 0, sizeof r->auth);
    caller_new(r);
    crypto_sha256_hex(token, len, r->auth.token_hash);
    return 0;
}

/* The second half, from Redis's answer to GET sess:<hash> (NULL: Redis
 * did not answer). */
static int resolve_end(req_t *r, const redisReply *rep)
{
    auth_t *a = &r->auth;
    caller_t *c = r->auth.app;
    long long now = clock_now_s();
    if (rep && rep->type == REDIS_REPLY_STRING && parse_cached(a->token_hash, rep->str, a, c, now)) {
        if (!c->organizer_id)
            return 0;
        db_res_t *o = db_query(req_db(r), r->arena,
                               "SELECT o.disabled, o.area FROM sessions s JOIN organizers o"
                               " ON o.id = s.organizer_id WHERE s.token_hash = ? AND s.expires_at > ?",
                               "si", a->token_hash, now);
        if (!o)
            return -2;
        if (o->nrows && db_int(o, 0, 0) == 0) {
            snprintf(c->area, sizeof c->area, "%s", db_get(o, 0, 1) ? db_get(o, 0, 1) : "");
            return 0;
        }
        kv_cmd(req_kv(r), r->arena, "DEL sess:%s", a->token_hash);
        memset(a, 0, sizeof *a);
        return -1;
    }
    /* Not cached (Redis restarted, flushed, down, or the entry aged out).
     * A connection a MariaDB restart left stale is reopened and this read
     * repeated by db_query itself (server/db.c). */
    db_res_t *res = db_query(req_db(r), r->arena,
                             "SELECT IFNULL(s.user_id, 0), IFNULL(s.organizer_id, 0), s.roles,"
                             " s.expires_at, u.roles, IFNULL(u.admin_unit_id, 0), o.area, o.disabled"
                             " FROM sessions s"
                             " LEFT JOIN users u ON u.id = s.user_id"
                             " LEFT JOIN organizers o ON o.id = s.organizer_id"
                             " WHERE s.token_hash = ? AND s.expires_at > ?",
                             "si", a->token_hash, now);
    if (!res)
        return -2;
    if (!res->nrows)
        return -1;
    int mask = (int)db_int(res, 0, 2);
    a->user_id = db_int(res, 0, 0);
    c->organizer_id = db_int(res, 0, 1);
    if (a->user_id) {
        if (!db_get(res, 0, 4))
            return -1;                       /* the user is gone */
        a->roles = mask & (int)db_int(res, 0, 4) & (ROLE_USER | ROLE_UNIT_ADMIN);
        c->admin_unit_id = db_int(res, 0, 5);
        if (!c->admin_unit_id)
            a->roles &= ~ROLE_UNIT_ADMIN;    /* a unit admin of no unit is none */
        if (!(a->roles & ROLE_UNIT_ADMIN))
            c->admin_unit_id = 0;
    } else if (c->organizer_id) {
        if (!db_get(res, 0, 7) || db_int(res, 0, 7) != 0)
            return -1;                       /* disabled or removed */
        a->roles = mask & ROLE_ORGANIZER;
        snprintf(c->area, sizeof c->area, "%s", db_get(res, 0, 6) ? db_get(res, 0, 6) : "");
    }
    if (!a->roles)
        return -1;
    cache_session(r, NULL, a->token_hash, a, c, db_int(res, 0, 3));
    return 0;
}

int session_resolve(req_t *r, const char *token)
{
    if (resolve_begin(r, token) < 0)
        return -1;
    return resolve_end(r, kv_cmd(req_kv(r), r->arena, "GET sess:%s", r->auth.token_hash));
}

/* ---- a session looked up beside other reads, and its user's hint ---- */

#define HINT_ENTRIES 65536
#define HINT_BYTES (8 << 20)
#define HINT_MS (3600 * 1000LL)

static ttl_cache_t *hints;             /* sha256(token) -> the user it resolved to */
static pthread_once_t hints_once = PTHREAD_ONCE_INIT;

static void hints_init(void) { hints = ttl_cache_new(HINT_ENTRIES, HINT_BYTES); }

static long long hint_get(req_t *r, const char *hash)
{
    pthread_once(&hints_once, hints_init);
    char *v = NULL;
    size_t len;
    if (!hints || !ttl_cache_get(hints, hash, arena_alloc_ctx, r->arena, &v, &len))
        return 0;
    return atoll(v);
}

static void hint_put(const char *hash, long long user_id)
{
    pthread_once(&hints_once, hints_init);
    char v[24];
    int n = snprintf(v, sizeof v, "%lld", user_id);
    if (hints)
        (void)ttl_cache_put(hints, hash, v, (size_t)n, HINT_MS, ttl_cache_gen(hints));
}

int session_peek_add(req_t *r, kv_batch_t *b, const char *token, session_peek_t *p)
{
    p->idx = -1;
    p->user_hint = 0;
    if (resolve_begin(r, token) < 0)
        return -1;
    const char **argv = arena_alloc(r->arena, 2 * sizeof *argv);
    argv[0] = "GET";
    argv[1] = arena_sprintf(r->arena, "sess:%s", r->auth.token_hash);
    p->idx = kv_batch_add(b, 2, argv);
    p->user_hint = hint_get(r, r->auth.token_hash);
    memcpy(p->token_hash, r->auth.token_hash, sizeof p->token_hash);
    return 0;
}

void session_peek_again(req_t *r, const session_peek_t *p)
{
    memset(&r->auth, 0, sizeof r->auth);
    caller_new(r);
    memcpy(r->auth.token_hash, p->token_hash, sizeof r->auth.token_hash);
}

int session_peek_result(req_t *r, const kv_batch_t *b, const session_peek_t *p)
{
    /* a batch too full for the GET: the copy is read on its own */
    const redisReply *rep = p->idx >= 0 ? b->rep[p->idx]
                          : kv_cmd(req_kv(r), r->arena, "GET sess:%s", r->auth.token_hash);
    int rc = resolve_end(r, rep);
    if (rc == 0 && r->auth.user_id > 0 && r->auth.user_id != p->user_hint)
        hint_put(r->auth.token_hash, r->auth.user_id);
    return rc;
}

void session_cache_drop(db_t *db, kv_t *kv, arena_t *a, const char *hash)
{
    redisReply *rep = kv_cmd(kv, a, "DEL sess:%s", hash);
    if (rep && rep->type != REDIS_REPLY_ERROR)
        return;
    if (db_exec(db, "INSERT IGNORE INTO session_revocations (token_hash, revoked_at) VALUES (?, ?)", "si",
                hash, (long long)clock_now_s()) < 0)
        log_warn("session: neither Redis nor MariaDB answered; a cached copy may outlive its session");
}

void session_revocations_sweep(db_t *db, kv_t *kv, arena_t *a)
{
    if (!kv_ctx(kv))
        return;
    db_res_t *res = db_query(db, a, "SELECT token_hash FROM session_revocations ORDER BY revoked_at LIMIT 500",
                             "");
    for (size_t i = 0; res && i < res->nrows; i++) {
        const char *hash = db_get(res, i, 0);
        redisReply *rep = kv_cmd(kv, a, "DEL sess:%s", hash);
        if (!rep || rep->type == REDIS_REPLY_ERROR)
            return;                      /* Redis went away again: next time */
        if (db_exec(db, "DELETE FROM session_revocations WHERE token_hash = ?", "s", hash) < 0)
            return;
    }
}

void session_forget_user(req_t *r, long long user_id)
{
    db_res_t *res = db_query(req_db(r), r->arena,
                             "SELECT token_hash FROM sessions WHERE user_id = ? AND expires_at > ?",
                             "ii", user_id, (long long)clock_now_s());
    for (size_t i = 0; res && i < res->nrows; i++)
        session_cache_drop(req_db(r), req_kv(r), r->arena, db_get(res, i, 0));
}

int session_end(req_t *r, const char *hash)
{
    if (db_exec(req_db(r), "DELETE FROM sessions WHERE token_hash = ?", "s", hash) < 0)
        return ST_STORE;
    /* After MariaDB: a request between the two cannot refill the cache,
     * since the row it would refill from is gone. */
    session_cache_drop(req_db(r), req_kv(r), r->arena, hash);
    return ST_OK;
}

int accounts_route_admit(req_t *r, const route_t *rt)
{
    if ((rt->flags & R_NATIONWIDE) && session_caller(r)->area[0]) {
        reply_error(r, 403, "forbidden", "only an organizer for the whole country may do this");
        return -1;
    }
    return 0;
}
