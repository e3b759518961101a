/* start.c: see start.h.
 *
 * The transaction, under db_tx (server/db.h): the user's row FOR UPDATE,
 * the day's count and the open attempt in one locking read; the draw in
 * the server (rules/paper_draw from a random seed over the bank's active
 * questions kept in memory, engines/quiz/bank.h); the INSERT, which also
 * checks the bank's version; COMMIT. MariaDB draws nothing. */
#include "engines/quiz/start.h"
#include "engines/quiz/bank.h"
#include "lib/crypto.h"
#include "rules/attempt.h"
#include "rules/eligibility.h"
#include "rules/paper_draw.h"
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

/* The contest's paper spec as the draw takes it; -1 when it is not one. */
static int paper_spec(arena_t *a, const contest_t *c, draw_entry_t **out)
{
    json_t *paper = arena_json(a, json_loads(c->paper_json ? c->paper_json : "[]", 0, NULL));
    size_t n = json_array_size(paper);
    draw_entry_t *e = arena_alloc(a, sizeof *e * (n + 1));
    for (size_t i = 0; i < n; i++) {
        json_t *j = json_array_get(paper, i);
        e[i].category = json_string_value(json_object_get(j, "category"));
        e[i].count = (int)json_integer_value(json_object_get(j, "count"));
        if (!e[i].category)
            return -1;
    }
    *out = e;
    return (int)n;
}

/* The paper of seed from bank b: the number of questions into d (0 when
 * the bank cannot fill the paper, -1 on a bad spec). */
static int draw(arena_t *a, const contest_t *c, const quiz_bank_t *b, const unsigned char *seed,
                drawn_question_t **d)
{
    draw_entry_t *spec;
    int nspec = paper_spec(a, c, &spec);
    int want = contest_questions_per_attempt(c);
    if (nspec < 0 || want <= 0 || want > PAPER_MAX_QUESTIONS)
        return nspec < 0 || want > PAPER_MAX_QUESTIONS ? -1 : 0;
    *d = arena_alloc(a, sizeof **d * (size_t)want);
    return paper_draw(seed, b->q, b->n, spec, (size_t)nspec, *d, (size_t)want);
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

/* The attempt's row: the seed, the bank version it was drawn from, and
 * the paper as drawn (ids and option orders) for every reader. The row is
 * written only while the bank is still at that version (the check rides in
 * the INSERT: 0 rows when the bank moved on). */
#define INSERT_SQL \
    "INSERT INTO attempts (contest_id, user_id, day, started_at, deadline, questions, seed, bank_version)" \
    " SELECT ?, ?, ?, ?, ?, ?, UNHEX(?), version FROM question_bank WHERE id = 1 AND version = ?"

/* The bank for this start: the copy in memory, or (fresh) read at the
 * version now stored. NULL on a store error. */
static quiz_bank_t *bank_for_start(db_t *db, arena_t *a, int fresh)
{
    quiz_bank_t *b = fresh ? NULL : quiz_bank_current();
    if (b)
        return b;
    long long v = quiz_bank_version(db, a);
    return v < 0 ? NULL : quiz_bank_get(db, v);
}

/* Draw from b and insert: 1 stored (*shown set), 0 the bank moved on,
 * 2 the bank cannot fill the paper, -1 a store error. */
static int try_insert(db_t *db, start_ctx_t *x, const quiz_bank_t *b, long long uid, long long day,
                      long long deadline, json_t **shown)
{
    arena_t *a = x->r->arena;
    unsigned char seed[PAPER_SEED_LEN];
    char seed_hex[2 * PAPER_SEED_LEN + 1];
    if (crypto_random_bytes(seed, sizeof seed) < 0)
        return -1;
    crypto_hex_encode(seed, sizeof seed, seed_hex);
    drawn_question_t *d = NULL;
    int n = draw(a, x->c, b, seed, &d);
    if (n <= 0)
        return n < 0 ? -1 : 2;
    json_t *stored = arena_json(a, json_array());
    *shown = arena_json(a, json_array());
    for (int i = 0; i < n; i++) {
        const quiz_bank_text_t *t = &b->text[d[i].bank_index];
        json_array_append_new(stored, json_pack("{s:I,s:s}", "id", (json_int_t)d[i].id, "o", d[i].perm));
        json_array_append_new(*shown, question_json(a, d[i].id, t->type, t->stem, t->options, d[i].perm));
    }
    const char *qs = arena_json_text(a, stored);
    long long rc = qs ? db_exec(db, INSERT_SQL, "iiiiissi", x->c->id, uid, day, x->now, deadline, qs, seed_hex,
                                b->version)
                      : -1;
    return rc < 0 ? -1 : rc > 0;
}

/* Draw the paper and store the new attempt; COMMIT. */
static status_t insert_attempt(db_t *db, start_ctx_t *x, long long uid, long long day)
{
    const contest_t *c = x->c;
    /* The time limit, but never past the end of the contest. */
    long long now = x->now;
    long long deadline = now + c->time_limit_s < c->ends_at ? now + c->time_limit_s : c->ends_at;
    json_t *shown = NULL;
    int got = 0;
    /* The copy in memory first; when the bank moved on (or cannot fill the
     * paper and may have since), once more from the bank read again. */
    for (int fresh = 0; fresh < 2 && got != 1; fresh++) {
        quiz_bank_t *b = bank_for_start(db, x->r->arena, fresh);
        if (!b)
            return ST_STORE;
        got = try_insert(db, x, b, uid, day, deadline, &shown);
        quiz_bank_put(b);
        if (got < 0)
            return ST_STORE;
    }
    if (got == 2) {
        log_warn("contest %lld: the question bank cannot fill the paper", c->id);
        return refuse(db, x->out, START_NO_PAPER);
    }
    if (got != 1 || db_commit(db) < 0)
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
