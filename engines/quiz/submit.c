/* submit.c: see submit.h.
 *
 * Round trips are what a submit costs (DESIGN.md), so the submit is one
 * primary-key read (the attempt with its stored paper, its contest's
 * scoring settings and the question bank's version), the answers checked
 * and scored here, in the server, against the keys of the bank in memory
 * at that version (bank.h), and then the write, committed with the other
 * submits ready at the same time in one transaction (group commit,
 * group.h). A paper with a question the bank no longer holds (taken out
 * since the draw) is scored from the keys MariaDB has now (one more read). */
#include "engines/quiz/submit.h"
#include "engines/quiz/bank.h"
#include "engines/quiz/group.h"
#include "rules/attempt.h"
#include "rules/eligibility.h"
#include "rules/score.h"
#include "server/park.h"

#include <stdlib.h>
#include <string.h>

/* The attempt, its contest's scoring settings and the bank's version,
 * read together (one consistent read): three const tables, each one row
 * by its primary key (the bank's row joined, not a subquery, which costs
 * MariaDB a subquery engine per execution). */
#define SUBMIT_LOAD_SQL \
    "SELECT a.user_id, a.contest_id, a.day, a.deadline, a.submitted_at, a.reply, a.questions," \
    " c.points_per_question, c.score_rule, c.review_policy, c.ends_at, b.version" \
    " FROM attempts a JOIN contests c ON c.id = a.contest_id LEFT JOIN question_bank b ON b.id = 1" \
    " WHERE a.id = ?"
enum { L_USER, L_CONTEST, L_DAY, L_DEADLINE, L_SUBMITTED, L_REPLY, L_PAPER, L_POINTS, L_RULE, L_POLICY,
       L_ENDS, L_VERSION };

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
    out->row = q;
    return ST_OK;
}

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

/* Read and score body's answers into s: from the bank in memory at the
 * version the load read, else (a question it lacks) from MariaDB now.
 * Returns ST_OK with *why NULL or why the answers do not fit, or ST_STORE. */
static status_t check_and_score(req_t *r, const quiz_attempt_t *a, json_t *body, quiz_entry_t *s, const char **why)
{
    const db_res_t *q = a->row;
    long long version = db_get(q, 0, L_VERSION) ? db_int(q, 0, L_VERSION) : -1;
    /* A newer copy than the load saw is as good: a key it changed is the
     * one MariaDB has now, as the read below would see it. */
    quiz_bank_t *b = version >= 0 ? quiz_bank_get(req_db(r), version) : NULL;
    paper_q_t *pq = NULL;
    long long nq = b && b->version >= version ? paper_from_bank(r->arena, db_get(q, 0, L_PAPER), b, &pq) : -1;
    if (nq < 0) {
        quiz_bank_put(b);
        b = NULL;
        nq = paper_from_store(r, a->id, &pq);
        if (nq < 0)
            return ST_STORE;
    }
    *why = read_answers(r->arena, body, pq, (size_t)nq, s);
    if (!*why)
        score_answers(r->arena, pq, (size_t)nq, s);
    quiz_bank_put(b);   /* the results hold copies of its texts */
    return ST_OK;
}

/* A submit on its way through its group: the entry, the arena that holds
 * everything it and its reply need (the request's own arena is the
 * worker's, reset once the handler returns), and the parked request. */
typedef struct {
    quiz_entry_t e;              /* first: its gc part is the queue's */
    arena_t arena;
    park_wait_t wait;            /* the request parked, or its thread sleeping */
    quiz_submit_reply_fn *reply;
} held_t;

static void held_free(held_t *h)
{
    arena_free(&h->arena);
    free(h);
}

static int reply_of(req_t *to, void *ud)
{
    held_t *h = ud;
    return h->reply(to, h->e.st, &h->e.out);
}

/* The writer is done with h's group: reply to the parked request from
 * this thread, in h's arena; or wake the waiter. */
static void written(gc_entry_t *g)
{
    held_t *h = (held_t *)g;
    if (park_wait_done(&h->wait, &h->arena, reply_of, h))
        held_free(h);
}

int quiz_submit(req_t *r, const quiz_attempt_t *a, json_t *body, long long now,
                const quiz_board_hooks_t *boards, quiz_submit_reply_fn *reply)
{
    quiz_submitted_t out = { 0 };
    const db_res_t *q = a->row;
    if (now > db_int(q, 0, L_DEADLINE) + ATTEMPT_GRACE_S) {
        out.outcome = SUBMIT_EXPIRED;
        return reply(r, ST_OK, &out);
    }
    held_t *h = calloc(1, sizeof *h);
    if (!h)
        return ST_ERR;
    arena_init(&h->arena);
    quiz_entry_t *s = &h->e;
    s->aid = a->id;
    s->contest_id = db_int(q, 0, L_CONTEST);
    s->user_id = a->user_id;
    s->day = db_int(q, 0, L_DAY);
    s->now = now;
    s->points = (int)db_int(q, 0, L_POINTS);
    s->arena = &h->arena;
    int rule = rules_score_rule_parse(db_get(q, 0, L_RULE));
    s->rule = rule < 0 ? SCORE_BEST : rule;
    /* after_end: until the contest closes the reply (stored, and replayed
     * byte for byte) holds the score and the number right, not the key */
    s->show_results = rules_review_open(db_get(q, 0, L_POLICY), db_int(q, 0, L_ENDS), now);
    /* What scoring allocates (the answers, the results) must outlive the
     * handler: it goes in the entry's arena. */
    arena_t *own = r->arena;
    r->arena = &h->arena;
    status_t st = check_and_score(r, a, body, s, &out.why);
    r->arena = own;
    if (st != ST_OK || out.why) {
        if (out.why)
            out.outcome = SUBMIT_INVALID;
        int rc = reply(r, st, &out);   /* copies why into r's arena */
        held_free(h);
        return rc;
    }
    h->reply = reply;
    s->gc.done = written;
    int parked = park_wait_begin(&h->wait, r);
    /* Queued holding no store: on the slow pool a borrowed connection goes
     * back (a fast thread owns its own; the writer uses its thread's). */
    req_release_stores(r);
    quiz_group_submit(r, s, boards);
    if (parked)
        return 0;    /* written() answers it and frees h: maybe already */
    park_wait_sleep(&h->wait);
    int rc = reply(r, s->st, &s->out);
    held_free(h);
    return rc;
}
