/* units_admin.c: organizers' corrections and merges of units (console.h). */
#include "engines/console/console.h"
#include "rules/score.h"
#include "server/clock.h"

#include <stdio.h>
#include <string.h>

static void code7(char out[7], const char *s)
{
    snprintf(out, 7, "%s", s ? s : "");
}

int console_unit_get(db_t *db, arena_t *a, long long id, int for_update, console_unit_t *out)
{
    db_res_t *res = db_query(db, a,
                             for_update
                             ? "SELECT id, IFNULL(merged_into, 0), headcount, disabled, verified,"
                               " province_code, city_code, county_code FROM units WHERE id = ? FOR UPDATE"
                             : "SELECT id, IFNULL(merged_into, 0), headcount, disabled, verified,"
                               " province_code, city_code, county_code FROM units WHERE id = ?",
                             "i", id);
    if (!res)
        return -1;
    if (!res->nrows)
        return CONSOLE_NOT_FOUND;
    memset(out, 0, sizeof *out);
    out->id = db_int(res, 0, 0);
    out->merged_into = db_int(res, 0, 1);
    out->headcount = db_int(res, 0, 2);
    out->disabled = (int)db_int(res, 0, 3);
    out->verified = (int)db_int(res, 0, 4);
    code7(out->province, db_get(res, 0, 5));
    code7(out->city, db_get(res, 0, 6));
    code7(out->county, db_get(res, 0, 7));
    return 0;
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *console_unit_json(db_t *db, arena_t *a, long long id, int *err)
{
    db_res_t *res = db_query(db, a,
                             "SELECT u.id, u.name, u.credit_code, u.region_code, u.province_code,"
                             " u.city_code, u.county_code, u.type, u.headcount, u.disabled, u.verified,"
                             " u.merged_into, u.name_state, u.name_reject_reason, u.contact_name,"
                             " u.created_at, r.name FROM units u LEFT JOIN regions r"
                             " ON r.code = u.region_code WHERE u.id = ?", "i", id);
    *err = res ? CONSOLE_NOT_FOUND : -1;
    if (!res || !res->nrows)
        return NULL;
    *err = 0;
    char created[32];
    iso8601_format_shanghai(db_int(res, 0, 15), created);
    return json_pack("{s:I,s:s,s:s,s:s,s:s,s:o,s:o,s:s,s:I,s:b,s:b,s:o,s:s,s:o,s:s,s:s,s:o}",
                     "id", (json_int_t)id, "name", db_get(res, 0, 1),
                     "credit_code", db_get(res, 0, 2), "region_code", db_get(res, 0, 3),
                     "province_code", db_get(res, 0, 4), "city_code", str_or_null(db_get(res, 0, 5)),
                     "county_code", str_or_null(db_get(res, 0, 6)), "type", db_get(res, 0, 7),
                     "headcount", (json_int_t)db_int(res, 0, 8),
                     "disabled", (int)db_int(res, 0, 9), "verified", (int)db_int(res, 0, 10),
                     "merged_into", db_get(res, 0, 11) ? json_integer(db_int(res, 0, 11)) : json_null(),
                     "name_state", db_get(res, 0, 12),
                     "name_reject_reason", str_or_null(db_get(res, 0, 13)),
                     "contact_name", db_get(res, 0, 14), "created_at", created,
                     "region_name", str_or_null(db_get(res, 0, 16)));
}

static int differs(json_t *before, const char *field, json_t *value)
{
    json_t *old = json_object_get(before, field);
    int d = !old || !json_equal(old, value);
    json_decref(value);
    return d;
}

/* The statement for one patch: every column it names. */
static long long apply_patch(db_t *db, long long id, const console_unit_patch_t *p)
{
    long long n = 0;
    if (p->name) {
        /* a corrected name is the organizer's: shown again everywhere */
        if ((n = db_exec(db, "UPDATE units SET name = ?, name_state = 'pass', name_reject_reason = NULL"
                             " WHERE id = ?", "si", p->name, id)) < 0 ||
            (p->reindex && p->reindex(db, id, p->name) < 0))
            return -1;
    }
    if (p->credit_code &&
        (n = db_exec(db, "UPDATE units SET credit_code = ? WHERE id = ?", "si", p->credit_code, id)) < 0)
        return -1;
    if (p->region_code &&
        (n = db_exec(db, "UPDATE units SET region_code = ?, province_code = ?, city_code = NULLIF(?, ''),"
                         " county_code = NULLIF(?, '') WHERE id = ?", "ssssi", p->region_code,
                     p->province, p->city ? p->city : "", p->county ? p->county : "", id)) < 0)
        return -1;
    if (p->type && (n = db_exec(db, "UPDATE units SET type = ? WHERE id = ?", "si", p->type, id)) < 0)
        return -1;
    if (p->headcount >= 0 &&
        (n = db_exec(db, "UPDATE units SET headcount = ? WHERE id = ?", "ii", p->headcount, id)) < 0)
        return -1;
    if (p->disabled >= 0 &&
        (n = db_exec(db, "UPDATE units SET disabled = ? WHERE id = ?", "ii", (long long)p->disabled, id)) < 0)
        return -1;
    if (p->verified >= 0 &&
        (n = db_exec(db, "UPDATE units SET verified = ? WHERE id = ?", "ii", (long long)p->verified, id)) < 0)
        return -1;
    return n;
}

typedef struct {
    arena_t *a;
    long long organizer_id, id;
    const console_unit_patch_t *p;
    int boards_moved;
    long long other_id;
} unit_update_t;

/* One try of a correction, run by db_tx: again after a deadlock, which the
 * background search indexer (unit_search_backfill), writing units and
 * unit_ngrams too, can cause. A refusal rolls back and returns its
 * CONSOLE_ code; a store failure returns ST_STORE and leaves the rollback
 * to db_tx. */
static int update_tx(db_t *db, void *ctx)
{
    unit_update_t *x = ctx;
    const console_unit_patch_t *p = x->p;
    x->boards_moved = 0;
    x->other_id = 0;
    console_unit_t u;
    int rc = console_unit_get(db, x->a, x->id, 1, &u);
    if (rc < 0)
        return ST_STORE;
    if (rc != 0) {
        db_rollback(db);
        return rc;
    }
    int err;
    json_t *before = console_unit_json(db, x->a, x->id, &err);
    if (!before)
        return ST_STORE;
    if (p->credit_code) {
        db_res_t *dup = db_query(db, x->a, "SELECT id FROM units WHERE credit_code = ? AND id <> ?",
                                 "si", p->credit_code, x->id);
        if (!dup || dup->nrows) {
            json_decref(before);
            if (!dup)
                return ST_STORE;
            x->other_id = db_int(dup, 0, 0);
            db_rollback(db);
            return CONSOLE_EXISTS;
        }
    }
    json_t *after = NULL;
    if (apply_patch(db, x->id, p) < 0 || !(after = console_unit_json(db, x->a, x->id, &err)) ||
        console_audit(db, x->organizer_id, "unit.update", "unit", x->id, before, after) < 0 ||
        db_commit(db) < 0) {
        json_decref(before);
        json_decref(after);
        if (db_errno(db) == 1062 && p->credit_code) {   /* taken meanwhile */
            db_rollback(db);
            return CONSOLE_EXISTS;
        }
        return ST_STORE;
    }
    static const char *moving[] = { "name", "region_code", "type", "headcount", "disabled",
                                    "verified", "name_state" };
    for (size_t i = 0; i < sizeof moving / sizeof moving[0]; i++)
        if (differs(before, moving[i], json_incref(json_object_get(after, moving[i]))))
            x->boards_moved = 1;
    json_decref(before);
    json_decref(after);
    return CONSOLE_OK;
}

int console_unit_update(db_t *db, arena_t *a, long long organizer_id, long long id,
                        const console_unit_patch_t *p, int *boards_moved, long long *other_id)
{
    unit_update_t x = { a, organizer_id, id, p, 0, 0 };
    int rc = db_tx(db, update_tx, &x);
    *boards_moved = x.boards_moved;
    *other_id = x.other_id;
    return rc < 0 ? -1 : rc;
}

static int merge_checks(const console_unit_t *f, const console_unit_t *t)
{
    if (f->merged_into || t->disabled || t->merged_into)
        return t->merged_into == f->id ? CONSOLE_MERGE_CIRCLE : CONSOLE_MERGE_UNAVAILABLE;
    return 0;
}

typedef struct {
    arena_t *a;
    long long organizer_id;
    const char *area;
    long long from, into, moved, old_admin;
} unit_merge_t;

/* One try of a merge, run by db_tx (again after a deadlock: submits lock
 * the people whose profiles a merge moves). Refusals roll back and return
 * their CONSOLE_ code; a store failure returns ST_STORE to db_tx. */
static int merge_tx(db_t *db, void *ctx)
{
    unit_merge_t *x = ctx;
    long long from = x->from, into = x->into;
    x->moved = x->old_admin = 0;
    /* lock both rows, the lower id first, so two merges cannot deadlock */
    console_unit_t f, t;
    long long lo = from < into ? from : into, hi = from < into ? into : from;
    console_unit_t *first = lo == from ? &f : &t, *second = lo == from ? &t : &f;
    int rc = console_unit_get(db, x->a, lo, 1, first);
    if (rc == 0)
        rc = console_unit_get(db, x->a, hi, 1, second);
    if (rc < 0)
        return ST_STORE;
    const char *area = x->area;
    if (rc == 0 && area && *area &&
        !(strcmp(area, t.province) == 0 || strcmp(area, t.city) == 0 || strcmp(area, t.county) == 0))
        rc = CONSOLE_FORBIDDEN;
    if (rc == 0)
        rc = merge_checks(&f, &t);
    if (rc != 0) {
        db_rollback(db);
        return rc;
    }
    db_res_t *adm = db_query(db, x->a, "SELECT id FROM users WHERE admin_unit_id = ? FOR UPDATE", "i", from);
    db_res_t *cnt = adm ? db_query(db, x->a, "SELECT COUNT(*) FROM profiles WHERE board_unit_id = ?"
                                             " OR unit_id = ? OR sponsor_unit_id = ?", "iii", from, from, from)
                        : NULL;
    if (!cnt)
        return ST_STORE;
    x->moved = db_int(cnt, 0, 0);
    x->old_admin = adm->nrows ? db_int(adm, 0, 0) : 0;
    json_t *before = json_pack("{s:I,s:I,s:I,s:o}", "unit_id", (json_int_t)from, "into",
                               (json_int_t)into, "members", (json_int_t)x->moved, "admin_user_id",
                               x->old_admin ? json_integer(x->old_admin) : json_null());
    json_t *after = json_pack("{s:I,s:I}", "merged_into", (json_int_t)into, "members_moved",
                              (json_int_t)x->moved);
    int ok = db_exec(db, "UPDATE profiles SET unit_id = ? WHERE unit_id = ?", "ii", into, from) >= 0 &&
             db_exec(db, "UPDATE profiles SET sponsor_unit_id = ? WHERE sponsor_unit_id = ?", "ii",
                     into, from) >= 0 &&
             db_exec(db, "UPDATE profiles SET board_unit_id = ? WHERE board_unit_id = ?", "ii",
                     into, from) >= 0 &&
             db_exec(db, "UPDATE users SET roles = roles & ~2, admin_unit_id = NULL"
                         " WHERE admin_unit_id = ?", "i", from) >= 0 &&
             db_exec(db, "UPDATE units SET merged_into = ? WHERE id = ?", "ii", into, from) >= 0 &&
             console_audit(db, x->organizer_id, "unit.merge", "unit", from, before, after) == 0 &&
             db_commit(db) == 0;
    json_decref(before);
    json_decref(after);
    return ok ? CONSOLE_OK : ST_STORE;
}

int console_unit_merge(db_t *db, arena_t *a, long long organizer_id, const char *area,
                       long long from, long long into, long long *moved, long long *old_admin)
{
    *moved = 0;
    *old_admin = 0;
    if (from == into)
        return CONSOLE_MERGE_SELF;
    unit_merge_t x = { a, organizer_id, area, from, into, 0, 0 };
    int rc = db_tx(db, merge_tx, &x);
    if (rc != CONSOLE_OK)
        return rc < 0 ? -1 : rc;
    *moved = x.moved;
    *old_admin = x.old_admin;
    return CONSOLE_OK;
}

db_res_t *console_contest_ids(db_t *db, arena_t *a)
{
    return db_query(db, a, "SELECT id FROM contests ORDER BY id", "");
}
