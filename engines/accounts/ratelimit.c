/* ratelimit.c: see ratelimit.h. */
#include "engines/accounts/ratelimit.h"
#include "server/clock.h"
#include "lib/crypto.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* Admit (and count) an attempt: 0, or the window's remaining ms. */
static const char TAKE_LUA[] =
    "local n = tonumber(redis.call('GET', KEYS[1]) or '0')\n"
    "if n >= tonumber(ARGV[1]) then\n"
    "  local t = redis.call('PTTL', KEYS[1])\n"
    "  if t <= 0 then return 1000 end\n"
    "  return t\n"
    "end\n"
    "n = redis.call('INCR', KEYS[1])\n"
    "if n == 1 or redis.call('PTTL', KEYS[1]) < 0 then\n"
    "  redis.call('EXPIRE', KEYS[1], ARGV[2])\n"
    "end\n"
    "return 0\n";

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

int rl_take(req_t *r, const char *bucket, const char *key, int limit, int window_s)
{
    char id[64];
    make_id(bucket, key, id);
    const char *argv[] = { "EVAL", TAKE_LUA, "1", NULL, NULL, NULL };
    argv[3] = arena_sprintf(r->arena, "rl:%s", id);
    argv[4] = arena_sprintf(r->arena, "%d", limit);
    argv[5] = arena_sprintf(r->arena, "%d", window_s);
    redisReply *rep = kv_cmdargv(req_kv(r), r->arena, 6, argv, NULL);
    if (!rep || rep->type != REDIS_REPLY_INTEGER)
        return rl_local_take(id, limit, window_s, mono_ms());
    return rep->integer > 0 ? (int)((rep->integer + 999) / 1000) : 0;
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
