/* session.c: see session.h. */
#include "handlers/session.h"
#include "handlers/handlers.h"
#include "wx/wx_crypto.h"

#include <stdlib.h>
#include <string.h>

static void cache_session(req_t *r, const char *hash, const auth_t *a, long long ttl)
{
    if (ttl <= 0)
        return;
    kv_cmd(req_kv(r), r->arena, "HSET sess:%s u %lld o %lld r %d a %lld ar %s", hash,
           a->user_id, a->organizer_id, a->roles, a->admin_unit_id, a->area[0] ? a->area : "-");
    kv_cmd(req_kv(r), r->arena, "EXPIRE sess:%s %lld", hash, ttl);
}

int session_create(req_t *r, const session_info_t *s, char token[64])
{
    if (wx_random_token(token, 64) < 0)
        return -1;
    char hash[65];
    wx_sha256_hex(token, strlen(token), hash);
    long long now = clock_now_s(), ttl = g_config.session_ttl_s;
    if (db_exec(req_db(r),
                "INSERT INTO sessions (token_hash, user_id, organizer_id, roles, admin_unit_id, area,"
                " created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                "siiiisii", hash, s->user_id, s->organizer_id, (long long)s->roles,
                s->admin_unit_id, s->area ? s->area : "", now, now + ttl) < 0) {
        r->store_down = 1;
        return -1;
    }
    auth_t a = { .roles = s->roles, .user_id = s->user_id, .organizer_id = s->organizer_id,
                 .admin_unit_id = s->admin_unit_id };
    snprintf(a.area, sizeof a.area, "%s", s->area ? s->area : "");
    cache_session(r, hash, &a, ttl);
    return 0;
}

int session_resolve(req_t *r, const char *token)
{
    size_t len = strlen(token);
    if (len < 20 || len > 128)
        return -1;
    auth_t *a = &r->auth;
    memset(a, 0, sizeof *a);
    wx_sha256_hex(token, len, a->token_hash);
    redisReply *rep = kv_cmd(req_kv(r), r->arena, "HMGET sess:%s u o r a ar", a->token_hash);
    if (rep && rep->type == REDIS_REPLY_ARRAY && rep->elements == 5 && rep->element[2]->str) {
        a->user_id = strtoll(rep->element[0]->str ? rep->element[0]->str : "0", NULL, 10);
        a->organizer_id = strtoll(rep->element[1]->str ? rep->element[1]->str : "0", NULL, 10);
        a->roles = atoi(rep->element[2]->str);
        a->admin_unit_id = strtoll(rep->element[3]->str ? rep->element[3]->str : "0", NULL, 10);
        const char *ar = rep->element[4]->str;
        snprintf(a->area, sizeof a->area, "%s", ar && strcmp(ar, "-") != 0 ? ar : "");
        return a->roles ? 0 : -1;
    }
    long long now = clock_now_s();
    db_res_t *res = db_query(req_db(r), r->arena,
                             "SELECT IFNULL(user_id,0), IFNULL(organizer_id,0), roles,"
                             " IFNULL(admin_unit_id,0), area, expires_at FROM sessions"
                             " WHERE token_hash = ? AND expires_at > ?",
                             "si", a->token_hash, now);
    if (!res)
        return -2;
    if (!res->nrows)
        return -1;
    a->user_id = db_int(res, 0, 0);
    a->organizer_id = db_int(res, 0, 1);
    a->roles = (int)db_int(res, 0, 2);
    a->admin_unit_id = db_int(res, 0, 3);
    snprintf(a->area, sizeof a->area, "%s", db_get(res, 0, 4) ? db_get(res, 0, 4) : "");
    cache_session(r, a->token_hash, a, db_int(res, 0, 5) - now);
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
