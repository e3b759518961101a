/* submit.c: see submit.h.
 *
 * Round trips are what a submit costs (DESIGN.md), so the submit is:
 *   1. one read: the attempt, its contest's scoring settings and the answer
 *      key of each of its questions (JSON_TABLE over the stored paper);
 *   2. BEGIN; one locking read of the attempt, the user's row, the contest
 *      score and the day's best (the user's row is locked so that two
 *      attempts of one person cannot race on the contest score);
 *   3. one CALL writes the day's best (when it improved), the contest score
 *      and the board outbox row (schema/052_submit_procedures.sql); the
 *      boards give the rank (the hooks); the attempt with its reply; COMMIT.
 * Steps 2-3 run under db_tx, which runs them again after a deadlock, a
 * lock timeout or a lost connection. */
#include "engines/quiz/submit.h"
#include "rules/attempt.h"
#include "rules/eligibility.h"
#include "rules/score.h"

#include <string.h>

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

status_t quiz_submit_load(req_t *r, long long aid, quiz_attempt_t *out)
{
    memset(out, 0, sizeof *out);
    db_res_t *q = db_query(req_db(r), r->arena, SUBMIT_LOAD_SQL, "i", aid);
    if (!q)
        return ST_STORE;
    if (!q->nrows)
        return ST_NOT_FOUND;
    out->id = aid;
    out->user_id = db_int(q, 0, L_USER);
    out->submitted = db_get(q, 0, L_SUBMITTED) != NULL;
    out->stored_reply = db_get(q, 0, L_REPLY);
    out->rows = q;
    return ST_OK;
}

typedef struct {
    long long aid, contest_id, user_id, day;
    int rule, points, nq, correct;
    long long score;
    json_t *results;     /* per question, without contest score and rank */
    int show_results;    /* the review policy allows results in the reply */
    char (*bank)[ATTEMPT_MAX_OPTIONS + 1];   /* chosen bank letters per question */
} scored_t;

/* Check the answers against the paper q and turn them into bank letters
 * (s->bank). Returns NULL, or why they do not fit. */
static const char *read_answers(arena_t *a, json_t *j, const db_res_t *q, scored_t *s)
{
    json_t *ans = json_object_get(j, "answers");
    size_t nq = q->nrows;
    /* An empty list is a blank paper: every question unanswered, score 0. */
    if (!json_is_array(ans) || json_array_size(ans) > nq)
        return arena_sprintf(a, "answers must list 0 to %zu of the attempt's questions", nq);
    s->bank = arena_alloc(a, sizeof *s->bank * nq);
    char *seen = arena_alloc(a, nq);
    size_t i;
    json_t *e;
    json_array_foreach(ans, i, e) {
        json_t *qidv = json_object_get(e, "question_id"), *ch = json_object_get(e, "choice");
        if (!json_is_object(e) || !json_is_integer(qidv) || !json_is_array(ch) ||
            json_array_size(ch) > ATTEMPT_MAX_OPTIONS)
            return "each answer is {\"question_id\": id, \"choice\": [\"A\", ...]}";
        long long qid = json_integer_value(qidv);
        size_t k;
        for (k = 0; k < nq; k++)
            if (db_int(q, k, L_QID) == qid)
                break;
        if (k == nq)
            return arena_sprintf(a, "question %lld is not in this attempt", qid);
        if (seen[k])
            return arena_sprintf(a, "question %lld is answered twice", qid);
        seen[k] = 1;
        const char *letters[ATTEMPT_MAX_OPTIONS];
        for (size_t m = 0; m < json_array_size(ch); m++)
            letters[m] = req_text(json_array_get(ch, m));
        const char *type = db_get(q, k, L_TYPE), *why = NULL;
        int multiple = type && strcmp(type, "multiple") == 0;
        if (attempt_choice_to_bank(db_get(q, k, L_PERM), multiple, letters, json_array_size(ch), s->bank[k],
                                   &why) < 0)
            return arena_sprintf(a, "question %lld: %s", qid, why);
    }
    return NULL;
}

static json_t *letters_json(const char *s)
{
    json_t *arr = json_array();
    for (const char *p = s; *p; p++)
        json_array_append_new(arr, json_stringn(p, 1));
    return arr;
}

/* Score the answers read into s->bank against the key, with each
 * question's result as shown (letters under the question's perm). */
static void score_answers(arena_t *a, const db_res_t *q, scored_t *s)
{
    size_t nq = q->nrows;
    s->results = arena_json(a, json_array());
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
        const char *expl = db_get(q, k, L_EXPLANATION);
        json_array_append_new(s->results,
                              json_pack("{s:I,s:b,s:o,s:o,s:s}", "question_id", (json_int_t)db_int(q, k, L_QID),
                                        "correct", ok, "choice", letters_json(shown_choice), "answer",
                                        letters_json(shown_key), "explanation", expl ? expl : ""));
    }
    s->nq = (int)nq;
    s->score = (long long)s->correct * s->points;
}

typedef struct {
    req_t *r;
    scored_t *s;
    long long now;
    const quiz_board_hooks_t *boards;
    quiz_submitted_t *out;
} submit_ctx_t;

/* The reply: the scored result, the contest score and the rank. */
static const char *reply_text(arena_t *a, const scored_t *s, long long new_cs, long long rk)
{
    json_t *rank = rk > 0 ? json_integer(rk) : json_null();
    json_t *body = arena_json(a, json_pack("{s:I,s:I,s:I,s:I,s:i,s:O,s:I,s:o}", "attempt_id", (json_int_t)s->aid,
                                           "contest_id", (json_int_t)s->contest_id, "score", (json_int_t)s->score,
                                           "max_score", (json_int_t)((long long)s->nq * s->points),
                                           "correct_count", s->correct,
                                           "results", s->show_results ? s->results : json_null(),
                                           "contest_score", (json_int_t)new_cs, "rank", rank));
    return arena_json_text(a, body);
}

/* Write the day's best, the contest score and the outbox row from the
 * locked row l. Returns the new contest score, or -1 on a store error. */
static long long write_scores(db_t *db, const scored_t *s, const db_res_t *l, long long now)
{
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
        return -1;
    return new_cs;
}

static int submit_tx(db_t *db, void *ctx)
{
    submit_ctx_t *x = ctx;
    req_t *r = x->r;
    scored_t *s = x->s;
    db_res_t *l = db_query(db, r->arena,
                           "SELECT a.submitted_at, a.reply, cs.score, cs.reached_at, d.score"
                           " FROM attempts a JOIN users u ON u.id = a.user_id"
                           " LEFT JOIN contest_scores cs ON cs.contest_id = a.contest_id AND cs.user_id = a.user_id"
                           " LEFT JOIN daily_best d ON d.contest_id = a.contest_id AND d.user_id = a.user_id"
                           "   AND d.day = a.day"
                           " WHERE a.id = ? FOR UPDATE", "i", s->aid);
    if (!l)
        return ST_STORE;
    if (!l->nrows || db_get(l, 0, 0)) {   /* vanished, or a submit of the same attempt committed first */
        x->out->outcome = l->nrows ? SUBMIT_STORED : SUBMIT_GONE;
        x->out->reply = l->nrows ? db_get(l, 0, 1) : NULL;
        db_rollback(db);
        return ST_OK;
    }
    long long new_cs = write_scores(db, s, l, x->now);
    if (new_cs < 0)
        return ST_STORE;
    /* The rank belongs in the stored reply (a later submit gets the same
     * bytes), so it is taken before the commit: this connection already
     * sees the outbox row above, and the boards apply it now. Should the
     * commit then fail, the boards are asked to rebuild from MariaDB so
     * they do not keep a result that was never committed. */
    long long rk = x->boards->rank(r, s->contest_id, s->user_id);
    const char *reply = reply_text(r->arena, s, new_cs, rk);
    json_t *ch = arena_json(r->arena, json_array());
    for (int k = 0; k < s->nq; k++)
        json_array_append_new(ch, json_string(s->bank[k]));
    const char *choices = arena_json_text(r->arena, ch);
    long long n = (reply && choices)
                      ? db_exec(db, "UPDATE attempts SET submitted_at = ?, score = ?, correct_count = ?, choices = ?,"
                                    " reply = ? WHERE id = ?", "iiissi", x->now, s->score, (long long)s->correct,
                                choices, reply, s->aid)
                      : -1;
    if (n < 0 || db_commit(db) < 0) {
        if (rk > 0)
            x->boards->undo(r, s->contest_id);
        return ST_STORE;
    }
    x->out->outcome = SUBMIT_DONE;
    x->out->reply = reply;
    return ST_OK;
}

status_t quiz_submit(req_t *r, const quiz_attempt_t *a, json_t *body, long long now,
                     const quiz_board_hooks_t *boards, quiz_submitted_t *out)
{
    memset(out, 0, sizeof *out);
    const db_res_t *q = a->rows;
    if (now > db_int(q, 0, L_DEADLINE) + ATTEMPT_GRACE_S) {
        out->outcome = SUBMIT_EXPIRED;
        return ST_OK;
    }
    scored_t s = { .aid = a->id, .contest_id = db_int(q, 0, L_CONTEST), .user_id = a->user_id,
                   .day = db_int(q, 0, L_DAY), .points = (int)db_int(q, 0, L_POINTS) };
    int rule = rules_score_rule_parse(db_get(q, 0, L_RULE));
    s.rule = rule < 0 ? SCORE_BEST : rule;
    /* after_end: until the contest closes the reply (stored, and replayed
     * byte for byte) holds the score and the number right, not the key */
    s.show_results = rules_review_open(db_get(q, 0, L_POLICY), db_int(q, 0, L_ENDS), now);
    out->why = read_answers(r->arena, body, q, &s);
    if (out->why) {
        out->outcome = SUBMIT_INVALID;
        return ST_OK;
    }
    score_answers(r->arena, q, &s);
    submit_ctx_t x = { r, &s, now, boards, out };
    return (status_t)db_tx(req_db(r), submit_tx, &x);
}
