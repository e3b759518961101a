/* contest.h: loading a contest and deciding its windows by the server's
 * clock. Every route about one contest takes contest_id (query or POST
 * body); without it, the main current contest is meant. */
#ifndef CONTEST_H
#define CONTEST_H

#include <jansson.h>
#include "server/request.h"

typedef struct {
    long long id;
    const char *slug, *name;
    int is_main;
    long long registration_deadline, starts_at, ends_at;
    const char *paper_json;           /* [{"category","count"}] */
    int points_per_question, time_limit_s, attempts_per_day;
    const char *score_rule;           /* best | daily_best_sum */
    int certificate_threshold;        /* -1: none */
    int certificate_hours, certificate_days;
    const char *prize_settings;       /* JSON or NULL */
    const char *audience;             /* all | staff (rules/eligibility.h) */
    const char *review_policy;        /* after_submit | after_end */
} contest_t;

/* Load contest id, or the main current one when id is 0: the main contest
 * that is open or upcoming, else the one that ended last.
 * Returns ST_OK, ST_NOT_FOUND (nothing replied) or ST_STORE.
 *
 * A contest named by id may come from this process's copy, kept for
 * contest_cache_ms (1 s by default; 0: none): every start of an attempt
 * names its contest, and the row hardly changes while people answer.
 * A write this process commits to contests calls contests_changed(), so
 * this process never answers from before its own write; another process's
 * write (or one made in SQL) shows here within contest_cache_ms. */
int contest_load(req_t *r, long long id, contest_t *out) __attribute__((warn_unused_result));

/* contest_load(r, id > 0, out) read from MariaDB, never from the copy:
 * for a read that is written back. */
int contest_load_fresh(req_t *r, long long id, contest_t *out) __attribute__((warn_unused_result));

/* After a committed write to contests: this process's copies are old. */
void contests_changed(void);

/* The contest a request names: contest_id from the query string, or from
 * the JSON body j (may be NULL). Returns ST_OK; ST_REPLIED after replying
 * 404 no_contest or 400 invalid_parameter; ST_STORE. */
int contest_from_request(req_t *r, json_t *j, contest_t *out) __attribute__((warn_unused_result));

/* "upcoming" | "open" | "closed" at now (seconds). */
const char *contest_status(const contest_t *c, long long now);
int contest_registration_open(const contest_t *c, long long now);
/* Total questions of the paper. */
int contest_questions_per_attempt(const contest_t *c);
/* The contest as the API shows it (GET /contests/current). */
json_t *contest_json(const contest_t *c, long long now);

/* Contests still open or upcoming at now (ends_at >= now), the main ones
 * first, then by start. Returns the count (>= 0) with *out in the arena, or
 * ST_STORE. */
int contest_list_active(req_t *r, long long now, contest_t **out) __attribute__((warn_unused_result));

#endif
