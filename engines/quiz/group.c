/* group.c: see group.h.
 *
 * First, before the transaction: one read of every attempt of the group
 * with its stored paper, its contest's scoring settings and the question
 * bank's version (attempts never change but for their submit, so no lock
 * is needed). A submit of an attempt that is not its caller's is gone, of
 * one submitted already gets its stored reply, of one past its deadline
 * is expired; the others' answers are checked and scored (scoring.h), and
 * those that fit are written. So a submit costs no round trip of its own.
 *
 * The group's transaction, under db_tx (server/db.h), for those written:
 *   1. one locking read of every attempt to write with its person's
 *      row, contest score and day's best (FOR UPDATE, ids in ascending
 *      order so that two writers lock in one order);
 *   2. in C, submit by submit in the order queued: an attempt submitted
 *      since the first read (by another writer) gets its stored reply, a
 *      second submit of one attempt in the group gets the first one's
 *      reply, the rest go into the day's best and the contest score
 *      (rules/score.h), carrying a person's state from one of their
 *      submits to the next;
 *   3. one CALL writes the days' bests, the contest scores and the board
 *      outbox rows, and returns those rows as the boards' entries
 *      (schema/310_submit_group_entries.sql);
 *   4. the boards apply these entries and give each person's rank, which
 *      goes into the stored replies;
 *   5. each attempt's result and reply stored (a primary-key UPDATE
 *      each); COMMIT. */
#include "engines/quiz/group.h"
#include "engines/quiz/scoring.h"
#include "rules/eligibility.h"
#include "rules/score.h"
#include "server/db.h"
#include "server/log.h"

#include <stdlib.h>
#include <string.h>

/* What becomes of a submit. The first read decides STORED, GONE, EXPIRED,
 * INVALID and FAILED (MariaDB could not give the keys to score it) for
 * good; a submit it scored (to_write) is decided in the transaction. */
enum { E_PENDING, E_ACCEPT, E_STORED, E_GONE, E_DUP, E_EXPIRED, E_INVALID, E_FAILED };

static gc_queue_t queue = GC_QUEUE_INIT("submit", GROUP_MAX);

typedef struct {
    req_t *r;
    quiz_entry_t **e;
    size_t n;
    const quiz_board_hooks_t *boards;
} group_t;

/* "[1,2,3]": the attempt ids of the group's submits (those to write, or
 * all), ascending, each once. */
static const char *ids_json(arena_t *a, quiz_entry_t **e, size_t n, int only_to_write)
{
    long long *ids = arena_alloc(a, sizeof *ids * (n + 1));
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!only_to_write || e[i]->to_write)
            ids[k++] = e[i]->aid;
    return db_ids_json(a, ids, k);
}

enum { K_ID, K_SUBMITTED, K_REPLY, K_CS, K_REACHED, K_DAY };

static long long find_row(const db_res_t *l, long long aid)
{
    for (size_t i = 0; i < l->nrows; i++)
        if (db_int(l, i, K_ID) == aid)
            return (long long)i;
    return -1;
}

#define READ_SQL \
    "SELECT a.id, a.user_id, a.contest_id, a.day, a.deadline, a.submitted_at, a.reply, a.questions," \
    " c.points_per_question, c.score_rule, c.review_policy, c.ends_at, b.version" \
    " FROM JSON_TABLE(?, '$[*]' COLUMNS (jid BIGINT PATH '$')) j" \
    " STRAIGHT_JOIN attempts a ON a.id = j.jid JOIN contests c ON c.id = a.contest_id" \
    " LEFT JOIN question_bank b ON b.id = 1"
enum { R_ID, R_USER, R_CONTEST, R_DAY, R_DEADLINE, R_SUBMITTED, R_REPLY, R_PAPER, R_POINTS, R_RULE, R_POLICY,
       R_ENDS, R_VERSION };

/* Score e from its attempt's row of the first read; the scoring's memory
 * is e's own (its reply goes out after the group's arena is gone). */
static void score(req_t *r, quiz_entry_t *e, const db_res_t *rows, size_t row)
{
    e->contest_id = db_int(rows, row, R_CONTEST);
    e->day = db_int(rows, row, R_DAY);
    e->points = (int)db_int(rows, row, R_POINTS);
    int rule = rules_score_rule_parse(db_get(rows, row, R_RULE));
    e->rule = rule < 0 ? SCORE_BEST : rule;
    /* after_end: until the contest closes the reply (stored, and replayed
     * byte for byte) holds the score and the number right, not the key */
    e->show_results = rules_review_open(db_get(rows, row, R_POLICY), db_int(rows, row, R_ENDS), e->now);
    long long version = db_get(rows, row, R_VERSION) ? db_int(rows, row, R_VERSION) : -1;
    arena_t *own = r->arena;
    r->arena = e->arena;
    status_t st = quiz_score_answers(r, db_get(rows, row, R_PAPER), version, e->body, e, &e->out.why);
    r->arena = own;
    if (st != ST_OK)
        e->state = E_FAILED;
    else if (e->out.why)
        e->state = E_INVALID;
    else
        e->to_write = 1;
}

/* The first read, outside the transaction: each submit decided or scored.
 * Returns 0, or -1 when MariaDB failed. */
static int read_and_score(req_t *r, quiz_entry_t **e, size_t n)
{
    const char *ids = ids_json(r->arena, e, n, 0);
    db_res_t *rows = ids ? db_query(req_db(r), r->arena, READ_SQL, "s", ids) : NULL;
    if (!rows)
        return -1;
    for (size_t i = 0; i < n; i++) {
        quiz_entry_t *s = e[i];
        long long row = find_row(rows, s->aid);
        /* Someone else's attempt is "not found" too: ids are not secrets,
         * but nobody learns whether another person's attempt exists. */
        if (row < 0 || db_int(rows, (size_t)row, R_USER) != s->user_id)
            s->state = E_GONE;
        else if (db_get(rows, (size_t)row, R_SUBMITTED)) {
            /* a retry, whatever its body, gets the first reply */
            s->state = E_STORED;
            const char *stored = db_get(rows, (size_t)row, R_REPLY);
            s->out.reply = stored ? arena_strdup(s->arena, stored) : NULL;
        } else if (s->now > db_int(rows, (size_t)row, R_DEADLINE) + ATTEMPT_GRACE_S)
            s->state = E_EXPIRED;
        else
            score(r, s, rows, (size_t)row);
    }
    return 0;
}

/* The contest score and day's best before e: from an earlier accepted
 * submit of the same person in this group, else from the locked row. */
static void before(const group_t *g, size_t i, const db_res_t *l, size_t row)
{
    quiz_entry_t *e = g->e[i];
    const quiz_entry_t *person = NULL, *day = NULL;
    for (size_t k = 0; k < i; k++) {
        const quiz_entry_t *p = g->e[k];
        if (p->state != E_ACCEPT || p->contest_id != e->contest_id || p->user_id != e->user_id)
            continue;
        person = p;
        if (p->day == e->day)
            day = p;
    }
    long long old_reached;
    if (person) {
        e->first = 0;
        e->old_cs = person->new_cs;
        old_reached = person->reached;
    } else {
        e->first = db_get(l, row, K_CS) == NULL;
        e->old_cs = e->first ? 0 : db_int(l, row, K_CS);
        old_reached = db_int(l, row, K_REACHED);
    }
    e->old_day = day ? day->new_day : db_get(l, row, K_DAY) ? db_int(l, row, K_DAY) : -1;
    e->new_day = e->score > e->old_day ? e->score : e->old_day;
    /* the rule as rescoring computes it (rules/score.h) */
    e->new_cs = rules_contest_score_after(e->rule, e->first ? 0 : e->old_cs, e->first ? -1 : e->old_day,
                                          e->new_day);
    /* Ties rank whoever reached the score first higher: the time moves only
     * when the score goes up. */
    e->reached = (e->first || e->new_cs > e->old_cs) ? e->now : old_reached;
}

/* Step 2: decide each submit of the group to write. Returns how many are
 * accepted. */
static size_t decide(const group_t *g, const db_res_t *l)
{
    size_t accepted = 0;
    for (size_t i = 0; i < g->n; i++) {
        quiz_entry_t *e = g->e[i];
        if (!e->to_write)
            continue;
        e->rank = -1;
        e->dup_of = -1;
        long long row = find_row(l, e->aid);
        for (size_t k = 0; k < i && e->dup_of < 0; k++)
            if (g->e[k]->aid == e->aid && g->e[k]->state == E_ACCEPT)
                e->dup_of = (int)k;
        if (row < 0)
            e->state = E_GONE;
        else if (db_get(l, (size_t)row, K_SUBMITTED)) {
            e->state = E_STORED;
            const char *stored = db_get(l, (size_t)row, K_REPLY);
            e->out.reply = stored ? arena_strdup(e->arena, stored) : NULL;
        } else if (e->dup_of >= 0)
            e->state = E_DUP;
        else {
            e->state = E_ACCEPT;
            before(g, i, l, (size_t)row);
            accepted++;
        }
    }
    return accepted;
}

/* Step 3: the JSON of the accepted submits (schema/220_submit_group.sql). */
static const char *scores_json(arena_t *a, const group_t *g)
{
    json_t *arr = arena_json(a, json_array());
    for (size_t i = 0; i < g->n; i++) {
        const quiz_entry_t *e = g->e[i];
        if (e->state != E_ACCEPT)
            continue;
        json_array_append_new(arr, json_pack("{s:I,s:I,s:I,s:I,s:I,s:i,s:I,s:I,s:I,s:i,s:I}",
                                             "c", (json_int_t)e->contest_id, "u", (json_int_t)e->user_id,
                                             "a", (json_int_t)e->aid, "d", (json_int_t)e->day,
                                             "s", (json_int_t)e->score, "i", e->score > e->old_day,
                                             "o", (json_int_t)(e->first ? 0 : e->old_cs),
                                             "n", (json_int_t)e->new_cs, "r", (json_int_t)e->reached,
                                             "f", e->first, "t", (json_int_t)e->now));
    }
    return arena_json_text(a, arr);
}

/* The reply of an accepted submit, in its submitter's arena. */
static const char *reply_text(const quiz_entry_t *e)
{
    json_t *rank = e->rank > 0 ? json_integer(e->rank) : json_null();
    json_t *body = arena_json(e->arena,
                              json_pack("{s:I,s:I,s:I,s:I,s:i,s:O,s:I,s:o}", "attempt_id", (json_int_t)e->aid,
                                        "contest_id", (json_int_t)e->contest_id, "score", (json_int_t)e->score,
                                        "max_score", (json_int_t)((long long)e->nq * e->points),
                                        "correct_count", e->correct,
                                        "results", e->show_results ? e->results : json_null(),
                                        "contest_score", (json_int_t)e->new_cs, "rank", rank));
    return arena_json_text(e->arena, body);
}

/* Step 4: every accepted submit's rank, one boards call per contest of
 * the group (nearly always one), from the entries step 3 returned. */
static void take_ranks(group_t *g, const db_res_t *entries)
{
    long long *users = arena_alloc(g->r->arena, sizeof *users * g->n);
    long long *ranks = arena_alloc(g->r->arena, sizeof *ranks * g->n);
    for (size_t i = 0; i < g->n; i++) {
        quiz_entry_t *c = g->e[i];
        size_t k, m = 0;
        for (k = 0; k < i; k++)   /* each contest once, from its first submit */
            if (g->e[k]->state == E_ACCEPT && g->e[k]->contest_id == c->contest_id)
                break;
        if (c->state != E_ACCEPT || k < i)
            continue;
        for (k = i; k < g->n; k++)
            if (g->e[k]->state == E_ACCEPT && g->e[k]->contest_id == c->contest_id)
                users[m++] = g->e[k]->user_id;
        g->boards->ranks(g->r, c->contest_id, entries, users, m, ranks);
        m = 0;
        for (k = i; k < g->n; k++)
            if (g->e[k]->state == E_ACCEPT && g->e[k]->contest_id == c->contest_id)
                g->e[k]->rank = ranks[m++];
    }
}

/* Step 4: each accepted submit's rank and reply. Returns 0, or -1 when a
 * reply cannot be built; *ranked says whether the boards were touched. */
static int build_replies(group_t *g, const db_res_t *entries, int *ranked)
{
    /* The rank belongs in the stored reply (a later submit gets the same
     * bytes), so it is taken before the commit. */
    take_ranks(g, entries);
    for (size_t i = 0; i < g->n; i++) {
        quiz_entry_t *e = g->e[i];
        if (e->state != E_ACCEPT)
            continue;
        *ranked |= e->rank > 0;
        e->out.reply = reply_text(e);
        if (!e->out.reply)
            return -1;
    }
    return 0;
}

/* ["A","","BD"]: the bank letters chosen per question, as rescoring reads
 * attempts.choices. */
static const char *choices_text(const quiz_entry_t *e)
{
    json_t *ch = arena_json(e->arena, json_array());
    for (int k = 0; k < e->nq; k++)
        json_array_append_new(ch, json_string(e->bank[k]));
    return arena_json_text(e->arena, ch);
}

#define STORE_SQL \
    "UPDATE attempts SET submitted_at = ?, score = ?, correct_count = ?, choices = ?, reply = ? WHERE id = ?"

/* Step 5: one primary-key UPDATE per accepted submit, all sent in one
 * round trip (db_exec_bulk). (One multi-table UPDATE over a JSON_TABLE of
 * the group costs more: MariaDB buffers its rows, reply and choices
 * included, in an on-disk temporary table.) */
static int store_results(db_t *db, arena_t *a, const group_t *g)
{
    long long *now = arena_alloc(a, g->n * sizeof *now), *score = arena_alloc(a, g->n * sizeof *score);
    long long *correct = arena_alloc(a, g->n * sizeof *correct), *aid = arena_alloc(a, g->n * sizeof *aid);
    const char **choices = arena_alloc(a, g->n * sizeof *choices), **reply = arena_alloc(a, g->n * sizeof *reply);
    size_t k = 0;
    for (size_t i = 0; i < g->n; i++) {
        const quiz_entry_t *e = g->e[i];
        if (e->state != E_ACCEPT)
            continue;
        if (!(choices[k] = choices_text(e)))
            return -1;
        now[k] = e->now;
        score[k] = e->score;
        correct[k] = e->correct;
        reply[k] = e->out.reply;
        aid[k++] = e->aid;
    }
    const void *cols[] = { now, score, correct, choices, reply, aid };
    return db_exec_bulk(db, STORE_SQL, "iiissi", k, cols) < 0 ? -1 : 0;
}

#define LOCK_SQL \
    "SELECT a.id, a.submitted_at, a.reply, cs.score, cs.reached_at, d.score" \
    " FROM JSON_TABLE(?, '$[*]' COLUMNS (jid BIGINT PATH '$')) j" \
    " STRAIGHT_JOIN attempts a ON a.id = j.jid JOIN users u ON u.id = a.user_id" \
    " LEFT JOIN contest_scores cs ON cs.contest_id = a.contest_id AND cs.user_id = a.user_id" \
    " LEFT JOIN daily_best d ON d.contest_id = a.contest_id AND d.user_id = a.user_id AND d.day = a.day" \
    " FOR UPDATE"

static void undo_boards(const group_t *g)
{
    for (size_t i = 0; i < g->n; i++) {
        const quiz_entry_t *e = g->e[i];
        size_t k;
        for (k = 0; k < i; k++)   /* once per contest */
            if (g->e[k]->state == E_ACCEPT && g->e[k]->contest_id == e->contest_id)
                break;
        if (e->state == E_ACCEPT && k == i)
            g->boards->undo(g->r, e->contest_id);
    }
}

static int group_tx(db_t *db, void *ctx)
{
    group_t *g = ctx;
    arena_t *a = g->r->arena;
    const char *ids = ids_json(a, g->e, g->n, 1);
    db_res_t *l = ids ? db_query(db, a, LOCK_SQL, "s", ids) : NULL;
    if (!l)
        return ST_STORE;
    if (decide(g, l) == 0) {
        db_rollback(db);
        return ST_OK;
    }
    const char *scores = scores_json(a, g);
    db_res_t *entries = scores ? db_query(db, a, "CALL quiz_submit_group_entries(?)", "s", scores) : NULL;
    if (!entries)
        return ST_STORE;
    int ranked = 0;
    if (build_replies(g, entries, &ranked) < 0 || store_results(db, a, g) < 0 || db_commit(db) < 0) {
        /* The boards may hold results that were never committed: have
         * them rebuilt from MariaDB. */
        if (ranked)
            undo_boards(g);
        return ST_STORE;
    }
    return ST_OK;
}

/* The outcome of each submit of a committed group. */
static void finish(group_t *g, status_t st)
{
    for (size_t i = 0; i < g->n; i++) {
        quiz_entry_t *e = g->e[i];
        e->st = e->state == E_FAILED ? ST_STORE : st;
        if (e->st != ST_OK)
            continue;
        switch (e->state) {
        case E_ACCEPT: e->out.outcome = SUBMIT_DONE; break;
        case E_STORED: e->out.outcome = SUBMIT_STORED; break;
        case E_GONE: e->out.outcome = SUBMIT_GONE; break;
        case E_EXPIRED: e->out.outcome = SUBMIT_EXPIRED; break;
        case E_INVALID: e->out.outcome = SUBMIT_INVALID; break;
        case E_DUP:
            e->out.outcome = SUBMIT_STORED;
            e->out.reply = arena_strdup(e->arena, g->e[e->dup_of]->out.reply);
            break;
        }
    }
}

/* Write a group: all at once, and when that fails for good, one by one. */
static void write_group(req_t *r, quiz_entry_t **e, size_t n, const quiz_board_hooks_t *boards)
{
    group_t g = { r, e, n, boards };
    size_t to_write = 0;
    for (size_t i = 0; i < n; i++)
        to_write += (size_t)e[i]->to_write;
    if (!to_write) {   /* each decided by the first read */
        finish(&g, ST_OK);
        return;
    }
    status_t st = (status_t)db_tx(req_db(r), group_tx, &g);
    if (st == ST_OK || n == 1) {
        finish(&g, st == ST_OK ? ST_OK : ST_STORE);
        return;
    }
    log_warn("submit: a group of %zu failed (%s); writing its submits one by one", n, status_str(st));
    for (size_t i = 0; i < n; i++)
        write_group(r, e + i, 1, boards);
}

typedef struct {
    req_t *r;
    const quiz_board_hooks_t *boards;
} writer_t;

/* One group, on the writer's connections, its working memory in an arena
 * of the group's own: the writer goes on from group to group, and its
 * request (parked, maybe answered already) keeps nothing of them. */
static void write_queued(void *ctx, gc_entry_t **q, size_t n)
{
    writer_t *w = ctx;
    quiz_entry_t *e[GROUP_MAX];
    for (size_t i = 0; i < n; i++)
        e[i] = (quiz_entry_t *)q[i];
    arena_t ga;
    arena_init(&ga);
    req_t gr = *w->r;
    gr.arena = &ga;
    if (read_and_score(&gr, e, n) < 0)
        for (size_t i = 0; i < n; i++)
            e[i]->state = E_FAILED;
    write_group(&gr, e, n, w->boards);
    arena_free(&ga);
}

void quiz_group_submit(req_t *r, quiz_entry_t *e, const quiz_board_hooks_t *boards)
{
    writer_t w = { r, boards };
    gc_submit_parked(&queue, &e->gc, write_queued, &w);
}
