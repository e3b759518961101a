/* kv.c: see kv.h. */
#include "server/kv.h"
#include "server/clock.h"
#include "server/config.h"
#include "server/log.h"
#include "lib/hostport.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

_Atomic unsigned long kv_errors_total;

struct kv {
    redisContext *c;
    int64_t next_try_us;   /* monotonic: no reconnect before this */
    int up;
    unsigned sentinel;     /* the Sentinel that answered last: asked first */
    unsigned gen;          /* primary_gen when this connection was made or last failed */
};

/* The primary last reached through Sentinel, for the log line that says
 * it moved (once per process, not once per connection) and as the address
 * to try when no Sentinel answers. */
static pthread_mutex_t primary_mu = PTHREAD_MUTEX_INITIALIZER;
static char primary_host[256];
static int primary_port;
/* Bumped when the primary moved: every connection made before is dropped
 * at its next use and made again through the Sentinels. */
static _Atomic unsigned primary_gen;
static _Atomic long long next_watch_us;   /* monotonic: the next watch_sentinels() */
static _Atomic unsigned watch_at;         /* the Sentinel it asks */

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

static int auth_with(redisContext *c, const char *password)
{
    if (!password[0])
        return 0;
    redisReply *r = redisCommand(c, "AUTH %s", password);
    int ok = r && r->type == REDIS_REPLY_STATUS;
    if (r)
        freeReplyObject(r);
    return ok ? 0 : -1;
}

int kv_auth(redisContext *c)
{
    return auth_with(c, g_config.redis_password);
}

/* A connected, authenticated context with the I/O timeout set, or NULL. */
static redisContext *dial(const char *host, int port, const char *sock, struct timeval tv,
                          const char *password)
{
    redisContext *c = sock && sock[0] ? redisConnectUnixWithTimeout(sock, tv)
                                      : redisConnectWithTimeout(host, port, tv);
    if (!c || c->err) {
        if (c)
            redisFree(c);
        return NULL;
    }
    int ms = g_config.redis_timeout_ms > 0 ? g_config.redis_timeout_ms : 500;
    struct timeval io = { ms / 1000, (ms % 1000) * 1000 };
    if (redisSetTimeout(c, io) != REDIS_OK || auth_with(c, password) < 0) {
        redisFree(c);
        return NULL;
    }
    return c;
}

/* The data set's replication id when c reaches a primary (a node that takes
 * writes); -1 for a replica or a failed read. A Sentinel's answer may be a
 * moment old, so whatever it names is asked before it is used. */
static int primary_replid(redisContext *c, char replid[48])
{
    redisReply *r = redisCommand(c, "INFO replication");
    int rc = -1;
    if (r && r->type == REDIS_REPLY_STRING && strstr(r->str, "role:master\r\n")) {
        const char *id = strstr(r->str, "master_replid:");
        size_t n = id ? strcspn(id + 14, "\r\n") : 0;
        if (n > 0 && n < 48) {
            memcpy(replid, id + 14, n);
            replid[n] = '\0';
            rc = 0;
        }
    }
    if (r)
        freeReplyObject(r);
    return rc;
}

/* Ask one Sentinel where the primary is. Returns 0 with host and *port. */
static int sentinel_ask(const char *shost, int sport, char *host, size_t cap, int *port)
{
    struct timeval tv = { 0, 300 * 1000 };
    redisContext *s = dial(shost, sport, NULL, tv, g_config.redis_sentinel_password);
    if (!s)
        return -1;
    redisReply *r = redisCommand(s, "SENTINEL get-master-addr-by-name %s", g_config.redis_master_name);
    int rc = -1;
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
        r->element[0]->type == REDIS_REPLY_STRING && r->element[1]->type == REDIS_REPLY_STRING &&
        r->element[0]->len < cap) {
        int p = atoi(r->element[1]->str);
        if (p > 0 && p < 65536) {
            memcpy(host, r->element[0]->str, r->element[0]->len + 1);
            *port = p;
            rc = 0;
        }
    }
    if (r)
        freeReplyObject(r);
    redisFree(s);
    return rc;
}

static void note_primary(const char *host, int port, const char *how)
{
    pthread_mutex_lock(&primary_mu);
    int moved = port != primary_port || strcmp(host, primary_host) != 0;
    char was[300];
    snprintf(was, sizeof was, "%s:%d", primary_host, primary_port);
    int first = primary_host[0] == '\0';
    if (moved) {
        snprintf(primary_host, sizeof primary_host, "%s", host);
        primary_port = port;
    }
    pthread_mutex_unlock(&primary_mu);
    if (moved && first) {
        log_info("redis: the primary is %s:%d (%s)", host, port, how);
    } else if (moved) {
        atomic_fetch_add(&primary_gen, 1);
        log_info("redis: the primary moved from %s to %s:%d (%s)", was, host, port, how);
    }
}

static unsigned sentinel_count(void)
{
    unsigned n = 0;
    char host[256];
    int port;
    while (hostport_nth(g_config.redis_sentinels, n, host, sizeof host, &port) != 1)
        n++;
    return n;
}

/* A failover that leaves the old primary up (an operator's SENTINEL
 * FAILOVER, a network split) breaks no connection until the Sentinels
 * demote it, and what a server writes there meanwhile is thrown away when
 * it becomes a replica. So once a second per process (whichever worker
 * comes first) one Sentinel is asked where the primary is; when it names
 * another than the one this process reached, every connection is made
 * again. One Sentinel per round, the next after a failure, so that a dead
 * one costs a request at most one connect timeout a second. */
static void watch_sentinels(void)
{
    long long now = mono_us(), due = atomic_load(&next_watch_us);
    if (now < due || !atomic_compare_exchange_strong(&next_watch_us, &due, now + 1000000))
        return;
    unsigned n = sentinel_count(), i = n ? atomic_load(&watch_at) % n : 0;
    char shost[256], phost[256];
    int sport, pport;
    if (!n || hostport_nth(g_config.redis_sentinels, i, shost, sizeof shost, &sport) != 0 ||
        sentinel_ask(shost, sport, phost, sizeof phost, &pport) < 0) {
        atomic_store(&watch_at, i + 1);
        return;
    }
    pthread_mutex_lock(&primary_mu);
    int moved = primary_host[0] && (pport != primary_port || strcmp(phost, primary_host) != 0);
    pthread_mutex_unlock(&primary_mu);
    if (moved)
        atomic_fetch_add(&primary_gen, 1);
}

/* Through the Sentinels, each asked in turn from the one that answered last;
 * when none answers, the primary last known (if it still is one). */
static redisContext *via_sentinels(kv_t *kv, struct timeval tv, char replid[48])
{
    const char *list = g_config.redis_sentinels;
    unsigned n = sentinel_count();
    char host[256];
    int port;
    for (unsigned k = 0; k < n; k++) {
        unsigned i = (kv->sentinel + k) % n;
        char shost[256], phost[256];
        int sport, pport;
        if (hostport_nth(list, i, shost, sizeof shost, &sport) != 0 ||
            sentinel_ask(shost, sport, phost, sizeof phost, &pport) < 0)
            continue;
        redisContext *c = dial(phost, pport, NULL, tv, g_config.redis_password);
        if (c && primary_replid(c, replid) == 0) {
            kv->sentinel = i;
            note_primary(phost, pport, "from Sentinel");
            return c;
        }
        if (c)
            redisFree(c);
    }
    pthread_mutex_lock(&primary_mu);
    snprintf(host, sizeof host, "%s", primary_host);
    port = primary_port;
    pthread_mutex_unlock(&primary_mu);
    if (!host[0])
        return NULL;
    redisContext *c = dial(host, port, NULL, tv, g_config.redis_password);
    if (c && primary_replid(c, replid) == 0)
        return c;
    if (c)
        redisFree(c);
    return NULL;
}

/* Connect to the primary: the configured address, or the Sentinels'. */
static redisContext *connect_primary(kv_t *kv, struct timeval tv, char replid[48])
{
    const config_t *cf = &g_config;
    if (cf->redis_sentinels[0])
        return via_sentinels(kv, tv, replid);
    redisContext *c = dial(cf->redis_host, cf->redis_port, cf->redis_socket, tv, cf->redis_password);
    if (c && primary_replid(c, replid) < 0)
        replid[0] = '\0';   /* an older or restricted Redis: no data set check */
    return c;
}

redisContext *kv_connect(struct timeval connect_timeout)
{
    kv_t tmp = { 0 };
    char replid[48];
    return connect_primary(&tmp, connect_timeout, replid);
}

/* Remember which data set this Redis holds (its replication id, in
 * KV_DATASET_KEY). A different id already there means the data set was
 * continued by another node — a replica promoted by a failover — or
 * reloaded: writes acknowledged shortly before may be missing, so raise
 * KV_LOST_WRITES_KEY for whoever keeps state here to rebuild it. The first
 * connection after the change sees it; the others find the new id. */
static const char DATASET_SCRIPT[] =
    "local old = redis.call('GET', KEYS[1])\n"
    "if old == ARGV[1] then return 0 end\n"
    "redis.call('SET', KEYS[1], ARGV[1])\n"
    "if not old then return 0 end\n"
    "redis.call('SET', KEYS[2], ARGV[1])\n"
    "return 1\n";

static void check_dataset(redisContext *c, const char *replid)
{
    if (!replid[0])
        return;
    redisReply *r = redisCommand(c, "EVAL %s 2 %s %s %s", DATASET_SCRIPT, KV_DATASET_KEY,
                                 KV_LOST_WRITES_KEY, replid);
    if (r && r->type == REDIS_REPLY_INTEGER && r->integer == 1)
        log_warn("redis: the data set changed (a failover or a reload): recent writes may be missing");
    if (r)
        freeReplyObject(r);
}

redisContext *kv_ctx(kv_t *kv)
{
    if (g_config.redis_sentinels[0]) {
        if (kv->c)
            watch_sentinels();
        /* The primary moved since this connection was made, or since the
         * try that failed: drop the connection, and reach the new primary
         * now rather than when the pause after the failure ends (a worker
         * that failed just before a failover would refuse requests for up
         * to a second while the others already use the new primary). */
        if (kv->gen != atomic_load(&primary_gen)) {
            if (kv->c)
                redisFree(kv->c);
            kv->c = NULL;
            kv->next_try_us = 0;
        }
    }
    if (kv->c)
        return kv->c;
    if (mono_us() < kv->next_try_us)
        return NULL;
    struct timeval tv = { 0, 300 * 1000 };
    char replid[48];
    unsigned gen = atomic_load(&primary_gen);
    redisContext *c = connect_primary(kv, tv, replid);
    if (!c) {
        kv->up = 0;
        kv->next_try_us = mono_us() + 1000000;
        kv->gen = gen;   /* a move after this is worth a try at once */
        atomic_fetch_add(&kv_errors_total, 1);
        return NULL;
    }
    check_dataset(c, replid);
    kv->gen = atomic_load(&primary_gen);
    kv->c = c;
    kv->up = 1;
    return c;
}

static void free_reply(void *p) { freeReplyObject(p); }

/* A node that refuses writes as a replica is no longer the primary (a
 * failover moved it, or Sentinel made the old primary a replica when it
 * came back): the command was not run, so it can be sent again to the
 * primary the Sentinels name now. */
static int not_primary(const redisReply *r)
{
    return r->type == REDIS_REPLY_ERROR && r->str && strstr(r->str, "READONLY ") != NULL;
}

/* Returns r for the caller, or NULL when the connection is to be dropped
 * (an I/O error or timeout leaves its state unknown; a replica's refusal). */
static redisReply *finish(kv_t *kv, arena_t *a, redisReply *r)
{
    if (r && not_primary(r)) {
        log_info("redis: the node answered READONLY (a replica now): asking for the primary again");
        freeReplyObject(r);
        r = NULL;
    }
    if (!r) {
        kv_broken(kv);
        return NULL;
    }
    if (a)
        arena_cleanup_add(a, free_reply, r);
    return r;
}

/* A connection that was fine when last used may be dead now (Redis
 * restarted while this worker was idle, or the primary failed over): its
 * first command fails at once. Reconnect (through the Sentinels, if any)
 * and send that command once more, so a restart costs no request an error.
 * A restarted Redis has none of the old state and a replica ran nothing,
 * so the repeat cannot apply anything twice; only a connection that dies
 * between executing and answering could, and every write the project sends
 * to Redis is idempotent or a cache. */
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
        redisReply *r = finish(kv, a, redisvCommand(c, fmt, ap));
        va_end(ap);
        if (r)
            return r;
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
        redisReply *r = finish(kv, a, redisCommandArgv(c, argc, argv, lens));
        if (r)
            return r;
        if (attempt || !retry_after_drop(kv, was_up))
            return NULL;
    }
    return NULL;
}

/* Send every command, then read every reply: one round trip. Each reply
 * read goes through finish(): the arena's from then on, a READONLY or a
 * broken connection ends the try (the connection is dropped). */
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
        if (redisGetReply(c, &rv) != REDIS_OK)
            rv = NULL;
        out[i] = finish(kv, a, rv);
        if (!out[i])
            return -1;
    }
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
        for (int i = 0; i < n; i++)
            out[i] = NULL;         /* the ones read stay the arena's to free */
        if (attempt || !retry_after_drop(kv, was_up))
            return -1;
    }
    return -1;
}

int kv_up(kv_t *kv) { return kv->up; }

/* ---- batches (kv.h) ---- */

int kv_batch_add(kv_batch_t *b, int argc, const char **argv)
{
    if (b->n >= KV_BATCH_MAX)
        return -1;
    b->argc[b->n] = argc;
    b->argv[b->n] = argv;
    b->rep[b->n] = NULL;
    return b->n++;
}

int kv_batch_run(kv_t *kv, arena_t *a, kv_batch_t *b)
{
    if (!b->n)
        return kv_ctx(kv) ? 0 : -1;
    return kv_pipeline(kv, a, b->n, b->argc, (const char *const *const *)b->argv, b->rep);
}
