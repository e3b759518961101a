/* rescore.c: see rescore.h. */
#include "engines/quiz/rescore.h"
#include "rules/score.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    long long contest_id, user_id;
} person_t;

/* Index of question id in a stored paper, or -1. */
static int paper_index(const char *paper, long long qid)
{
    json_t *p = json_loads(paper ? paper : "[]", 0, NULL);
    int at = -1;
    size_t i;
    json_t *e;
    json_array_foreach(p, i, e)
        if (json_integer_value(json_object_get(e, "id")) == qid) {
            at = (int)i;
            break;
        }
    json_decref(p);
    return at;
}

/* The bank letters chosen for question k ("" when none). */
static void choice_at(const char *choices, int k, char out[8])
{
    json_t *c = json_loads(choices ? choices : "[]", 0, NULL);
    const char *s = json_string_value(json_array_get(c, (size_t)k));
    snprintf(out, 8, "%s", s ? s : "");
    json_decref(c);
}

static int contest_points(db_t *db, arena_t *a, long long contest_id, int *points, int *rule)
{
    db_res_t *c = db_query(db, a, "SELECT points_per_question, score_rule FROM contests WHERE id = ?", "i",
                           contest_id);
    if (!c)
        return -1;
    *points = c->nrows ? (int)db_int(c, 0, 0) : 0;
    int r = c->nrows ? rules_score_rule_parse(db_get(c, 0, 1)) : SCORE_BEST;
    *rule = r < 0 ? SCORE_BEST : r;
    return 0;
}

/* Recompute one person's day bests and contest score from their attempts. */
static int recompute_person(db_t *db, arena_t *a, long long revision_id, const person_t *p, long long now)
{
    int points, rule;
    if (contest_points(db, a, p->contest_id, &points, &rule) < 0)
        return -1;
    db_res_t *old = db_query(db, a, "SELECT score, reached_at FROM contest_scores"
                                    " WHERE contest_id = ? AND user_id = ? FOR UPDATE",
                             "ii", p->contest_id, p->user_id);
    if (!old)
        return -1;
    if (!old->nrows)
        return 0;
    db_res_t *at = db_query(db, a, "SELECT day, score, submitted_at FROM attempts"
                                   " WHERE contest_id = ? AND user_id = ? AND submitted_at IS NOT NULL"
                                   " ORDER BY day, score DESC, submitted_at",
                            "ii", p->contest_id, p->user_id);
    if (!at)
        return -1;
    if (db_exec(db, "DELETE FROM daily_best WHERE contest_id = ? AND user_id = ?", "ii", p->contest_id,
                p->user_id) < 0)
        return -1;
    long long *best = calloc(at->nrows + 1, sizeof *best), *when = calloc(at->nrows + 1, sizeof *when);
    size_t ndays = 0;
    int rc = 0;
    for (size_t i = 0; i < at->nrows && rc == 0; i++) {
        if (i > 0 && db_int(at, i, 0) == db_int(at, i - 1, 0))
            continue;   /* rows of a day come best first */
        best[ndays] = db_int(at, i, 1);
        when[ndays] = db_int(at, i, 2);
        if (db_exec(db, "INSERT INTO daily_best (contest_id, user_id, day, score, reached_at) VALUES (?, ?, ?, ?, ?)",
                    "iiiii", p->contest_id, p->user_id, db_int(at, i, 0), best[ndays], when[ndays]) < 0)
            rc = -1;
        ndays++;
    }
    long long score = rules_contest_score((rules_score_rule_t)rule, best, ndays), reached = 0;
    for (size_t d = 0; d < ndays; d++) {
        if (rule == SCORE_DAILY_BEST_SUM)
            reached = when[d] > reached ? when[d] : reached;   /* the sum was complete at its last day */
        else if (best[d] == score && (!reached || when[d] < reached))
            reached = when[d];
    }
    free(best);
    free(when);
    if (rc < 0)
        return -1;
    long long old_score = db_int(old, 0, 0);
    if (score == old_score && reached == db_int(old, 0, 1))
        return 0;
    if (db_exec(db, "UPDATE contest_scores SET score = ?, reached_at = ? WHERE contest_id = ? AND user_id = ?",
                "iiii", score, reached, p->contest_id, p->user_id) < 0)
        return -1;
    if (score == old_score)
        return 0;
    if (db_exec(db, "INSERT INTO score_adjustments (revision_id, contest_id, user_id, old_score, new_score,"
                    " created_at) VALUES (?, ?, ?, ?, ?, ?)",
                "iiiiii", revision_id, p->contest_id, p->user_id, old_score, score, now) < 0)
        return -1;
    long long adj = db_last_id(db);
    if (db_exec(db, "INSERT INTO board_outbox (contest_id, user_id, attempt_id, old_score, new_score, reached_at,"
                    " first_submit, created_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?)",
                "iiiiiii", p->contest_id, p->user_id, -adj, old_score, score, reached, now) < 0)
        return -1;
    return 0;
}

int rescore_question(db_t *db, arena_t *a, long long revision_id, long long question_id,
                     const char *old_answer, const char *new_answer, long long now)
{
    char probe[48];
    snprintf(probe, sizeof probe, "{\"id\": %lld}", question_id);
    /* A scan of the submitted attempts: corrections are rare and this keeps
     * the start and submit paths free of a per-question index. */
    db_res_t *at = db_query(db, a,
                            "SELECT id, contest_id, user_id, score, correct_count, questions, choices FROM attempts"
                            " WHERE submitted_at IS NOT NULL AND JSON_CONTAINS(questions, ?)"
                            " ORDER BY contest_id, user_id, id FOR UPDATE",
                            "s", probe);
    if (!at)
        return -1;
    person_t *people = calloc(at->nrows + 1, sizeof *people);
    size_t npeople = 0;
    int changed = 0, rc = 0;
    long long cached_contest = 0;
    int points = 0, rule = 0;
    for (size_t i = 0; i < at->nrows && rc == 0; i++) {
        int k = paper_index(db_get(at, i, 5), question_id);
        if (k < 0)
            continue;
        char ch[8];
        choice_at(db_get(at, i, 6), k, ch);
        int was = rules_choice_correct(ch, old_answer) == 1, now_ok = rules_choice_correct(ch, new_answer) == 1;
        if (was == now_ok)
            continue;
        long long contest_id = db_int(at, i, 1);
        if (contest_id != cached_contest) {
            if (contest_points(db, a, contest_id, &points, &rule) < 0) {
                rc = -1;
                break;
            }
            cached_contest = contest_id;
        }
        long long old_correct = db_int(at, i, 4), old_score = db_int(at, i, 3);
        long long correct = old_correct + (now_ok - was), score = correct * points;
        if (db_exec(db, "UPDATE attempts SET score = ?, correct_count = ?, rescored_at = ? WHERE id = ?", "iiii",
                    score, correct, now, db_int(at, i, 0)) < 0 ||
            db_exec(db, "INSERT INTO attempt_rescores (revision_id, attempt_id, old_score, new_score, old_correct,"
                        " new_correct) VALUES (?, ?, ?, ?, ?, ?)",
                    "iiiiii", revision_id, db_int(at, i, 0), old_score, score, old_correct, correct) < 0) {
            rc = -1;
            break;
        }
        changed++;
        /* rows come by person, so one comparison dedupes */
        person_t p = { contest_id, db_int(at, i, 2) };
        if (!npeople || people[npeople - 1].contest_id != p.contest_id || people[npeople - 1].user_id != p.user_id)
            people[npeople++] = p;
    }
    for (size_t m = 0; m < npeople && rc == 0; m++)
        rc = recompute_person(db, a, revision_id, &people[m], now);
    free(people);
    return rc < 0 ? -1 : changed;
}
