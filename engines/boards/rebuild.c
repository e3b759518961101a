/* rebuild.c: build a contest's boards from MariaDB into a new
 * version of keys and swap it in atomically.
 *
 *  1. Take the building lock {c}:building = "W token" (SET NX, with a TTL
 *     refreshed while working; one builder at a time across all servers).
 *     From now on every apply is also journaled into {c}:vW:jn.
 *  2. Read people, units and regions from MariaDB (lb_model_load). Anything
 *     applied before step 1 was committed before it, so the reads see it;
 *     anything applied after is in the journal.
 *  3. Write the boards under {c}:vW: with pipelined bulk ZADD/HSET: the
 *     people boards and the name cache while the people are read
 *     (people_stream.c), the unit and region boards after.
 *  4. Replay the journal onto W in chunks, then one "swap" script replays
 *     the rest, points {c}:ver at W and drops the lock, atomically: readers
 *     see the old boards or the new ones, never a half board, and no entry
 *     falls between the replay and the swap.
 *  5. Delete the keys of older versions (SCAN + UNLINK).
 * Entries still pending in the outbox at the swap reach W through the drain. */
#include "engines/boards/boards.h"
#include "engines/boards/internal.h"
#include "engines/quiz/contest.h"
#include "server/clock.h"
#include "server/config.h"
#include "server/log.h"
#include "server/request.h"
#include "server/router.h"
#include "rules/score.h"
#include "lib/crypto.h"

#include <stdio.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOCK_TTL_MS 60000
#define CHUNK 2000           /* members or fields per ZADD/HSET */
#define WINDOW 256           /* bulk commands in flight on the writer's connection */
#define REPLAY_CHUNK 2000    /* journal entries per replay call before the swap */

typedef struct {
    lb_sink_t base;
    kv_t *kv;            /* lock, progress, scripts */
    redisContext *c;     /* the bulk writes: its own non-blocking connection */
    lb_people_stream_t *people;   /* the people boards' buffers while reading */
    char **started;      /* the boards written, each with a placeholder (w_zset) */
    size_t nstarted, capstarted;
    int pending, failed;
    long long contest_id, version;
    const char *token;
    int64_t next_keep_us;
    lb_progress_fn progress;
    void *ud;
    int64_t next_report_us;
} writer_t;

long long lb_live_version(kv_t *kv, arena_t *a, long long contest_id)
{
    char tag[32];
    lb_tag(contest_id, tag);
    redisReply *rep = kv_cmd(kv, a, "GET %s:ver", tag);
    if (!rep || rep->type == REDIS_REPLY_ERROR)
        return -1;
    return rep->type == REDIS_REPLY_STRING ? atoll(rep->str) : 0;
}

int lb_break_lock(kv_t *kv, long long contest_id)
{
    arena_t a;
    arena_init(&a);
    const char *args[1] = { "unlock" };
    redisReply *rep = lb_eval(kv, &a, LB_SCRIPT_APPLY, contest_id, 1, args);
    int rc = rep && rep->type == REDIS_REPLY_ARRAY && rep->elements == 2 &&
             rep->element[0]->type == REDIS_REPLY_INTEGER ? (int)rep->element[0]->integer : -1;
    arena_free(&a);
    return rc;
}

/* Builder's calls to the apply script ("keep", "replay", "swap", "release"). */
static redisReply *builder_call(writer_t *w, arena_t *a, const char *mode, long long arg)
{
    const char *args[4] = { mode, arena_sprintf(a, "%lld", w->version), w->token,
                            arena_sprintf(a, "%lld", arg) };
    return lb_eval(w->kv, a, LB_SCRIPT_APPLY, w->contest_id, 4, args);
}

static int keep_lock(writer_t *w)
{
    arena_t a;
    arena_init(&a);
    redisReply *rep = builder_call(w, &a, "keep", LOCK_TTL_MS);
    int ok = rep && rep->type == REDIS_REPLY_ARRAY;
    if (!ok)
        log_warn("boards: contest %lld lost its building lock", w->contest_id);
    arena_free(&a);
    return ok ? 0 : -1;
}

static void set_progress(writer_t *w, const char *state, size_t done, size_t total)
{
    char tag[32];
    lb_tag(w->contest_id, tag);
    arena_t a;
    arena_init(&a);
    /* (hiredis formats know no %zu) */
    kv_cmd(w->kv, &a, "HSET %s:progress state %s done %lld total %lld version %lld", tag, state,
           (long long)done, (long long)total, w->version);
    arena_free(&a);
}

/* A connection of the writer's own, non-blocking, so that formatting the
 * next commands overlaps with Redis executing the previous ones (with a
 * blocking pipeline one of the two always waits). */
static redisContext *bulk_connect(void)
{
    struct timeval tv = { 2, 0 };
    redisContext *c = kv_connect(tv);   /* the primary, also after a failover */
    if (!c)
        return NULL;
    int fl = fcntl(c->fd, F_GETFL);
    if (fl < 0 || fcntl(c->fd, F_SETFL, fl | O_NONBLOCK) < 0) {
        redisFree(c);
        return NULL;
    }
    c->flags &= ~REDIS_BLOCK;
    return c;
}

/* Write what the socket takes, read the replies that arrived, and wait
 * until at most `target` commands are in flight. */
static int w_pump(writer_t *w, int target)
{
    while (!w->failed) {
        int done = 0;
        if (redisBufferWrite(w->c, &done) != REDIS_OK || redisBufferRead(w->c) != REDIS_OK)
            goto broken;
        for (;;) {
            void *rv = NULL;
            if (redisGetReplyFromReader(w->c, &rv) != REDIS_OK)
                goto broken;
            if (!rv)
                break;
            redisReply *rep = rv;
            if (rep->type == REDIS_REPLY_ERROR) {
                log_error("boards: rebuild write failed: %s", rep->str);
                w->failed = 1;
            }
            freeReplyObject(rep);
            w->pending--;
        }
        if (w->pending <= target)
            return w->failed ? -1 : 0;
        struct pollfd pf = { .fd = w->c->fd, .events = (short)(POLLIN | (done ? 0 : POLLOUT)) };
        if (poll(&pf, 1, g_config.redis_timeout_ms > 30000 ? g_config.redis_timeout_ms : 30000) <= 0)
            goto broken;
    }
    return -1;
broken:
    log_error("boards: rebuild connection to Redis failed: %s", w->c->err ? w->c->errstr : "timeout");
    w->failed = 1;
    return -1;
}

static int w_flush(writer_t *w)
{
    return w->c ? w_pump(w, 0) : -1;
}

static int w_send(writer_t *w, int argc, const char **argv)
{
    if (w->failed || !w->c)
        return -1;
    if (redisAppendCommandArgv(w->c, argc, argv, NULL) != REDIS_OK) {
        w->failed = 1;
        return -1;
    }
    w->pending++;
    if (w_pump(w, WINDOW) < 0)
        return -1;
    if (mono_us() >= w->next_keep_us) {
        /* the lock lives on the other connection: no need to drain first */
        w->next_keep_us = mono_us() + 2000000;
        if (keep_lock(w) < 0) {
            w->failed = 1;
            return -1;
        }
    }
    return 0;
}

/* A board score as Redis is sent it: every key is an integer below 2^53
 * (rules/board_keys.h, rules/rank_key.h), written here by hand, as
 * snprintf("%.0f") would, at a fraction of its cost (millions of them). */
static void score_text(double v, char out[24])
{
    long long x = (long long)v;
    char tmp[24];
    int n = 0, neg = x < 0;
    unsigned long long u = neg ? 0ull - (unsigned long long)x : (unsigned long long)x;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    int k = 0;
    if (neg)
        out[k++] = '-';
    while (n)
        out[k++] = tmp[--n];
    out[k] = 0;
}

/* A new sorted set starts as a listpack in Redis 7.0 (whatever the size
 * of the ZADD that creates it), where each of its first 128 members costs
 * a scan of the others: a third of Redis's time in a rebuild of a million
 * people, with thousands of boards. A first member longer than
 * zset-max-listpack-value (64 bytes by default) makes Redis create a skip
 * list at once; w_unplace removes it from every board before the journal
 * is replayed and long before the swap, so no one ever reads it. */
static const char placeholder[] =
    "~ rebuild placeholder: longer than zset-max-listpack-value, so that the board starts as a skip list, "
    "removed before the swap ~";

static int w_started(writer_t *w, const char *key)
{
    if (w->nstarted == w->capstarted) {
        w->capstarted = w->capstarted * 2 + 256;
        char **k = realloc(w->started, sizeof *k * w->capstarted);
        if (!k)
            return -1;
        w->started = k;
    }
    if (!(w->started[w->nstarted] = strdup(key)))
        return -1;
    w->nstarted++;
    return 0;
}

static int w_zset(lb_sink_t *s, const char *key, int first, size_t n, const char *const *members,
                  const double *scores)
{
    writer_t *w = (writer_t *)s;
    const char *argv[4 + 2 * CHUNK];
    char num[CHUNK + 1][24];
    for (size_t i = 0; i < n; i += CHUNK) {
        size_t k = n - i < CHUNK ? n - i : CHUNK;
        int argc = 2;
        argv[0] = "ZADD";
        argv[1] = key;
        if (first && i == 0) {
            if (w_started(w, key) < 0)
                return -1;
            score_text(scores[0], num[CHUNK]);
            argv[argc++] = num[CHUNK];
            argv[argc++] = placeholder;
        }
        for (size_t j = 0; j < k; j++) {
            score_text(scores[i + j], num[j]);
            argv[argc++] = num[j];
            argv[argc++] = members[i + j];
        }
        if (w_send(w, argc, argv) < 0)
            return -1;
    }
    return 0;
}

/* Every board written: take the placeholders out again. */
static int w_unplace(writer_t *w)
{
    for (size_t i = 0; i < w->nstarted; i++) {
        const char *argv[3] = { "ZREM", w->started[i], placeholder };
        if (w_send(w, 3, argv) < 0)
            return -1;
    }
    return w_flush(w);
}

static int w_hash(lb_sink_t *s, const char *key, size_t n, const char *const *fields, const char *const *values)
{
    writer_t *w = (writer_t *)s;
    const char *argv[2 + 2 * CHUNK];
    for (size_t i = 0; i < n; i += CHUNK) {
        size_t k = n - i < CHUNK ? n - i : CHUNK;
        argv[0] = "HSET";
        argv[1] = key;
        for (size_t j = 0; j < k; j++) {
            argv[2 + 2 * j] = fields[i + j];
            argv[3 + 2 * j] = values[i + j];
        }
        if (w_send(w, (int)(2 + 2 * k), argv) < 0)
            return -1;
    }
    return 0;
}

static void w_progress(void *ud, const char *phase, size_t done, size_t total)
{
    writer_t *w = ud;
    if (w->progress)
        w->progress(w->ud, phase, done, total);
    int64_t now = mono_us();
    if (now < w->next_report_us && done < total)
        return;
    w->next_report_us = now + 250000;
    set_progress(w, phase, done, total);
    if (now >= w->next_keep_us) {
        w->next_keep_us = now + 2000000;
        if (keep_lock(w) < 0)
            w->failed = 1;
    }
}

/* Asked for by an organizer, a question import or a rescore; done by the
 * background drain (apply.c), which calls lb_rebuild below. Here rather
 * than in apply.c, so that apply.c calls rebuild.c and never back. */
int lb_request_rebuild(kv_t *kv, long long contest_id)
{
    char tag[32];
    lb_tag(contest_id, tag);
    arena_t a;
    arena_init(&a);
    redisReply *rep = kv_cmd(kv, &a, "SET %s:want 1", tag);
    int rc = rep && rep->type == REDIS_REPLY_STATUS ? 0 : -1;
    /* what changed in MariaDB shows in this process's pages at once (the
     * boards themselves follow with the rebuild) */
    lb_cache_drop(contest_id, "");
    arena_free(&a);
    return rc;
}

/* Delete the keys of every version below `below` except `live`. */
static void delete_old_versions(kv_t *kv, long long contest_id, long long below, long long live)
{
    char tag[32], pat[48];
    lb_tag(contest_id, tag);
    snprintf(pat, sizeof pat, "%s:v*", tag);
    size_t taglen = strlen(tag);
    char cursor[32] = "0";
    do {
        arena_t a;
        arena_init(&a);
        redisReply *rep = kv_cmd(kv, &a, "SCAN %s MATCH %s COUNT 1000", cursor, pat);
        if (!rep || rep->type != REDIS_REPLY_ARRAY || rep->elements != 2) {
            arena_free(&a);
            return;
        }
        snprintf(cursor, sizeof cursor, "%s", rep->element[0]->str);
        redisReply *keys = rep->element[1];
        const char **argv = arena_alloc(&a, sizeof(char *) * (keys->elements + 1));
        int argc = 0;
        argv[argc++] = "UNLINK";
        for (size_t i = 0; i < keys->elements; i++) {
            const char *k = keys->element[i]->str;
            const char *d = k + taglen + 2;   /* after "{cN}:v"; "{cN}:ver" is no version */
            if (*d < '0' || *d > '9')
                continue;
            long long v = atoll(d);
            if (v < below && v != live)
                argv[argc++] = k;
        }
        if (argc > 1)
            kv_cmdargv(kv, &a, argc, argv, NULL);
        arena_free(&a);
    } while (strcmp(cursor, "0") != 0);
}

/* Take the building lock for a new version w->version. Returns 0 when
 * taken, 1 when another process holds it (after waiting, if o->wait, up
 * to ten minutes), -1 when Redis failed. */
static int take_lock(writer_t *w, arena_t *a, const char *tag, const lb_rebuild_opts_t *o)
{
    int64_t give_up = mono_us() + 600 * 1000000LL;
    for (;;) {
        redisReply *rep = kv_cmd(w->kv, a, "INCR %s:seq", tag);
        if (!rep || rep->type != REDIS_REPLY_INTEGER)
            return -1;
        w->version = rep->integer;
        rep = kv_cmd(w->kv, a, "SET %s:building %s NX PX %d", tag,
                     arena_sprintf(a, "%lld %s", w->version, w->token), LOCK_TTL_MS);
        if (!rep)
            return -1;
        if (rep->type == REDIS_REPLY_STATUS)
            break;
        if (!(o && o->wait) || mono_us() > give_up)
            return 1;
        usleep(200 * 1000);
        arena_reset(a);
    }
    w->next_keep_us = mono_us() + 2000000;
    return 0;
}

/* if_needed: with the lock ours, are the boards still missing or asked for
 * (another server may just have rebuilt them)? */
static int still_needed(writer_t *w, arena_t *a, const char *tag)
{
    redisReply *rep = kv_cmd(w->kv, a, "MGET %s:ver %s:want", tag, tag);
    return !(rep && rep->type == REDIS_REPLY_ARRAY && rep->elements == 2 &&
             rep->element[0]->type == REDIS_REPLY_STRING && rep->element[1]->type != REDIS_REPLY_STRING);
}

/* What one rebuild measured, for its progress hash. */
typedef struct {
    int64_t t0, t_load, t_write, t_replay;   /* start; read; rest of the writes; replay */
    size_t people, units;
} rebuild_times_t;

static int person_to_boards(void *ud, const lb_model_t *m, const lb_person_t *p)
{
    writer_t *w = ud;
    return w->failed ? -1 : lb_people_add(w->people, m, p);
}

/* Steps 2 and 3: read the model from MariaDB and write it under version
 * w->version. The people boards and the name cache are written while the
 * people are read (lb_people_add: Redis works while MariaDB sends); the
 * unit and region boards, which need everyone's totals, after. Returns 0,
 * -1 when a store failed, -2 for no such contest. */
static int load_and_write(writer_t *w, db_t *db, const char *tag, rebuild_times_t *t)
{
    char prefix[64];
    snprintf(prefix, sizeof prefix, "%s:v%lld:", tag, w->version);
    w->c = bulk_connect();
    if (!w->c) {
        log_warn("boards: contest %lld: Redis went away", w->contest_id);
        return -1;
    }
    w->people = lb_people_stream_new(prefix, &w->base);
    lb_model_t m;
    t->t_load = mono_us();
    int rc = lb_model_load(db, w->contest_id, &m, w_progress, w, person_to_boards, w);
    t->t_write = mono_us();
    if (rc < 0 || w->failed) {
        log_warn("boards: contest %lld: reading MariaDB %s", w->contest_id,
                 w->failed ? "stopped: writing Redis failed" : "failed");
        if (rc == 0)
            lb_model_free(&m);
        return rc == -2 ? -2 : -1;
    }
    rc = lb_people_flush(w->people);
    if (rc >= 0)
        rc = lb_model_emit(&m, prefix, &w->base, w_progress, w);
    if (rc >= 0)
        rc = w_unplace(w);
    t->people = m.np;
    t->units = 0;
    for (size_t i = 0; i < m.nu; i++)
        t->units += m.u[i].parts > 0;
    lb_model_free(&m);
    if (rc < 0 || w->failed) {
        log_warn("boards: contest %lld: writing version %lld failed", w->contest_id, w->version);
        return -1;
    }
    return 0;
}

/* The writer's connection and buffers, after success or failure. */
static void writer_close(writer_t *w)
{
    if (w->c)
        redisFree(w->c);
    w->c = NULL;
    lb_people_stream_free(w->people);
    w->people = NULL;
    for (size_t i = 0; i < w->nstarted; i++)
        free(w->started[i]);
    free(w->started);
    w->started = NULL;
    w->nstarted = w->capstarted = 0;
}

/* Step 4: replay what was applied meanwhile in chunks, then swap in one
 * script. Returns 0 or -1. */
static int replay_and_swap(writer_t *w, arena_t *a)
{
    set_progress(w, "replaying", 0, 0);
    for (;;) {
        arena_reset(a);
        redisReply *rep = builder_call(w, a, "replay", REPLAY_CHUNK);
        if (!rep || rep->type != REDIS_REPLY_ARRAY || rep->elements != 2) {
            log_warn("boards: contest %lld: replay failed: %s", w->contest_id,
                     rep && rep->type == REDIS_REPLY_ERROR ? rep->str : "Redis unreachable");
            return -1;
        }
        if (rep->element[1]->integer <= REPLAY_CHUNK)
            break;
    }
    arena_reset(a);
    redisReply *rep = builder_call(w, a, "swap", 0);
    if (!rep || rep->type != REDIS_REPLY_ARRAY) {
        log_warn("boards: contest %lld: swap failed: %s", w->contest_id,
                 rep && rep->type == REDIS_REPLY_ERROR ? rep->str : "Redis unreachable");
        return -1;
    }
    return 0;
}

static void progress_done(writer_t *w, arena_t *a, const char *tag, const rebuild_times_t *t)
{
    char finished[32];
    iso8601_format_shanghai(clock_now_s(), finished);
    int64_t t_end = mono_us();
    kv_cmd(w->kv, a, "HSET %s:progress state done finished_at %s duration_ms %lld people %lld units %lld"
                     " done %lld total %lld read_ms %lld write_ms %lld replay_ms %lld", tag, finished,
           (long long)(t_end - t->t0) / 1000, (long long)t->people, (long long)t->units,
           (long long)t->people, (long long)t->people, (long long)(t->t_write - t->t_load) / 1000,
           (long long)(t->t_replay - t->t_write) / 1000, (long long)(t_end - t->t_replay) / 1000);
}

int lb_rebuild(db_t *db, kv_t *kv, long long contest_id, const lb_rebuild_opts_t *o)
{
    char tag[32], token[CRYPTO_TOKEN_SIZE];
    lb_tag(contest_id, tag);
    if (crypto_random_token(token, sizeof token) < 0)
        return -1;
    writer_t w = { .base = { w_zset, w_hash }, .kv = kv, .contest_id = contest_id, .token = token,
                   .progress = o ? o->progress : NULL, .ud = o ? o->ud : NULL };
    rebuild_times_t t = { .t0 = mono_us() };
    arena_t a;
    arena_init(&a);
    int rc = take_lock(&w, &a, tag, o);
    if (rc != 0)
        goto out_nolock;
    if (o && o->if_needed && !still_needed(&w, &a, tag)) {
        builder_call(&w, &a, "release", 0);
        rc = 2;
        goto out_nolock;
    }
    rc = -1;
    kv_cmd(kv, &a, "DEL %s:want", tag);
    char started[32];
    iso8601_format_shanghai(clock_now_s(), started);
    kv_cmd(kv, &a, "DEL %s:progress", tag);
    kv_cmd(kv, &a, "HSET %s:progress state loading started_at %s version %lld", tag, started, w.version);
    long long live = lb_live_version(kv, &a, contest_id);
    if (live < 0)
        goto out;
    delete_old_versions(kv, contest_id, w.version, live);
    rc = load_and_write(&w, db, tag, &t);
    writer_close(&w);
    if (rc < 0)
        goto out;
    t.t_replay = mono_us();
    if ((rc = replay_and_swap(&w, &a)) < 0)
        goto out;
    lb_cache_drop(contest_id, "");
    delete_old_versions(kv, contest_id, w.version, w.version);
    progress_done(&w, &a, tag, &t);
    arena_free(&a);
    return 0;
out:
    /* Give the lock back (the next rebuild deletes what was written). */
    arena_reset(&a);
    builder_call(&w, &a, "release", 0);
    kv_cmd(kv, &a, "HSET %s:progress state failed", tag);
    /* try again soon: an organizer's request must not be lost to a hiccup */
    if (rc == -1)
        kv_cmd(kv, &a, "SET %s:want 1", tag);
out_nolock:
    arena_free(&a);
    return rc;
}

/* ---- quizd rebuild-boards [CONTEST_ID] ---- */

static void print_progress(void *ud, const char *phase, size_t done, size_t total)
{
    long long *cid = ud;
    static int64_t next;
    int64_t now = mono_us();
    if (now < next && done < total)
        return;
    next = now + 500000;
    printf("contest %lld: %s %zu/%zu\n", *cid, phase, done, total);
    fflush(stdout);
}

/* Contest ids from argv[1], or every contest. Returns the count, -1 on error. */
static int contest_ids(db_t *db, arena_t *a, int argc, char **argv, long long **ids)
{
    if (argc > 1) {
        char *end;
        long long id = strtoll(argv[1], &end, 10);
        if (*end || id <= 0) {
            fprintf(stderr, "%s: CONTEST_ID must be a positive integer\n", argv[0]);
            return -1;
        }
        *ids = arena_alloc(a, sizeof(long long));
        (*ids)[0] = id;
        return 1;
    }
    db_res_t *res = db_query(db, a, "SELECT id FROM contests ORDER BY id", "");
    if (!res) {
        fprintf(stderr, "%s: MariaDB is unreachable\n", argv[0]);
        return -1;
    }
    *ids = arena_alloc(a, sizeof(long long) * (res->nrows + 1));
    for (size_t i = 0; i < res->nrows; i++)
        (*ids)[i] = db_int(res, i, 0);
    return (int)res->nrows;
}

int cmd_rebuild_boards(int argc, char **argv)
{
    db_t *db = db_new();
    kv_t *kv = kv_new();
    arena_t a;
    arena_init(&a);
    long long *ids;
    int n = contest_ids(db, &a, argc, argv, &ids), status = n < 0 ? 2 : 0;
    for (int i = 0; i < n; i++) {
        long long cid = ids[i];
        int64_t t0 = mono_us();
        lb_rebuild_opts_t o = { .progress = print_progress, .ud = &cid, .wait = 1 };
        int rc = lb_rebuild(db, kv, cid, &o);
        if (rc == 0) {
            redisReply *rep = kv_cmd(kv, &a, "HMGET {c%lld}:progress version people units read_ms"
                                             " write_ms replay_ms", cid);
            int ok = rep && rep->type == REDIS_REPLY_ARRAY && rep->elements == 6;
#define F(i) (ok && rep->element[i]->str ? rep->element[i]->str : "?")
            printf("contest %lld: rebuilt in %.2f s (MariaDB and the people boards %s ms, the other boards %s ms,"
                   " replay and swap %s ms):"
                   " version %s, %s people, %s units\n", cid, (double)(mono_us() - t0) / 1e6,
                   F(3), F(4), F(5), F(0), F(1), F(2));
#undef F
        } else {
            fprintf(stderr, "contest %lld: rebuild failed (%s)\n", cid,
                    rc == -2 ? "no such contest" : rc == 1 ? "another rebuild is running"
                                                          : "Redis or MariaDB is unreachable");
            status = 1;
        }
        fflush(stdout);
    }
    arena_free(&a);
    kv_free(kv);
    db_free(db);
    return status;
}

/* ---- the last rebuild's progress (GET /api/v1/admin/boards/rebuild) ---- */

const char *const lb_progress_fields[LB_PROGRESS_NFIELDS] = {
    "state", "done", "total", "version", "started_at", "finished_at", "duration_ms", "people", "units"
};

status_t lb_rebuild_progress(kv_t *kv, arena_t *a, long long contest_id,
                             const char *vals[LB_PROGRESS_NFIELDS], int *queued)
{
    char tag[32];
    lb_tag(contest_id, tag);
    const char *argv[2 + LB_PROGRESS_NFIELDS] = { "HMGET", arena_sprintf(a, "%s:progress", tag) };
    for (int i = 0; i < LB_PROGRESS_NFIELDS; i++)
        argv[2 + i] = lb_progress_fields[i];
    redisReply *rep = kv_cmdargv(kv, a, 2 + LB_PROGRESS_NFIELDS, argv, NULL);
    redisReply *want = kv_cmd(kv, a, "EXISTS %s:want", tag);
    if (!rep || rep->type != REDIS_REPLY_ARRAY || rep->elements != LB_PROGRESS_NFIELDS || !want)
        return ST_STORE;
    for (int i = 0; i < LB_PROGRESS_NFIELDS; i++)
        vals[i] = rep->element[i]->type == REDIS_REPLY_STRING ? rep->element[i]->str : NULL;
    *queued = want->type == REDIS_REPLY_INTEGER && want->integer;
    return ST_OK;
}
