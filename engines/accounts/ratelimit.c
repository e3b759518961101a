/* ratelimit.c: see ratelimit.h. */
#include "engines/accounts/ratelimit.h"
#include "server/clock.h"
#include "lib/crypto.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* Admit (and count) an attempt under each key in turn: {0, 0}, or the
 * index (from 1) of the first key over its limit and its window's
 * remaining ms. ARGV holds limit, window and what this process counted
 * locally while Redis could not be reached (rl_many_add) for each key:
 * folded in first, so an outage splits no count in two. */
static const char TAKE_LUA[] =
    "for i = 1, #KEYS do\n"
    "  local k, lim, win = KEYS[i], tonumber(ARGV[3*i-2]), ARGV[3*i-1]\n"
    "  local extra = tonumber(ARGV[3*i] or '0')\n"
    "  local n = tonumber(redis.call('GET', k) or '0')\n"
    "  if extra > 0 then\n"
    "    n = redis.call('INCRBY', k, extra)\n"
    "    if redis.call('PTTL', k) < 0 then redis.call('EXPIRE', k, win) end\n"
    "  end\n"
    "  if n >= lim then\n"
    "    local t = redis.call('PTTL', k)\n"
    "    if t <= 0 then t = 1000 end\n"
    "    return {i, t}\n"
    "  end\n"
    "  n = redis.call('INCR', k)\n"
    "  if n == 1 or redis.call('PTTL', k) < 0 then redis.call('EXPIRE', k, win) end\n"
    "end\n"
    "return {0, 0}\n";

static const char GIVE_BACK_LUA[] =
    "if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then redis.call('DECR', KEYS[1]) end\n"
    "return 0\n";

/* "bucket:" + the first 128 bits of sha256(key), hex. */
static void make_id(const char *bucket, const char *key, char id[64])
{
    char h[65];
    crypto_sha256_hex(key, strlen(key), h);
    snprintf(id, 64, "%.24s:%.32s", bucket, h);
}

/* ---- the per-process fallback ---- */

typedef struct {
    char id[64];
    int count;
    int64_t until_ms;
} slot_t;

static pthread_mutex_t local_mu = PTHREAD_MUTEX_INITIALIZER;
static slot_t local[RL_LOCAL_SLOTS];

static slot_t *local_find(const char *id, int64_t now_ms)
{
    for (int i = 0; i < RL_LOCAL_SLOTS; i++)
        if (local[i].until_ms > now_ms && strcmp(local[i].id, id) == 0)
            return &local[i];
    return NULL;
}

int rl_local_take(const char *id, int limit, int window_s, int64_t now_ms)
{
    pthread_mutex_lock(&local_mu);
    slot_t *s = local_find(id, now_ms);
    int wait = 0;
    if (s && s->count >= limit) {
        wait = (int)((s->until_ms - now_ms + 999) / 1000);
    } else {
        if (!s) {
            /* A free or expired slot, else the one whose window ends first:
             * a flood of new keys can push old counts out, which only
             * loosens the fallback, never locks anyone out. */
            s = &local[0];
            for (int i = 0; i < RL_LOCAL_SLOTS && s->until_ms > now_ms; i++)
                if (local[i].until_ms < s->until_ms)
                    s = &local[i];
            snprintf(s->id, sizeof s->id, "%s", id);
            s->count = 0;
            s->until_ms = now_ms + (int64_t)window_s * 1000;
        }
        s->count++;
    }
    pthread_mutex_unlock(&local_mu);
    return wait;
}

int rl_local_pending(const char *id, int64_t now_ms)
{
    pthread_mutex_lock(&local_mu);
    slot_t *s = local_find(id, now_ms);
    int n = s ? s->count : 0;
    pthread_mutex_unlock(&local_mu);
    return n;
}

void rl_local_forget(const char *id, int n, int64_t now_ms)
{
    pthread_mutex_lock(&local_mu);
    slot_t *s = local_find(id, now_ms);
    if (s)
        s->count = s->count > n ? s->count - n : 0;
    pthread_mutex_unlock(&local_mu);
}

void rl_local_give_back(const char *id, int64_t now_ms)
{
    pthread_mutex_lock(&local_mu);
    slot_t *s = local_find(id, now_ms);
    if (s && s->count > 0)
        s->count--;
    pthread_mutex_unlock(&local_mu);
}

void rl_local_clear(const char *id)
{
    pthread_mutex_lock(&local_mu);
    for (int i = 0; i < RL_LOCAL_SLOTS; i++)
        if (strcmp(local[i].id, id) == 0)
            memset(&local[i], 0, sizeof local[i]);
    pthread_mutex_unlock(&local_mu);
}

void rl_local_reset(void)
{
    pthread_mutex_lock(&local_mu);
    memset(local, 0, sizeof local);
    pthread_mutex_unlock(&local_mu);
}

/* ---- Redis, falling back to the table ---- */

void rl_many_key(rl_many_t *m, const char *bucket, const char *key, int limit, int window_s)
{
    if (m->n >= RL_MANY)
        return;
    make_id(bucket, key, m->k[m->n].id);
    m->k[m->n].limit = limit;
    m->k[m->n].window_s = window_s;
    m->n++;
}

void rl_many_add(req_t *r, kv_batch_t *b, rl_many_t *m)
{
    const char **argv = arena_alloc(r->arena, (size_t)(3 + 4 * m->n) * sizeof *argv);
    int argc = 0;
    argv[argc++] = "EVAL";
    argv[argc++] = TAKE_LUA;
    argv[argc++] = arena_sprintf(r->arena, "%d", m->n);
    for (int i = 0; i < m->n; i++)
        argv[argc++] = arena_sprintf(r->arena, "rl:%s", m->k[i].id);
    for (int i = 0; i < m->n; i++) {
        /* attempts this process counted while Redis was unreachable (a
         * connection waits a second before it reconnects) go to Redis with
         * this one, so the limit holds across the outage */
        m->k[i].pending = rl_local_pending(m->k[i].id, mono_ms());
        argv[argc++] = arena_sprintf(r->arena, "%d", m->k[i].limit);
        argv[argc++] = arena_sprintf(r->arena, "%d", m->k[i].window_s);
        argv[argc++] = arena_sprintf(r->arena, "%d", m->k[i].pending);
    }
    m->idx = kv_batch_add(b, argc, argv);
}

int rl_many_result(const kv_batch_t *b, rl_many_t *m, int *which)
{
    redisReply *rep = m->idx >= 0 ? b->rep[m->idx] : NULL;
    *which = 0;
    if (!rep || rep->type != REDIS_REPLY_ARRAY || rep->elements != 2 ||
        rep->element[0]->type != REDIS_REPLY_INTEGER || rep->element[1]->type != REDIS_REPLY_INTEGER) {
        for (int i = 0; i < m->n; i++) {
            int w = rl_local_take(m->k[i].id, m->k[i].limit, m->k[i].window_s, mono_ms());
            if (w) {
                *which = i;
                return w;
            }
        }
        return 0;
    }
    long long at = rep->element[0]->integer, ms = rep->element[1]->integer;
    /* the keys Redis reached took over what the table held for them */
    long long reached = at > 0 && at <= m->n ? at : m->n;
    for (int i = 0; i < reached; i++)
        if (m->k[i].pending)
            rl_local_forget(m->k[i].id, m->k[i].pending, mono_ms());
    if (at <= 0 || at > m->n)
        return 0;
    *which = (int)at - 1;
    return (int)((ms + 999) / 1000);
}

int rl_take(req_t *r, const char *bucket, const char *key, int limit, int window_s)
{
    kv_batch_t b = { 0 };
    rl_many_t m = { 0 };
    int which;
    rl_many_key(&m, bucket, key, limit, window_s);
    rl_many_add(r, &b, &m);
    (void)kv_batch_run(req_kv(r), r->arena, &b);   /* a failure: the table decides */
    return rl_many_result(&b, &m, &which);
}

void rl_give_back(req_t *r, const char *bucket, const char *key)
{
    char id[64];
    make_id(bucket, key, id);
    const char *argv[] = { "EVAL", GIVE_BACK_LUA, "1", NULL };
    argv[3] = arena_sprintf(r->arena, "rl:%s", id);
    redisReply *rep = kv_cmdargv(req_kv(r), r->arena, 4, argv, NULL);
    if (!rep || rep->type != REDIS_REPLY_INTEGER)
        rl_local_give_back(id, mono_ms());
}

void rl_clear(req_t *r, const char *bucket, const char *key)
{
    char id[64];
    make_id(bucket, key, id);
    kv_cmd(req_kv(r), r->arena, "DEL rl:%s", id);
    rl_local_clear(id);
}
