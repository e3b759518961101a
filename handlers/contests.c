/* contests.c: see contests.h. */
#include "handlers/contests.h"
#include "engines/quiz/contest.h"
#include "engines/console/console.h"
#include "engines/quiz/eligibility.h"
#include "handlers/handlers.h"
#include "rules/names.h"
#include "rules/prize_settings.h"
#include "rules/score.h"
#include "lib/crypto.h"

#include <stdio.h>
#include <string.h>

int h_contests_list(req_t *r)
{
    long long now = clock_now_s();
    contest_t *cs;
    int n = contest_list_active(r, now, &cs);
    if (n < 0)
        return n;
    json_t *arr = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(arr, contest_json(&cs[i], now));
    char iso[32];
    iso8601_format_shanghai(now, iso);
    return reply_json(r, 200, json_pack("{s:o,s:s}", "contests", arr, "server_time", iso));
}

int h_contest_current(req_t *r)
{
    contest_t c;
    int rc = contest_from_request(r, NULL, &c);
    if (rc != ST_OK)
        return rc;
    long long now = clock_now_s();
    char iso[32];
    iso8601_format_shanghai(now, iso);
    return reply_json(r, 200, json_pack("{s:o,s:s}", "contest", contest_json(&c, now), "server_time", iso));
}

/* ---- organizer: create and change ---- */

/* The contest with the settings only organizers see. */
static json_t *admin_json(const contest_t *c, long long now)
{
    json_t *j = contest_json(c, now);
    json_object_set_new(j, "slug", json_string(c->slug ? c->slug : ""));
    json_object_set_new(j, "is_main", json_boolean(c->is_main));
    json_object_set_new(j, "certificate_hours", json_integer(c->certificate_hours));
    json_object_set_new(j, "certificate_days", json_integer(c->certificate_days));
    json_t *p = c->prize_settings ? json_loads(c->prize_settings, 0, NULL) : NULL;
    json_object_set_new(j, "prize_settings", p ? p : json_null());
    return j;
}

static int bad(req_t *r, const char *field, const char *why)
{
    reply_error(r, 400, "invalid_contest", arena_sprintf(r->arena, "%s: %s", field, why));
    return -1;
}

/* An integer member within [min, max] into *out when present. */
static int int_field(req_t *r, json_t *j, const char *name, long long min, long long max, int *out)
{
    json_t *v = json_object_get(j, name);
    if (!v)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < min || json_integer_value(v) > max)
        return bad(r, name, arena_sprintf(r->arena, "a whole number from %lld to %lld", min, max));
    *out = (int)json_integer_value(v);
    return 0;
}

static int time_field(req_t *r, json_t *j, const char *name, long long *out)
{
    json_t *v = json_object_get(j, name);
    if (!v)
        return 0;
    long long t;
    if (!json_is_string(v) || iso8601_parse(json_string_value(v), &t) < 0)
        return bad(r, name, "an ISO 8601 time such as 2024-06-11T06:00:00+08:00");
    if (!req_text(v))   /* a NUL inside: the text before it is not the time given */
        return bad(r, name, "an ISO 8601 time such as 2024-06-11T06:00:00+08:00");
    *out = t;
    return 0;
}

/* 1 when a string anywhere in v holds a NUL byte: such settings are
 * refused, as the stored text is read back without JSON_ALLOW_NUL. */
static int holds_nul(json_t *v)
{
    if (json_is_string(v))
        return !req_text(v);
    size_t i;
    const char *k;
    json_t *e;
    if (json_is_array(v))
        json_array_foreach(v, i, e)
            if (holds_nul(e))
                return 1;
    if (json_is_object(v))
        json_object_foreach(v, k, e)
            if (holds_nul(e))
                return 1;
    return 0;
}

/* Checks a paper and that the active bank can fill it; writes its
 * normalised JSON into *out. Returns 0, -1 after replying, or ST_STORE. */
static int paper_field(req_t *r, json_t *v, const char **out)
{
    if (!json_is_array(v) || json_array_size(v) < 1 || json_array_size(v) > CONTEST_MAX_PAPER_ENTRIES)
        return bad(r, "paper", arena_sprintf(r->arena, "a list of 1 to %d {\"category\", \"count\"}",
                                             CONTEST_MAX_PAPER_ENTRIES));
    db_res_t *have = db_query(req_db(r), r->arena,
                              "SELECT category, COUNT(*) FROM questions WHERE active = 1 GROUP BY category", "");
    if (!have)
        return ST_STORE;
    long long total_bank = 0;
    for (size_t k = 0; k < have->nrows; k++)
        total_bank += db_int(have, k, 1);
    json_t *norm = arena_json(r->arena, json_array());
    size_t i;
    json_t *e;
    long long total = 0;
    int star = 0;
    json_array_foreach(v, i, e) {
        const char *cat = req_text(json_object_get(e, "category"));
        json_t *cnt = json_object_get(e, "count");
        char clean[200];
        if (!json_is_object(e) || !cat || rules_text_field(cat, 1, 32, clean, sizeof clean) < 0 ||
            !json_is_integer(cnt) || json_integer_value(cnt) < 1 ||
            json_integer_value(cnt) > CONTEST_MAX_QUESTIONS || json_object_size(e) != 2)
            return bad(r, "paper", "each entry is {\"category\": 1 to 32 characters, \"count\": 1 or more}");
        long long n = json_integer_value(cnt);
        for (size_t k = 0; k < i; k++)
            if (strcmp(json_string_value(json_object_get(json_array_get(norm, k), "category")), clean) == 0)
                return bad(r, "paper", "a category is named twice");
        /* "*" = any category; alone, so the draw never takes a question twice. */
        if (strcmp(clean, "*") == 0)
            star = 1;
        long long avail = 0;
        if (strcmp(clean, "*") == 0)
            avail = total_bank;
        for (size_t k = 0; k < have->nrows && !avail; k++)
            if (strcmp(db_get(have, k, 0), clean) == 0)
                avail = db_int(have, k, 1);
        if (avail < n) {
            reply_error(r, 400, "invalid_paper",
                        arena_sprintf(r->arena, "category %s has %lld active questions; the paper asks for %lld",
                                      clean, avail, n));
            return -1;
        }
        total += n;
        json_array_append_new(norm, json_pack("{s:s,s:I}", "category", clean, "count", (json_int_t)n));
    }
    if (star && json_array_size(v) != 1)
        return bad(r, "paper", "\"*\" (any category) must be the only entry");
    if (total > CONTEST_MAX_QUESTIONS)
        return bad(r, "paper", arena_sprintf(r->arena, "at most %d questions", CONTEST_MAX_QUESTIONS));
    const char *s = arena_json_text(r->arena, norm);
    *out = s ? s : "[]";
    return 0;
}

/* Replies 400 and returns -1 when j has a member that is not a setting. */
static int known_members(req_t *r, json_t *j)
{
    static const char *const known[] = {
        "name", "slug", "is_main", "registration_deadline", "starts_at", "ends_at", "paper",
        "points_per_question", "time_limit_s", "attempts_per_day", "score_rule",
        "certificate_threshold", "certificate_hours", "certificate_days", "prize_settings",
        "audience", "review_policy", NULL };
    const char *key;
    json_t *v;
    json_object_foreach(j, key, v) {
        int ok = 0;
        for (int k = 0; known[k]; k++)
            ok |= strcmp(known[k], key) == 0;
        if (!ok)
            return bad(r, key, "not a contest setting");
    }
    return 0;
}

/* name, slug and is_main: 0, or -1 after replying. */
static int apply_names(req_t *r, json_t *j, contest_t *c)
{
    json_t *v;
    if ((v = json_object_get(j, "name"))) {
        char *clean = arena_alloc(r->arena, 401);
        if (!req_text(v) || rules_text_field(req_text(v), 2, 100, clean, 401) < 0)
            return bad(r, "name", "2 to 100 characters");
        c->name = clean;
    }
    if ((v = json_object_get(j, "slug"))) {
        const char *s = req_text(v);
        size_t n = s ? strlen(s) : 0;
        if (n < 1 || n > 32 || strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_") != n)
            return bad(r, "slug", "1 to 32 of a-z 0-9 - _");
        c->slug = arena_strdup(r->arena, s);
    }
    if ((v = json_object_get(j, "is_main"))) {
        if (!json_is_boolean(v))
            return bad(r, "is_main", "true or false");
        c->is_main = json_is_true(v);
    }
    return 0;
}

/* The times, the numbers and the score rule: 0, or -1 after replying. */
static int apply_rules(req_t *r, json_t *j, contest_t *c)
{
    json_t *v;
    if (time_field(r, j, "registration_deadline", &c->registration_deadline) < 0 ||
        time_field(r, j, "starts_at", &c->starts_at) < 0 || time_field(r, j, "ends_at", &c->ends_at) < 0)
        return -1;
    if (int_field(r, j, "points_per_question", 1, 100, &c->points_per_question) < 0 ||
        int_field(r, j, "time_limit_s", 60, 4 * 3600, &c->time_limit_s) < 0 ||
        int_field(r, j, "attempts_per_day", 1, 100, &c->attempts_per_day) < 0 ||
        int_field(r, j, "certificate_hours", 0, 100, &c->certificate_hours) < 0 ||
        int_field(r, j, "certificate_days", 0, 366, &c->certificate_days) < 0)
        return -1;
    if ((v = json_object_get(j, "score_rule"))) {
        if (rules_score_rule_parse(req_text(v)) < 0)
            return bad(r, "score_rule", "best or daily_best_sum");
        c->score_rule = arena_strdup(r->arena, req_text(v));
    }
    if ((v = json_object_get(j, "certificate_threshold"))) {
        if (json_is_null(v))
            c->certificate_threshold = -1;
        else if (int_field(r, j, "certificate_threshold", 0, 100000, &c->certificate_threshold) < 0)
            return -1;
    }
    return 0;
}

/* prize_settings v (an object, or null for none): 0, or -1 after replying. */
static int apply_prize_settings(req_t *r, json_t *v, contest_t *c)
{
    if (json_is_null(v)) {
        c->prize_settings = NULL;
        return 0;
    }
    if (!json_is_object(v) || holds_nul(v))
        return bad(r, "prize_settings", "an object or null");
    prize_settings_t ps;
    char err[200];
    if (rules_prize_settings_parse(v, &ps, err, sizeof err) < 0) {
        reply_error(r, 400, "invalid_contest", arena_strdup(r->arena, err));
        return -1;
    }
    const char *s = arena_json_text(r->arena, v);
    c->prize_settings = s ? s : "{}";
    return 0;
}

/* The settings together: 0, or -1 after replying. */
static int check_settings(req_t *r, const contest_t *c)
{
    if (c->starts_at >= c->ends_at)
        return bad(r, "ends_at", "must be after starts_at");
    if (c->registration_deadline > c->ends_at)
        return bad(r, "registration_deadline", "must not be after ends_at");
    long long max_score = (long long)contest_questions_per_attempt(c) * c->points_per_question;
    if (c->certificate_threshold > max_score)
        return bad(r, "certificate_threshold", "above the paper's full marks");
    return 0;
}

/* Apply the members of j onto c (every member optional here; the caller
 * checks what a new contest needs). Returns 0, -1 after replying, or
 * ST_STORE. */
static int apply_settings(req_t *r, json_t *j, contest_t *c)
{
    if (known_members(r, j) < 0 || apply_names(r, j, c) < 0 || apply_rules(r, j, c) < 0)
        return -1;
    json_t *v;
    if ((v = json_object_get(j, "prize_settings")) && apply_prize_settings(r, v, c) < 0)
        return -1;
    if ((v = json_object_get(j, "paper"))) {
        int rc = paper_field(r, v, &c->paper_json);
        if (rc < 0)
            return rc;
    }
    return check_settings(r, c);
}

/* Writes c (insert when c->id is 0) and its audit record (before: NULL
 * for a new contest) in one transaction. Returns 0, 1 for a taken slug,
 * or ST_STORE. */
static int save_row(req_t *r, contest_t *c, long long now);

typedef struct {
    req_t *r;
    contest_t *c;
    const contest_t *before;
    long long now;
} save_tx_t;

/* One try of save, run by db_tx (server/db.h): again after a deadlock or
 * a lock wait, so an organizer is not told 503 for a write that a second
 * try makes. A new contest gets its id in the try that commits. */
static int save_tx(db_t *db, void *ctx)
{
    save_tx_t *x = ctx;
    if (!x->before)
        x->c->id = 0;
    int rc = save_row(x->r, x->c, x->now);
    if (rc == 1)
        db_rollback(db);
    if (rc != 0)
        return rc;
    json_t *b = x->before ? arena_json(x->r->arena, admin_json(x->before, x->now)) : NULL;
    json_t *a = arena_json(x->r->arena, admin_json(x->c, x->now));
    if (console_audit(db, session_caller(x->r)->organizer_id, x->before ? "contest.update" : "contest.create",
                      "contest", x->c->id, b, a) != 0 || db_commit(db) != 0)
        return ST_STORE;
    return 0;
}

static int save(req_t *r, contest_t *c, const contest_t *before, long long now)
{
    save_tx_t x = { r, c, before, now };
    int rc = db_tx(req_db(r), save_tx, &x);
    if (rc == 0)
        contests_changed();
    return rc;
}

/* The contest's row alone: 0, 1 for a taken slug, or ST_STORE. */
static int save_row(req_t *r, contest_t *c, long long now)
{
    const char *thr = c->certificate_threshold >= 0 ? arena_sprintf(r->arena, "%d", c->certificate_threshold) : NULL;
    long long n;
    if (!c->id) {
        n = db_exec(req_db(r),
                    "INSERT INTO contests (slug, name, is_main, registration_deadline, starts_at, ends_at, paper,"
                    " points_per_question, time_limit_s, attempts_per_day, score_rule, certificate_threshold,"
                    " certificate_hours, certificate_days, prize_settings, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    "ssiiiisiiissiisii", c->slug, c->name, (long long)c->is_main, c->registration_deadline,
                    c->starts_at, c->ends_at, c->paper_json, (long long)c->points_per_question,
                    (long long)c->time_limit_s, (long long)c->attempts_per_day, c->score_rule, thr,
                    (long long)c->certificate_hours, (long long)c->certificate_days, c->prize_settings, now, now);
        if (n >= 0)
            c->id = db_last_id(req_db(r));
    } else {
        n = db_exec(req_db(r),
                    "UPDATE contests SET slug = ?, name = ?, is_main = ?, registration_deadline = ?, starts_at = ?,"
                    " ends_at = ?, paper = ?, points_per_question = ?, time_limit_s = ?, attempts_per_day = ?,"
                    " score_rule = ?, certificate_threshold = ?, certificate_hours = ?, certificate_days = ?,"
                    " prize_settings = ?, updated_at = ? WHERE id = ?",
                    "ssiiiisiiissiisii", c->slug, c->name, (long long)c->is_main, c->registration_deadline,
                    c->starts_at, c->ends_at, c->paper_json, (long long)c->points_per_question,
                    (long long)c->time_limit_s, (long long)c->attempts_per_day, c->score_rule, thr,
                    (long long)c->certificate_hours, (long long)c->certificate_days, c->prize_settings, now, c->id);
    }
    if (n < 0) {
        if (db_errno(req_db(r)) == DB_ER_DUP_ENTRY)
            return 1;
        return ST_STORE;
    }
    return 0;
}

int h_admin_contest_create(req_t *r)
{
    json_t *j = req_json(r);
    if (!j)
        return 0;
    static const char *const required[] = { "name", "registration_deadline", "starts_at", "ends_at", "paper", NULL };
    for (int k = 0; required[k]; k++)
        if (!json_object_get(j, required[k]))
            return reply_error(r, 400, "invalid_contest",
                               arena_sprintf(r->arena, "%s is required", required[k]));
    /* Defaults: the mini-program contest's rules (RULES.md). */
    contest_t c = { .points_per_question = 5, .time_limit_s = 900, .attempts_per_day = 3,
                    .score_rule = "best", .certificate_threshold = -1 };
    int rc = apply_settings(r, j, &c);
    if (rc < 0)
        return rc == ST_STORE ? ST_STORE : ST_REPLIED;
    if (quiz_contest_policy_parse(r, j, &c.audience, &c.review_policy) < 0)
        return ST_REPLIED;
    if (!c.slug) {
        unsigned char rnd[5];
        crypto_random_bytes(rnd, sizeof rnd);
        c.slug = arena_sprintf(r->arena, "c%02x%02x%02x%02x%02x", rnd[0], rnd[1], rnd[2], rnd[3], rnd[4]);
    }
    long long now = clock_now_s();
    rc = save(r, &c, NULL, now);
    if (rc < 0)
        return rc;
    if (rc == 1)
        return reply_error(r, 409, "contest_exists", "another contest has this slug");
    if (quiz_contest_policy_save(r, c.id, c.audience, c.review_policy) < 0)
        return ST_STORE;
    log_info("contest %lld created by organizer %lld", c.id, session_caller(r)->organizer_id);
    return reply_json(r, 201, json_pack("{s:o}", "contest", admin_json(&c, now)));
}

int h_admin_contest_update(req_t *r)
{
    long long id;
    if (req_id_param(r, 0, "no_contest", &id) < 0)
        return 0;
    json_t *j = req_json(r);
    if (!j)
        return 0;
    contest_t c;
    /* Not a kept copy: the row is written back whole, and one a second
     * old would undo another process's change. */
    int rc = contest_load_fresh(r, id, &c);
    if (rc == ST_NOT_FOUND)
        return reply_error(r, 404, "no_contest", "no such contest");
    if (rc != ST_OK)
        return rc;
    contest_t before = c;
    /* Prizes are decided by the settings in force when the contest ended:
     * changing them afterwards would change who wins after the scores are known. */
    json_t *ps = json_object_get(j, "prize_settings");
    if (ps && clock_now_s() >= before.ends_at) {
        json_t *old = before.prize_settings ? arena_json(r->arena, json_loads(before.prize_settings, 0, NULL))
                                            : json_null();
        if (!old || !json_equal(old, ps))
            return reply_error(r, 409, "contest_ended", "prize_settings cannot change after the contest ended");
    }
    rc = apply_settings(r, j, &c);
    if (rc < 0)
        return rc == ST_STORE ? ST_STORE : ST_REPLIED;
    const char *audience = NULL, *review_policy = NULL;
    if (quiz_contest_policy_parse(r, j, &audience, &review_policy) < 0)
        return ST_REPLIED;
    /* Scores already given were computed under the old rule and points;
     * changing either would leave them meaning something else. */
    if (strcmp(before.score_rule, c.score_rule) != 0 || before.points_per_question != c.points_per_question) {
        db_res_t *n = db_query(req_db(r), r->arena,
                               "SELECT COUNT(*) FROM contest_scores WHERE contest_id = ?", "i", id);
        if (!n) {
            return ST_STORE;
        }
        if (db_int(n, 0, 0) > 0)
            return reply_error(r, 409, "contest_has_results",
                               "score_rule and points_per_question cannot change once people have scores");
    }
    long long now = clock_now_s();
    rc = save(r, &c, &before, now);
    if (rc < 0)
        return rc;
    if (rc == 1)
        return reply_error(r, 409, "contest_exists", "another contest has this slug");
    if (quiz_contest_policy_save(r, c.id, audience, review_policy) < 0)
        return ST_STORE;
    c.audience = audience ? audience : c.audience;
    c.review_policy = review_policy ? review_policy : c.review_policy;
    log_info("contest %lld changed by organizer %lld", c.id, session_caller(r)->organizer_id);
    return reply_json(r, 200, json_pack("{s:o}", "contest", admin_json(&c, now)));
}
