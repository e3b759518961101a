/* units.c: GET /units (search and browse), POST /units and GET /units/{id}. */
#include "handlers/units.h"
#include "engines/boards/boards.h"
#include "engines/quiz/contest.h"
#include "engines/wechat/content_check.h"
#include "engines/accounts/accounts.h"
#include "handlers/handlers.h"
#include "engines/accounts/seal.h"
#include "engines/units/units.h"
#include "rules/credit_code.h"
#include "rules/names.h"
#include "rules/org_name.h"
#include "rules/score.h"
#include "rules/search_text.h"

#include <string.h>

#define UNIT_COLS \
    "u.id, IF(u.name_state = 'rejected', '\xe5\xbe\x85\xe5\xae\xa1\xe6\xa0\xb8', u.name), u.credit_code, u.region_code, u.province_code, u.city_code, u.county_code," \
    " u.type, u.headcount, u.created_at, u.merged_into, rr.name, p.name, c.name, k.name"
#define UNIT_JOINS \
    " JOIN regions rr ON rr.code = u.region_code" \
    " LEFT JOIN regions p ON p.code = u.province_code" \
    " LEFT JOIN regions c ON c.code = u.city_code" \
    " LEFT JOIN regions k ON k.code = u.county_code"

static json_t *str_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

json_t *unit_load_json(req_t *r, long long id, int *err)
{
    db_res_t *res = db_query(req_db(r), r->arena,
                             "SELECT " UNIT_COLS " FROM units u" UNIT_JOINS
                             " WHERE u.id = ? AND u.disabled = 0", "i", id);
    if (!res) {
        *err = ST_STORE;
        return NULL;
    }
    if (!res->nrows) {
        *err = ST_NOT_FOUND;
        return NULL;
    }
    char created[32];
    iso8601_format_shanghai(db_int(res, 0, 9), created);
    json_t *u = json_pack("{s:I,s:s,s:s,s:s,s:s,s:o,s:o,s:s,s:I,s:s,s:s,s:s}",
                          "id", (json_int_t)id, "name", db_get(res, 0, 1),
                          "credit_code", db_get(res, 0, 2), "region_code", db_get(res, 0, 3),
                          "province_code", db_get(res, 0, 4),
                          "city_code", str_or_null(db_get(res, 0, 5)),
                          "county_code", str_or_null(db_get(res, 0, 6)),
                          "type", db_get(res, 0, 7), "headcount", (json_int_t)db_int(res, 0, 8),
                          "created_at", created, "region_name", db_get(res, 0, 11),
                          "region_full_name",
                          region_full_name(r, db_get(res, 0, 12), db_get(res, 0, 13),
                                           db_get(res, 0, 14)));
    /* A duplicate merged by an organizer points at the unit to use. */
    json_object_set_new(u, "merged_into", db_get(res, 0, 10)
                                              ? json_integer(db_int(res, 0, 10)) : json_null());
    *err = 0;
    return u;
}

/* ---- GET /units ---------------------------------------------------------- */

int h_units_list(req_t *r)
{
    long long limit, offset;
    if (req_query_int(r, "limit", 20, 1, 100, &limit) < 0 ||
        req_query_int(r, "offset", 0, 0, UNITS_OFFSET_MAX, &offset) < 0)
        return 0;
    unit_filter_t f;
    int rc = unit_filter_for_region(r, req_query(r, "region"), &f);
    if (rc == ST_NOT_FOUND)
        return reply_error(r, 400, "invalid_region", "region must be a code from GET /regions");
    if (rc != ST_OK)
        return rc;
    const char *q = req_query(r, "q");
    unit_page_t page = { 0 };
    if (!q || !*q) {
        rc = units_browse(r, &f, limit, offset, &page);
    } else {
        char kw[4 * UNIT_KEYWORD_MAX_CHARS + 8];
        int n = rules_search_fold(q, kw, sizeof kw);
        if (n < 0 && strlen(q) < sizeof kw)
            return reply_error(r, 400, "invalid_parameter", "q must be UTF-8 text");
        if (n >= 0 && n < 2)
            return reply_error(r, 400, "query_too_short", "q needs at least 2 characters");
        /* n < 0 here: longer than any name, so nothing matches */
        if (n < 0)
            return reply_json(r, 200, json_pack("{s:[],s:i,s:b}", "units", "total", 0,
                                                "total_capped", 0));
        rc = units_search(r, kw, &f, limit, offset, &page);
    }
    if (rc != ST_OK)
        return rc;
    /* the page is JSON text already (kept so by the engine's cache) */
    return reply_raw(r, 200, "application/json; charset=utf-8", page.body, page.len);
}

/* ---- POST /units ---------------------------------------------------------- */

typedef struct {
    char name[401];
    char credit[19];
    const char *region_code;
    const char *type;
    long long headcount;
    char contact_name[81];
    char contact_phone[32];
} unit_input_t;

static int bad(req_t *r, const char *code, const char *message)
{
    reply_error(r, 400, code, message);
    return -1;
}

/* Checks every field's shape; replies 400 and returns -1 on the first bad one. */
static int parse_input(req_t *r, json_t *j, unit_input_t *in)
{
    const char *name = req_text(json_object_get(j, "name"));
    if (!name || rules_text_field(name, 2, 100, in->name, sizeof in->name) < 0 ||
        !rules_org_name_valid(in->name))
        return bad(r, "invalid_name", "name must be the unit's full name: 2-100 characters of"
                                      " Chinese, letters, digits and brackets");
    const char *cc = req_text(json_object_get(j, "credit_code"));
    if (!cc || rules_credit_code_normalize(cc, in->credit) < 0)
        return bad(r, "invalid_credit_code", "credit_code must be an 18-character unified social"
                                             " credit code (GB 32100-2015) with a valid check character");
    in->region_code = req_text(json_object_get(j, "region_code"));
    if (!in->region_code)
        return bad(r, "invalid_region", "region_code must be a code from GET /regions");
    in->type = req_text(json_object_get(j, "type"));
    if (!in->type || (strcmp(in->type, "water_admin") && strcmp(in->type, "water_enterprise") &&
                      strcmp(in->type, "other")))
        return bad(r, "invalid_parameter", "type must be water_admin, water_enterprise or other");
    json_t *hc = json_object_get(j, "headcount");
    if (!json_is_integer(hc) || json_integer_value(hc) < 1 || json_integer_value(hc) > 10000000)
        return bad(r, "invalid_parameter",
                   "headcount must be a whole number of staff from 1 to 10000000");
    in->headcount = json_integer_value(hc);
    const char *cn = req_text(json_object_get(j, "contact_name"));
    if (!cn || rules_text_field(cn, 2, 20, in->contact_name, sizeof in->contact_name) < 0 ||
        !rules_real_name_valid(in->contact_name))
        return bad(r, "invalid_parameter",
                   "contact_name must be a person's name of 2-20 characters");
    const char *cp = req_text(json_object_get(j, "contact_phone"));
    if (!cp || rules_contact_phone_clean(cp, in->contact_phone, sizeof in->contact_phone) < 0)
        return bad(r, "invalid_parameter", "contact_phone must be a phone number of 5-20 digits");
    return 0;
}

static int reply_exists(req_t *r, long long id)
{
    json_t *body = json_pack("{s:{s:s,s:s},s:I}", "error", "code", "unit_exists", "message",
                             "a unit with this credit code is already registered", "unit_id",
                             (json_int_t)id);
    return reply_json(r, 409, body);
}

/* The id of the unit holding credit, 0 when none, or ST_STORE. */
static long long unit_by_credit(req_t *r, const char *credit)
{
    db_res_t *res = db_query(req_db(r), r->arena, "SELECT id FROM units WHERE credit_code = ?",
                             "s", credit);
    if (!res)
        return ST_STORE;
    return res->nrows ? db_int(res, 0, 0) : 0;
}

typedef struct {
    req_t *r;
    const unit_input_t *in;
    const region_t *reg;
    const char *phone_sealed;
    int verdict;
    long long id;   /* out: the new unit, 0 when the credit code was taken meanwhile */
} insert_ctx_t;

/* One transaction, under db_tx (db.h): the unit, its bigrams, and what
 * goes on the review list. Returns ST_OK (x->id set) or ST_STORE. */
static int insert_tx(db_t *db, void *ctx)
{
    insert_ctx_t *x = ctx;
    req_t *r = x->r;
    const unit_input_t *in = x->in;
    const region_t *reg = x->reg;
    x->id = 0;
    if (db_exec(db,
                "INSERT INTO units (name, credit_code, region_code, province_code, city_code,"
                " county_code, type, headcount, contact_name, contact_phone_sealed, created_by,"
                " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                "sssssssissii", in->name, in->credit, reg->code, reg->province,
                reg->city[0] ? reg->city : NULL, reg->county[0] ? reg->county : NULL, in->type,
                in->headcount, in->contact_name, x->phone_sealed, r->auth.user_id,
                (long long)clock_now_s()) < 0) {
        if (db_errno(db) != DB_ER_DUP_ENTRY)
            return ST_STORE;
        db_rollback(db);
        return ST_OK;
    }
    long long id = db_last_id(db);
    if (unit_search_index(db, id, in->name) < 0 ||
        content_review_add(r, "unit_name", id, r->auth.user_id, in->name, x->verdict) < 0 ||
        content_review_add(r, "contact_name", id, r->auth.user_id, in->contact_name, x->verdict) < 0 ||
        db_commit(db) < 0)
        return ST_STORE;
    x->id = id;
    return ST_OK;
}

int h_units_create(req_t *r)
{
    json_t *j = req_json(r);
    if (!j)
        return 0;
    unit_input_t in;
    if (parse_input(r, j, &in) < 0)
        return 0;
    region_t reg;
    int rc = region_find(r, in.region_code, &reg);
    if (rc == ST_NOT_FOUND)
        return reply_error(r, 400, "invalid_region", "region_code must be a code from GET /regions");
    if (rc != ST_OK)
        return rc;
    contest_t c;
    rc = contest_from_request(r, j, &c);
    if (rc != ST_OK)
        return rc;
    if (!contest_registration_open(&c, clock_now_s()))
        return reply_error(r, 403, "registration_closed", "registration for this contest has closed");
    /* Most duplicates are caught here, before asking WeChat; the unique
     * key decides the rest (two registrations at the same moment). */
    long long existing = unit_by_credit(r, in.credit);
    if (existing < 0)
        return (int)existing;
    if (existing > 0)
        return reply_exists(r, existing);

    int verdict;
    if (wx_write_admit(r))             /* per-user limit on WeChat calls */
        return 0;
    const char *text = arena_sprintf(r->arena, "%s\n%s", in.name, in.contact_name);
    rc = content_check(r, r->auth.user_id, text, &verdict);
    if (rc < 0)
        return rc;
    if (verdict == WX_RISKY)
        return reply_error(r, 422, "content_risky", "the name did not pass WeChat's content check");

    char *sealed;
    if (seal_str(r, in.contact_phone, &sealed) < 0) {
        log_error("units: cannot seal the contact phone (phone_key_hex misconfigured?)");
        return -1;
    }
    insert_ctx_t x = { .r = r, .in = &in, .reg = &reg, .phone_sealed = sealed, .verdict = verdict };
    rc = db_tx(req_db(r), insert_tx, &x);
    if (rc != ST_OK)
        return rc;
    long long id = x.id;
    if (id == 0) {
        existing = unit_by_credit(r, in.credit);
        if (existing <= 0)
            return existing < 0 ? (int)existing : ST_ERR;
        return reply_exists(r, existing);
    }
    int err;
    json_t *u = unit_load_json(r, id, &err);
    if (!u)
        return err == ST_STORE ? ST_STORE : ST_ERR;
    log_info("unit %lld registered by user %lld", id, r->auth.user_id);
    kv_cmd(req_kv(r), r->arena, "DEL %s", UNITS_COUNT_KEY);   /* unit_search.h */
    units_changed();
    return reply_json(r, 201, json_pack("{s:o}", "unit", u));
}

/* ---- GET /units/{id} ---------------------------------------------------------- */

int h_units_get(req_t *r)
{
    long long id;
    if (req_id_param(r, 0, "unit_not_found", &id) < 0)
        return 0;
    int err;
    json_t *u = arena_json(r->arena, unit_load_json(r, id, &err));
    if (!u)
        return err == ST_STORE ? ST_STORE : reply_error(r, 404, "unit_not_found", "no such unit");
    contest_t c;
    long long contest_id = 0;
    const char *q = req_query(r, "contest_id");
    int rc = (q && *q) ? contest_from_request(r, NULL, &c) : contest_load(r, 0, &c);
    if (rc < 0 || rc == ST_REPLIED)
        return rc;
    if (rc == 0)
        contest_id = c.id;
    unit_counts_t n;
    rc = unit_counts(r, id, contest_id, &n);     /* kept for seconds: units.h */
    if (rc != ST_OK)
        return rc;
    long long headcount = json_integer_value(json_object_get(u, "headcount"));
    double rate = headcount > 0 ? (double)n.staff_participants / (double)headcount : 0;
    json_object_set_new(u, "contest_id", contest_id ? json_integer(contest_id) : json_null());
    json_object_set_new(u, "members", json_integer(n.members));
    json_object_set_new(u, "staff_members", json_integer(n.staff_members));
    json_object_set_new(u, "five_into_members", json_integer(n.five_into_members));
    json_object_set_new(u, "participants", json_integer(n.participants));
    json_object_set_new(u, "score", json_integer(n.score));
    json_object_set_new(u, "participation_rate", json_real(rate > 1 ? 1 : rate));
    /* the national unit board by score; null when the unit is not on it
     * yet or the boards cannot be read now (never an error) */
    lb_unit_place_t place;
    int on_board = contest_id && lb_unit_place(r, contest_id, id, &place) == ST_OK;
    json_object_set_new(u, "rank", on_board ? json_integer(place.rank) : json_null());
    return reply_json(r, 200, json_pack("{s:O}", "unit", u));
}
