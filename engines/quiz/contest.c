/* contest.c: see contest.h. */
#include "engines/quiz/contest.h"
#include "engines/quiz/contest_cache.h"
#include "server/clock.h"
#include "server/config.h"
#include "server/log.h"
#include "server/request.h"
#include "server/router.h"
#include "rules/score.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CONTEST_COLS "id, slug, name, is_main, registration_deadline, starts_at, ends_at, paper," \
    " points_per_question, time_limit_s, attempts_per_day, score_rule," \
    " IFNULL(certificate_threshold, -1), IFNULL(certificate_hours, 0), IFNULL(certificate_days, 0)," \
    " prize_settings, audience, review_policy"

static void fill_row(const db_res_t *res, size_t i, contest_t *c)
{
    c->id = db_int(res, i, 0);
    c->slug = db_get(res, i, 1);
    c->name = db_get(res, i, 2);
    c->is_main = (int)db_int(res, i, 3);
    c->registration_deadline = db_int(res, i, 4);
    c->starts_at = db_int(res, i, 5);
    c->ends_at = db_int(res, i, 6);
    c->paper_json = db_get(res, i, 7);
    c->points_per_question = (int)db_int(res, i, 8);
    c->time_limit_s = (int)db_int(res, i, 9);
    c->attempts_per_day = (int)db_int(res, i, 10);
    c->score_rule = db_get(res, i, 11);
    c->certificate_threshold = (int)db_int(res, i, 12);
    c->certificate_hours = (int)db_int(res, i, 13);
    c->certificate_days = (int)db_int(res, i, 14);
    c->prize_settings = db_get(res, i, 15);
    c->audience = db_get(res, i, 16);
    c->review_policy = db_get(res, i, 17);
}

static void fill(const db_res_t *res, contest_t *c) { fill_row(res, 0, c); }

int contest_list_active(req_t *r, long long now, contest_t **out)
{
    db_res_t *res = db_query(req_db(r), r->arena,
                             "SELECT " CONTEST_COLS " FROM contests WHERE ends_at >= ?"
                             " ORDER BY is_main DESC, starts_at, id LIMIT 100", "i", now);
    if (!res)
        return ST_STORE;
    *out = arena_alloc(r->arena, sizeof(contest_t) * (res->nrows + 1));
    for (size_t i = 0; i < res->nrows; i++)
        fill_row(res, i, &(*out)[i]);
    return (int)res->nrows;
}

static int load(req_t *r, long long id, int kept_ok, contest_t *out)
{
    db_res_t *res;
    uint64_t gen = 0;
    if (id > 0) {
        if (kept_ok && contest_cache_get(r, id, out))
            return ST_OK;
        gen = contest_cache_gen();
        res = db_query(req_db(r), r->arena, "SELECT " CONTEST_COLS " FROM contests WHERE id = ?", "i", id);
    } else {
        /* Open or upcoming first (the soonest ending), else the latest ended. */
        long long now = clock_now_s();
        res = db_query(req_db(r), r->arena,
                       "SELECT " CONTEST_COLS " FROM contests WHERE is_main = 1"
                       " ORDER BY (ends_at >= ?) DESC, CASE WHEN ends_at >= ? THEN ends_at ELSE -ends_at END, id"
                       " LIMIT 1", "ii", now, now);
    }
    if (!res)
        return ST_STORE;
    if (!res->nrows)
        return ST_NOT_FOUND;
    fill(res, out);
    if (id > 0)
        contest_cache_put(r, out, gen);
    return ST_OK;
}

int contest_load(req_t *r, long long id, contest_t *out) { return load(r, id, 1, out); }

int contest_load_fresh(req_t *r, long long id, contest_t *out) { return load(r, id, 0, out); }

int contest_from_request(req_t *r, json_t *j, contest_t *out)
{
    long long id = 0;
    const char *q = req_query(r, "contest_id");
    json_t *jv = j ? json_object_get(j, "contest_id") : NULL;
    if (q && *q) {
        char *end;
        errno = 0;
        id = strtoll(q, &end, 10);
        if (errno || *end || id <= 0) {
            reply_error(r, 400, "invalid_parameter", "contest_id must be a positive integer");
            return ST_REPLIED;
        }
    } else if (jv && !json_is_null(jv)) {
        if (!json_is_integer(jv) || json_integer_value(jv) <= 0) {
            reply_error(r, 400, "invalid_parameter", "contest_id must be a positive integer");
            return ST_REPLIED;
        }
        id = json_integer_value(jv);
    }
    int rc = contest_load(r, id, out);
    if (rc == ST_NOT_FOUND) {
        reply_error(r, 404, "no_contest", "no such contest");
        return ST_REPLIED;
    }
    return rc;
}

const char *contest_status(const contest_t *c, long long now)
{
    if (now < c->starts_at)
        return "upcoming";
    if (now > c->ends_at)
        return "closed";
    return "open";
}

int contest_registration_open(const contest_t *c, long long now)
{
    return now <= c->registration_deadline;
}

int contest_questions_per_attempt(const contest_t *c)
{
    json_t *p = json_loads(c->paper_json ? c->paper_json : "[]", 0, NULL);
    int n = 0;
    size_t i;
    json_t *e;
    json_array_foreach(p, i, e)
        n += (int)json_integer_value(json_object_get(e, "count"));
    json_decref(p);
    return n;
}

json_t *contest_json(const contest_t *c, long long now)
{
    char reg[32], st[32], en[32];
    iso8601_format_shanghai(c->registration_deadline, reg);
    iso8601_format_shanghai(c->starts_at, st);
    iso8601_format_shanghai(c->ends_at, en);
    json_t *paper = json_loads(c->paper_json ? c->paper_json : "[]", 0, NULL);
    if (!paper)
        paper = json_array();
    int n = contest_questions_per_attempt(c);
    return json_pack("{s:I,s:s,s:s,s:s,s:s,s:o,s:i,s:i,s:i,s:i,s:s,s:o,s:s,s:s,s:s}",
                     "id", (json_int_t)c->id, "name", c->name, "registration_deadline", reg,
                     "starts_at", st, "ends_at", en, "paper", paper, "questions_per_attempt", n,
                     "points_per_question", c->points_per_question, "time_limit_s", c->time_limit_s,
                     "attempts_per_day", c->attempts_per_day, "score_rule", c->score_rule,
                     "certificate_threshold",
                     c->certificate_threshold >= 0 ? json_integer(c->certificate_threshold) : json_null(),
                     "audience", c->audience ? c->audience : "all",
                     "review_policy", c->review_policy ? c->review_policy : "after_end",
                     "status", contest_status(c, now));
}
