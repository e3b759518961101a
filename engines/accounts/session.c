/* session.c: see session.h. */
#include "engines/accounts/session.h"
#include "engines/accounts/accounts.h"
#include "server/clock.h"
#include "server/config.h"
#include "server/log.h"
#include "server/request.h"
#include "server/router.h"
#include "lib/crypto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A cached session stays at most a day in Redis (sessions last a week): a
 * busy contest's sessions need not all sit in memory, and the ones in use
 * come back from MariaDB in one primary-key read. */
#define SESSION_CACHE_MAX_S 86400

/* The cached form: "1 user org roles unit expires area" (area "-" = all).
 * One string, so caching is one SET ... EX and a lookup one GET. */
static void cache_session(req_t *r, const char *hash, const auth_t *a, long long expires_at)
{
    long long ttl = expires_at - clock_now_s();
    if (ttl <= 0)
        return;
    if (ttl > SESSION_CACHE_MAX_S)
        ttl = SESSION_CACHE_MAX_S;
    kv_cmd(req_kv(r), r->arena, "SET sess:%s %s EX %lld", hash,
           arena_sprintf(r->arena, "1 %lld %lld %d %lld %lld %s", a->user_id, a->organizer_id,
                         a->roles, a->admin_unit_id, expires_at, a->area[0] ? a->area : "-"),
           ttl);
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
                now + g_config.session_ttl_s) < 0)
        return ST_STORE;
    return ST_OK;
}

void session_cache_new(req_t *r, const session_info_t *s, const char *hash)
{
    auth_t a = { .roles = s->roles, .user_id = s->user_id, .organizer_id = s->organizer_id,
                 .admin_unit_id = s->admin_unit_id };
    snprintf(a.area, sizeof a.area, "%s", s->area ? s->area : "");
    cache_session(r, hash, &a, clock_now_s() + g_config.session_ttl_s);
}

int session_create(req_t *r, const session_info_t *s, char token[64])
{
    char hash[65];
    int st = session_insert(r, s, token, hash);
    if (st != ST_OK)
        return st;
    session_cache_new(r, s, hash);
    return ST_OK;
}

/* Parse the cached form. Returns 1 when valid and not expired. */
static int parse_cached(const char *v, auth_t *a, long long now)
{
    long long u, o, unit, exp;
    int roles;
    char area[sizeof a->area];
    if (!v || sscanf(v, "1 %lld %lld %d %lld %lld %6s", &u, &o, &roles, &unit, &exp, area) != 6)
        return 0;
    if (exp <= now || roles == 0)
        return 0;
    a->user_id = u;
    a->organizer_id = o;
    a->roles = roles;
    a->admin_unit_id = unit;
    if (strcmp(area, "-") == 0)
        area[0] = '\0';
    memcpy(a->area, area, sizeof a->area);    /* same size, NUL-terminated by %6s */
    return 1;
}

int session_resolve(req_t *r, const char *token)
{
    size_t len = strlen(token);
    if (len < 20 || len > 128)
        return -1;
    auth_t *a = &r->auth;
    memset(a, 0, sizeof *a);
    crypto_sha256_hex(token, len, a->token_hash);
    long long now = clock_now_s();
    redisReply *rep = kv_cmd(req_kv(r), r->arena, "GET sess:%s", a->token_hash);
    if (rep && rep->type == REDIS_REPLY_STRING && parse_cached(rep->str, a, now)) {
        if (!a->organizer_id)
            return 0;
        /* An organizer's account is checked on every use (organizers are
         * few): a disabled account or an ended session stops at once even
         * if Redis missed the deletion of its copy. */
        db_res_t *o = db_query(req_db(r), r->arena,
                               "SELECT o.disabled FROM sessions s JOIN organizers o"
                               " ON o.id = s.organizer_id WHERE s.token_hash = ?", "s", a->token_hash);
        if (!o)
            return -2;
        if (o->nrows && db_int(o, 0, 0) == 0)
            return 0;
        kv_cmd(req_kv(r), r->arena, "DEL sess:%s", a->token_hash);
        return -1;
    }
    /* Not cached (Redis restarted, flushed, down, or the entry aged out).
     * A read, so a failure is tried once more: a connection left stale by a
     * MariaDB restart fails its first call and reconnects on the next (db.h),
     * and a Redis outage is exactly when connections idle since then are
     * first used. */
    db_res_t *res = NULL;
    for (int i = 0; i < 2 && !res; i++)
        res = db_query(req_db(r), r->arena,
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
    a->organizer_id = db_int(res, 0, 1);
    if (a->user_id) {
        if (!db_get(res, 0, 4))
            return -1;                       /* the user is gone */
        a->roles = mask & (int)db_int(res, 0, 4) & (ROLE_USER | ROLE_UNIT_ADMIN);
        a->admin_unit_id = db_int(res, 0, 5);
        if (!a->admin_unit_id)
            a->roles &= ~ROLE_UNIT_ADMIN;    /* a unit admin of no unit is none */
        if (!(a->roles & ROLE_UNIT_ADMIN))
            a->admin_unit_id = 0;
    } else if (a->organizer_id) {
        if (!db_get(res, 0, 7) || db_int(res, 0, 7) != 0)
            return -1;                       /* disabled or removed */
        a->roles = mask & ROLE_ORGANIZER;
        snprintf(a->area, sizeof a->area, "%s", db_get(res, 0, 6) ? db_get(res, 0, 6) : "");
    }
    if (!a->roles)
        return -1;
    cache_session(r, a->token_hash, a, db_int(res, 0, 3));
    return 0;
}

void session_forget_user(req_t *r, long long user_id)
{
    db_res_t *res = db_query(req_db(r), r->arena,
                             "SELECT token_hash FROM sessions WHERE user_id = ? AND expires_at > ?",
                             "ii", user_id, (long long)clock_now_s());
    for (size_t i = 0; res && i < res->nrows; i++)
        kv_cmd(req_kv(r), r->arena, "DEL sess:%s", db_get(res, i, 0));
}

int accounts_route_admit(req_t *r, const route_t *rt)
{
    if ((rt->flags & R_NATIONWIDE) && r->auth.area[0]) {
        reply_error(r, 403, "forbidden", "only an organizer for the whole country may do this");
        return -1;
    }
    return 0;
}
