/* check.c: `quizd check-boards [CONTEST_ID]` compares every board in
 * Redis with what MariaDB says (the same model the rebuild writes), lists
 * the differences and exits 1 when there are any, 0 when none.
 *
 * It first waits (up to 30 s) for the contest's pending outbox rows to be
 * drained by the running servers: an entry on its way is not a difference. */
#include "engines/boards/boards.h"
#include "engines/boards/internal.h"
#include "server/clock.h"
#include "server/config.h"
#include "server/log.h"
#include "server/request.h"
#include "server/router.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SHOW_MAX 50

typedef struct {
    lb_sink_t base;
    kv_t *kv;
    long long ndiff;
    int failed;
    char **keys;       /* every key the model has, for the unexpected-key scan */
    size_t nkeys, cap;
} checker_t;

typedef struct {
    const char *k, *v;   /* member and score (as text), or field and value */
} pair_t;

static int pair_cmp(const void *x, const void *y)
{
    return strcmp(((const pair_t *)x)->k, ((const pair_t *)y)->k);
}

static void diff(checker_t *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void diff(checker_t *c, const char *fmt, ...)
{
    if (c->ndiff++ >= SHOW_MAX)
        return;
    va_list ap;
    va_start(ap, fmt);
    fputs("DIFF ", stdout);
    vprintf(fmt, ap);
    fputc('\n', stdout);
    va_end(ap);
}

static void remember(checker_t *c, const char *key)
{
    if (c->nkeys == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 1024;
        c->keys = realloc(c->keys, sizeof(char *) * c->cap);
        if (!c->keys)
            abort();
    }
    c->keys[c->nkeys++] = strdup(key);
}

/* Compare sorted expected pairs with what Redis returned as a flat array. */
static void compare(checker_t *c, const char *key, pair_t *want, size_t n, const redisReply *got,
                    const char *what)
{
    size_t m = got->elements / 2;
    pair_t *have = malloc(sizeof *have * (m + 1));
    for (size_t i = 0; i < m; i++)
        have[i] = (pair_t){ got->element[2 * i]->str, got->element[2 * i + 1]->str };
    qsort(want, n, sizeof *want, pair_cmp);
    qsort(have, m, sizeof *have, pair_cmp);
    size_t i = 0, j = 0;
    while (i < n || j < m) {
        int d = i == n ? 1 : j == m ? -1 : strcmp(want[i].k, have[j].k);
        if (d < 0) {
            diff(c, "%s: %s %s missing (want %s)", key, what, want[i].k, want[i].v);
            i++;
        } else if (d > 0) {
            diff(c, "%s: %s %s should not be there (has %s)", key, what, have[j].k, have[j].v);
            j++;
        } else {
            if (strcmp(want[i].v, have[j].v) != 0)
                diff(c, "%s: %s %s is %s, want %s", key, what, want[i].k, have[j].v, want[i].v);
            i++;
            j++;
        }
    }
    free(have);
}

static int c_zset(lb_sink_t *s, const char *key, int first, size_t n, const char *const *members,
                  const double *scores)
{
    checker_t *c = (checker_t *)s;
    (void)first;   /* always 1: the check's model is never streamed */
    remember(c, key);
    redisReply *got = kv_cmd(c->kv, NULL, "ZRANGE %s 0 -1 WITHSCORES", key);
    if (!got || got->type != REDIS_REPLY_ARRAY) {
        if (got)
            freeReplyObject(got);
        c->failed = 1;
        return -1;
    }
    pair_t *want = malloc(sizeof *want * (n + 1));
    char (*num)[24] = malloc(sizeof *num * (n + 1));
    for (size_t i = 0; i < n; i++) {
        snprintf(num[i], sizeof num[i], "%.0f", scores[i]);
        want[i] = (pair_t){ members[i], num[i] };
    }
    compare(c, key, want, n, got, "member");
    free(want);
    free(num);
    freeReplyObject(got);
    return 0;
}

static int c_hash(lb_sink_t *s, const char *key, size_t n, const char *const *fields, const char *const *values)
{
    checker_t *c = (checker_t *)s;
    remember(c, key);
    redisReply *got = kv_cmd(c->kv, NULL, "HGETALL %s", key);
    if (!got || got->type != REDIS_REPLY_ARRAY) {
        if (got)
            freeReplyObject(got);
        c->failed = 1;
        return -1;
    }
    pair_t *want = malloc(sizeof *want * (n + 1));
    for (size_t i = 0; i < n; i++)
        want[i] = (pair_t){ fields[i], values[i] };
    compare(c, key, want, n, got, "field");
    free(want);
    freeReplyObject(got);
    return 0;
}

static int str_cmp(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Keys under the live version that the model does not have. */
static void unexpected_keys(checker_t *c, const char *prefix)
{
    qsort(c->keys, c->nkeys, sizeof(char *), str_cmp);
    char pat[80], cursor[32] = "0";
    snprintf(pat, sizeof pat, "%s*", prefix);
    size_t plen = strlen(prefix);
    do {
        redisReply *rep = kv_cmd(c->kv, NULL, "SCAN %s MATCH %s COUNT 1000", cursor, pat);
        if (!rep || rep->type != REDIS_REPLY_ARRAY || rep->elements != 2) {
            if (rep)
                freeReplyObject(rep);
            c->failed = 1;
            return;
        }
        snprintf(cursor, sizeof cursor, "%s", rep->element[0]->str);
        for (size_t i = 0; i < rep->element[1]->elements; i++) {
            const char *k = rep->element[1]->element[i]->str;
            /* the applied-attempts bitmap and the read script's cached
             * pages (<board>:pc) are bookkeeping, not boards */
            size_t klen = strlen(k);
            if (strcmp(k + plen, "ap") == 0 || (klen > 3 && strcmp(k + klen - 3, ":pc") == 0))
                continue;
            if (!bsearch(&k, c->keys, c->nkeys, sizeof(char *), str_cmp))
                diff(c, "%s: should not be there", k);
        }
        freeReplyObject(rep);
    } while (strcmp(cursor, "0") != 0);
}

static long long pending_rows(db_t *db, long long cid)
{
    arena_t a;
    arena_init(&a);
    db_res_t *res = db_query(db, &a, "SELECT COUNT(*) FROM board_outbox WHERE contest_id = ?"
                                     " AND applied_at IS NULL", "i", cid);
    long long n = res ? db_int(res, 0, 0) : -1;
    arena_free(&a);
    return n;
}

/* Returns the differences found, or -1 when it could not compare. */
static long long check_one(db_t *db, kv_t *kv, long long cid)
{
    long long pending = 0;
    for (int i = 0; i < 300 && (pending = pending_rows(db, cid)) > 0; i++)
        usleep(100 * 1000);
    if (pending < 0) {
        fprintf(stderr, "contest %lld: MariaDB is unreachable\n", cid);
        return -1;
    }
    if (pending > 0)
        printf("contest %lld: %lld outbox entries are still pending (is a server running?)\n", cid,
               pending);
    arena_t a;
    arena_init(&a);
    long long ver = lb_live_version(kv, &a, cid);
    arena_free(&a);
    if (ver < 0) {
        fprintf(stderr, "contest %lld: Redis is unreachable\n", cid);
        return -1;
    }
    if (ver == 0) {
        printf("DIFF contest %lld: the boards are missing\n", cid);
        return 1;
    }
    lb_model_t m;
    int rc = lb_model_load(db, cid, &m, NULL, NULL, NULL, NULL);
    if (rc < 0) {
        fprintf(stderr, "contest %lld: %s\n", cid, rc == -2 ? "no such contest" : "MariaDB failed");
        return -1;
    }
    checker_t c = { .base = { c_zset, c_hash }, .kv = kv };
    char tag[32], prefix[64];
    lb_tag(cid, tag);
    snprintf(prefix, sizeof prefix, "%s:v%lld:", tag, ver);
    lb_model_emit(&m, prefix, &c.base, NULL, NULL);
    if (!c.failed)
        unexpected_keys(&c, prefix);
    if (c.ndiff > SHOW_MAX)
        printf("... and %lld more\n", c.ndiff - SHOW_MAX);
    printf("contest %lld: version %lld, %zu people: %lld difference(s)\n", cid, ver, m.np, c.ndiff);
    for (size_t i = 0; i < c.nkeys; i++)
        free(c.keys[i]);
    free(c.keys);
    lb_model_free(&m);
    return c.failed ? -1 : c.ndiff;
}

int cmd_check_boards(int argc, char **argv)
{
    db_t *db = db_new();
    kv_t *kv = kv_new();
    arena_t a;
    arena_init(&a);
    int status = 0;
    long long *ids = NULL;
    size_t n = 0;
    if (argc > 1) {
        char *end;
        long long id = strtoll(argv[1], &end, 10);
        if (*end || id <= 0) {
            fprintf(stderr, "%s: CONTEST_ID must be a positive integer\n", argv[0]);
            status = 2;
        } else {
            ids = arena_alloc(&a, sizeof *ids);
            ids[n++] = id;
        }
    } else {
        db_res_t *res = db_query(db, &a, "SELECT id FROM contests ORDER BY id", "");
        if (!res) {
            fprintf(stderr, "%s: MariaDB is unreachable\n", argv[0]);
            status = 2;
        } else {
            ids = arena_alloc(&a, sizeof *ids * (res->nrows + 1));
            for (size_t i = 0; i < res->nrows; i++)
                ids[n++] = db_int(res, i, 0);
        }
    }
    for (size_t i = 0; i < n; i++) {
        long long d = check_one(db, kv, ids[i]);
        if (d < 0)
            status = 2;
        else if (d > 0 && status == 0)
            status = 1;
        fflush(stdout);
    }
    arena_free(&a);
    kv_free(kv);
    db_free(db);
    return status;
}
