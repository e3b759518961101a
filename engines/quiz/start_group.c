/* start_group.c: see start_group.h.
 *
 * The group's transaction, under db_tx (server/db.h):
 *   1. one locking read of every person of the group: the users row with
 *      the profile's kind and created_at (FOR UPDATE, ids in ascending
 *      order so that two writers, of this server or another, lock in one
 *      order);
 *   2. one plain read of each start's day count and open attempt. Its
 *      snapshot is taken there, after every lock of step 1 is held, so it
 *      sees every attempt committed by whoever held a lock before; it locks
 *      no attempt (a submit locks its attempt before its person: locking
 *      attempts here, after the person, could deadlock with it);
 *   3. in C, start by start in the order queued, the rules as the one-start
 *      procedure of schema 223 had them: not registered, not in the
 *      audience, registered too late, the open attempt, the daily cap, no
 *      paper, else a new attempt; a person's second start in the group
 *      sees the first one's new attempt (open, and counted for its day);
 *   4. one INSERT ... SELECT of every new attempt, joined to question_bank
 *      at the version each paper was drawn from (a shared lock on the bank
 *      row until COMMIT, so no edit slips in between), RETURNING each
 *      written row's id and seed: a start whose row is not returned found
 *      the bank moved on;
 *   5. COMMIT, in the same round trip as step 4: both are one CALL
 *      (schema/300_start_group_insert.sql). Nothing to write: ROLLBACK,
 *      which only ends the locks. */
#include "engines/quiz/start_group.h"
#include "rules/eligibility.h"
#include "server/db.h"
#include "server/log.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static gc_queue_t queue = GC_QUEUE_INIT("start", START_GROUP_MAX);

typedef struct {
    req_t *r;
    quiz_start_entry_t **e;
    size_t n;
} sgroup_t;

#define LOCK_SQL \
    "SELECT u.id, p.user_id, p.kind, p.created_at" \
    " FROM JSON_TABLE(?, '$[*]' COLUMNS (jid BIGINT PATH '$')) j" \
    " STRAIGHT_JOIN users u ON u.id = j.jid LEFT JOIN profiles p ON p.user_id = u.id FOR UPDATE"
enum { L_USER, L_PROFILE, L_KIND, L_CREATED };

#define STATE_SQL \
    "SELECT j.n, COALESCE(SUM(t.day = j.d), 0)," \
    " MAX(IF(t.submitted_at IS NULL AND t.deadline > j.t, t.id, NULL))" \
    " FROM JSON_TABLE(?, '$[*]' COLUMNS (n INT PATH '$.n', c BIGINT PATH '$.c', u BIGINT PATH '$.u'," \
    "   d INT PATH '$.d', t BIGINT PATH '$.t')) j" \
    " LEFT JOIN attempts t ON t.contest_id = j.c AND t.user_id = j.u GROUP BY j.n"
enum { S_N, S_COUNT, S_OPEN };

/* Steps 4 and 5 in one round trip (schema/300_start_group_insert.sql):
 * the new attempts, RETURNING id and HEX(seed), then the COMMIT. */
#define INSERT_SQL "CALL quiz_start_group_insert(?)"

/* "[1,2,3]": the group's people, ascending, each once. */
static const char *users_json(arena_t *a, const sgroup_t *g)
{
    long long *ids = arena_alloc(a, sizeof *ids * g->n);
    for (size_t i = 0; i < g->n; i++)
        ids[i] = g->e[i]->user_id;
    return db_ids_json(a, ids, g->n);
}

/* Step 2's input: one row per start. */
static const char *starts_json(arena_t *a, const sgroup_t *g)
{
    json_t *arr = arena_json(a, json_array());
    for (size_t i = 0; i < g->n; i++) {
        const quiz_start_entry_t *e = g->e[i];
        json_array_append_new(arr, json_pack("{s:I,s:I,s:I,s:I,s:I}", "n", (json_int_t)i, "c",
                                             (json_int_t)e->c->id, "u", (json_int_t)e->user_id, "d",
                                             (json_int_t)e->day, "t", (json_int_t)e->now));
    }
    return arena_json_text(a, arr);
}

static long long find_row(const db_res_t *r, size_t col, long long v)
{
    for (size_t i = 0; i < r->nrows; i++)
        if (db_int(r, i, col) == v)
            return (long long)i;
    return -1;
}

/* The open attempt and the rest of the rules for start i, whose person
 * may be admitted: count and open as read, then what earlier starts of
 * the same person in this group decided. */
static quiz_sg_outcome_t decide_admitted(const sgroup_t *g, size_t i, long long count, long long open)
{
    quiz_start_entry_t *e = g->e[i];
    for (size_t k = 0; k < i; k++) {
        const quiz_start_entry_t *p = g->e[k];
        if (p->outcome != SG_NEW || p->c->id != e->c->id || p->user_id != e->user_id)
            continue;
        count += p->day == e->day;
        if (p->deadline > e->now)
            e->via = (int)k;
    }
    if (e->via >= 0)
        return SG_OPEN;
    if (open > 0) {
        e->aid = open;
        return SG_OPEN;
    }
    if (count >= e->c->attempts_per_day)
        return SG_DAILY_LIMIT;
    return e->questions ? SG_NEW : SG_NO_PAPER;
}

/* Step 3: decide each start of the group. Returns how many are new. */
static size_t decide(const sgroup_t *g, const db_res_t *l, const db_res_t *s)
{
    size_t fresh = 0;
    for (size_t i = 0; i < g->n; i++) {
        quiz_start_entry_t *e = g->e[i];
        e->via = -1;
        e->aid = 0;
        long long row = find_row(l, L_USER, e->user_id), st = find_row(s, S_N, (long long)i);
        const char *kind = row < 0 ? NULL : db_get(l, (size_t)row, L_KIND);
        if (row < 0 || !db_get(l, (size_t)row, L_PROFILE))
            e->outcome = SG_NOT_REGISTERED;
        else if (!kind || !rules_audience_admits(e->c->audience, kind))
            e->outcome = SG_NOT_IN_AUDIENCE;
        else if (db_int(l, (size_t)row, L_CREATED) > e->c->registration_deadline)
            e->outcome = SG_TOO_LATE;
        else
            e->outcome = decide_admitted(g, i, st < 0 ? 0 : db_int(s, (size_t)st, S_COUNT),
                                         st < 0 ? 0 : db_int(s, (size_t)st, S_OPEN));
        fresh += e->outcome == SG_NEW;
    }
    return fresh;
}

/* Step 4's input: the new attempts. */
static const char *new_json(arena_t *a, const sgroup_t *g)
{
    json_t *arr = arena_json(a, json_array());
    for (size_t i = 0; i < g->n; i++) {
        const quiz_start_entry_t *e = g->e[i];
        if (e->outcome != SG_NEW)
            continue;
        json_array_append_new(arr, json_pack("{s:I,s:I,s:I,s:I,s:I,s:s,s:s,s:I}", "c", (json_int_t)e->c->id,
                                             "u", (json_int_t)e->user_id, "d", (json_int_t)e->day, "t",
                                             (json_int_t)e->now, "dl", (json_int_t)e->deadline, "q",
                                             e->questions, "s", e->seed_hex, "v", (json_int_t)e->version));
    }
    return arena_json_text(a, arr);
}

/* After step 4: each new attempt's id from the rows written (by seed); a
 * new attempt not written, and an open one of it, found the bank moved. */
static void take_ids(const sgroup_t *g, const db_res_t *w)
{
    for (size_t i = 0; i < g->n; i++) {
        quiz_start_entry_t *e = g->e[i];
        if (e->outcome != SG_NEW)
            continue;
        for (size_t k = 0; k < w->nrows && !e->aid; k++)
            if (db_get(w, k, 1) && strcasecmp(db_get(w, k, 1), e->seed_hex) == 0)
                e->aid = db_int(w, k, 0);
        if (!e->aid)
            e->outcome = SG_BANK_MOVED;
    }
    for (size_t i = 0; i < g->n; i++) {
        quiz_start_entry_t *e = g->e[i];
        if (e->outcome != SG_OPEN || e->via < 0)
            continue;
        const quiz_start_entry_t *p = g->e[e->via];
        if (p->outcome == SG_NEW)
            e->aid = p->aid;
        else
            e->outcome = SG_BANK_MOVED;
    }
}

static int group_tx(db_t *db, void *ctx)
{
    sgroup_t *g = ctx;
    arena_t *a = g->r->arena;
    const char *users = users_json(a, g), *starts = starts_json(a, g);
    db_res_t *l = users ? db_query(db, a, LOCK_SQL, "s", users) : NULL;
    db_res_t *s = l && starts ? db_query(db, a, STATE_SQL, "s", starts) : NULL;
    if (!s)
        return ST_STORE;
    if (decide(g, l, s) == 0) {
        db_rollback(db);
        return ST_OK;
    }
    const char *fresh = new_json(a, g);
    db_res_t *w = fresh ? db_query(db, a, INSERT_SQL, "s", fresh) : NULL;
    if (!w)
        return ST_STORE;
    db_tx_ended(db);            /* the procedure committed */
    take_ids(g, w);
    return ST_OK;
}

/* Write a group: all at once, and when that fails for good, one by one. */
static void write_group(req_t *r, quiz_start_entry_t **e, size_t n)
{
    sgroup_t g = { r, e, n };
    status_t st = (status_t)db_tx(req_db(r), group_tx, &g);
    if (st == ST_OK || n == 1) {
        for (size_t i = 0; i < n; i++)
            e[i]->st = st == ST_OK ? ST_OK : ST_STORE;
        return;
    }
    log_warn("start: a group of %zu failed (%s); writing its starts one by one", n, status_str(st));
    for (size_t i = 0; i < n; i++)
        write_group(r, e + i, 1);
}

/* One group, on the writer's connections, its working memory in an arena
 * of the group's own: the writer goes on from group to group, and its
 * request (parked, maybe answered already) keeps nothing of them. Each
 * entry is finished here, where the connections are. */
static void write_queued(void *ctx, gc_entry_t **q, size_t n)
{
    req_t *r = ctx;
    quiz_start_entry_t *e[START_GROUP_MAX];
    for (size_t i = 0; i < n; i++)
        e[i] = (quiz_start_entry_t *)q[i];
    arena_t ga;
    arena_init(&ga);
    req_t gr = *r;
    gr.arena = &ga;
    write_group(&gr, e, n);
    for (size_t i = 0; i < n; i++)
        e[i]->finish(&gr, e[i]);
    arena_free(&ga);
    req_release_stores(r);
}

void quiz_start_write_alone(req_t *writer, quiz_start_entry_t *e)
{
    write_group(writer, &e, 1);
}

void quiz_start_group(req_t *r, quiz_start_entry_t *e)
{
    gc_submit_parked(&queue, &e->gc, write_queued, r);
}
