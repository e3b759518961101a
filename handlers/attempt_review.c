/* attempt_review.c: see attempt_review.h. */
#include "handlers/attempt_review.h"
#include "handlers/handlers.h"
#include "rules/attempt.h"
#include "rules/eligibility.h"
#include "lib/iso8601.h"

#include <string.h>

#define REVIEW_SQL \
    "SELECT a.user_id, a.contest_id, a.started_at, a.deadline, a.submitted_at, a.score, a.correct_count," \
    " a.choices, c.review_policy, c.ends_at, jt.qid, jt.o, q.type, q.stem, q.options, q.answer, q.explanation" \
    " FROM attempts a JOIN contests c ON c.id = a.contest_id" \
    " JOIN JSON_TABLE(a.questions, '$[*]' COLUMNS (n FOR ORDINALITY, qid BIGINT PATH '$.id'," \
    "   o VARCHAR(6) PATH '$.o')) jt" \
    " LEFT JOIN questions q ON q.id = jt.qid WHERE a.id = ? ORDER BY jt.n"
enum { V_USER, V_CONTEST, V_STARTED, V_DEADLINE, V_SUBMITTED, V_SCORE, V_CORRECT, V_CHOICES, V_POLICY, V_ENDS,
       V_QID, V_PERM, V_TYPE, V_STEM, V_OPTIONS, V_ANSWER, V_EXPLANATION };

static json_t *iso_or_null(const db_res_t *res, size_t col)
{
    if (!db_get(res, 0, col))
        return json_null();
    char t[32];
    iso8601_format_shanghai(db_int(res, 0, col), t);
    return json_string(t);
}

/* Letters as a JSON array of one-letter strings ("AC" -> ["A","C"]). */
static json_t *letters(const char *s)
{
    json_t *a = json_array();
    for (; s && *s; s++)
        json_array_append_new(a, json_stringn(s, 1));
    return a;
}

/* Question i of the attempt as shown, with the choice and, when open,
 * the key. */
static json_t *question(const db_res_t *res, size_t i, json_t *choices, int open)
{
    const char *perm = db_get(res, i, V_PERM) ? db_get(res, i, V_PERM) : "";
    json_t *opts = json_loads(db_get(res, i, V_OPTIONS) ? db_get(res, i, V_OPTIONS) : "[]", 0, NULL);
    json_t *shown = json_array();
    for (size_t k = 0; perm[k]; k++) {
        const char *text = json_string_value(json_array_get(opts, (size_t)(perm[k] - 'A')));
        char key[2] = { (char)('A' + k), 0 };
        json_array_append_new(shown, json_pack("{s:s,s:s}", "key", key, "text", text ? text : ""));
    }
    json_decref(opts);
    char out[ATTEMPT_MAX_OPTIONS + 1] = "";
    const char *bank = json_string_value(json_array_get(choices, i));
    if (!bank || attempt_bank_to_shown(perm, bank, out) < 0)
        out[0] = '\0';
    const char *type = db_get(res, i, V_TYPE), *stem = db_get(res, i, V_STEM);
    json_t *q = json_pack("{s:I,s:s,s:s,s:o,s:o}", "id", (json_int_t)db_int(res, i, V_QID), "type",
                          type ? type : "single", "stem", stem ? stem : "", "options", shown, "choice",
                          letters(out));
    if (open) {
        const char *key = db_get(res, i, V_ANSWER), *expl = db_get(res, i, V_EXPLANATION);
        char k[ATTEMPT_MAX_OPTIONS + 1] = "";
        if (!key || attempt_bank_to_shown(perm, key, k) < 0)
            k[0] = '\0';
        json_object_set_new(q, "answer", letters(k));
        json_object_set_new(q, "correct", json_boolean(k[0] && strcmp(k, out) == 0));
        json_object_set_new(q, "explanation", json_string(expl ? expl : ""));
    }
    return q;
}

int h_attempt_get(req_t *r)
{
    long long aid;
    if (req_id_param(r, 0, "attempt_not_found", &aid) < 0)
        return 0;
    db_res_t *res = db_query(req_db(r), r->arena, REVIEW_SQL, "i", aid);
    if (!res) {
        return ST_STORE;
    }
    /* someone else's attempt is not found either (as for the submit) */
    if (!res->nrows || db_int(res, 0, V_USER) != r->auth.user_id)
        return reply_error(r, 404, "attempt_not_found", "no such attempt of yours");
    long long now = clock_now_s();
    int over = db_get(res, 0, V_SUBMITTED) != NULL || now > db_int(res, 0, V_DEADLINE);
    int open = over && rules_review_open(db_get(res, 0, V_POLICY), db_int(res, 0, V_ENDS), now);
    json_t *choices = json_loads(db_get(res, 0, V_CHOICES) ? db_get(res, 0, V_CHOICES) : "[]", 0, NULL);
    json_t *qs = json_array();
    for (size_t i = 0; i < res->nrows; i++)
        json_array_append_new(qs, question(res, i, choices, open));
    json_decref(choices);
    json_t *body = json_pack("{s:I,s:I,s:o,s:o,s:o,s:b,s:o}", "attempt_id", (json_int_t)aid, "contest_id",
                             (json_int_t)db_int(res, 0, V_CONTEST), "started_at", iso_or_null(res, V_STARTED),
                             "deadline", iso_or_null(res, V_DEADLINE), "submitted_at",
                             iso_or_null(res, V_SUBMITTED), "review_open", open, "questions", qs);
    json_object_set_new(body, "score", db_get(res, 0, V_SCORE) ? json_integer(db_int(res, 0, V_SCORE)) : json_null());
    json_object_set_new(body, "correct_count",
                        db_get(res, 0, V_CORRECT) ? json_integer(db_int(res, 0, V_CORRECT)) : json_null());
    return reply_json(r, 200, body);
}

int h_attempts_list(req_t *r)
{
    long long contest = 0, limit, offset;
    if (req_query_int(r, "contest_id", 0, 1, (1LL << 53), &contest) < 0 ||
        req_query_int(r, "limit", 20, 1, 100, &limit) < 0 ||
        req_query_int(r, "offset", 0, 0, 1000000, &offset) < 0)
        return 0;
    db_res_t *res = db_query(req_db(r), r->arena,
                             "SELECT id, contest_id, started_at, submitted_at, score, COUNT(*) OVER ()"
                             " FROM attempts WHERE user_id = ? AND (? = 0 OR contest_id = ?)"
                             " ORDER BY id DESC LIMIT ? OFFSET ?",
                             "iiiii", r->auth.user_id, contest, contest, limit, offset);
    if (!res) {
        return ST_STORE;
    }
    long long total = 0;
    if (res->nrows) {
        total = db_int(res, 0, 5);
    } else if (offset > 0) {   /* past the end: the total still counts */
        db_res_t *n = db_query(req_db(r), r->arena,
                               "SELECT COUNT(*) FROM attempts WHERE user_id = ? AND (? = 0 OR contest_id = ?)",
                               "iii", r->auth.user_id, contest, contest);
        if (!n) {
            return ST_STORE;
        }
        total = db_int(n, 0, 0);
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < res->nrows; i++) {
        char st[32], sub[32];
        iso8601_format_shanghai(db_int(res, i, 2), st);
        int done = db_get(res, i, 3) != NULL;
        if (done)
            iso8601_format_shanghai(db_int(res, i, 3), sub);
        json_array_append_new(arr, json_pack("{s:I,s:I,s:s,s:o,s:o}", "attempt_id", (json_int_t)db_int(res, i, 0),
                                             "contest_id", (json_int_t)db_int(res, i, 1), "started_at", st,
                                             "submitted_at", done ? json_string(sub) : json_null(), "score",
                                             done ? json_integer(db_int(res, i, 4)) : json_null()));
    }
    return reply_json(r, 200, json_pack("{s:o,s:I}", "attempts", arr, "total", (json_int_t)total));
}
