/* start.c: see start.h.
 *
 * The draw in the server (rules/paper_draw from a random seed over the
 * bank's active questions kept in memory, engines/quiz/bank.h), then one
 * round trip under db_tx_own (server/db.h): CALL quiz_start
 * (schema/223_quiz_start.sql), whose own transaction locks the user's row,
 * checks registration, audience, the open attempt and the daily cap, and
 * writes the attempt's small row (seed, bank version, the paper's ids and
 * option orders) while the bank is still at the version drawn from.
 * MariaDB draws nothing. */
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

/* ---- the transaction: one CALL (schema/223_quiz_start.sql) ---- */

typedef struct {
    req_t *r;
    const contest_t *c;
    long long now;
    quiz_started_t *out;
} start_ctx_t;

/* The profile kinds c's audience admits, as the rules say. */
static const char *admitted_kinds(arena_t *a, const contest_t *c)
{
    static const char *const kinds[] = { "staff", "five_into" };
    char *out = arena_strdup(a, "");
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (rules_audience_admits(c->audience, kinds[i]))
            out = arena_sprintf(a, "%s%s%s", out, *out ? "," : "", kinds[i]);
    return out;
}

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

/* One try: the paper drawn from b and the CALL. The outcome text into
 * *outcome, the attempt id into *aid. A copy in memory (not fresh) that
 * cannot fill the paper calls nothing: "bank_moved", try a fresh one. */
static status_t call_start(db_t *db, start_ctx_t *x, const quiz_bank_t *b, int fresh, json_t **shown,
                           const char **outcome, long long *aid)
{
    arena_t *a = x->r->arena;
    const contest_t *c = x->c;
    unsigned char seed[PAPER_SEED_LEN];
    char seed_hex[2 * PAPER_SEED_LEN + 1];
    if (crypto_random_bytes(seed, sizeof seed) < 0)
        return ST_STORE;
    crypto_hex_encode(seed, sizeof seed, seed_hex);
    drawn_question_t *d = NULL;
    int n = draw(a, c, b, seed, &d);
    if (n < 0)
        return ST_STORE;
    if (n == 0 && !fresh) {
        *outcome = "bank_moved";
        return ST_OK;
    }
    const char *qs = NULL;
    if (n > 0) {
        json_t *stored = arena_json(a, json_array());
        *shown = arena_json(a, json_array());
        for (int i = 0; i < n; i++) {
            const quiz_bank_text_t *t = &b->text[d[i].bank_index];
            json_array_append_new(stored, json_pack("{s:I,s:s}", "id", (json_int_t)d[i].id, "o", d[i].perm));
            json_array_append_new(*shown, question_json(a, d[i].id, t->type, t->stem, t->options, d[i].perm));
        }
        if (!(qs = arena_json_text(a, stored)))
            return ST_STORE;
    }
    long long now = x->now, day = rules_shanghai_day(now);
    /* The time limit, but never past the end of the contest. */
    long long deadline = now + c->time_limit_s < c->ends_at ? now + c->time_limit_s : c->ends_at;
    db_res_t *r = db_query(db, a, "CALL quiz_start(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "iiiiiisissi", c->id,
                           x->r->auth.user_id, day, now, deadline, (long long)c->attempts_per_day,
                           admitted_kinds(a, c), c->registration_deadline, qs, seed_hex,
                           b->version);
    if (!r || !r->nrows || !db_get(r, 0, 0))
        return ST_STORE;
    *outcome = db_get(r, 0, 0);
    *aid = db_int(r, 0, 1);
    x->out->deadline = deadline;
    return ST_OK;
}

static const struct {
    const char *name;
    quiz_start_outcome_t outcome;
} refusals[] = {
    { "not_registered", START_NOT_REGISTERED }, { "not_in_audience", START_NOT_IN_AUDIENCE },
    { "too_late", START_TOO_LATE }, { "daily_limit", START_DAILY_LIMIT }, { "no_paper", START_NO_PAPER },
};

/* The copy of the bank in memory first; when the bank moved on (or that
 * copy cannot fill the paper and a newer one may), again from the bank
 * read anew (a few times: edits may follow one another closely). */
static int start_tx(db_t *db, void *ctx)
{
    start_ctx_t *x = ctx;
    arena_t *a = x->r->arena;
    const char *outcome = "bank_moved";
    long long aid = 0;
    json_t *shown = NULL;
    for (int tries = 0; tries < 4 && strcmp(outcome, "bank_moved") == 0; tries++) {
        int fresh = tries > 0;
        quiz_bank_t *b = bank_for_start(db, a, fresh);
        if (!b)
            return ST_STORE;
        status_t st = call_start(db, x, b, fresh, &shown, &outcome, &aid);
        quiz_bank_put(b);
        if (st != ST_OK)
            return st;
    }
    if (strcmp(outcome, "new") == 0 || strcmp(outcome, "open") == 0) {
        if (outcome[0] == 'o')
            return open_attempt(db, a, aid, x->out);
        x->out->outcome = START_NEW;
        x->out->attempt_id = aid;
        x->out->questions = shown;
        return ST_OK;
    }
    for (size_t i = 0; i < sizeof refusals / sizeof *refusals; i++)
        if (strcmp(outcome, refusals[i].name) == 0) {
            if (refusals[i].outcome == START_NO_PAPER)
                log_warn("contest %lld: the question bank cannot fill the paper", x->c->id);
            x->out->outcome = refusals[i].outcome;
            return ST_OK;
        }
    log_warn("quiz_start: outcome %s", outcome);
    return ST_STORE;
}

status_t quiz_start(req_t *r, const contest_t *c, long long now, quiz_started_t *out)
{
    memset(out, 0, sizeof *out);
    start_ctx_t x = { r, c, now, out };
    return (status_t)db_tx_own(req_db(r), start_tx, &x);
}

/* ---- checking a stored paper against its seed ---- */

#define VERIFY_SQL \
    "SELECT HEX(a.seed), a.bank_version, a.questions, c.paper FROM attempts a" \
    " JOIN contests c ON c.id = a.contest_id WHERE a.id = ?"

int quiz_paper_verify(db_t *db, long long attempt_id, char *msg, size_t msglen)
{
    arena_t a;
    arena_init(&a);
    int rc = -1;
    db_res_t *r = db_query(db, &a, VERIFY_SQL, "i", attempt_id);
    long long now_version = quiz_bank_version(db, &a);
    unsigned char seed[PAPER_SEED_LEN];
    quiz_bank_t *b = NULL;
    if (!r || now_version < 0) {
        snprintf(msg, msglen, "database error: %s", db_error(db));
    } else if (!r->nrows) {
        snprintf(msg, msglen, "no attempt %lld", attempt_id);
        rc = 2;
    } else if (!db_get(r, 0, 0) || crypto_hex_decode(db_get(r, 0, 0), seed, sizeof seed) != 0) {
        snprintf(msg, msglen, "attempt %lld has no seed (drawn before schema 222)", attempt_id);
        rc = 2;
    } else if (db_int(r, 0, 1) != now_version) {
        snprintf(msg, msglen, "drawn at bank version %lld, the bank is now at %lld: cannot draw it again",
                 db_int(r, 0, 1), now_version);
        rc = 2;
    } else if ((b = quiz_bank_get(db, now_version)) && b->version == now_version) {
        contest_t c;
        memset(&c, 0, sizeof c);
        c.paper_json = db_get(r, 0, 3);
        drawn_question_t *d = NULL;
        int n = draw(&a, &c, b, seed, &d);
        json_t *again = json_array(), *stored = json_loads(db_get(r, 0, 2), 0, NULL);
        for (int i = 0; i < n; i++)
            json_array_append_new(again, json_pack("{s:I,s:s}", "id", (json_int_t)d[i].id, "o", d[i].perm));
        rc = n > 0 && stored && json_equal(again, stored) ? 0 : 1;
        snprintf(msg, msglen, rc == 0 ? "attempt %lld: the same paper drawn again from its seed at bank version %lld"
                                      : "attempt %lld: the stored paper differs from its seed's at bank version %lld",
                 attempt_id, now_version);
        json_decref(again);
        json_decref(stored);
    } else {
        snprintf(msg, msglen, "the bank moved on while reading it; try again");
        rc = 2;
    }
    quiz_bank_put(b);
    arena_free(&a);
    return rc;
}
