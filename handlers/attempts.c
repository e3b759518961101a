/* attempts.c: see attempts.h.
 *
 * Round trips are what a submit costs (DESIGN.md), so the submit is:
 *   1. one read: the attempt, its contest's scoring settings and the answer
 *      key of each of its questions (JSON_TABLE over the stored paper);
 *   2. BEGIN; one locking read of the attempt, the user's row, the contest
 *      score and the day's best (the user's row is locked so that two
 *      attempts of one person cannot race on the contest score);
 *   3. one CALL writes the day's best (when it improved), the contest score
 *      and the board outbox row (schema/052_submit_procedures.sql); the
 *      boards give the rank (Redis, see boards.h); the attempt with its
 *      reply; COMMIT.
 * Steps 2-3 run under db_tx, which runs them again after a deadlock, a
 * lock timeout or a lost connection. */
#include "handlers/attempts.h"
#include "engines/quiz/contest.h"
#include "handlers/handlers.h"
#include "rules/attempt.h"
#include "rules/eligibility.h"
#include "rules/score.h"
#include "lib/crypto.h"

#include "engines/boards/boards.h"
#include "engines/units/units.h"

#include <stdlib.h>
#include <string.h>

/* Transactions run under db_tx (server/db.h), the one place that retries. */

static void iso(long long t, char out[32]) { iso8601_format_shanghai(t, out); }

/* ---- the attempt as shown ---- */

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

static int reply_attempt(req_t *r, int status, long long aid, long long contest_id, long long deadline,
                         json_t *questions)
{
    char dl[32], now[32];
    iso(deadline, dl);
    iso(clock_now_s(), now);
    return reply_json(r, status, json_pack("{s:I,s:I,s:s,s:s,s:o}", "attempt_id", (json_int_t)aid,
                                           "contest_id", (json_int_t)contest_id, "deadline", dl,
                                           "server_time", now, "questions", questions));
}

/* The stored paper of attempt aid with each question's text, in order. */
#define PAPER_SQL \
    "SELECT jt.qid, jt.o, q.type, q.stem, q.options FROM attempts a" \
    " JOIN JSON_TABLE(a.questions, '$[*]' COLUMNS (n FOR ORDINALITY, qid BIGINT PATH '$.id'," \
    "   o VARCHAR(6) PATH '$.o')) jt" \
    " JOIN questions q ON q.id = jt.qid WHERE a.id = ? ORDER BY jt.n"

static int reply_open_attempt(req_t *r, long long aid, long long contest_id, long long deadline)
{
    db_res_t *p = db_query(req_db(r), r->arena, PAPER_SQL, "i", aid);
    if (!p)
        return ST_STORE;
    json_t *qs = json_array();
    for (size_t i = 0; i < p->nrows; i++)
        json_array_append_new(qs, question_json(r->arena, db_int(p, i, 0), db_get(p, i, 2), db_get(p, i, 3),
                                                db_get(p, i, 4), db_get(p, i, 1) ? db_get(p, i, 1) : ""));
    return reply_attempt(r, 200, aid, contest_id, deadline, qs);
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
static int draw(req_t *r, const contest_t *c, drawn_t **out)
{
    int want = contest_questions_per_attempt(c);
    if (want <= 0)
        return 0;
    json_t *paper = arena_json(r->arena, json_loads(c->paper_json ? c->paper_json : "[]", 0, NULL));
    int any = json_array_size(paper) == 1 &&
              strcmp(json_string_value(json_object_get(json_array_get(paper, 0), "category")) ?: "", "*") == 0;
    db_res_t *q = any ? db_query(req_db(r), r->arena, DRAW_ANY_SQL, "i", (long long)want)
                      : db_query(req_db(r), r->arena, DRAW_SQL, "s", c->paper_json);
    if (!q)
        return -1;
    if ((int)q->nrows < want)
        return 0;
    drawn_t *d = arena_alloc(r->arena, sizeof *d * q->nrows);
    uint32_t *rnd = arena_alloc(r->arena, sizeof *rnd * q->nrows * (ATTEMPT_MAX_OPTIONS + 1));
    crypto_random_bytes(rnd, sizeof *rnd * q->nrows * (ATTEMPT_MAX_OPTIONS + 1));
    for (size_t i = 0; i < q->nrows; i++) {
        uint32_t *w = rnd + i * (ATTEMPT_MAX_OPTIONS + 1);
        d[i].id = db_int(q, i, 0);
        d[i].type = db_get(q, i, 1);
        d[i].stem = db_get(q, i, 2);
        d[i].options = db_get(q, i, 3);
        d[i].order = w[ATTEMPT_MAX_OPTIONS];
        json_t *opts = arena_json(r->arena, json_loads(d[i].options ? d[i].options : "[]", 0, NULL));
        int n = (int)json_array_size(opts);
        int judge = strcmp(d[i].type, "judge") == 0;
        if (attempt_shuffle(judge ? 2 : n, judge, w, d[i].perm) < 0)
            return 0;
    }
    qsort(d, q->nrows, sizeof *d, cmp_drawn);
    *out = d;
    return (int)q->nrows;
}

/* ---- POST /attempts ---- */

typedef struct {
    req_t *r;
    const contest_t *c;
    long long now;
} start_ctx_t;

/* The start transaction, under db_tx (db.h): ST_OK after replying, or
 * ST_STORE after a failed statement. */
static int start_tx(db_t *db, void *ctx)
{
    start_ctx_t *x = ctx;
    req_t *r = x->r;
    const contest_t *c = x->c;
    long long now = x->now;
    long long uid = r->auth.user_id, day = rules_shanghai_day(now);
    /* The user's row is the lock that makes parallel starts one attempt
     * and keeps the daily cap under parallel requests. */
    db_res_t *u = db_query(db, r->arena,
                           "SELECT p.user_id, p.kind, p.created_at FROM users u"
                           " LEFT JOIN profiles p ON p.user_id = u.id WHERE u.id = ? FOR UPDATE", "i", uid);
    if (!u)
        return ST_STORE;
    if (!u->nrows || !db_get(u, 0, 0)) {
        db_rollback(db);
        return reply_error(r, 403, "not_registered", "register (PUT /me/profile) before answering");
    }
    rules_elig_t elig = rules_may_answer(c->audience, db_get(u, 0, 1), db_int(u, 0, 2), c->registration_deadline);
    if (elig != ELIG_OK) {
        db_rollback(db);
        return elig == ELIG_NOT_IN_AUDIENCE
                   ? reply_error(r, 403, "not_in_audience", "this contest is for the staff of water units only")
                   : reply_error(r, 403, "registered_too_late", "registered after this contest's deadline");
    }
    db_res_t *a = db_query(db, r->arena,
                           "SELECT COALESCE(SUM(day = ?), 0),"
                           " MAX(IF(submitted_at IS NULL AND deadline > ?, id, NULL))"
                           " FROM attempts WHERE contest_id = ? AND user_id = ?",
                           "iiii", day, now, c->id, uid);
    if (!a)
        return ST_STORE;
    long long open_id = db_int(a, 0, 1);
    if (open_id) {
        db_rollback(db);
        db_res_t *o = db_query(db, r->arena, "SELECT deadline FROM attempts WHERE id = ?", "i", open_id);
        if (!o || !o->nrows)
            return ST_STORE;
        return reply_open_attempt(r, open_id, c->id, db_int(o, 0, 0));
    }
    if (db_int(a, 0, 0) >= c->attempts_per_day) {
        db_rollback(db);
        return reply_error(r, 403, "daily_limit_reached",
                           arena_sprintf(r->arena, "at most %d attempts a day; try again tomorrow",
                                         c->attempts_per_day));
    }
    drawn_t *d = NULL;
    int n = draw(r, c, &d);
    if (n < 0)
        return ST_STORE;
    if (n == 0) {
        db_rollback(db);
        log_warn("contest %lld: the question bank cannot fill the paper", c->id);
        return reply_error(r, 409, "paper_unavailable", "the question bank cannot fill this contest's paper yet");
    }
    json_t *stored = arena_json(r->arena, json_array()), *shown = arena_json(r->arena, json_array());
    for (int i = 0; i < n; i++) {
        json_array_append_new(stored, json_pack("{s:I,s:s}", "id", (json_int_t)d[i].id, "o", d[i].perm));
        json_array_append_new(shown, question_json(r->arena, d[i].id, d[i].type, d[i].stem, d[i].options,
                                                   d[i].perm));
    }
    const char *qs = arena_json_text(r->arena, stored);
    /* The time limit, but never past the end of the contest. */
    long long deadline = now + c->time_limit_s < c->ends_at ? now + c->time_limit_s : c->ends_at;
    long long rc = qs ? db_exec(db, "INSERT INTO attempts (contest_id, user_id, day, started_at, deadline, questions)"
                                    " VALUES (?, ?, ?, ?, ?, ?)", "iiiiis", c->id, uid, day, now, deadline, qs)
                      : -1;
    if (rc < 0 || db_commit(db) < 0)
        return ST_STORE;
    return reply_attempt(r, 201, db_last_id(db), c->id, deadline, json_incref(shown));
}

int h_attempt_start(req_t *r)
{
    json_t *j = NULL;
    if (r->body_len) {
        j = req_json(r);
        if (!j)
            return 0;
    }
    contest_t c;
    int rc = contest_from_request(r, j, &c);
    if (rc != ST_OK)
        return rc;
    long long now = clock_now_s();
    if (strcmp(contest_status(&c, now), "open") != 0)
        return reply_error(r, 403, "contest_not_open",
                           now < c.starts_at ? "the contest has not started" : "the contest has ended");
    start_ctx_t x = { r, &c, now };
    return db_tx(req_db(r), start_tx, &x);
}

/* ---- POST /attempts/{id}/submit ---- */

/* The attempt with its contest's scoring settings and, one row per
 * question in the order shown, its perm and answer key. The stored reply
 * comes on the first row only. */
#define SUBMIT_LOAD_SQL \
    "SELECT a.user_id, a.contest_id, a.day, a.deadline, a.submitted_at, IF(jt.n = 1, a.reply, NULL)," \
    " c.points_per_question, c.score_rule, jt.qid, jt.o, q.type, q.answer, q.explanation," \
    " c.review_policy, c.ends_at" \
    " FROM attempts a JOIN contests c ON c.id = a.contest_id" \
    " JOIN JSON_TABLE(a.questions, '$[*]' COLUMNS (n FOR ORDINALITY, qid BIGINT PATH '$.id'," \
    "   o VARCHAR(6) PATH '$.o')) jt" \
    " LEFT JOIN questions q ON q.id = jt.qid WHERE a.id = ? ORDER BY jt.n"
enum { L_USER, L_CONTEST, L_DAY, L_DEADLINE, L_SUBMITTED, L_REPLY, L_POINTS, L_RULE, L_QID, L_PERM,
       L_TYPE, L_ANSWER, L_EXPLANATION, L_POLICY, L_ENDS };

typedef struct {
    long long aid, contest_id, user_id, day;
    int rule, points, nq, correct;
    long long score;
    json_t *results;     /* per question, without contest score and rank */
    int show_results;    /* the review policy allows results in the reply */
    char (*bank)[ATTEMPT_MAX_OPTIONS + 1];   /* chosen bank letters per question */
} scored_t;

static int reply_stored(req_t *r, const char *reply)
{
    if (!reply)   /* submitted by a path that kept no reply (never by this file) */
        return reply_error(r, 409, "already_submitted", "this attempt was already submitted");
    return reply_raw(r, 200, "application/json; charset=utf-8", reply, strlen(reply));
}

static int invalid(req_t *r, const char *why)
{
    reply_error(r, 400, "invalid_answers", why);
    return -1;
}

/* Check the answers against the attempt's paper and score them. Returns 0,
 * or -1 after replying 400 (nothing written). */
static int score_answers(req_t *r, json_t *j, const db_res_t *q, scored_t *s)
{
    json_t *ans = json_object_get(j, "answers");
    size_t nq = q->nrows;
    /* An empty list is a blank paper: every question unanswered, score 0. */
    if (!json_is_array(ans) || json_array_size(ans) > nq)
        return invalid(r, arena_sprintf(r->arena, "answers must list 0 to %zu of the attempt's questions", nq));
    s->bank = arena_alloc(r->arena, sizeof *s->bank * nq);
    char *seen = arena_alloc(r->arena, nq);
    size_t i;
    json_t *e;
    json_array_foreach(ans, i, e) {
        json_t *qidv = json_object_get(e, "question_id"), *ch = json_object_get(e, "choice");
        if (!json_is_object(e) || !json_is_integer(qidv) || !json_is_array(ch) ||
            json_array_size(ch) > ATTEMPT_MAX_OPTIONS)
            return invalid(r, "each answer is {\"question_id\": id, \"choice\": [\"A\", ...]}");
        long long qid = json_integer_value(qidv);
        size_t k;
        for (k = 0; k < nq; k++)
            if (db_int(q, k, L_QID) == qid)
                break;
        if (k == nq)
            return invalid(r, arena_sprintf(r->arena, "question %lld is not in this attempt", qid));
        if (seen[k])
            return invalid(r, arena_sprintf(r->arena, "question %lld is answered twice", qid));
        seen[k] = 1;
        const char *letters[ATTEMPT_MAX_OPTIONS];
        for (size_t m = 0; m < json_array_size(ch); m++)
            letters[m] = req_text(json_array_get(ch, m));
        const char *type = db_get(q, k, L_TYPE), *why = NULL;
        int multiple = type && strcmp(type, "multiple") == 0;
        if (attempt_choice_to_bank(db_get(q, k, L_PERM), multiple, letters, json_array_size(ch), s->bank[k],
                                   &why) < 0)
            return invalid(r, arena_sprintf(r->arena, "question %lld: %s", qid, why));
    }
    s->results = arena_json(r->arena, json_array());
    s->correct = 0;
    for (size_t k = 0; k < nq; k++) {
        const char *perm = db_get(q, k, L_PERM), *key = db_get(q, k, L_ANSWER);
        int ok = key && rules_choice_correct(s->bank[k], key) == 1;
        s->correct += ok;
        char shown_key[ATTEMPT_MAX_OPTIONS + 1], shown_choice[ATTEMPT_MAX_OPTIONS + 1];
        if (!key || attempt_bank_to_shown(perm, key, shown_key) < 0)
            shown_key[0] = '\0';
        if (attempt_bank_to_shown(perm, s->bank[k], shown_choice) < 0)
            shown_choice[0] = '\0';
        json_t *ka = json_array(), *ca = json_array();
        for (const char *p = shown_key; *p; p++)
            json_array_append_new(ka, json_stringn(p, 1));
        for (const char *p = shown_choice; *p; p++)
            json_array_append_new(ca, json_stringn(p, 1));
        const char *expl = db_get(q, k, L_EXPLANATION);
        json_array_append_new(s->results,
                              json_pack("{s:I,s:b,s:o,s:o,s:s}", "question_id", (json_int_t)db_int(q, k, L_QID),
                                        "correct", ok, "choice", ca, "answer", ka, "explanation",
                                        expl ? expl : ""));
    }
    s->nq = (int)nq;
    s->score = (long long)s->correct * s->points;
    return 0;
}

typedef struct {
    req_t *r;
    scored_t *s;
    long long now;
} submit_ctx_t;

/* The submit transaction, under db_tx (db.h): ST_OK after replying, or
 * ST_STORE after a failed statement. */
static int submit_tx(db_t *db, void *ctx)
{
    submit_ctx_t *x = ctx;
    req_t *r = x->r;
    scored_t *s = x->s;
    long long now = x->now;
    db_res_t *l = db_query(db, r->arena,
                           "SELECT a.submitted_at, a.reply, cs.score, cs.reached_at, d.score"
                           " FROM attempts a JOIN users u ON u.id = a.user_id"
                           " LEFT JOIN contest_scores cs ON cs.contest_id = a.contest_id AND cs.user_id = a.user_id"
                           " LEFT JOIN daily_best d ON d.contest_id = a.contest_id AND d.user_id = a.user_id"
                           "   AND d.day = a.day"
                           " WHERE a.id = ? FOR UPDATE", "i", s->aid);
    if (!l)
        return ST_STORE;
    if (!l->nrows) {   /* the attempt vanished: nothing to do */
        db_rollback(db);
        return reply_error(r, 404, "attempt_not_found", "not found");
    }
    if (db_get(l, 0, 0)) {   /* a submit of the same attempt committed first */
        const char *stored = db_get(l, 0, 1);
        db_rollback(db);
        return reply_stored(r, stored);
    }
    int first = db_get(l, 0, 2) == NULL;
    long long old_cs = db_int(l, 0, 2), old_reached = db_int(l, 0, 3);
    long long old_day = db_get(l, 0, 4) ? db_int(l, 0, 4) : -1;
    long long new_day = s->score > old_day ? s->score : old_day;
    /* the rule as rescoring computes it (rules/score.h) */
    long long new_cs = rules_contest_score_after(s->rule, first ? 0 : old_cs, first ? -1 : old_day, new_day);
    /* Ties rank whoever reached the score first higher: the time moves only
     * when the score goes up. */
    long long reached = (first || new_cs > old_cs) ? now : old_reached;

    if (db_exec(db, "CALL quiz_submit_scores(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "iiiiiiiiiii", s->contest_id,
                s->user_id, s->aid, s->day, s->score, (long long)(s->score > old_day), first ? 0 : old_cs, new_cs,
                reached, (long long)first, now) < 0)
        return ST_STORE;

    /* The rank belongs in the stored reply (a later submit gets the same
     * bytes), so it is taken before the commit: this connection already
     * sees the outbox row above, and the boards apply it now. Should the
     * commit then fail, the boards are asked to rebuild from MariaDB so
     * they do not keep a result that was never committed. */
    long long rk = lb_rank_after_submit(r, s->contest_id, s->user_id);
    json_t *rank = rk > 0 ? json_integer(rk) : json_null();
    json_t *body = arena_json(r->arena, json_pack("{s:I,s:I,s:I,s:I,s:i,s:O,s:I,s:o}", "attempt_id", (json_int_t)s->aid,
                             "contest_id", (json_int_t)s->contest_id, "score", (json_int_t)s->score,
                             "max_score", (json_int_t)((long long)s->nq * s->points), "correct_count",
                             s->correct, "results", s->show_results ? s->results : json_null(),
                             "contest_score", (json_int_t)new_cs, "rank", rank));
    const char *reply = arena_json_text(r->arena, body);
    json_t *ch = arena_json(r->arena, json_array());
    for (int k = 0; k < s->nq; k++)
        json_array_append_new(ch, json_string(s->bank[k]));
    const char *choices = arena_json_text(r->arena, ch);
    long long n = (reply && choices)
                      ? db_exec(db, "UPDATE attempts SET submitted_at = ?, score = ?, correct_count = ?, choices = ?,"
                                    " reply = ? WHERE id = ?", "iiissi", now, s->score, (long long)s->correct,
                                choices, reply, s->aid)
                      : -1;
    if (n < 0 || db_commit(db) < 0) {
        if (rk > 0)
            lb_request_rebuild(req_kv(r), s->contest_id);
        return ST_STORE;
    }
    unit_counts_changed();              /* the unit's participants and score (units.h) */
    return reply_raw(r, 200, "application/json; charset=utf-8", reply, strlen(reply));
}

int h_attempt_submit(req_t *r)
{
    long long aid;
    if (req_id_param(r, 0, "attempt_not_found", &aid) < 0)
        return 0;
    db_res_t *q = db_query(req_db(r), r->arena, SUBMIT_LOAD_SQL, "i", aid);
    if (!q)
        return ST_STORE;
    /* Someone else's attempt is "not found" too: ids are not secrets, but
     * nobody learns whether another person's attempt exists. */
    int mine = q->nrows && db_int(q, 0, L_USER) == r->auth.user_id;
    /* A retry gets the first reply whatever its body, even one that is not
     * JSON: the stored reply is looked up before the body is read. */
    if (mine && db_get(q, 0, L_SUBMITTED))
        return reply_stored(r, db_get(q, 0, L_REPLY));
    json_t *j = req_json(r);
    if (!j)
        return 0;
    if (!mine)
        return reply_error(r, 404, "attempt_not_found", "no such attempt of yours");
    long long now = clock_now_s();
    if (now > db_int(q, 0, L_DEADLINE) + ATTEMPT_GRACE_S)
        return reply_error(r, 410, "attempt_expired", "the time for this attempt is over");
    scored_t s = { .aid = aid, .contest_id = db_int(q, 0, L_CONTEST), .user_id = r->auth.user_id,
                   .day = db_int(q, 0, L_DAY), .points = (int)db_int(q, 0, L_POINTS) };
    int rule = rules_score_rule_parse(db_get(q, 0, L_RULE));
    s.rule = rule < 0 ? SCORE_BEST : rule;
    /* after_end: until the contest closes the reply (stored, and replayed
     * byte for byte) holds the score and the number right, not the key */
    s.show_results = rules_review_open(db_get(q, 0, L_POLICY), db_int(q, 0, L_ENDS), now);
    if (score_answers(r, j, q, &s) < 0)
        return 0;
    submit_ctx_t x = { r, &s, now };
    return db_tx(req_db(r), submit_tx, &x);
}
