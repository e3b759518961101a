/* stats.c: what GET /admin/stats adds for the reports: a breakdown by the
 * regions one level below the organizer's area (provinces for the whole
 * country, a province's cities, a city's counties) and the attendance of
 * each event. People count by their own region, units by the unit's, as
 * the boards do (RULES.md). */
#include "engines/reports/reports_int.h"
#include "rules/score.h"

#include <string.h>

typedef struct {
    const char *code, *name;
    long long reg, units, parts, attempts;
} region_row_t;

static region_row_t *slot(region_row_t *rows, size_t n, const char *code)
{
    for (size_t i = 0; code && i < n; i++)
        if (strcmp(rows[i].code, code) == 0)
            return &rows[i];
    return NULL;
}

/* The SQL of one breakdown for grouping column COL. */
#define BREAKDOWN(COL) { \
    "SELECT p." COL ", COUNT(*) FROM profiles p WHERE" REP_AREA("p") " GROUP BY 1", \
    "SELECT u." COL ", COUNT(*) FROM units u WHERE u.disabled = 0 AND u.merged_into IS NULL AND" REP_AREA("u") \
    " GROUP BY 1", \
    "SELECT p." COL ", COUNT(*), SUM(s.attempts_submitted) FROM contest_scores s JOIN profiles p" \
    " ON p.user_id = s.user_id WHERE s.contest_id = ? AND" REP_AREA("p") " GROUP BY 1" }

static const char *const SQL[3][3] = { BREAKDOWN("province_code"), BREAKDOWN("city_code"),
                                       BREAKDOWN("county_code") };

status_t rep_stats_regions(db_t *db, arena_t *a, const char *area, long long contest_id, json_t **out)
{
    int level = 0;   /* of the area: 0 all, 1 province, 2 city, 3 county */
    db_res_t *names;
    if (area[0]) {
        db_res_t *lv = db_query(db, a, "SELECT level FROM regions WHERE code = ?", "s", area);
        if (!lv)
            return ST_STORE;
        level = lv->nrows ? (int)db_int(lv, 0, 0) : 3;
    }
    int by = level >= 2 ? 2 : level;     /* group by: province, city or county column */
    names = level == 0 ? db_query(db, a, "SELECT code, name FROM regions WHERE level = 1 ORDER BY code", "")
          : level == 3 ? db_query(db, a, "SELECT code, name FROM regions WHERE code = ?", "s", area)
          : db_query(db, a, "SELECT code, name FROM regions WHERE parent_code = ? ORDER BY code", "s", area);
    db_res_t *r1 = db_query(db, a, SQL[by][0], "ssss", area, area, area, area);
    db_res_t *r2 = db_query(db, a, SQL[by][1], "ssss", area, area, area, area);
    db_res_t *r3 = db_query(db, a, SQL[by][2], "issss", contest_id, area, area, area, area);
    if (!names || !r1 || !r2 || !r3)
        return ST_STORE;
    region_row_t *rows = arena_alloc(a, (names->nrows + 1) * sizeof *rows);
    for (size_t i = 0; i < names->nrows; i++)
        rows[i] = (region_row_t){ db_get(names, i, 0), db_get(names, i, 1), 0, 0, 0, 0 };
    region_row_t *s;
    for (size_t i = 0; i < r1->nrows; i++)
        if ((s = slot(rows, names->nrows, db_get(r1, i, 0))))
            s->reg = db_int(r1, i, 1);
    for (size_t i = 0; i < r2->nrows; i++)
        if ((s = slot(rows, names->nrows, db_get(r2, i, 0))))
            s->units = db_int(r2, i, 1);
    for (size_t i = 0; i < r3->nrows; i++)
        if ((s = slot(rows, names->nrows, db_get(r3, i, 0)))) {
            s->parts = db_int(r3, i, 1);
            s->attempts = db_int(r3, i, 2);
        }
    json_t *list = json_array();
    for (size_t i = 0; i < names->nrows; i++) {
        const region_row_t *x = &rows[i];
        if (!x->reg && !x->units && !x->parts)
            continue;
        json_array_append_new(list, json_pack("{s:s,s:s,s:I,s:I,s:I,s:I}", "region_code", x->code,
                                              "name", x->name, "registrations", (json_int_t)x->reg,
                                              "units", (json_int_t)x->units, "participants", (json_int_t)x->parts,
                                              "attempts", (json_int_t)x->attempts));
    }
    *out = list;
    return ST_OK;
}

static void put_counts(json_t *by_id, db_res_t *r, const char *field)
{
    for (size_t i = 0; r && i < r->nrows; i++) {
        json_t *e = json_object_get(by_id, db_get(r, i, 0));
        if (e)
            json_object_set_new(e, field, json_integer(db_int(r, i, 1)));
    }
}

/* Attendance counts by the unit's region, as the weekly report groups it. */
status_t rep_stats_events(db_t *db, arena_t *a, const char *area, json_t **out)
{
    db_res_t *ev = db_query(db, a, "SELECT e.id, e.title, MIN(s.starts_at) FROM events e"
                                   " LEFT JOIN event_sessions s ON s.event_id = e.id"
                                   " GROUP BY e.id, e.title ORDER BY e.id LIMIT 100", "");
    db_res_t *k = db_query(db, a, "SELECT k.event_id, COUNT(*) FROM event_checkins k"
                                  " JOIN profiles p ON p.user_id = k.user_id JOIN units u ON u.id = p.board_unit_id"
                                  " WHERE" REP_AREA("u") " GROUP BY k.event_id", "ssss", area, area, area, area);
    db_res_t *t = db_query(db, a, "SELECT t.event_id, COUNT(*) FROM event_attendance t JOIN units u ON u.id = t.unit_id"
                                  " WHERE" REP_AREA("u") " GROUP BY t.event_id", "ssss", area, area, area, area);
    db_res_t *x = db_query(db, a, "SELECT x.event_id, COUNT(*) FROM"
                                  " (SELECT k.event_id, k.user_id, p.board_unit_id AS unit_id FROM event_checkins k"
                                  "  JOIN profiles p ON p.user_id = k.user_id"
                                  "  UNION SELECT t.event_id, t.user_id, t.unit_id FROM event_attendance t) x"
                                  " JOIN units u ON u.id = x.unit_id WHERE" REP_AREA("u") " GROUP BY x.event_id",
                           "ssss", area, area, area, area);
    if (!ev || !k || !t || !x)
        return ST_STORE;
    json_t *list = json_array(), *by_id = json_object();
    for (size_t i = 0; i < ev->nrows; i++) {
        char iso[32] = "";
        if (db_get(ev, i, 2))
            iso8601_format_shanghai(db_int(ev, i, 2), iso);
        json_t *e = json_pack("{s:I,s:s,s:s?,s:i,s:i,s:i}", "id", (json_int_t)db_int(ev, i, 0),
                              "title", db_get(ev, i, 1), "starts_at", iso[0] ? iso : NULL,
                              "check_ins", 0, "recorded", 0, "attended", 0);
        json_array_append_new(list, e);
        json_object_set(by_id, db_get(ev, i, 0), e);
    }
    put_counts(by_id, k, "check_ins");
    put_counts(by_id, t, "recorded");
    put_counts(by_id, x, "attended");
    json_decref(by_id);
    *out = list;
    return ST_OK;
}
