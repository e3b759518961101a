/* applications.c: applying to be a unit's admin, and the organizers'
 * decision (console.h). One admin per unit: an approval replaces the
 * unit's admin; the role lives in users.roles and users.admin_unit_id,
 * which every session reads (engines/accounts/session.h). */
#include "engines/console/console.h"
#include "rules/area.h"
#include "rules/score.h"
#include "server/clock.h"

#include <string.h>

#define ER_DUP_ENTRY 1062

static json_t *iso_or_null(const db_res_t *res, size_t i, size_t col)
{
    char t[32];
    if (!db_get(res, i, col))
        return json_null();
    iso8601_format_shanghai(db_int(res, i, col), t);
    return json_string(t);
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

/* 0 when both uploads exist and are the applicant's. */
static int check_uploads(db_t *db, arena_t *a, const console_application_t *in)
{
    long long ids[2] = { in->certificate_upload_id, in->authorization_upload_id };
    for (int i = 0; i < 2; i++) {
        db_res_t *res = db_query(db, a, "SELECT IFNULL(user_id, 0) FROM uploads WHERE id = ?", "i", ids[i]);
        if (!res)
            return -1;
        if (!res->nrows)
            return CONSOLE_UPLOAD_MISSING;
        if (db_int(res, 0, 0) != in->user_id)
            return CONSOLE_FORBIDDEN;
    }
    return 0;
}

int console_application_create(db_t *db, arena_t *a, const console_application_t *in, long long *id)
{
    db_res_t *u = db_query(db, a, "SELECT 1 FROM units WHERE id = ? AND disabled = 0"
                                  " AND merged_into IS NULL", "i", in->unit_id);
    if (!u)
        return -1;
    if (!u->nrows)
        return CONSOLE_NOT_FOUND;
    db_res_t *p = db_query(db, a, "SELECT 1 FROM profiles WHERE user_id = ?", "i", in->user_id);
    if (!p)
        return -1;
    if (!p->nrows)
        return CONSOLE_NOT_REGISTERED;
    int rc = check_uploads(db, a, in);
    if (rc)
        return rc;
    if (db_exec(db, "INSERT INTO admin_applications (unit_id, user_id, applicant_name, phone_sealed,"
                    " phone_masked, certificate_upload_id, authorization_upload_id, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", "iisssiii", in->unit_id, in->user_id,
                in->applicant_name, in->phone_sealed, in->phone_masked, in->certificate_upload_id,
                in->authorization_upload_id, (long long)clock_now_s()) < 0)
        return db_errno(db) == ER_DUP_ENTRY ? CONSOLE_PENDING : -1;
    *id = db_last_id(db);
    return 0;
}

#define APP_COLS \
    "ap.id, ap.unit_id, u.name, ap.user_id, ap.applicant_name, ap.phone_masked," \
    " ap.certificate_upload_id, ap.authorization_upload_id, ap.state, ap.reason, ap.created_at," \
    " ap.decided_at, o.username, u.province_code, u.city_code, u.county_code, u.region_code"
#define APP_FROM \
    " FROM admin_applications ap JOIN units u ON u.id = ap.unit_id" \
    " LEFT JOIN organizers o ON o.id = ap.decided_by"

static json_t *app_row(const db_res_t *res, size_t i)
{
    return json_pack("{s:I,s:I,s:s,s:I,s:s,s:s,s:I,s:I,s:s,s:o,s:o,s:o,s:o,s:s}",
                     "id", (json_int_t)db_int(res, i, 0), "unit_id", (json_int_t)db_int(res, i, 1),
                     "unit_name", db_get(res, i, 2), "user_id", (json_int_t)db_int(res, i, 3),
                     "applicant_name", db_get(res, i, 4), "phone_masked", db_get(res, i, 5),
                     "certificate_upload_id", (json_int_t)db_int(res, i, 6),
                     "authorization_upload_id", (json_int_t)db_int(res, i, 7),
                     "state", db_get(res, i, 8), "reason", str_or_null(db_get(res, i, 9)),
                     "created_at", iso_or_null(res, i, 10), "decided_at", iso_or_null(res, i, 11),
                     "decided_by", str_or_null(db_get(res, i, 12)),
                     "region_code", db_get(res, i, 16));
}

json_t *console_applications_list(db_t *db, arena_t *a, const char *area, const char *state,
                                  long long unit_id, long long limit, long long offset)
{
    const char *st = state ? state : "";
    db_res_t *t = db_query(db, a, "SELECT COUNT(*)" APP_FROM " WHERE (? = '' OR ap.state = ?)"
                                  " AND (? = 0 OR ap.unit_id = ?) AND" RULES_AREA_SQL("u"),
                           "ssiissss", st, st, unit_id, unit_id, area, area, area, area);
    db_res_t *res = t ? db_query(db, a, "SELECT " APP_COLS APP_FROM " WHERE (? = '' OR ap.state = ?)"
                                        " AND (? = 0 OR ap.unit_id = ?) AND" RULES_AREA_SQL("u")
                                        " ORDER BY ap.id DESC LIMIT ? OFFSET ?",
                                 "ssiissssii", st, st, unit_id, unit_id, area, area, area, area,
                                 limit, offset) : NULL;
    if (!res)
        return NULL;
    json_t *list = json_array();
    for (size_t i = 0; i < res->nrows; i++)
        json_array_append_new(list, app_row(res, i));
    return json_pack("{s:o,s:I}", "applications", list, "total", (json_int_t)db_int(t, 0, 0));
}

json_t *console_application_json(db_t *db, arena_t *a, const char *area, long long id, int *err)
{
    db_res_t *res = db_query(db, a, "SELECT " APP_COLS APP_FROM " WHERE ap.id = ?", "i", id);
    *err = !res ? -1 : !res->nrows ? CONSOLE_NOT_FOUND : 0;
    if (*err == 0 && !rules_area_covers(area, db_get(res, 0, 13), db_get(res, 0, 14), db_get(res, 0, 15)))
        *err = CONSOLE_FORBIDDEN;
    if (*err)
        return NULL;
    json_t *j = app_row(res, 0);
    json_object_set_new(j, "certificate_url",
                        json_sprintf("/api/v1/uploads/%lld", db_int(res, 0, 6)));
    json_object_set_new(j, "authorization_url",
                        json_sprintf("/api/v1/uploads/%lld", db_int(res, 0, 7)));
    return j;
}

/* Make user the admin of unit, replacing whoever was; *old = the replaced
 * admin or 0. Inside the caller's transaction. */
static int grant(db_t *db, arena_t *a, long long unit, long long user, long long *old)
{
    db_res_t *res = db_query(db, a, "SELECT id FROM users WHERE admin_unit_id = ? AND id <> ?"
                                    " FOR UPDATE", "ii", unit, user);
    if (!res)
        return -1;
    *old = res->nrows ? db_int(res, 0, 0) : 0;
    if (db_exec(db, "UPDATE users SET roles = roles & ~2, admin_unit_id = NULL"
                    " WHERE admin_unit_id = ? AND id <> ?", "ii", unit, user) < 0 ||
        db_exec(db, "UPDATE admin_applications SET state = 'replaced'"
                    " WHERE unit_id = ? AND state = 'approved'", "i", unit) < 0 ||
        db_exec(db, "UPDATE users SET roles = roles | 2, admin_unit_id = ? WHERE id = ?", "ii",
                unit, user) < 0)
        return -1;
    return 0;
}

typedef struct {
    arena_t *a;
    long long organizer_id, id;
    const char *area, *reject_reason;
    long long old_admin, new_admin;
} decide_t;

/* One try of a decision, run by db_tx (server/db.h): again after a
 * deadlock or a lock wait (the unit's users rows are locked, and logins
 * and other decisions lock them too). A refusal rolls back and returns its
 * CONSOLE_ code; a store failure returns ST_STORE and leaves the rollback
 * to db_tx. */
static int decide_tx(db_t *db, void *ctx)
{
    decide_t *x = ctx;
    const char *why = x->reject_reason;
    x->old_admin = x->new_admin = 0;
    db_res_t *res = db_query(db, x->a, "SELECT ap.unit_id, ap.user_id, ap.state, u.province_code,"
                                       " u.city_code, u.county_code, u.disabled OR u.merged_into IS NOT NULL"
                                       " FROM admin_applications ap"
                                       " JOIN units u ON u.id = ap.unit_id WHERE ap.id = ? FOR UPDATE",
                             "i", x->id);
    if (!res)
        return ST_STORE;
    int rc = !res->nrows ? CONSOLE_NOT_FOUND : 0;
    if (rc == 0 && !rules_area_covers(x->area, db_get(res, 0, 3), db_get(res, 0, 4), db_get(res, 0, 5)))
        rc = CONSOLE_FORBIDDEN;
    if (rc == 0 && strcmp(db_get(res, 0, 2), "pending") != 0)
        rc = CONSOLE_DECIDED;
    /* a unit merged or disabled since: its admin would administer nothing */
    if (rc == 0 && !why && db_int(res, 0, 6))
        rc = CONSOLE_UNIT_INACTIVE;
    if (rc) {
        db_rollback(db);
        return rc;
    }
    long long unit = db_int(res, 0, 0), user = db_int(res, 0, 1);
    const char *state = why ? "rejected" : "approved";
    json_t *before = json_pack("{s:s,s:I,s:I}", "state", "pending", "unit_id", (json_int_t)unit,
                               "user_id", (json_int_t)user);
    int ok = (why || grant(db, x->a, unit, user, &x->old_admin) == 0) &&
             db_exec(db, "UPDATE admin_applications SET state = ?, reason = ?, decided_at = ?,"
                         " decided_by = ? WHERE id = ?", "ssiii", state, why,
                     (long long)clock_now_s(), x->organizer_id, x->id) >= 0;
    json_t *after = json_pack("{s:s,s:o,s:o}", "state", state, "reason", why ? json_string(why) : json_null(),
                              "replaced_admin_user_id", x->old_admin ? json_integer(x->old_admin) : json_null());
    ok = ok && console_audit(db, x->organizer_id, why ? "application.reject" : "application.approve",
                             "admin_application", x->id, before, after) == 0 &&
         db_commit(db) == 0;
    json_decref(before);
    json_decref(after);
    if (!ok)
        return ST_STORE;
    x->new_admin = why ? 0 : user;
    return CONSOLE_OK;
}

int console_application_decide(db_t *db, arena_t *a, long long organizer_id, const char *area,
                               long long id, const char *reject_reason, long long *old_admin,
                               long long *new_admin)
{
    decide_t x = { a, organizer_id, id, area, reject_reason, 0, 0 };
    int rc = db_tx(db, decide_tx, &x);
    *old_admin = rc == CONSOLE_OK ? x.old_admin : 0;
    *new_admin = rc == CONSOLE_OK ? x.new_admin : 0;
    return rc < 0 ? -1 : rc;
}

json_t *console_my_application(db_t *db, arena_t *a, long long user_id)
{
    db_res_t *res = db_query(db, a, "SELECT ap.id, ap.unit_id, u.name, ap.state, ap.reason,"
                                    " ap.created_at, ap.decided_at FROM admin_applications ap"
                                    " JOIN units u ON u.id = ap.unit_id WHERE ap.user_id = ?"
                                    " ORDER BY ap.id DESC LIMIT 1", "i", user_id);
    if (!res)
        return NULL;
    if (!res->nrows)
        return json_null();
    return json_pack("{s:I,s:I,s:s,s:s,s:o,s:o,s:o}", "id", (json_int_t)db_int(res, 0, 0),
                     "unit_id", (json_int_t)db_int(res, 0, 1), "unit_name", db_get(res, 0, 2),
                     "state", db_get(res, 0, 3), "reason", str_or_null(db_get(res, 0, 4)),
                     "created_at", iso_or_null(res, 0, 5), "decided_at", iso_or_null(res, 0, 6));
}
