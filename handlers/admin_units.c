/* admin_units.c: organizers correct, verify, disable and merge units;
 * area checks and outcome replies shared by the console's routes. */
#include "handlers/console.h"
#include "engines/console/console.h"
#include "engines/boards/boards.h"
#include "handlers/handlers.h"
#include "engines/units/units.h"
#include "engines/accounts/session.h"
#include "rules/area.h"
#include "rules/credit_code.h"
#include "rules/names.h"
#include "rules/org_name.h"

#include <string.h>

int console_reply_outcome(req_t *r, int rc, const char *not_found)
{
    switch (rc) {
    case CONSOLE_NOT_FOUND:
        return reply_error(r, 404, not_found, "not found");
    case CONSOLE_FORBIDDEN:
        return reply_error(r, 403, "forbidden", "outside your area or not yours");
    case CONSOLE_DECIDED:
        return reply_error(r, 409, "already_decided", "this was already decided");
    case CONSOLE_PENDING:
        return reply_error(r, 409, "application_pending", "you already have a pending application");
    case CONSOLE_MERGE_SELF:
        return reply_error(r, 400, "invalid_merge", "a unit cannot be merged into itself");
    case CONSOLE_MERGE_UNAVAILABLE:
        return reply_error(r, 409, "merge_refused",
                           "only a unit that is not merged can be merged, into an active unit");
    case CONSOLE_MERGE_CIRCLE:
        return reply_error(r, 409, "merge_circle", "that unit was merged into this one");
    case CONSOLE_UNIT_INACTIVE:
        return reply_error(r, 409, "unit_inactive", "the unit was merged or disabled; reject instead");
    case CONSOLE_NOT_REGISTERED:
        return reply_error(r, 403, "not_registered", "register your profile first");
    default:
        return ST_STORE;
    }
}

int console_unit_access(req_t *r, long long unit_id)
{
    console_unit_t u;
    int rc = console_unit_get(req_db(r), r->arena, unit_id, 0, &u);
    if (rc < 0)
        return -1;
    if (rc == CONSOLE_NOT_FOUND) {
        reply_error(r, 404, "unit_not_found", "no such unit");
        return 1;
    }
    int ok = (r->auth.roles & ROLE_ORGANIZER)
             ? rules_area_covers(session_caller(r)->area, u.province, u.city, u.county)
             : (r->auth.roles & ROLE_UNIT_ADMIN) && session_caller(r)->admin_unit_id == unit_id;
    if (!ok) {
        reply_error(r, 403, "forbidden", "this unit is not yours to see");
        return 1;
    }
    return 0;
}

void console_boards_rebuild(req_t *r)
{
    db_res_t *c = console_contest_ids(req_db(r), r->arena);
    for (size_t i = 0; c && i < c->nrows; i++)
        if (lb_request_rebuild(req_kv(r), db_int(c, i, 0)) < 0)
            log_warn("console: cannot ask for a rebuild of contest %lld (Redis down?)",
                     db_int(c, i, 0));
}

/* ---- GET /admin/units ---------------------------------------------------------- */

int h_admin_units_list(req_t *r)
{
    long long limit, offset, verified, disabled;
    if (req_query_int(r, "limit", 20, 1, 100, &limit) < 0 ||
        req_query_int(r, "offset", 0, 0, 1000000, &offset) < 0 ||
        req_query_int(r, "verified", -1, -1, 1, &verified) < 0 ||
        req_query_int(r, "disabled", -1, -1, 1, &disabled) < 0)
        return 0;
    const char *q = req_query(r, "q");
    char qbuf[404] = "";
    if (q && *q && rules_text_field(q, 1, 100, qbuf, sizeof qbuf) < 0)
        return reply_error(r, 400, "invalid_parameter", "q must be 1-100 characters of text");
    const char *ar = session_caller(r)->area;
    /* LOCATE, not LIKE: the keyword is taken literally */
#define UNITS_WHERE \
    " WHERE" RULES_AREA_SQL("u") " AND (? = '' OR LOCATE(?, u.name) > 0 OR u.credit_code = ?)" \
    " AND (? < 0 OR u.verified = ?) AND (? < 0 OR u.disabled = ?)"
    db_t *db = req_db(r);
    db_res_t *t = db_query(db, r->arena, "SELECT COUNT(*) FROM units u" UNITS_WHERE, "sssssssiiii",
                           ar, ar, ar, ar, qbuf, qbuf, qbuf, verified, verified, disabled, disabled);
    db_res_t *res = t ? db_query(db, r->arena, "SELECT u.id FROM units u" UNITS_WHERE
                                 " ORDER BY u.id DESC LIMIT ? OFFSET ?", "sssssssiiiiii", ar, ar, ar, ar,
                                 qbuf, qbuf, qbuf, verified, verified, disabled, disabled, limit,
                                 offset) : NULL;
#undef UNITS_WHERE
    if (!res) 
        return ST_STORE;

    json_t *list = json_array();
    for (size_t i = 0; i < res->nrows; i++) {
        int err;
        json_t *u = console_unit_json(db, r->arena, db_int(res, i, 0), &err);
        if (u)
            json_array_append_new(list, u);
    }
    return reply_json(r, 200, json_pack("{s:o,s:I}", "units", list, "total",
                                        (json_int_t)db_int(t, 0, 0)));
}

/* ---- GET /admin/units/{id} -------------------------------------------------------- */

int h_admin_unit_get(req_t *r)
{
    long long id;
    if (req_id_param(r, 0, "unit_not_found", &id) < 0)
        return 0;
    int acc = console_unit_access(r, id);
    if (acc)
        return acc > 0 ? ST_OK : ST_STORE;
    int err;
    json_t *u = console_unit_json(req_db(r), r->arena, id, &err);
    if (!u)
        return console_reply_outcome(r, err, "unit_not_found");
    return reply_json(r, 200, json_pack("{s:o}", "unit", u));
}

/* ---- PUT /admin/units/{id} -------------------------------------------------------- */

typedef struct {
    console_unit_patch_t p;
    char name[401], credit[19];
    region_t reg;
} unit_edit_t;

static int bad(req_t *r, const char *code, const char *message)
{
    reply_error(r, 400, code, message);
    return -1;
}

/* -1 absent, 0/1, or -2 when present and not a boolean. */
static int bool_field(json_t *j, const char *name)
{
    json_t *v = json_object_get(j, name);
    if (!v)
        return -1;
    return json_is_boolean(v) ? json_is_true(v) : -2;
}

/* Each field as registration checks it; replies 400 on the first bad one. */
static int parse_edit(req_t *r, json_t *j, unit_edit_t *e)
{
    console_unit_patch_t *p = &e->p;
    memset(e, 0, sizeof *e);
    p->headcount = -1;
    json_t *v;
    if ((v = json_object_get(j, "name"))) {
        if (!req_text(v) || rules_text_field(req_text(v), 2, 100, e->name, sizeof e->name) < 0 ||
            !rules_org_name_valid(e->name))
            return bad(r, "invalid_name", "name must be the unit's full name: 2-100 characters of"
                                          " Chinese, letters, digits and brackets");
        p->name = e->name;
        p->reindex = unit_search_index;
    }
    if ((v = json_object_get(j, "credit_code"))) {
        if (!req_text(v) || rules_credit_code_normalize(req_text(v), e->credit) < 0)
            return bad(r, "invalid_credit_code", "credit_code must be an 18-character unified social"
                                                 " credit code with a valid check character");
        p->credit_code = e->credit;
    }
    if ((v = json_object_get(j, "region_code"))) {
        int rc = req_text(v) ? region_find(r, req_text(v), &e->reg) : ST_NOT_FOUND;
        if (rc < 0)
            return -2;   /* a store failure: parse_edit's callers answer 503 */
        if (rc != ST_OK)
            return bad(r, "invalid_region", "region_code must be a code from GET /regions");
        p->region_code = e->reg.code;
        p->province = e->reg.province;
        p->city = e->reg.city;
        p->county = e->reg.county;
    }
    if ((v = json_object_get(j, "type"))) {
        const char *t = req_text(v);
        if (!t || (strcmp(t, "water_admin") && strcmp(t, "water_enterprise") && strcmp(t, "other")))
            return bad(r, "invalid_parameter", "type must be water_admin, water_enterprise or other");
        p->type = t;
    }
    if ((v = json_object_get(j, "headcount"))) {
        if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 10000000)
            return bad(r, "invalid_parameter",
                       "headcount must be a whole number of staff from 1 to 10000000");
        p->headcount = json_integer_value(v);
    }
    if ((p->disabled = bool_field(j, "disabled")) == -2)
        return bad(r, "invalid_parameter", "disabled must be true or false");
    if ((p->verified = bool_field(j, "verified")) == -2)
        return bad(r, "invalid_parameter", "verified must be true or false");
    if (!p->name && !p->credit_code && !p->region_code && !p->type && p->headcount < 0 &&
        p->disabled < 0 && p->verified < 0)
        return bad(r, "invalid_parameter", "nothing to change: name, credit_code, region_code, type,"
                                           " headcount, disabled or verified");
    return 0;
}

int h_admin_unit_update(req_t *r)
{
    long long id;
    if (req_id_param(r, 0, "unit_not_found", &id) < 0)
        return 0;
    json_t *j = req_json(r);
    if (!j)
        return 0;
    unit_edit_t e;
    int prc = parse_edit(r, j, &e);
    if (prc == -2)
        return ST_STORE;
    if (prc < 0)
        return 0;
    int acc = console_unit_access(r, id);
    if (acc)
        return acc > 0 ? ST_OK : ST_STORE;
    /* a region outside the organizer's own area would move the unit away */
    if (e.p.region_code && !rules_area_covers(session_caller(r)->area, e.reg.province, e.reg.city, e.reg.county))
        return reply_error(r, 403, "forbidden", "the new region is outside your area");
    int moved;
    long long other;
    int rc = console_unit_update(req_db(r), r->arena, session_caller(r)->organizer_id, id, &e.p, &moved, &other);
    if (rc == CONSOLE_EXISTS)
        return reply_json(r, 409, json_pack("{s:{s:s,s:s},s:o}", "error", "code", "unit_exists",
                                            "message", "another unit has this credit code", "unit_id",
                                            other ? json_integer(other) : json_null()));
    if (rc)
        return console_reply_outcome(r, rc, "unit_not_found");
    units_changed();                    /* the kept searches and counts (units.h) */
    if (moved)
        console_boards_rebuild(r);
    int err;
    json_t *u = console_unit_json(req_db(r), r->arena, id, &err);
    if (!u)
        return console_reply_outcome(r, err, "unit_not_found");
    log_info("console: organizer %lld corrected unit %lld", session_caller(r)->organizer_id, id);
    return reply_json(r, 200, json_pack("{s:o}", "unit", u));
}

/* ---- POST /admin/units/{id}/merge ------------------------------------------------- */

int h_admin_unit_merge(req_t *r)
{
    long long id;
    if (req_id_param(r, 0, "unit_not_found", &id) < 0)
        return 0;
    json_t *j = req_json(r);
    if (!j)
        return 0;
    json_t *v = json_object_get(j, "into");
    if (!json_is_integer(v) || json_integer_value(v) < 1)
        return reply_error(r, 400, "invalid_parameter", "into must be the id of the unit to keep");
    long long into = json_integer_value(v);
    int acc = console_unit_access(r, id);
    if (acc)
        return acc > 0 ? ST_OK : ST_STORE;
    long long moved, old_admin;
    int rc = console_unit_merge(req_db(r), r->arena, session_caller(r)->organizer_id, session_caller(r)->area, id, into,
                                &moved, &old_admin);
    if (rc)
        return console_reply_outcome(r, rc, "unit_not_found");
    units_changed();                    /* members moved: the kept counts (units.h) */
    if (old_admin)
        session_forget_user(r, old_admin);
    console_boards_rebuild(r);
    log_info("console: organizer %lld merged unit %lld into %lld", session_caller(r)->organizer_id, id, into);
    return reply_json(r, 200, json_pack("{s:I,s:I,s:I}", "unit_id", (json_int_t)id, "merged_into",
                                        (json_int_t)into, "members_moved", (json_int_t)moved));
}
