/* scoring.c: see scoring.h. */
#include "engines/quiz/scoring.h"
#include "engines/quiz/bank.h"
#include "rules/attempt.h"
#include "rules/score.h"

#include <string.h>

/* The paper with each question's type, key and explanation from MariaDB
 * as they are now, in the order shown: for a paper the bank in memory
 * cannot score. */
#define SUBMIT_KEYS_SQL \
    "SELECT jt.qid, jt.o, q.type, q.answer, q.explanation" \
    " FROM attempts a JOIN JSON_TABLE(a.questions, '$[*]' COLUMNS (n FOR ORDINALITY," \
    "   qid BIGINT PATH '$.id', o VARCHAR(6) PATH '$.o')) jt" \
    " LEFT JOIN questions q ON q.id = jt.qid WHERE a.id = ? ORDER BY jt.n"
enum { K_QID, K_PERM, K_TYPE, K_ANSWER, K_EXPLANATION };

/* One question of the paper as scoring needs it; the strings live in the
 * request's arena or in a bank the caller holds. */
typedef struct {
    long long qid;
    const char *perm;          /* bank letters in the order shown */
    int multiple;
    const char *answer;        /* bank letters; NULL: no such question any more */
    const char *explanation;
} paper_q_t;

/* The paper from the bank b: each question's id and perm from the stored
 * paper, the rest from b. Returns how many, or -1 when the paper does not
 * parse or b lacks one of its questions. */
static long long paper_from_bank(arena_t *a, const char *stored, const quiz_bank_t *b, paper_q_t **out)
{
    json_t *p = stored ? arena_json(a, json_loads(stored, 0, NULL)) : NULL;
    size_t n = json_array_size(p);
    if (!json_is_array(p) || n == 0)
        return -1;
    paper_q_t *pq = arena_alloc(a, sizeof *pq * n);
    for (size_t i = 0; i < n; i++) {
        json_t *e = json_array_get(p, i), *id = json_object_get(e, "id"), *o = json_object_get(e, "o");
        long long k = json_is_integer(id) && json_is_string(o) ? quiz_bank_find(b, json_integer_value(id)) : -1;
        if (k < 0)
            return -1;
        pq[i] = (paper_q_t){ json_integer_value(id), json_string_value(o), b->q[k].type == PQ_MULTIPLE,
                             b->text[k].answer, b->text[k].explanation };
    }
    *out = pq;
    return (long long)n;
}

/* The paper with the keys MariaDB has now (SUBMIT_KEYS_SQL). */
static long long paper_from_store(req_t *r, long long aid, paper_q_t **out)
{
    db_res_t *q = db_query(req_db(r), r->arena, SUBMIT_KEYS_SQL, "i", aid);
    if (!q)
        return -1;
    paper_q_t *pq = arena_alloc(r->arena, sizeof *pq * (q->nrows + 1));
    for (size_t i = 0; i < q->nrows; i++) {
        const char *type = db_get(q, i, K_TYPE);
        pq[i] = (paper_q_t){ db_int(q, i, K_QID), db_get(q, i, K_PERM), type && strcmp(type, "multiple") == 0,
                             db_get(q, i, K_ANSWER), db_get(q, i, K_EXPLANATION) };
    }
    *out = pq;
    return (long long)q->nrows;
}

/* Check the answers against the paper and turn them into bank letters
 * (s->bank). Returns NULL, or why they do not fit. */
static const char *read_answers(arena_t *a, json_t *j, const paper_q_t *pq, size_t nq, quiz_entry_t *s)
{
    json_t *ans = json_object_get(j, "answers");
    /* An empty list is a blank paper: every question unanswered, score 0. */
    if (!json_is_array(ans) || json_array_size(ans) > nq)
        return arena_sprintf(a, "answers must list 0 to %zu of the attempt's questions", nq);
    s->bank = arena_alloc(a, sizeof *s->bank * (nq + 1));   /* zeroed: unanswered */
    char *seen = arena_alloc(a, nq + 1);
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
            if (pq[k].qid == qid)
                break;
        if (k == nq)
            return arena_sprintf(a, "question %lld is not in this attempt", qid);
        if (seen[k])
            return arena_sprintf(a, "question %lld is answered twice", qid);
        seen[k] = 1;
        const char *letters[ATTEMPT_MAX_OPTIONS], *why = NULL;
        for (size_t m = 0; m < json_array_size(ch); m++)
            letters[m] = req_text(json_array_get(ch, m));
        if (attempt_choice_to_bank(pq[k].perm, pq[k].multiple, letters, json_array_size(ch), s->bank[k], &why) < 0)
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
 * question's result as shown (letters under the question's perm) when the
 * reply may show them (s->show_results; else s->results stays NULL). */
static void score_answers(arena_t *a, const paper_q_t *pq, size_t nq, quiz_entry_t *s)
{
    s->results = s->show_results ? arena_json(a, json_array()) : NULL;
    s->correct = 0;
    for (size_t k = 0; k < nq; k++) {
        const char *perm = pq[k].perm, *key = pq[k].answer;
        int ok = key && rules_choice_correct(s->bank[k], key) == 1;
        s->correct += ok;
        if (!s->results)
            continue;
        char shown_key[ATTEMPT_MAX_OPTIONS + 1], shown_choice[ATTEMPT_MAX_OPTIONS + 1];
        if (!key || attempt_bank_to_shown(perm, key, shown_key) < 0)
            shown_key[0] = '\0';
        if (attempt_bank_to_shown(perm, s->bank[k], shown_choice) < 0)
            shown_choice[0] = '\0';
        const char *expl = pq[k].explanation;
        json_array_append_new(s->results,
                              json_pack("{s:I,s:b,s:o,s:o,s:s}", "question_id", (json_int_t)pq[k].qid,
                                        "correct", ok, "choice", letters_json(shown_choice), "answer",
                                        letters_json(shown_key), "explanation", expl ? expl : ""));
    }
    s->nq = (int)nq;
    s->score = (long long)s->correct * s->points;
}

status_t quiz_score_answers(req_t *r, const char *paper, long long version, json_t *body, quiz_entry_t *e,
                            const char **why)
{
    /* A newer copy than the group read is as good: a key it changed is the
     * one MariaDB has now, as the read below would see it. */
    quiz_bank_t *b = version >= 0 ? quiz_bank_get(req_db(r), version) : NULL;
    paper_q_t *pq = NULL;
    long long nq = b && b->version >= version ? paper_from_bank(r->arena, paper, b, &pq) : -1;
    if (nq < 0) {
        quiz_bank_put(b);
        b = NULL;
        nq = paper_from_store(r, e->aid, &pq);
        if (nq < 0)
            return ST_STORE;
    }
    *why = read_answers(r->arena, body, pq, (size_t)nq, e);
    if (!*why)
        score_answers(r->arena, pq, (size_t)nq, e);
    quiz_bank_put(b);   /* the results hold copies of its texts */
    return ST_OK;
}
