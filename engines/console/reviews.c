/* reviews.c: the content review queue (console.h). Texts WeChat's content
 * check marked `review`, or that could not be checked, were accepted when
 * registered and wait here for an organizer. */
#include "engines/console/console.h"
#include "rules/area.h"
#include "rules/score.h"
#include "server/clock.h"

#include <string.h>

/* Unit texts (unit_name, contact_name) belong to the unit's area, a
 * video's title (video_title: subject_id is video_items.id) to its
 * receipt's region, a person's texts to the person's region. */
#define REVIEW_FROM \
    " FROM content_reviews cr" \
    " LEFT JOIN units u ON cr.kind IN ('unit_name', 'contact_name') AND u.id = cr.subject_id" \
    " LEFT JOIN profiles p ON cr.kind NOT IN ('unit_name', 'contact_name', 'video_title')" \
    " AND p.user_id = cr.subject_id" \
    " LEFT JOIN video_items vi ON cr.kind = 'video_title' AND vi.id = cr.subject_id" \
    " LEFT JOIN video_receipts vr ON vr.id = vi.receipt_id" \
    " LEFT JOIN organizers o ON o.id = cr.decided_by"
#define REVIEW_AREA \
    " (? = '' OR ? IN (u.province_code, u.city_code, u.county_code," \
    " p.province_code, p.city_code, p.county_code, vr.province_code, vr.city_code, vr.county_code))"

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static json_t *iso_or_null(const db_res_t *res, size_t i, size_t col)
{
    char t[32];
    if (!db_get(res, i, col))
        return json_null();
    iso8601_format_shanghai(db_int(res, i, col), t);
    return json_string(t);
}

json_t *console_reviews_list(db_t *db, arena_t *a, const char *area, const char *state,
                             const char *kind, long long limit, long long offset)
{
    const char *st = !state || !*state ? "pending" : strcmp(state, "all") == 0 ? "" : state;
    const char *k = kind ? kind : "";
    db_res_t *t = db_query(db, a, "SELECT COUNT(*)" REVIEW_FROM " WHERE (? = '' OR cr.state = ?)"
                                  " AND (? = '' OR cr.kind = ?) AND" REVIEW_AREA,
                           "ssssss", st, st, k, k, area, area);
    db_res_t *res = t ? db_query(db, a,
                                 "SELECT cr.id, cr.kind, cr.subject_id, cr.user_id, cr.content, cr.reason,"
                                 " cr.state, cr.created_at, cr.decided_at, o.username, cr.reject_reason,"
                                 " COALESCE(u.region_code, vr.region_code, p.region_code)"
                                 REVIEW_FROM " WHERE (? = '' OR cr.state = ?) AND (? = '' OR cr.kind = ?)"
                                 " AND" REVIEW_AREA " ORDER BY cr.id LIMIT ? OFFSET ?",
                                 "ssssssii", st, st, k, k, area, area, limit, offset) : NULL;
    if (!res)
        return NULL;
    json_t *list = json_array();
    for (size_t i = 0; i < res->nrows; i++)
        json_array_append_new(list, json_pack(
            "{s:I,s:s,s:I,s:o,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o}",
            "id", (json_int_t)db_int(res, i, 0), "kind", db_get(res, i, 1),
            "subject_id", (json_int_t)db_int(res, i, 2),
            "user_id", db_get(res, i, 3) ? json_integer(db_int(res, i, 3)) : json_null(),
            "content", db_get(res, i, 4), "check", db_get(res, i, 5), "state", db_get(res, i, 6),
            "created_at", iso_or_null(res, i, 7), "decided_at", iso_or_null(res, i, 8),
            "decided_by", str_or_null(db_get(res, i, 9)), "reason", str_or_null(db_get(res, i, 10)),
            "region_code", str_or_null(db_get(res, i, 11))));
    return json_pack("{s:o,s:I}", "reviews", list, "total", (json_int_t)db_int(t, 0, 0));
}

/* What a decision does to the text where it is shown, if the text is still
 * the one reviewed (a corrected name is not hidden by an old decision). */
static long long apply_decision(db_t *db, const char *kind, long long subject, const char *content,
                                const char *reject_reason, int *boards)
{
    const char *state = reject_reason ? "rejected" : "pass";
    if (strcmp(kind, "unit_name") == 0) {
        *boards = 1;
        return db_exec(db, "UPDATE units SET name_state = ?, name_reject_reason = ?"
                           " WHERE id = ? AND name = ?", "ssis", state, reject_reason, subject, content);
    }
    if (strcmp(kind, "real_name") == 0) {
        *boards = 1;
        return db_exec(db, "UPDATE profiles SET name_review = ?, name_reject_reason = ?"
                           " WHERE user_id = ? AND real_name = ?", "ssis", state, reject_reason,
                       subject, content);
    }
    if (strcmp(kind, "video_title") == 0)
        return db_exec(db, "UPDATE video_items SET content_review = ? WHERE id = ? AND title = ?", "sis", state,
                       subject, content);
    return 0;
}

typedef struct {
    arena_t *a;
    long long organizer_id, id;
    const char *area, *reject_reason;
    int boards;
} decide_t;

/* One try of a decision, run by db_tx (server/db.h): again after a
 * deadlock or a lock wait, as the review's subject (a unit, a profile, a
 * video) is written by its owner meanwhile. A refusal rolls back and
 * returns its CONSOLE_ code; a store failure returns ST_STORE and leaves
 * the rollback to db_tx. */
static int decide_tx(db_t *db, void *ctx)
{
    decide_t *x = ctx;
    x->boards = 0;
    db_res_t *res = db_query(db, x->a,
                             "SELECT cr.kind, cr.subject_id, cr.content, cr.state,"
                             " COALESCE(u.province_code, vr.province_code, p.province_code),"
                             " COALESCE(u.city_code, vr.city_code, p.city_code),"
                             " COALESCE(u.county_code, vr.county_code, p.county_code)" REVIEW_FROM
                             " WHERE cr.id = ? FOR UPDATE", "i", x->id);
    if (!res)
        return ST_STORE;
    int rc = !res->nrows ? CONSOLE_NOT_FOUND : 0;
    if (rc == 0 && !rules_area_covers(x->area, db_get(res, 0, 4), db_get(res, 0, 5), db_get(res, 0, 6)))
        rc = CONSOLE_FORBIDDEN;
    if (rc == 0 && strcmp(db_get(res, 0, 3), "pending") != 0)
        rc = CONSOLE_DECIDED;
    if (rc != 0) {
        db_rollback(db);
        return rc;
    }
    const char *kind = db_get(res, 0, 0), *content = db_get(res, 0, 2), *why = x->reject_reason;
    long long subject = db_int(res, 0, 1);
    const char *state = why ? "rejected" : "accepted";
    json_t *before = json_pack("{s:s,s:I,s:s,s:s}", "kind", kind, "subject_id", (json_int_t)subject,
                               "content", content, "state", "pending");
    json_t *after = json_pack("{s:s,s:o}", "state", state, "reason", why ? json_string(why) : json_null());
    int ok = db_exec(db, "UPDATE content_reviews SET state = ?, decided_at = ?, decided_by = ?,"
                         " reject_reason = ? WHERE id = ?", "siisi", state, (long long)clock_now_s(),
                     x->organizer_id, why, x->id) >= 0 &&
             apply_decision(db, kind, subject, content, why, &x->boards) >= 0 &&
             console_audit(db, x->organizer_id, why ? "review.reject" : "review.accept",
                           "review", x->id, before, after) == 0 &&
             db_commit(db) == 0;
    json_decref(before);
    json_decref(after);
    return ok ? CONSOLE_OK : ST_STORE;
}

int console_review_decide(db_t *db, arena_t *a, long long organizer_id, const char *area,
                          long long id, const char *reject_reason, int *boards)
{
    decide_t x = { a, organizer_id, id, area, reject_reason, 0 };
    int rc = db_tx(db, decide_tx, &x);
    *boards = rc == CONSOLE_OK ? x.boards : 0;
    return rc < 0 ? -1 : rc;
}

json_t *console_my_reviews(db_t *db, arena_t *a, long long user_id)
{
    db_res_t *p = db_query(db, a, "SELECT name_review, name_reject_reason FROM profiles"
                                  " WHERE user_id = ?", "i", user_id);
    db_res_t *u = p ? db_query(db, a, "SELECT id, name_state, name_reject_reason FROM units"
                                      " WHERE created_by = ? AND name_state <> 'pass' ORDER BY id",
                               "i", user_id) : NULL;
    if (!u)
        return NULL;
    json_t *units = json_array();
    for (size_t i = 0; i < u->nrows; i++)
        json_array_append_new(units, json_pack("{s:I,s:s,s:o}", "id", (json_int_t)db_int(u, i, 0),
                                               "name_state", db_get(u, i, 1),
                                               "reason", str_or_null(db_get(u, i, 2))));
    json_t *name = p->nrows && strcmp(db_get(p, 0, 0), "pass") != 0
                   ? json_pack("{s:s,s:o}", "state", db_get(p, 0, 0), "reason", str_or_null(db_get(p, 0, 1)))
                   : json_null();
    return json_pack("{s:o,s:o}", "real_name", name, "units", units);
}
