/* submit.c: see submit.h.
 *
 * Round trips are what a submit costs (DESIGN.md), so the submit is one
 * read (the attempt, its contest's scoring settings and the answer key of
 * each of its questions: JSON_TABLE over the stored paper), the answers
 * checked and scored here, in the server, and then the write, committed
 * with the other submits ready at the same time in one transaction
 * (group commit, group.h). */
#include "engines/quiz/submit.h"
#include "engines/quiz/group.h"
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

/* Check the answers against the paper q and turn them into bank letters
 * (s->bank). Returns NULL, or why they do not fit. */
static const char *read_answers(arena_t *a, json_t *j, const db_res_t *q, quiz_entry_t *s)
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
static void score_answers(arena_t *a, const db_res_t *q, quiz_entry_t *s)
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

status_t quiz_submit(req_t *r, const quiz_attempt_t *a, json_t *body, long long now,
                     const quiz_board_hooks_t *boards, quiz_submitted_t *out)
{
    memset(out, 0, sizeof *out);
    const db_res_t *q = a->rows;
    if (now > db_int(q, 0, L_DEADLINE) + ATTEMPT_GRACE_S) {
        out->outcome = SUBMIT_EXPIRED;
        return ST_OK;
    }
    quiz_entry_t s = { .aid = a->id, .contest_id = db_int(q, 0, L_CONTEST), .user_id = a->user_id,
                       .day = db_int(q, 0, L_DAY), .now = now, .points = (int)db_int(q, 0, L_POINTS),
                       .arena = r->arena };
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
    /* Wait for the group without holding a store (a slow-pool thread
     * gives its borrowed connection back; the group's writer borrows one). */
    req_release_stores(r);
    quiz_group_submit(r, &s, boards);
    *out = s.out;
    return s.st;
}
