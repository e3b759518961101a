/* apply.c: outbox entries into the boards — the drain every server
 * runs in the background, the submit's own immediate apply, and the
 * background's rebuild of boards it finds missing. See boards.h. */
#include "engines/boards/boards.h"
#include "engines/boards/internal.h"
#include "server/clock.h"
#include "server/config.h"
#include "server/log.h"
#include "server/request.h"
#include "server/router.h"
#include "rules/mask.h"
#include "rules/rank_key.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DRAIN_BATCH 256        /* outbox rows per query */
#define SCRIPT_BATCH DRAIN_BATCH /* entries per script call: a drained page is one call per contest */
#define DRAIN_BUDGET_US 500000 /* per background tick, so other tasks run too */

static const char *cell(arena_t *a, const db_res_t *res, size_t row, size_t col)
{
    const char *v = db_get(res, row, col);
    return v ? v : arena_strdup(a, "");
}

void lb_entry_from_row(arena_t *a, const db_res_t *res, size_t row, lb_entry_t *e)
{
    const char **f = e->f;
    f[LB_F_ATTEMPT] = cell(a, res, row, 0);
    f[LB_F_USER] = cell(a, res, row, 1);
    double key = rules_rank_key(db_int(res, row, 2), db_int(res, row, 3), db_int(res, row, 4));
    f[LB_F_KEY] = arena_sprintf(a, "%.0f", key);
    f[LB_F_PP] = cell(a, res, row, 5);
    f[LB_F_PC] = cell(a, res, row, 6);
    f[LB_F_PX] = cell(a, res, row, 7);
    f[LB_F_UNIT] = db_get(res, row, 8) ? db_get(res, row, 8) : "0";
    const char *kind = db_get(res, row, 9);
    f[LB_F_STAFF] = kind && strcmp(kind, "staff") == 0 ? "1" : "0";
    /* Only the masked name ever reaches Redis. */
    char masked[64];
    const char *nr = db_get(res, row, 18), *us = db_get(res, row, 19);
    if (nr && strcmp(nr, "rejected") == 0)
        snprintf(masked, sizeof masked, "%s", LB_NAME_HIDDEN);
    else
        rules_mask_name(db_get(res, row, 10), masked, sizeof masked);
    f[LB_F_NAME] = arena_strdup(a, masked);
    f[LB_F_UNIT_NAME] = us && strcmp(us, "rejected") == 0 ? LB_NAME_HIDDEN : cell(a, res, row, 11);
    f[LB_F_UPP] = cell(a, res, row, 12);
    f[LB_F_UPC] = cell(a, res, row, 13);
    f[LB_F_UPX] = cell(a, res, row, 14);
    f[LB_F_HEAD] = db_get(res, row, 15) ? db_get(res, row, 15) : "0";
    f[LB_F_VERIFIED] = db_int(res, row, 20) ? "1" : "0";
}

/* This process's copies of the pages an apply changed (the boards the
 * script names after its status and rank) are stale now; so are the
 * regions boards, read whole, wherever their change landed. */
static void drop_pages(long long contest_id, const redisReply *rep)
{
    if (rep->element[0]->integer != 1)
        return;   /* journaled only: the live boards did not change */
    for (size_t i = 2; i < rep->elements; i++)
        if (rep->element[i]->type == REDIS_REPLY_STRING)
            lb_cache_drop(contest_id, rep->element[i]->str);
    lb_cache_drop(contest_id, "r:");
}

/* "12,34,56": the ids joined by commas (the users whose ranks the apply
 * script returns; inside brackets, the rows mark_applied marks). */
static const char *id_list(arena_t *a, const long long *ids, size_t n)
{
    size_t cap = n * 21 + 1, len = 0;
    char *s = arena_alloc(a, cap);
    s[0] = 0;
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(s + len, cap - len, "%s%lld", i ? "," : "", ids[i]);
    return s;
}

/* The ranks of the apply script's reply (0-based, -1 for none). */
static void take_ranks(const redisReply *list, size_t nusers, long long *ranks)
{
    if (list->type != REDIS_REPLY_ARRAY || list->elements != nusers)
        return;
    for (size_t i = 0; i < nusers; i++)
        if (list->element[i]->type == REDIS_REPLY_INTEGER && list->element[i]->integer >= 0)
            ranks[i] = list->element[i]->integer + 1;
}

int lb_apply(kv_t *kv, arena_t *a, long long contest_id, const lb_entry_t *e, size_t n,
             const long long *users, size_t nusers, long long *ranks)
{
    int status = 1;
    for (size_t u = 0; u < nusers; u++)
        ranks[u] = -1;
    size_t i = 0;
    do {
        size_t k = n - i < SCRIPT_BATCH ? n - i : SCRIPT_BATCH;
        int last = i + k >= n;
        const char **args = arena_alloc(a, sizeof(char *) * (2 + k * LB_NF));
        args[0] = "apply";
        args[1] = last ? id_list(a, users, nusers) : "";
        for (size_t j = 0; j < k; j++)
            memcpy(args + 2 + j * LB_NF, e[i + j].f, sizeof(char *) * LB_NF);
        redisReply *rep = lb_eval(kv, a, LB_SCRIPT_APPLY, contest_id, (int)(2 + k * LB_NF), args);
        if (!rep || rep->type != REDIS_REPLY_ARRAY || rep->elements < 2 ||
            rep->element[0]->type != REDIS_REPLY_INTEGER) {
            if (rep && rep->type == REDIS_REPLY_ERROR)
                log_warn("boards: apply script failed for contest %lld: %s", contest_id, rep->str);
            return -1;
        }
        status = (int)rep->element[0]->integer;
        if (status == 0)
            return 0;
        drop_pages(contest_id, rep);
        if (last && status == 1)
            take_ranks(rep->element[1], nusers, ranks);
        i += k;
    } while (i < n);
    return status;
}

/* Mark rows applied by id. The ids travel as one JSON array parameter, so
 * the statement stays prepared and bound; only rows we applied are marked
 * (a range would also mark rows that committed after our read). The join
 * goes from the ids to the primary key, whatever the backlog. */
static int mark_applied(db_t *db, arena_t *a, const long long *ids, size_t n)
{
    if (!n)
        return 0;
    const char *json = arena_sprintf(a, "[%s]", id_list(a, ids, n));
    long long rc = db_exec(db,
                           "UPDATE JSON_TABLE(?, '$[*]' COLUMNS (id BIGINT PATH '$')) j"
                           " STRAIGHT_JOIN board_outbox o ON o.id = j.id"
                           " SET o.applied_at = ? WHERE o.applied_at IS NULL",
                           "si", json, (long long)clock_now_s());
    return rc < 0 ? -1 : 0;
}

/* One page of pending rows. Returns the rows marked, 0 when none could be,
 * -1 when a store failed. *more: the page was full. */
static long long drain_page(db_t *db, kv_t *kv, int *more)
{
    arena_t a;
    arena_init(&a);
    *more = 0;
    long long marked = 0;
    db_res_t *res = db_query(db, &a, LB_ENTRY_SELECT "WHERE o.applied_at IS NULL ORDER BY o.id LIMIT ?",
                             "i", (long long)DRAIN_BATCH);
    if (!res) {
        arena_free(&a);
        return -1;
    }
    size_t n = res->nrows;
    *more = n == DRAIN_BATCH;
    lb_entry_t *e = arena_alloc(&a, sizeof *e * (n + 1));
    long long *cid = arena_alloc(&a, sizeof(long long) * (n + 1));
    long long *oid = arena_alloc(&a, sizeof(long long) * (n + 1));
    char *done = arena_alloc(&a, n + 1);
    for (size_t i = 0; i < n; i++) {
        lb_entry_from_row(&a, res, i, &e[i]);
        oid[i] = db_int(res, i, 16);
        cid[i] = db_int(res, i, LB_ENTRY_CONTEST);
    }
    /* Group by contest (a page rarely holds more than one or two). */
    lb_entry_t *g = arena_alloc(&a, sizeof *g * (n + 1));
    long long *ids = arena_alloc(&a, sizeof(long long) * (n + 1));
    size_t nids = 0;
    int failed = 0;
    for (size_t i = 0; i < n && !failed; i++) {
        if (done[i])
            continue;
        size_t ng = 0;
        for (size_t j = i; j < n; j++)
            if (!done[j] && cid[j] == cid[i]) {
                g[ng++] = e[j];
                done[j] = 1;
            }
        int rc = lb_apply(kv, &a, cid[i], g, ng, NULL, 0, NULL);
        if (rc < 0) {
            failed = 1;
            break;
        }
        if (rc == 0)
            continue;   /* no boards: the rebuild will cover these rows */
        for (size_t j = i; j < n; j++)
            if (cid[j] == cid[i])
                ids[nids++] = oid[j];
    }
    if (mark_applied(db, &a, ids, nids) < 0)
        failed = 1;
    else
        marked = (long long)nids;
    arena_free(&a);
    return failed ? -1 : marked;
}

/* After a failover Redis may lack the last applies before it (the replica
 * had not received them, yet their outbox rows are marked applied): kv.c
 * raises KV_LOST_WRITES_KEY, and every contest is asked for a rebuild
 * before the key is cleared (a server that dies in between leaves it for
 * the next). A rebuild reads MariaDB, which holds every submit committed
 * before it; an apply lost later is one a server sent to the old primary
 * after the promotion but before the Sentinels made it a replica (a
 * failover that did not kill it), so the rebuild runs once more
 * LOST_WRITES_AGAIN_US later, when no server can still be writing there.
 * A rebuild that was running at the failover wrote to the old primary: its
 * building lock, which the replica holds too, is dropped first, or every
 * rebuild would wait out the lock's TTL (a minute; a contest whose boards
 * that rebuild was building for the first time has none meanwhile). */
#define LOST_WRITES_AGAIN_US (10 * 1000000LL)

static int rebuild_all(kv_t *kv, const db_res_t *contests)
{
    for (size_t i = 0; i < contests->nrows; i++)
        if (lb_request_rebuild(kv, db_int(contests, i, 0)) < 0)
            return -1;
    return 0;
}

static void after_lost_writes(kv_t *kv, arena_t *a, const db_res_t *contests)
{
    static int64_t again_at;   /* only the background thread calls this */
    if (again_at && mono_us() >= again_at && rebuild_all(kv, contests) == 0) {
        again_at = 0;
        log_info("boards: every board is rebuilt once more after the failover");
    }
    redisReply *rep = kv_cmd(kv, a, "GET %s", KV_LOST_WRITES_KEY);
    if (!rep || rep->type != REDIS_REPLY_STRING)
        return;
    for (size_t i = 0; i < contests->nrows; i++) {
        long long id = db_int(contests, i, 0);
        int broken = lb_break_lock(kv, id);
        if (broken < 0)
            return;
        if (broken)
            log_info("boards: contest %lld: the rebuild that ran at the failover is given up", id);
    }
    if (rebuild_all(kv, contests) < 0)
        return;
    kv_cmd(kv, a, "EVAL %s 1 %s %s",
           "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0",
           KV_LOST_WRITES_KEY, rep->str);
    again_at = mono_us() + LOST_WRITES_AGAIN_US;
    log_info("boards: Redis may have lost writes (a failover): every board is rebuilt");
}

/* Rebuild the boards of every contest whose live version is missing (Redis
 * restarted empty, or the first run) or that an organizer asked for. The
 * lock in lb_rebuild makes one server do it while the others go on. */
static void maintain(db_t *db, kv_t *kv)
{
    arena_t a;
    arena_init(&a);
    db_res_t *res = db_query(db, &a, "SELECT id FROM contests ORDER BY id", "");
    if (res)
        after_lost_writes(kv, &a, res);
    for (size_t i = 0; res && i < res->nrows; i++) {
        long long id = db_int(res, i, 0);
        char tag[32];
        lb_tag(id, tag);
        redisReply *rep = kv_cmd(kv, &a, "MGET %s:ver %s:want", tag, tag);
        if (!rep || rep->type != REDIS_REPLY_ARRAY || rep->elements != 2)
            break;
        int missing = rep->element[0]->type != REDIS_REPLY_STRING;
        int wanted = rep->element[1]->type == REDIS_REPLY_STRING;
        if (!missing && !wanted)
            continue;
        int64_t t0 = mono_us();
        lb_rebuild_opts_t o = { .if_needed = 1 };
        int rc = lb_rebuild(db, kv, id, &o);
        if (rc == 0)
            log_info("boards: rebuilt contest %lld (%s) in %lld ms", id,
                     missing ? "missing" : "asked for", (long long)(mono_us() - t0) / 1000);
        else if (rc < 0)
            log_warn("boards: rebuild of contest %lld failed", id);
    }
    arena_free(&a);
}

void lb_drain(db_t *db, kv_t *kv)
{
    static int64_t next_maintain;   /* only the background thread calls this */
    if (!kv_ctx(kv))
        return;   /* Redis is down: the rows wait in the outbox */
    int64_t now = mono_us();
    if (now >= next_maintain) {
        next_maintain = now + 1000000;
        maintain(db, kv);
    }
    int64_t until = mono_us() + DRAIN_BUDGET_US;
    int more = 1;
    while (more && mono_us() < until) {
        long long n = drain_page(db, kv, &more);
        if (n <= 0)
            break;
    }
}
