/* events.c: lectures and other activities: their sessions, check-ins with
 * the event's code, and attendance a unit records for members who watched
 * together. Check-in windows are rules/event_window.h. */
#include "engines/reports/reports_int.h"
#include "engines/console/console.h"
#include "rules/event_window.h"
#include "rules/score.h"
#include "lib/utf8.h"
#include "server/config.h"

#include <string.h>

#define MAX_SESSIONS 10
#define MAX_USER_IDS 1000

static json_t *iso(long long t)
{
    char s[32];
    iso8601_format_shanghai(t, s);
    return json_string(s);
}

/* Sessions of event id (ordered); the count, or ST_STORE. */
static int load_sessions(db_t *db, arena_t *a, long long id, rules_session_t *s)
{
    db_res_t *res = db_query(db, a, "SELECT starts_at, ends_at FROM event_sessions WHERE event_id = ?"
                                    " ORDER BY seq LIMIT 10", "i", id);
    if (!res)
        return ST_STORE;
    for (size_t i = 0; i < res->nrows; i++)
        s[i] = (rules_session_t){ db_int(res, i, 0), db_int(res, i, 1) };
    return (int)res->nrows;
}

static json_t *event_json(long long id, const char *title, const char *url, const char *audience,
                          const rules_session_t *s, int n, long long now)
{
    json_t *ss = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(ss, json_pack("{s:o,s:o}", "starts_at", iso(s[i].starts_at),
                                            "ends_at", iso(s[i].ends_at)));
    return json_pack("{s:I,s:s,s:o,s:o,s:s,s:s,s:o,s:s}", "id", (json_int_t)id, "title", title,
                     "starts_at", n ? iso(s[0].starts_at) : json_null(),
                     "ends_at", n ? iso(s[n - 1].ends_at) : json_null(),
                     "watch_url", url, "audience", audience, "sessions", ss,
                     "status", rules_event_status(s, (size_t)n, now));
}

static int parse_sessions(json_t *arr, rules_session_t *s)
{
    if (!json_is_array(arr) || json_array_size(arr) < 1 || json_array_size(arr) > MAX_SESSIONS)
        return -1;
    for (size_t i = 0; i < json_array_size(arr); i++) {
        json_t *e = json_array_get(arr, i);
        const char *a = json_string_value(json_object_get(e, "starts_at"));
        const char *b = json_string_value(json_object_get(e, "ends_at"));
        if (!a || !b || iso8601_parse(a, &s[i].starts_at) < 0 ||
            iso8601_parse(b, &s[i].ends_at) < 0)
            return -1;
    }
    return rules_sessions_valid(s, json_array_size(arr)) < 0 ? -1 : (int)json_array_size(arr);
}

static int text_ok(const char *s, size_t max_chars, int allow_empty)
{
    return s && (allow_empty || *s) && rules_utf8_valid(s, strlen(s)) && !rules_has_control(s) &&
           rules_utf8_count(s) <= max_chars;
}

static int url_ok(const char *s)
{
    return s && (!*s || ((strncmp(s, "https://", 8) == 0 || strncmp(s, "http://", 7) == 0) &&
                         text_ok(s, 500, 0) && !strpbrk(s, " \"'<>")));
}

typedef struct {
    const rep_who_t *who;
    long long id;              /* 0: create; set to the new id */
    const char *title, *url, *audience;
    const rules_session_t *s;
    int n;                     /* 0: keep the sessions */
    long long now;
} event_write_t;

static json_t *audit_json(const event_write_t *x)
{
    json_t *ss = json_array();
    for (int i = 0; i < x->n; i++)
        json_array_append_new(ss, json_pack("[I,I]", (json_int_t)x->s[i].starts_at, (json_int_t)x->s[i].ends_at));
    return json_pack("{s:s,s:s,s:s,s:o}", "title", x->title, "watch_url", x->url, "audience", x->audience,
                     "sessions", ss);
}

/* One try of the event's write with its audit row (db_tx runs it again
 * after a deadlock). Sessions are replaced as a whole. */
static int event_tx(db_t *db, void *ctx)
{
    event_write_t *x = ctx;
    const rep_who_t *who = x->who;
    int create = x->id == 0;
    long long rc;
    if (create) {
        rc = db_exec(db, "INSERT INTO events (title, watch_url, audience, created_by, updated_by, created_at,"
                         " updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)", "sssiiii", x->title, x->url, x->audience,
                     who->organizer_id, who->organizer_id, x->now, x->now);
        x->id = rc < 0 ? 0 : db_last_id(db);
    } else {
        rc = db_exec(db, "UPDATE events SET title = ?, watch_url = ?, audience = ?, updated_by = ?,"
                         " updated_at = ? WHERE id = ?", "sssiii", x->title, x->url, x->audience,
                     who->organizer_id, x->now, x->id);
        if (rc >= 0 && x->n)
            rc = db_exec(db, "DELETE FROM event_sessions WHERE event_id = ?", "i", x->id);
    }
    for (int i = 0; rc >= 0 && i < x->n; i++)
        rc = db_exec(db, "INSERT INTO event_sessions (event_id, seq, starts_at, ends_at) VALUES (?, ?, ?, ?)",
                     "iiii", x->id, (long long)i, x->s[i].starts_at, x->s[i].ends_at);
    json_t *after = audit_json(x);
    int ok = rc >= 0 && console_audit(db, who->organizer_id, create ? "event.create" : "event.update", "event",
                                      x->id, NULL, after) == 0;
    json_decref(after);
    if (!ok || db_commit(db) < 0) {
        if (create)
            x->id = 0;
        return ST_STORE;
    }
    return ST_OK;
}

/* Write the checked event: ST_OK or ST_STORE. */
static status_t write_event(db_t *db, const rep_who_t *who, long long *id, const char *title, const char *url,
                            const char *audience, const rules_session_t *s, int n, long long now)
{
    event_write_t x = { who, *id, title, url, audience, s, n, now };
    if (db_tx(db, event_tx, &x) != ST_OK)
        return ST_STORE;
    *id = x.id;
    return ST_OK;
}

status_t rep_event_save(db_t *db, arena_t *a, const rep_who_t *who, long long id, json_t *body,
                        long long now, json_t **out, const char **err)
{
    const char *title = NULL, *url = "", *audience = "all";
    rules_session_t s[MAX_SESSIONS];
    int n = 0;
    if (id) {
        db_res_t *res = db_query(db, a, "SELECT title, watch_url, audience, IFNULL(created_by, 0)"
                                        " FROM events WHERE id = ?", "i", id);
        if (!res)
            return ST_STORE;
        if (!res->nrows)
            return ST_NOT_FOUND;
        if (who->area[0] && db_int(res, 0, 3) != who->organizer_id)
            return ST_FORBIDDEN;
        title = db_get(res, 0, 0);
        url = db_get(res, 0, 1);
        audience = db_get(res, 0, 2);
    }
    json_t *v;
    if ((v = json_object_get(body, "title")) || !id) {
        title = json_string_value(v);
        if (!text_ok(title, 100, 0))
            return *err = "invalid_title", ST_INVALID;
    }
    if ((v = json_object_get(body, "sessions")) || !id) {
        n = parse_sessions(v, s);
        if (n < 0)
            return *err = "invalid_sessions", ST_INVALID;
    }
    if ((v = json_object_get(body, "watch_url")) && !json_is_null(v)) {
        url = json_string_value(v);
        if (!url_ok(url))
            return *err = "invalid_watch_url", ST_INVALID;
    }
    if ((v = json_object_get(body, "audience")) && !json_is_null(v)) {
        audience = json_string_value(v);
        if (!audience || (strcmp(audience, "all") != 0 && strcmp(audience, "staff") != 0))
            return *err = "invalid_audience", ST_INVALID;
    }
    int rc = write_event(db, who, &id, title, url, audience, s, n, now);
    if (rc < 0)
        return rc;
    n = load_sessions(db, a, id, s);
    if (n < 0)
        return n;
    *out = event_json(id, title, url, audience, s, n, now);
    return ST_OK;
}

status_t rep_events_list(db_t *db, arena_t *a, long long now, json_t **out)
{
    db_res_t *ev = db_query(db, a, "SELECT id, title, watch_url, audience FROM events ORDER BY id LIMIT 200", "");
    db_res_t *ss = db_query(db, a, "SELECT event_id, starts_at, ends_at FROM event_sessions"
                                   " ORDER BY event_id, seq LIMIT 2000", "");
    if (!ev || !ss)
        return ST_STORE;
    json_t *list = json_array();
    size_t k = 0;
    for (size_t i = 0; i < ev->nrows; i++) {
        long long id = db_int(ev, i, 0);
        rules_session_t s[MAX_SESSIONS];
        int n = 0;
        while (k < ss->nrows && db_int(ss, k, 0) < id)
            k++;
        for (; k < ss->nrows && db_int(ss, k, 0) == id; k++)
            if (n < MAX_SESSIONS)
                s[n++] = (rules_session_t){ db_int(ss, k, 1), db_int(ss, k, 2) };
        json_array_append_new(list, event_json(id, db_get(ev, i, 1), db_get(ev, i, 2), db_get(ev, i, 3),
                                               s, n, now));
    }
    *out = list;
    return ST_OK;
}

status_t rep_event_exists(db_t *db, arena_t *a, long long id)
{
    db_res_t *res = db_query(db, a, "SELECT 1 FROM events WHERE id = ?", "i", id);
    return !res ? ST_STORE : res->nrows ? ST_OK : ST_NOT_FOUND;
}

status_t rep_event_check_in(db_t *db, arena_t *a, long long event_id, long long user_id, long long now,
                            long long *at)
{
    status_t ex = rep_event_exists(db, a, event_id);
    if (ex != ST_OK)
        return ex;
    db_res_t *res = db_query(db, a, "SELECT 1 FROM profiles WHERE user_id = ?", "i", user_id);
    if (!res)
        return ST_STORE;
    if (!res->nrows)
        return ST_FORBIDDEN;
    /* Again: the first check-in, whether or not a session is open now. */
    res = db_query(db, a, "SELECT checked_in_at FROM event_checkins WHERE event_id = ? AND user_id = ?",
                   "ii", event_id, user_id);
    if (!res)
        return ST_STORE;
    if (res->nrows) {
        *at = db_int(res, 0, 0);
        return ST_OK;
    }
    rules_session_t s[MAX_SESSIONS];
    int n = load_sessions(db, a, event_id, s);
    if (n < 0)
        return n;
    if (rules_event_open_session(s, (size_t)n, now, g_config.event_grace_s) < 0)
        return ST_CONFLICT;
    /* Two taps at once: the key keeps one row, both answer its time. */
    if (db_exec(db, "INSERT IGNORE INTO event_checkins (event_id, user_id, checked_in_at) VALUES (?, ?, ?)",
                "iii", event_id, user_id, now) < 0)
        return ST_STORE;
    res = db_query(db, a, "SELECT checked_in_at FROM event_checkins WHERE event_id = ? AND user_id = ?",
                   "ii", event_id, user_id);
    if (!res || !res->nrows)
        return ST_STORE;
    *at = db_int(res, 0, 0);
    return ST_OK;
}

typedef struct {
    const rep_who_t *who;
    long long unit_id, event_id;
    json_t *user_ids;
    long long now, added;
} attend_write_t;

/* One try of the attendance rows; an organizer's is recorded in the audit. */
static int attend_tx(db_t *db, void *ctx)
{
    attend_write_t *x = ctx;
    const rep_who_t *who = x->who;
    x->added = 0;
    for (size_t i = 0; i < json_array_size(x->user_ids); i++) {
        long long rc = db_exec(db, "INSERT IGNORE INTO event_attendance (event_id, user_id, unit_id,"
                                   " recorded_by_user, recorded_by_organizer, recorded_at) VALUES (?, ?, ?, ?, ?, ?)",
                               "iiiiii", x->event_id, (long long)json_integer_value(json_array_get(x->user_ids, i)),
                               x->unit_id, who->organizer ? 0LL : who->user_id,
                               who->organizer ? who->organizer_id : 0LL, x->now);
        if (rc < 0)
            return ST_STORE;
        x->added += rc;
    }
    if (who->organizer) {
        json_t *after = json_pack("{s:I,s:I,s:O}", "event_id", (json_int_t)x->event_id,
                                  "unit_id", (json_int_t)x->unit_id, "user_ids", x->user_ids);
        int bad = console_audit(db, who->organizer_id, "event.attendance", "unit", x->unit_id, NULL, after) < 0;
        json_decref(after);
        if (bad)
            return ST_STORE;
    }
    return db_commit(db) < 0 ? ST_STORE : ST_OK;
}

status_t rep_event_attendance(db_t *db, arena_t *a, const rep_who_t *who, long long unit_id,
                              long long event_id, json_t *user_ids, long long now, long long *added,
                              const char **err)
{
    if (!who->organizer && unit_id != who->unit_id)
        return ST_FORBIDDEN;
    const char *ar = who->area;
    db_res_t *res = db_query(db, a, "SELECT" REP_AREA("u") " FROM units u WHERE u.id = ?",
                             "ssssi", ar, ar, ar, ar, unit_id);
    if (!res)
        return ST_STORE;
    if (!res->nrows)
        return *err = "unit_not_found", ST_NOT_FOUND;
    if (!db_int(res, 0, 0))
        return ST_FORBIDDEN;
    status_t ex = rep_event_exists(db, a, event_id);
    if (ex == ST_NOT_FOUND)
        *err = "event_not_found";
    if (ex != ST_OK)
        return ex;
    size_t n = json_array_size(user_ids);
    if (!json_is_array(user_ids) || n < 1 || n > MAX_USER_IDS)
        return *err = "invalid_user_ids", ST_INVALID;
    for (size_t i = 0; i < n; i++) {
        json_t *v = json_array_get(user_ids, i);
        if (!json_is_integer(v) || json_integer_value(v) <= 0)
            return *err = "invalid_user_ids", ST_INVALID;
    }
    /* Every one must be the unit's own member (staff, or five-into under
     * it): nobody records attendance for another unit's people. */
    for (size_t i = 0; i < n; i++) {
        res = db_query(db, a, "SELECT 1 FROM profiles WHERE user_id = ? AND board_unit_id = ?", "ii",
                       (long long)json_integer_value(json_array_get(user_ids, i)), unit_id);
        if (!res)
            return ST_STORE;
        if (!res->nrows)
            return *err = "not_a_member", ST_FORBIDDEN;
    }
    attend_write_t x = { who, unit_id, event_id, user_ids, now, 0 };
    if (db_tx(db, attend_tx, &x) != ST_OK)
        return ST_STORE;
    long long total = x.added;
    *added = total;
    return ST_OK;
}

json_t *rep_my_checkins(db_t *db, arena_t *a, long long user_id)
{
    /* the person's own check-ins, and the times a unit recorded them as
     * having watched together */
    db_res_t *res = db_query(db, a,
        "SELECT e.id, e.title, c.checked_in_at, NULL FROM event_checkins c JOIN events e ON e.id = c.event_id"
        " WHERE c.user_id = ?"
        " UNION ALL SELECT e.id, e.title, NULL, t.recorded_at FROM event_attendance t"
        " JOIN events e ON e.id = t.event_id WHERE t.user_id = ? ORDER BY 1", "ii", user_id, user_id);
    if (!res)
        return NULL;
    json_t *arr = json_array();
    for (size_t i = 0; i < res->nrows; i++)
        json_array_append_new(arr, json_pack("{s:I,s:s,s:o,s:o}", "event_id", (json_int_t)db_int(res, i, 0),
            "title", db_get(res, i, 1) ? db_get(res, i, 1) : "",
            "checked_in_at", db_get(res, i, 2) ? json_integer(db_int(res, i, 2)) : json_null(),
            "recorded_at", db_get(res, i, 3) ? json_integer(db_int(res, i, 3)) : json_null()));
    return arr;
}
