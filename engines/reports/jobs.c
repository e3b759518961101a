/* jobs.c: export jobs in MariaDB (export_jobs): asking for one, reading
 * it, its file, and the upkeep that removes expired files and recovers
 * jobs whose runner died. The runner threads are in runner.c. */
#include "engines/reports/reports_int.h"
#include "rules/region_code.h"
#include "rules/score.h"
#include "rules/week.h"
#include "server/clock.h"
#include "server/config.h"
#include "server/log.h"
#include "lib/crypto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const KINDS[] = { "participants", "units", "members", "weekly", "videos", "winners", NULL };

long long rep_param_int(json_t *params, const char *key, long long def)
{
    json_t *v = json_object_get(params, key);
    return json_is_integer(v) ? (long long)json_integer_value(v) : def;
}

const char *rep_param_str(json_t *params, const char *key)
{
    return json_string_value(json_object_get(params, key));
}

/* Copy an optional positive integer filter; -1 when present but invalid. */
static int take_id(json_t *in, json_t *out, const char *key, long long max)
{
    json_t *v = json_object_get(in, key);
    if (!v || json_is_null(v))
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > max)
        return -1;
    json_object_set_new(out, key, json_integer(json_integer_value(v)));
    return 0;
}

static int take_region(json_t *in, json_t *out)
{
    json_t *v = json_object_get(in, "region");
    if (!v || json_is_null(v))
        return 0;
    const char *s = json_string_value(v);
    if (!s || strlen(s) != 6 || strspn(s, "0123456789") != 6)
        return -1;
    json_object_set_new(out, "region", json_string(s));
    return 0;
}

/* The weekly report's period: "week" (a Monday), or "from"/"to" dates,
 * or the current week. Stored as from_s/to_s. */
static int take_period(json_t *in, json_t *out)
{
    const char *week = json_string_value(json_object_get(in, "week"));
    const char *from = json_string_value(json_object_get(in, "from"));
    const char *to = json_string_value(json_object_get(in, "to"));
    rules_period_t p;
    if (week) {
        if (rules_week_from_date(week, &p) < 0)
            return -1;
    } else if (from || to) {
        if (rules_period_from_dates(from, to, 366, &p) < 0)
            return -1;
    } else if (json_object_get(in, "week") || json_object_get(in, "from") || json_object_get(in, "to")) {
        return -1;
    } else {
        p = rules_week_of(clock_now_s());
    }
    json_object_set_new(out, "from_s", json_integer(p.from));
    json_object_set_new(out, "to_s", json_integer(p.to));
    return 0;
}

/* The filters a kind takes, checked and in canonical form. -1: invalid. */
static int canonical(const rep_who_t *who, const char *kind, json_t *in, json_t *out)
{
    const long long MAXID = 1LL << 53;
    if (take_id(in, out, "contest_id", MAXID) < 0 || take_region(in, out) < 0)
        return -1;
    if (strcmp(kind, "participants") == 0) {
        if (take_id(in, out, "unit_id", MAXID) < 0 || take_id(in, out, "min_score", 1000000) < 0 ||
            take_id(in, out, "max_score", 1000000) < 0)
            return -1;
        const char *pk = json_string_value(json_object_get(in, "person_kind"));
        if (json_object_get(in, "person_kind") && !json_is_null(json_object_get(in, "person_kind"))) {
            if (!pk || (strcmp(pk, "staff") != 0 && strcmp(pk, "five_into") != 0))
                return -1;
            json_object_set_new(out, "person_kind", json_string(pk));
        }
        if (rep_param_int(out, "min_score", 0) > rep_param_int(out, "max_score", 1000000))
            return -1;
    } else if (strcmp(kind, "members") == 0) {
        if (take_id(in, out, "unit_id", MAXID) < 0)
            return -1;
        if (!who->organizer)
            json_object_set_new(out, "unit_id", json_integer(who->unit_id));
        if (rep_param_int(out, "unit_id", 0) <= 0)
            return -1;
    } else if (strcmp(kind, "weekly") == 0) {
        if (take_period(in, out) < 0)
            return -1;
    } else if (strcmp(kind, "winners") == 0 && rep_param_int(out, "contest_id", 0) <= 0) {
        return -1;
    }
    /* the requester's scope is part of what makes two requests identical */
    json_object_set_new(out, "area", json_string(who->area));
    return 0;
}

static void owner_key(const rep_who_t *who, char out[32])
{
    if (who->organizer)
        snprintf(out, 32, "o%lld", who->organizer_id);
    else
        snprintf(out, 32, "u%lld", who->user_id);
}

status_t rep_job_submit(db_t *db, arena_t *a, const rep_who_t *who, json_t *body,
                        long long *job_id, int *existing, const char **err)
{
    *existing = 0;
    const char *kind = json_string_value(json_object_get(body, "kind"));
    const char *format = json_string_value(json_object_get(body, "format"));
    int known = 0;
    for (int i = 0; kind && KINDS[i]; i++)
        known |= strcmp(kind, KINDS[i]) == 0;
    if (!known)
        return *err = "invalid_kind", ST_INVALID;
    if (!format || (strcmp(format, "xlsx") != 0 && strcmp(format, "csv") != 0))
        return *err = "invalid_format", ST_INVALID;
    /* A unit admin exports their own unit's members only. */
    if (!who->organizer && strcmp(kind, "members") != 0)
        return ST_FORBIDDEN;
    /* The payout list holds phone numbers in full: nationwide organizers only. */
    if (strcmp(kind, "winners") == 0 && who->area[0])
        return ST_FORBIDDEN;
    json_t *uid = json_object_get(body, "unit_id");
    if (!who->organizer && uid && !json_is_null(uid) &&
        (!json_is_integer(uid) || json_integer_value(uid) != who->unit_id))
        return ST_FORBIDDEN;
    json_t *canon = json_object();
    int bad = canonical(who, kind, body, canon);
    char *text = bad ? NULL : json_dumps(canon, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(canon);
    if (!text)
        return *err = "invalid_filter", ST_INVALID;
    char *params = arena_strdup(a, text);
    free(text);
    char owner[32], hash[65];
    owner_key(who, owner);
    const char *all = arena_sprintf(a, "%s|%s|%s|%s", owner, kind, format, params);
    crypto_sha256_hex(all, strlen(all), hash);

    /* The same export still in progress: hand back that one. */
    db_res_t *res = db_query(db, a, "SELECT id FROM export_jobs WHERE owner_key = ? AND params_hash = ?"
                                    " AND state IN ('queued', 'running') ORDER BY id LIMIT 1",
                             "ss", owner, hash);
    if (!res)
        return ST_STORE;
    if (res->nrows) {
        *job_id = db_int(res, 0, 0);
        *existing = 1;
        return ST_OK;
    }
    res = db_query(db, a, "SELECT COUNT(*) FROM export_jobs WHERE owner_key = ? AND state IN ('queued', 'running')",
                   "s", owner);
    if (!res)
        return ST_STORE;
    if (db_int(res, 0, 0) >= g_config.export_max_jobs)
        return ST_BUSY;
    if (db_exec(db, "INSERT INTO export_jobs (owner_key, organizer_id, user_id, area, unit_id, kind, format,"
                    " params, params_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                "siisissssi", owner,
                who->organizer ? who->organizer_id : 0LL, who->organizer ? 0LL : who->user_id,
                who->area, who->organizer ? 0LL : who->unit_id, kind, format, params, hash,
                (long long)clock_now_s()) < 0)
        return ST_STORE;
    *job_id = db_last_id(db);
    return ST_OK;
}

#define JOB_COLS "id, owner_key, kind, format, state, progress, rows_written, error, source, created_at," \
                 " finished_at, expires_at, removed, file_name"

/* Load job id when it is the requester's: ST_OK, or ST_NOT_FOUND/ST_FORBIDDEN/ST_STORE. */
static status_t load(db_t *db, arena_t *a, const rep_who_t *who, long long id, db_res_t **out)
{
    db_res_t *res = db_query(db, a, "SELECT " JOB_COLS " FROM export_jobs WHERE id = ?", "i", id);
    if (!res)
        return ST_STORE;
    if (!res->nrows)
        return ST_NOT_FOUND;
    char owner[32];
    owner_key(who, owner);
    if (strcmp(db_get(res, 0, 1), owner) != 0)
        return ST_FORBIDDEN;
    *out = res;
    return ST_OK;
}

static json_t *iso_or_null(long long t)
{
    if (!t)
        return json_null();
    char iso[32];
    iso8601_format_shanghai(t, iso);
    return json_string(iso);
}

status_t rep_job_get(db_t *db, arena_t *a, const rep_who_t *who, long long id, json_t **out)
{
    db_res_t *res;
    status_t rc = load(db, a, who, id, &res);
    if (rc != ST_OK)
        return rc;
    const char *state = db_get(res, 0, 4);
    int done = strcmp(state, "done") == 0;
    int expired = done && (db_int(res, 0, 12) || db_int(res, 0, 11) <= clock_now_s());
    json_t *j = json_pack("{s:I,s:s,s:s,s:s,s:f,s:I,s:o,s:o,s:o,s:o,s:b}",
                          "id", (json_int_t)id, "kind", db_get(res, 0, 2), "format", db_get(res, 0, 3),
                          "state", state, "progress", done ? 1.0 : atof(db_get(res, 0, 5)),
                          "rows", (json_int_t)db_int(res, 0, 6),
                          "error", db_get(res, 0, 7) ? json_string(db_get(res, 0, 7)) : json_null(),
                          "source", db_get(res, 0, 8) ? json_string(db_get(res, 0, 8)) : json_null(),
                          "created_at", iso_or_null(db_int(res, 0, 9)),
                          "expires_at", iso_or_null(db_int(res, 0, 11)), "expired", expired);
    if (done && !expired)
        json_object_set_new(j, "download_url",
                            json_string(arena_sprintf(a, "/api/v1/admin/jobs/%lld/file", id)));
    *out = j;
    return ST_OK;
}

status_t rep_job_file(db_t *db, arena_t *a, const rep_who_t *who, long long id,
                      const char **path, const char **name, const char **ctype)
{
    db_res_t *res;
    status_t rc = load(db, a, who, id, &res);
    if (rc != ST_OK)
        return rc;
    if (strcmp(db_get(res, 0, 4), "done") != 0)
        return ST_CONFLICT;
    if (db_int(res, 0, 12) || db_int(res, 0, 11) <= clock_now_s())
        return ST_GONE;
    int xlsx = strcmp(db_get(res, 0, 3), "xlsx") == 0;
    const char *file = db_get(res, 0, 13), *kind = db_get(res, 0, 2);
    if (!file || !kind)
        return ST_GONE;
    *path = arena_sprintf(a, "%s/exports/%s", g_config.data_dir, file);
    *name = arena_sprintf(a, "%s-%lld.%s", kind, id, xlsx ? "xlsx" : "csv");
    *ctype = xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                  : "text/csv; charset=utf-8";
    return ST_OK;
}

/* Files past their day go (by the contest clock, so tests can move it). */
static void remove_expired(db_t *db, arena_t *a)
{
    db_res_t *res = db_query(db, a, "SELECT id, file_name FROM export_jobs WHERE removed = 0"
                                    " AND expires_at IS NOT NULL AND expires_at <= ? LIMIT 200",
                             "i", (long long)clock_now_s());
    for (size_t i = 0; res && i < res->nrows; i++) {
        if (db_get(res, i, 1)) {
            const char *p = arena_sprintf(a, "%s/exports/%s", g_config.data_dir, db_get(res, i, 1));
            if (unlink(p) < 0)
                log_warn("reports: could not remove expired export %lld", db_int(res, i, 0));
        }
        rep_noted(db, db_exec(db, "UPDATE export_jobs SET removed = 1 WHERE id = ?", "i", db_int(res, i, 0)));
    }
}

void rep_upkeep(db_t *db)
{
    static int64_t next;
    int64_t now = mono_us();
    if (now < next)
        return;
    next = now + 2 * 1000000LL;
    arena_t a;
    arena_init(&a);
    remove_expired(db, &a);
    arena_free(&a);
}
