/* stats.c: GET /api/v1/admin/stats — the running counts the
 * dashboard shows beside the boards, for organizers: totals and per-day
 * series (Asia/Shanghai days) of registrations (profiles), units,
 * participants (people with a submitted attempt in the contest) and
 * attempts (accepted submits: the outbox rows that carry an attempt; a
 * rescore's rows do not).
 *
 * With a replica configured (db_replica_*) the counts are read there while
 * it keeps up; "source" says which database was read and why.
 *
 * It also carries the reports engine's breakdown by the regions one level
 * below the organizer's area ("regions") and each event's attendance
 * ("events"): engines/reports/stats.c.
 *
 * An organizer with an area sees the people and units of that area. The
 * counts scan tables, so the answer is kept in Redis for a few seconds
 * (every dashboard refreshes every few seconds; the counts need not be
 * fresher), and computed directly when Redis is down. */
#include "handlers/stats.h"
#include "handlers/handlers.h"
#include "engines/boards/boards.h"
#include "engines/quiz/contest.h"
#include "rules/score.h"
#include "engines/reports/reports.h"

#include <stdlib.h>
#include <string.h>

#define STATS_TTL_S 3

/* Area filter on a table with province_code/city_code/county_code:
 * 4 parameters "ssss" (area, area, area, area). */
#define AREA(t) " (? = '' OR " t ".province_code = ? OR " t ".city_code = ? OR " t ".county_code = ?)"

typedef struct {
    long long day, reg, units, parts, attempts;
} day_t;

static day_t *day_slot(day_t *d, size_t *n, size_t cap, long long day)
{
    for (size_t i = 0; i < *n; i++)
        if (d[i].day == day)
            return &d[i];
    if (*n == cap)
        return NULL;
    d[*n] = (day_t){ .day = day };
    return &d[(*n)++];
}

static int day_cmp(const void *x, const void *y)
{
    long long a = ((const day_t *)x)->day, b = ((const day_t *)y)->day;
    return a < b ? -1 : a > b;
}

/* Fills one column of the series from rows (day, count). */
static int add_series(db_res_t *res, day_t *d, size_t *n, size_t cap, size_t field)
{
    if (!res)
        return -1;
    for (size_t i = 0; i < res->nrows; i++) {
        day_t *s = day_slot(d, n, cap, db_int(res, i, 0));
        if (!s)
            break;
        long long v = db_int(res, i, 1);
        if (field == 0) s->reg = v;
        else if (field == 1) s->units = v;
        else if (field == 2) s->parts = v;
        else s->attempts = v;
    }
    return 0;
}

static json_t *compute(req_t *r, db_t *db, const contest_t *c)
{
    arena_t *a = r->arena;
    const char *ar = session_caller(r)->area;
    long long cid = c->id;
    db_res_t *t1 = db_query(db, a, "SELECT COUNT(*) FROM profiles p WHERE" AREA("p"), "ssss", ar, ar, ar, ar);
    db_res_t *t2 = db_query(db, a, "SELECT COUNT(*) FROM units u WHERE u.disabled = 0 AND u.merged_into IS NULL"
                                   " AND" AREA("u"), "ssss", ar, ar, ar, ar);
    db_res_t *t3 = db_query(db, a, "SELECT COUNT(*), IFNULL(SUM(s.attempts_submitted), 0)"
                                   " FROM contest_scores s LEFT JOIN profiles p ON p.user_id = s.user_id"
                                   " WHERE s.contest_id = ? AND (? = '' OR" AREA("p") ")",
                            "isssss", cid, ar, ar, ar, ar, ar);
    if (!t1 || !t2 || !t3)
        return NULL;
    enum { CAP = 400 };
    day_t d[CAP];
    size_t n = 0;
    /* day = floor((t + 8 h) / 1 day): the Shanghai calendar day (rules_shanghai_day) */
    if (add_series(db_query(db, a, "SELECT FLOOR((p.created_at + 28800) / 86400) AS d, COUNT(*) FROM profiles p"
                                   " WHERE" AREA("p") " GROUP BY d", "ssss", ar, ar, ar, ar), d, &n, CAP, 0) < 0 ||
        add_series(db_query(db, a, "SELECT FLOOR((u.created_at + 28800) / 86400) AS d, COUNT(*) FROM units u"
                                   " WHERE u.disabled = 0 AND u.merged_into IS NULL AND" AREA("u")
                                   " GROUP BY d", "ssss", ar, ar, ar, ar), d, &n, CAP, 1) < 0 ||
        add_series(db_query(db, a, "SELECT FLOOR((s.first_submitted_at + 28800) / 86400) AS d, COUNT(*)"
                                   " FROM contest_scores s LEFT JOIN profiles p ON p.user_id = s.user_id"
                                   " WHERE s.contest_id = ? AND (? = '' OR" AREA("p") ") GROUP BY d",
                            "isssss", cid, ar, ar, ar, ar, ar), d, &n, CAP, 2) < 0 ||
        add_series(db_query(db, a, "SELECT FLOOR((o.created_at + 28800) / 86400) AS d, COUNT(*)"
                                   " FROM board_outbox o LEFT JOIN profiles p ON p.user_id = o.user_id"
                                   /* a submit's row carries its attempt; a rescore's (rescore.c) a
                                    * negative adjustment id and is no attempt */
                                   " WHERE o.contest_id = ? AND o.attempt_id > 0"
                                   " AND (? = '' OR" AREA("p") ") GROUP BY d",
                            "isssss", cid, ar, ar, ar, ar, ar), d, &n, CAP, 3) < 0)
        return NULL;
    qsort(d, n, sizeof d[0], day_cmp);
    json_t *series = json_array();
    for (size_t i = 0; i < n; i++) {
        char iso[32];
        iso8601_format_shanghai(rules_shanghai_day_start(d[i].day), iso);
        iso[10] = 0;   /* the date part */
        json_array_append_new(series, json_pack("{s:s,s:I,s:I,s:I,s:I}", "date", iso,
                                                "registrations", (json_int_t)d[i].reg,
                                                "units", (json_int_t)d[i].units,
                                                "participants", (json_int_t)d[i].parts,
                                                "attempts", (json_int_t)d[i].attempts));
    }
    /* the reports' breakdown by region and the events' attendance */
    json_t *regions, *events;
    if (rep_stats_regions(db, a, ar, cid, &regions) != ST_OK)
        return json_decref(series), NULL;
    if (rep_stats_events(db, a, ar, &events) != ST_OK)
        return json_decref(series), json_decref(regions), NULL;
    char from[32], to[32];
    iso8601_format_shanghai(c->starts_at, from);
    iso8601_format_shanghai(c->ends_at, to);
    return json_pack("{s:I,s:s,s:s,s:s,s:s,s:{s:I,s:I,s:I,s:I},s:o,s:o,s:o}",
                     "contest_id", (json_int_t)cid, "contest_name", c->name, "contest_starts_at", from,
                     "contest_ends_at", to, "area", ar,
                     "totals", "registrations", (json_int_t)db_int(t1, 0, 0),
                     "units", (json_int_t)db_int(t2, 0, 0),
                     "participants", (json_int_t)db_int(t3, 0, 0),
                     "attempts", (json_int_t)db_int(t3, 0, 1),
                     "series", series, "regions", regions, "events", events);
}

int h_admin_stats(req_t *r)
{
    contest_t c;
    int st = contest_from_request(r, NULL, &c);
    if (st != ST_OK)
        return st;
    char tag[32];
    lb_tag(c.id, tag);
    const char *key = arena_sprintf(r->arena, "%s:stats:%s", tag, session_caller(r)->area[0] ? session_caller(r)->area : "all");
    json_t *body = NULL;
    redisReply *rep = kv_cmd(req_kv(r), r->arena, "GET %s", key);
    if (rep && rep->type == REDIS_REPLY_STRING)
        body = json_loads(rep->str, 0, NULL);
    if (!body) {
        /* Read from the replica when one keeps up (engines/reports). */
        char source[64];
        db_t *replica = rep_replica_take(source);
        body = compute(r, replica ? replica : req_db(r), &c);
        rep_replica_give(replica);
        if (!body)
            return ST_STORE;
        json_object_set_new(body, "source", json_string(source));
        const char *text = arena_json_text(r->arena, body);
        if (text)
            kv_cmd(req_kv(r), r->arena, "SET %s %s EX %d", key, text, STATS_TTL_S);
    }
    char now[32];
    iso8601_format_shanghai(clock_now_s(), now);
    json_object_set_new(body, "server_time", json_string(now));
    return reply_json(r, 200, body);
}
