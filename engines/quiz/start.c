/* start.c: see start.h.
 *
 * The transaction, under db_tx (server/db.h): the user's row FOR UPDATE,
 * the day's count and the open attempt, the draw (random active questions
 * per paper entry, each with its options shuffled), the INSERT, COMMIT. */
#include "engines/quiz/start.h"
#include "lib/crypto.h"
#include "rules/attempt.h"
#include "rules/eligibility.h"
#include "rules/score.h"
#include "server/db.h"
#include "server/log.h"

#include <stdlib.h>
#include <string.h>

/* One question as the person sees it: options in the order of perm,
 * lettered A, B, ...; never the answer or the explanation. */
static json_t *question_json(arena_t *a, long long id, const char *type, const char *stem, const char *options,
                             const char *perm)
{
    json_t *opts = arena_json(a, json_loads(options ? options : "[]", 0, NULL));
    json_t *shown = json_array();
    for (size_t i = 0; perm[i]; i++) {
        const char *text = json_string_value(json_array_get(opts, (size_t)(perm[i] - 'A')));
        char key[2] = { (char)('A' + i), 0 };
        json_array_append_new(shown, json_pack("{s:s,s:s}", "key", key, "text", text ? text : ""));
    }
    return json_pack("{s:I,s:s,s:s,s:o}", "id", (json_int_t)id, "type", type ? type : "single",
                     "stem", stem ? stem : "", "options", shown);
}

/* The stored paper of attempt aid with each question's text, in order. */
#define PAPER_SQL \
    "SELECT jt.qid, jt.o, q.type, q.stem, q.options FROM attempts a" \
    " JOIN JSON_TABLE(a.questions, '$[*]' COLUMNS (n FOR ORDINALITY, qid BIGINT PATH '$.id'," \
    "   o VARCHAR(6) PATH '$.o')) jt" \
    " JOIN questions q ON q.id = jt.qid WHERE a.id = ? ORDER BY jt.n"

static status_t open_attempt(db_t *db, arena_t *a, long long aid, quiz_started_t *out)
{
    db_res_t *o = db_query(db, a, "SELECT deadline FROM attempts WHERE id = ?", "i", aid);
    if (!o || !o->nrows)
        return ST_STORE;
    db_res_t *p = db_query(db, a, PAPER_SQL, "i", aid);
    if (!p)
        return ST_STORE;
    json_t *qs = arena_json(a, json_array());
    for (size_t i = 0; i < p->nrows; i++)
        json_array_append_new(qs, question_json(a, db_int(p, i, 0), db_get(p, i, 2), db_get(p, i, 3),
                                                db_get(p, i, 4), db_get(p, i, 1) ? db_get(p, i, 1) : ""));
    out->outcome = START_OPEN;
    out->attempt_id = aid;
    out->deadline = db_int(o, 0, 0);
    out->questions = qs;
    return ST_OK;
}

/* ---- drawing a paper ---- */

/* Per paper entry, `count` random active questions of its category: the
 * window numbers each category's candidates in a random order, and only
 * ids are sorted, so the texts are read for the chosen questions alone. */
#define DRAW_SQL \
    "SELECT q.id, q.type, q.stem, q.options FROM (" \
    "  SELECT q0.id, p.cnt, ROW_NUMBER() OVER (PARTITION BY p.n ORDER BY RAND()) AS rn" \
    "  FROM JSON_TABLE(?, '$[*]' COLUMNS (n FOR ORDINALITY," \
    "    category VARCHAR(32) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin PATH '$.category'," \
    "    cnt INT PATH '$.count')) p" \
    "  JOIN questions q0 ON q0.active = 1 AND q0.category = p.category" \
    ") pick JOIN questions q ON q.id = pick.id WHERE pick.rn <= pick.cnt"

#define DRAW_ANY_SQL \
    "SELECT q.id, q.type, q.stem, q.options FROM (" \
    "  SELECT id FROM questions WHERE active = 1 ORDER BY RAND() LIMIT ?" \
    ") pick JOIN questions q ON q.id = pick.id"

typedef struct {
    long long id;
    const char *type, *stem, *options;
    char perm[ATTEMPT_MAX_OPTIONS + 1];
    uint32_t order;
} drawn_t;

static int type_rank(const char *t)
{
    return strcmp(t, "single") == 0 ? 0 : strcmp(t, "multiple") == 0 ? 1 : 2;
}

static int cmp_drawn(const void *a, const void *b)
{
    const drawn_t *x = a, *y = b;
    int tx = type_rank(x->type), ty = type_rank(y->type);
    if (tx != ty)
        return tx - ty;
    return x->order < y->order ? -1 : x->order > y->order;
}

/* Draw the paper of c. Returns the number of questions (0 when the bank
 * cannot fill the paper), or -1 on a store error. The questions are shown
 * grouped by type (single, multiple, judge) as printed papers are, in a
 * random order within each group, each with its options shuffled. */
static int draw(db_t *db, arena_t *a, const contest_t *c, drawn_t **out)
{
    int want = contest_questions_per_attempt(c);
    if (want <= 0)
        return 0;
    json_t *paper = arena_json(a, json_loads(c->paper_json ? c->paper_json : "[]", 0, NULL));
    int any = json_array_size(paper) == 1 &&
              strcmp(json_string_value(json_object_get(json_array_get(paper, 0), "category")) ?: "", "*") == 0;
    db_res_t *q = any ? db_query(db, a, DRAW_ANY_SQL, "i", (long long)want)
                      : db_query(db, a, DRAW_SQL, "s", c->paper_json);
    if (!q)
        return -1;
    if ((int)q->nrows < want)
        return 0;
    drawn_t *d = arena_alloc(a, sizeof *d * q->nrows);
    uint32_t *rnd = arena_alloc(a, sizeof *rnd * q->nrows * (ATTEMPT_MAX_OPTIONS + 1));
    crypto_random_bytes(rnd, sizeof *rnd * q->nrows * (ATTEMPT_MAX_OPTIONS + 1));
    for (size_t i = 0; i < q->nrows; i++) {
        uint32_t *w = rnd + i * (ATTEMPT_MAX_OPTIONS + 1);
        d[i].id = db_int(q, i, 0);
        d[i].type = db_get(q, i, 1);
        d[i].stem = db_get(q, i, 2);
        d[i].options = db_get(q, i, 3);
        d[i].order = w[ATTEMPT_MAX_OPTIONS];
        json_t *opts = arena_json(a, json_loads(d[i].options ? d[i].options : "[]", 0, NULL));
        int n = (int)json_array_size(opts);
        int judge = strcmp(d[i].type, "judge") == 0;
        if (attempt_shuffle(judge ? 2 : n, judge, w, d[i].perm) < 0)
            return 0;
    }
    qsort(d, q->nrows, sizeof *d, cmp_drawn);
    *out = d;
    return (int)q->nrows;
}

/* ---- the transaction ---- */

typedef struct {
    req_t *r;
    const contest_t *c;
    long long now;
    quiz_started_t *out;
} start_ctx_t;

/* Refuse: roll back, and say why. */
static status_t refuse(db_t *db, quiz_started_t *out, quiz_start_outcome_t why)
{
    db_rollback(db);
    out->outcome = why;
    return ST_OK;
}

/* Draw the paper and store the new attempt; COMMIT. */
static status_t insert_attempt(db_t *db, start_ctx_t *x, long long uid, long long day)
{
    arena_t *a = x->r->arena;
    const contest_t *c = x->c;
    drawn_t *d = NULL;
    int n = draw(db, a, c, &d);
    if (n < 0)
        return ST_STORE;
    if (n == 0) {
        log_warn("contest %lld: the question bank cannot fill the paper", c->id);
        return refuse(db, x->out, START_NO_PAPER);
    }
    json_t *stored = arena_json(a, json_array()), *shown = arena_json(a, json_array());
    for (int i = 0; i < n; i++) {
        json_array_append_new(stored, json_pack("{s:I,s:s}", "id", (json_int_t)d[i].id, "o", d[i].perm));
        json_array_append_new(shown, question_json(a, d[i].id, d[i].type, d[i].stem, d[i].options, d[i].perm));
    }
    const char *qs = arena_json_text(a, stored);
    /* The time limit, but never past the end of the contest. */
    long long now = x->now;
    long long deadline = now + c->time_limit_s < c->ends_at ? now + c->time_limit_s : c->ends_at;
    long long rc = qs ? db_exec(db, "INSERT INTO attempts (contest_id, user_id, day, started_at, deadline, questions)"
                                    " VALUES (?, ?, ?, ?, ?, ?)", "iiiiis", c->id, uid, day, now, deadline, qs)
                      : -1;
    if (rc < 0 || db_commit(db) < 0)
        return ST_STORE;
    x->out->outcome = START_NEW;
    x->out->attempt_id = db_last_id(db);
    x->out->deadline = deadline;
    x->out->questions = shown;
    return ST_OK;
}

static int start_tx(db_t *db, void *ctx)
{
    start_ctx_t *x = ctx;
    arena_t *a = x->r->arena;
    const contest_t *c = x->c;
    long long now = x->now, uid = x->r->auth.user_id, day = rules_shanghai_day(now);
    /* The user's row is the lock that makes parallel starts one attempt
     * and keeps the daily cap under parallel requests. One round trip: the
     * row is locked as it is read, and the day's count and the open
     * attempt are read after it (a locking read sees the latest commits). */
    db_res_t *u = db_query(db, a,
                           "SELECT p.user_id, p.kind, p.created_at,"
                           " (SELECT COUNT(*) FROM attempts t WHERE t.contest_id = ? AND t.user_id = u.id"
                           "   AND t.day = ?),"
                           " (SELECT MAX(t.id) FROM attempts t WHERE t.contest_id = ? AND t.user_id = u.id"
                           "   AND t.submitted_at IS NULL AND t.deadline > ?)"
                           " FROM users u LEFT JOIN profiles p ON p.user_id = u.id WHERE u.id = ? FOR UPDATE",
                           "iiiii", c->id, day, c->id, now, uid);
    if (!u)
        return ST_STORE;
    if (!u->nrows || !db_get(u, 0, 0))
        return refuse(db, x->out, START_NOT_REGISTERED);
    rules_elig_t elig = rules_may_answer(c->audience, db_get(u, 0, 1), db_int(u, 0, 2), c->registration_deadline);
    if (elig != ELIG_OK)
        return refuse(db, x->out, elig == ELIG_NOT_IN_AUDIENCE ? START_NOT_IN_AUDIENCE : START_TOO_LATE);
    long long open_id = db_int(u, 0, 4);
    if (open_id) {
        db_rollback(db);
        return open_attempt(db, a, open_id, x->out);
    }
    if (db_int(u, 0, 3) >= c->attempts_per_day)
        return refuse(db, x->out, START_DAILY_LIMIT);
    return insert_attempt(db, x, uid, day);
}

status_t quiz_start(req_t *r, const contest_t *c, long long now, quiz_started_t *out)
{
    memset(out, 0, sizeof *out);
    start_ctx_t x = { r, c, now, out };
    return (status_t)db_tx(req_db(r), start_tx, &x);
}
