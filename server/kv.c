/* kv.c: see kv.h. */
#include "server/kv.h"
#include "server/clock.h"
#include "server/config.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/time.h>

_Atomic unsigned long kv_errors_total;

struct kv {
    redisContext *c;
    int64_t next_try_us;   /* monotonic: no reconnect before this */
    int up;
};

kv_t *kv_new(void)
{
    kv_t *kv = calloc(1, sizeof *kv);
    if (!kv)
        abort();
    return kv;
}

void kv_free(kv_t *kv)
{
    if (!kv)
        return;
    if (kv->c)
        redisFree(kv->c);
    free(kv);
}

void kv_broken(kv_t *kv)
{
    atomic_fetch_add(&kv_errors_total, 1);
    if (kv->c)
        redisFree(kv->c);
    kv->c = NULL;
    kv->up = 0;
    kv->next_try_us = mono_us() + 1000000;
}

int kv_auth(redisContext *c)
{
    if (!g_config.redis_password[0])
        return 0;
    redisReply *r = redisCommand(c, "AUTH %s", g_config.redis_password);
    int ok = r && r->type == REDIS_REPLY_STATUS;
    if (r)
        freeReplyObject(r);
    return ok ? 0 : -1;
}

redisContext *kv_ctx(kv_t *kv)
{
    if (kv->c)
        return kv->c;
    if (mono_us() < kv->next_try_us)
        return NULL;
    const config_t *cf = &g_config;
    struct timeval tv = { 0, 300 * 1000 };
    redisContext *c = cf->redis_socket[0]
        ? redisConnectUnixWithTimeout(cf->redis_socket, tv)
        : redisConnectWithTimeout(cf->redis_host, cf->redis_port, tv);
    if (!c || c->err) {
        if (c)
            redisFree(c);
        kv->up = 0;
        kv->next_try_us = mono_us() + 1000000;
        atomic_fetch_add(&kv_errors_total, 1);
        return NULL;
    }
    struct timeval io = { cf->redis_timeout_ms / 1000, (cf->redis_timeout_ms % 1000) * 1000 };
    redisSetTimeout(c, io);
    if (kv_auth(c) < 0) {
        redisFree(c);
        kv->up = 0;
        kv->next_try_us = mono_us() + 1000000;
        atomic_fetch_add(&kv_errors_total, 1);
        return NULL;
    }
    kv->c = c;
    kv->up = 1;
    return c;
}

static void free_reply(void *p) { freeReplyObject(p); }

static redisReply *finish(kv_t *kv, arena_t *a, redisReply *r)
{
    if (!r) {
        /* I/O error or timeout: the connection's state is unknown. */
        kv_broken(kv);
        return NULL;
    }
    if (a)
        arena_cleanup_add(a, free_reply, r);
    return r;
}

/* A connection that was fine when last used may be dead now (Redis
 * restarted while this worker was idle): its first command fails at once.
 * Reconnect and send that command once more, so a restart costs no request
 * an error. A restarted Redis has none of the old state, so the repeat
 * cannot apply anything twice; only a connection that dies between
 * executing and answering could, and every write the project sends to
 * Redis is idempotent or a cache. */
static int retry_after_drop(kv_t *kv, int was_up)
{
    if (!was_up)
        return 0;
    kv->next_try_us = 0;
    return kv_ctx(kv) != NULL;
}

redisReply *kv_cmd(kv_t *kv, arena_t *a, const char *fmt, ...)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        int was_up = kv->c != NULL;
        redisContext *c = kv_ctx(kv);
        if (!c)
            return NULL;
        va_list ap;
        va_start(ap, fmt);
        redisReply *r = redisvCommand(c, fmt, ap);
        va_end(ap);
        if (r)
            return finish(kv, a, r);
        finish(kv, a, NULL);
        if (attempt || !retry_after_drop(kv, was_up))
            return NULL;
    }
    return NULL;
}

redisReply *kv_cmdargv(kv_t *kv, arena_t *a, int argc, const char **argv, const size_t *lens)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        int was_up = kv->c != NULL;
        redisContext *c = kv_ctx(kv);
        if (!c)
            return NULL;
        redisReply *r = redisCommandArgv(c, argc, argv, lens);
        if (r)
            return finish(kv, a, r);
        finish(kv, a, NULL);
        if (attempt || !retry_after_drop(kv, was_up))
            return NULL;
    }
    return NULL;
}

/* Send every command, then read every reply: one round trip. */
static int pipeline_once(kv_t *kv, redisContext *c, arena_t *a, int n, const int *argc,
                         const char *const *const *argv, redisReply **out)
{
    for (int i = 0; i < n; i++)
        if (redisAppendCommandArgv(c, argc[i], (const char **)argv[i], NULL) != REDIS_OK) {
            kv_broken(kv);
            return -1;
        }
    for (int i = 0; i < n; i++) {
        void *rv = NULL;
        if (redisGetReply(c, &rv) != REDIS_OK || !rv) {
            for (int k = 0; k < i; k++)
                freeReplyObject(out[k]);
            kv_broken(kv);
            return -1;
        }
        out[i] = rv;
    }
    for (int i = 0; i < n; i++)
        finish(kv, a, out[i]);
    return 0;
}

int kv_pipeline(kv_t *kv, arena_t *a, int n, const int *argc, const char *const *const *argv,
                redisReply **out)
{
    for (int attempt = 0; attempt < 2; attempt++) {
        int was_up = kv->c != NULL;
        redisContext *c = kv_ctx(kv);
        if (!c)
            return -1;
        if (pipeline_once(kv, c, a, n, argc, argv, out) == 0)
            return 0;
        if (attempt || !retry_after_drop(kv, was_up))
            return -1;
    }
    return -1;
}

int kv_up(kv_t *kv) { return kv->up; }
