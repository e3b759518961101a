/* profile.c: PUT /me/profile, and the profile as the API shows it. */
#include "handlers/profile.h"
#include "engines/wechat/content_check.h"
#include "engines/quiz/contest.h"
#include "handlers/console.h"
#include "engines/quiz/eligibility.h"
#include "engines/accounts/accounts.h"
#include "handlers/handlers.h"
#include "engines/units/units.h"
#include "rules/names.h"
#include "rules/org_name.h"
#include "rules/score.h"

#include <string.h>

/* ---- reading --------------------------------------------------------------- */

static json_t *str_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

json_t *profile_load_json(req_t *r, long long user_id)
{
    db_res_t *res = db_query(req_db(r), r->arena,
        "SELECT p.real_name, p.region_code, p.kind, p.unit_id, p.is_unit_leader, p.position,"
        " p.five_into_category, p.five_into_org, p.sponsor_unit_id, p.board_unit_id,"
        " p.name_review, p.created_at, p.updated_at, rr.name, pr.name, ci.name, co.name,"
        " bu.name"
        " FROM profiles p JOIN regions rr ON rr.code = p.region_code"
        " LEFT JOIN regions pr ON pr.code = p.province_code"
        " LEFT JOIN regions ci ON ci.code = p.city_code"
        " LEFT JOIN regions co ON co.code = p.county_code"
        " LEFT JOIN units bu ON bu.id = p.board_unit_id"
        " WHERE p.user_id = ?", "i", user_id);
    if (!res)
        return NULL;
    if (!res->nrows)
        return json_null();
    int locked = profile_locked(r, user_id);
    if (locked < 0)
        return NULL;
    char created[32], updated[32];
    iso8601_format_shanghai(db_int(res, 0, 11), created);
    iso8601_format_shanghai(db_int(res, 0, 12), updated);
    int staff = strcmp(db_get(res, 0, 2), "staff") == 0;
    const char *unit_name = db_get(res, 0, 17);
    json_t *p = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s,s:I,s:s,s:b,s:s,s:s}",
                          "user_id", (json_int_t)user_id, "real_name", db_get(res, 0, 0),
                          "region_code", db_get(res, 0, 1), "region_name", db_get(res, 0, 13),
                          "region_full_name",
                          region_full_name(r, db_get(res, 0, 14), db_get(res, 0, 15),
                                           db_get(res, 0, 16)),
                          "kind", db_get(res, 0, 2),
                          "board_unit_id", (json_int_t)db_int(res, 0, 9),
                          "name_review", db_get(res, 0, 10), "locked", locked,
                          "created_at", created, "updated_at", updated);
    if (staff) {
        json_object_set_new(p, "unit_id", json_integer(db_int(res, 0, 3)));
        json_object_set_new(p, "unit_name", str_or_null(unit_name));
        json_object_set_new(p, "is_unit_leader", json_boolean(db_int(res, 0, 4)));
        json_object_set_new(p, "position", str_or_null(db_get(res, 0, 5)));
        json_object_set_new(p, "five_into", json_null());
    } else {
        json_object_set_new(p, "unit_id", json_null());
        json_object_set_new(p, "unit_name", json_null());
        json_object_set_new(p, "is_unit_leader", json_false());
        json_object_set_new(p, "position", json_null());
        json_object_set_new(p, "five_into",
                            json_pack("{s:s,s:s,s:I,s:o}", "category", db_get(res, 0, 6),
                                      "org_name", db_get(res, 0, 7), "sponsor_unit_id",
                                      (json_int_t)db_int(res, 0, 8), "sponsor_unit_name",
                                      str_or_null(unit_name)));
    }
    return p;
}

int profile_locked(req_t *r, long long user_id)
{
    /* contest_scores is keyed (contest_id, user_id): one probe per contest. */
    db_res_t *res = db_query(req_db(r), r->arena,
                             "SELECT 1 FROM contests c JOIN contest_scores s"
                             " ON s.contest_id = c.id AND s.user_id = ? LIMIT 1", "i", user_id);
    if (!res)
        return ST_STORE;
    return res->nrows ? 1 : 0;
}

/* ---- PUT /me/profile ---------------------------------------------------------- */

typedef struct {
    char real_name[81];
    const char *region_code;
    int staff;
    long long unit_id;          /* staff */
    int is_leader;
    char position[161];         /* "" when none */
    const char *category;       /* five-into */
    char org_name[401];
    long long sponsor_id;
} profile_input_t;

static int bad(req_t *r, const char *code, const char *message)
{
    reply_error(r, 400, code, message);
    return -1;
}

/* Checks every field's shape; replies 400 and returns -1 on the first bad one. */
static int parse_input(req_t *r, json_t *j, profile_input_t *in)
{
    memset(in, 0, sizeof *in);
    const char *name = req_text(json_object_get(j, "real_name"));
    if (!name || rules_text_field(name, 2, 20, in->real_name, sizeof in->real_name) < 0 ||
        !rules_real_name_valid(in->real_name))
        return bad(r, "invalid_name", "real_name must be 2-20 Chinese characters or letters,"
                                      " parts joined with ·");
    in->region_code = req_text(json_object_get(j, "region_code"));
    if (!in->region_code)
        return bad(r, "invalid_region", "region_code must be a code from GET /regions");
    json_t *unit = json_object_get(j, "unit_id"), *fi = json_object_get(j, "five_into");
    int has_unit = unit && !json_is_null(unit), has_fi = fi && !json_is_null(fi);
    if (has_unit == has_fi)
        return bad(r, "invalid_parameter", "give either unit_id (staff) or five_into");
    in->staff = has_unit;
    if (has_unit) {
        if (!json_is_integer(unit) || json_integer_value(unit) <= 0)
            return bad(r, "invalid_parameter", "unit_id must be a unit's id");
        in->unit_id = json_integer_value(unit);
        json_t *lead = json_object_get(j, "is_unit_leader");
        if (lead && !json_is_null(lead) && !json_is_boolean(lead))
            return bad(r, "invalid_parameter", "is_unit_leader must be true or false");
        in->is_leader = json_is_true(lead);
        json_t *pos = json_object_get(j, "position");
        if (pos && !json_is_null(pos)) {
            const char *ps = req_text(pos);
            if (!ps || (*ps && (rules_text_field(ps, 1, 40, in->position, sizeof in->position) < 0 ||
                                !rules_org_name_valid(in->position))))
                return bad(r, "invalid_parameter", "position must be text of at most 40 characters");
        }
        if (in->is_leader && !in->position[0])
            return bad(r, "invalid_parameter", "the unit's principal leader must state a position");
        return 0;
    }
    if (!json_is_object(fi))
        return bad(r, "invalid_parameter", "five_into must be an object");
    in->category = req_text(json_object_get(fi, "category"));
    static const char *const cats[] = { "enterprise", "village", "community", "school", "family" };
    int ok = 0;
    for (size_t i = 0; in->category && i < sizeof cats / sizeof cats[0]; i++)
        ok |= strcmp(in->category, cats[i]) == 0;
    if (!ok)
        return bad(r, "invalid_parameter", "five_into.category must be enterprise, village,"
                                           " community, school or family");
    const char *org = req_text(json_object_get(fi, "org_name"));
    if (!org || rules_text_field(org, 2, 100, in->org_name, sizeof in->org_name) < 0 ||
        !rules_org_name_valid(in->org_name))
        return bad(r, "invalid_parameter", "five_into.org_name must be the organisation's name,"
                                           " 2-100 characters");
    json_t *sp = json_object_get(fi, "sponsor_unit_id");
    if (!json_is_integer(sp) || json_integer_value(sp) <= 0)
        return bad(r, "invalid_parameter", "five_into.sponsor_unit_id must be a unit's id");
    in->sponsor_id = json_integer_value(sp);
    return 0;
}

/* The live unit a registration points at (following a merge once), its
 * type in type[]. Returns its id, 0 when there is none, ST_STORE. */
static long long resolve_unit(req_t *r, long long id, char type[24])
{
    for (int hop = 0; hop < 2; hop++) {
        db_res_t *res = db_query(req_db(r), r->arena,
                                 "SELECT type, merged_into FROM units WHERE id = ? AND disabled = 0",
                                 "i", id);
        if (!res)
            return ST_STORE;
        if (!res->nrows)
            return 0;
        if (!db_get(res, 0, 1)) {
            snprintf(type, 24, "%s", db_get(res, 0, 0));
            return id;
        }
        id = db_int(res, 0, 1);
    }
    return 0;
}

typedef struct {
    int exists;
    const char *real_name, *region_code, *kind, *position, *category, *org, *name_review;
    long long unit_id, sponsor_id, board_unit_id;
    int is_leader;
} profile_row_t;

static int load_row(req_t *r, long long user_id, profile_row_t *p, int for_update)
{
    memset(p, 0, sizeof *p);
    db_res_t *res = db_query(req_db(r), r->arena, for_update
        ? "SELECT real_name, region_code, kind, IFNULL(unit_id, 0), is_unit_leader,"
          " IFNULL(position, ''), IFNULL(five_into_category, ''), IFNULL(five_into_org, ''),"
          " IFNULL(sponsor_unit_id, 0), board_unit_id, name_review FROM profiles"
          " WHERE user_id = ? FOR UPDATE"
        : "SELECT real_name, region_code, kind, IFNULL(unit_id, 0), is_unit_leader,"
          " IFNULL(position, ''), IFNULL(five_into_category, ''), IFNULL(five_into_org, ''),"
          " IFNULL(sponsor_unit_id, 0), board_unit_id, name_review FROM profiles"
          " WHERE user_id = ?", "i", user_id);
    if (!res)
        return ST_STORE;
    if (!res->nrows)
        return 0;
    p->exists = 1;
    p->real_name = db_get(res, 0, 0);
    p->region_code = db_get(res, 0, 1);
    p->kind = db_get(res, 0, 2);
    p->unit_id = db_int(res, 0, 3);
    p->is_leader = (int)db_int(res, 0, 4);
    p->position = db_get(res, 0, 5);
    p->category = db_get(res, 0, 6);
    p->org = db_get(res, 0, 7);
    p->sponsor_id = db_int(res, 0, 8);
    p->board_unit_id = db_int(res, 0, 9);
    p->name_review = db_get(res, 0, 10);
    return 0;
}

/* What a request changes compared with the stored profile. */
typedef struct {
    int name, assoc, region, other;
} changes_t;

static changes_t diff(const profile_row_t *old, const profile_input_t *in, long long board,
                      const char *region)
{
    changes_t c = { 1, 1, 1, 0 };
    if (!old->exists)
        return c;
    c.name = strcmp(old->real_name, in->real_name) != 0;
    c.region = strcmp(old->region_code, region) != 0;
    c.assoc = strcmp(old->kind, in->staff ? "staff" : "five_into") != 0 ||
              old->board_unit_id != board;
    if (in->staff)
        c.other = old->is_leader != in->is_leader || strcmp(old->position, in->position) != 0;
    else
        c.other = strcmp(old->category, in->category) != 0 || strcmp(old->org, in->org_name) != 0;
    return c;
}

typedef struct {
    req_t *r;
    const profile_input_t *in;
    const region_t *reg;
    long long board;
    const changes_t *ch;
    const contest_t *c;
    int open, verdict;
    const char *checked_name, *checked_org, *checked_pos;
    int locked;   /* out: the profile turned out locked (nothing written) */
} write_ctx_t;

/* The write, in one transaction that locks the user's row first (so two
 * requests of one person, or a registration and a submit that also locks
 * it, run one after the other); under db_tx (db.h). Returns ST_OK (written,
 * or x->locked set) or a failure status. */
static int write_tx(db_t *db, void *ctx)
{
    write_ctx_t *x = ctx;
    req_t *r = x->r;
    const profile_input_t *in = x->in;
    const region_t *reg = x->reg;
    const changes_t *ch = x->ch;
    const contest_t *c = x->c;
    long long board = x->board;
    int open = x->open, verdict = x->verdict;
    const char *checked_name = x->checked_name, *checked_org = x->checked_org, *checked_pos = x->checked_pos;
    long long uid = r->auth.user_id, now = clock_now_s();
    profile_row_t cur;
    db_res_t *u = db_query(db, r->arena, "SELECT id FROM users WHERE id = ? FOR UPDATE", "i", uid);
    if (!u || load_row(r, uid, &cur, 1) < 0)
        return ST_STORE;
    if (cur.exists && (ch->assoc || ch->region) &&
        (strcmp(cur.kind, in->staff ? "staff" : "five_into") != 0 ||
         cur.board_unit_id != board || strcmp(cur.region_code, reg->code) != 0)) {
        int lk = profile_locked(r, uid);
        if (lk < 0)
            return lk;
        if (lk) {
            db_rollback(db);
            x->locked = 1;
            return ST_OK;
        }
    }
    const char *review = checked_name ? (verdict == WX_PASS ? "pass" : "review")
                                      : (cur.exists ? cur.name_review : "pass");
    /* nullable ids go as text: NULL binds SQL NULL */
    const char *unit_s = in->staff ? arena_sprintf(r->arena, "%lld", in->unit_id) : NULL;
    const char *sponsor_s = in->staff ? NULL : arena_sprintf(r->arena, "%lld", in->sponsor_id);
    if (db_exec(db,
            "INSERT INTO profiles (user_id, real_name, region_code, province_code, city_code,"
            " county_code, kind, unit_id, is_unit_leader, position, five_into_category,"
            " five_into_org, sponsor_unit_id, board_unit_id, name_review, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON DUPLICATE KEY UPDATE real_name = VALUES(real_name),"
            " region_code = VALUES(region_code), province_code = VALUES(province_code),"
            " city_code = VALUES(city_code), county_code = VALUES(county_code),"
            " kind = VALUES(kind), unit_id = VALUES(unit_id),"
            " is_unit_leader = VALUES(is_unit_leader), position = VALUES(position),"
            " five_into_category = VALUES(five_into_category),"
            " five_into_org = VALUES(five_into_org), sponsor_unit_id = VALUES(sponsor_unit_id),"
            " board_unit_id = VALUES(board_unit_id),"
            /* a corrected name leaves an organizer's rejection behind */
            " name_reject_reason = IF(VALUES(name_review) = 'rejected', name_reject_reason, NULL),"
            " name_review = VALUES(name_review), updated_at = VALUES(updated_at)",
            "isssssssissssisii", uid, in->real_name, reg->code, reg->province,
            reg->city[0] ? reg->city : NULL, reg->county[0] ? reg->county : NULL,
            in->staff ? "staff" : "five_into", unit_s,
            (long long)(in->staff && in->is_leader),
            in->staff && in->position[0] ? in->position : NULL,
            in->staff ? NULL : in->category, in->staff ? NULL : in->org_name,
            sponsor_s, board, review, now, now) < 0)
        return ST_STORE;
    if (cur.exists && strcmp(cur.real_name, in->real_name) != 0 &&
        db_exec(db, "INSERT INTO name_changes (user_id, old_name, new_name, contest_id,"
                    " after_deadline, changed_at) VALUES (?, ?, ?, ?, ?, ?)",
                "issiii", uid, cur.real_name, in->real_name, c->id, (long long)!open, now) < 0)
        return ST_STORE;
    if ((checked_name && content_review_add(r, "real_name", uid, uid, checked_name, verdict) < 0) ||
        (checked_org && content_review_add(r, "org_name", uid, uid, checked_org, verdict) < 0) ||
        (checked_pos && content_review_add(r, "position", uid, uid, checked_pos, verdict) < 0))
        return ST_STORE;
    return db_commit(db) < 0 ? ST_STORE : ST_OK;
}

/* reply_error, and ST_REPLIED for the caller to stop. */
static int replied(req_t *r, int status, const char *code, const char *message)
{
    reply_error(r, status, code, message);
    return ST_REPLIED;
}

/* Where the registration goes: its region into *reg and the live unit it
 * counts under into *board (in's unit or sponsor follows a merge).
 * Returns ST_OK, ST_REPLIED after a 400 or 404, or a failure. */
static int place_input(req_t *r, profile_input_t *in, region_t *reg, long long *board)
{
    int rc = region_find(r, in->region_code, reg);
    if (rc == ST_NOT_FOUND)
        return replied(r, 400, "invalid_region", "region_code must be a code from GET /regions");
    if (rc != ST_OK)
        return rc;
    char type[24] = "";
    *board = resolve_unit(r, in->staff ? in->unit_id : in->sponsor_id, type);
    if (*board < 0)
        return (int)*board;
    if (*board == 0)
        return replied(r, 404, "unit_not_found", in->staff ? "no such unit" : "no such sponsor unit");
    if (!in->staff && strcmp(type, "water_admin") != 0 && strcmp(type, "water_enterprise") != 0)
        return replied(r, 400, "sponsor_not_water_unit", "a five-into member's sponsor must be"
                           " a water administration or water enterprise");
    /* a unit merged into another: register under the one that remains */
    if (in->staff)
        in->unit_id = *board;
    else
        in->sponsor_id = *board;
    return ST_OK;
}

/* Whether the change may go on: ST_OK, or a status after replying (200
 * with the profile when nothing changed, 409 profile_locked, 403
 * registration_closed). open: registration is open for the caller. */
static int admit_change(req_t *r, const profile_row_t *old, const changes_t *ch, int open)
{
    if (old->exists && !ch->name && !ch->assoc && !ch->region && !ch->other) {
        json_t *p = profile_load_json(r, r->auth.user_id);
        if (!p)
            return ST_STORE;
        reply_json(r, 200, json_pack("{s:o}", "profile", p));
        return ST_REPLIED;
    }
    if (old->exists && (ch->assoc || ch->region)) {
        int lk = profile_locked(r, r->auth.user_id);
        if (lk < 0)
            return lk;
        if (lk)
            return replied(r, 409, "profile_locked", "the unit, sponsor and region cannot change"
                                                     " after answering in a contest");
    }
    if (!open && (!old->exists || ch->assoc || ch->region || ch->other))
        return replied(r, 403, "registration_closed",
                       old->exists ? "registration has closed: only the name can be corrected"
                                   : "registration for this contest has closed");
    return ST_OK;
}

/* WeChat's content check of the new text only (an unchanged name was
 * checked when it came): the checked texts into x (NULL when not checked)
 * and its verdict. ST_OK, or a status after replying (429, 422). */
static int check_new_text(req_t *r, const profile_row_t *old, const profile_input_t *in, const changes_t *ch,
                          write_ctx_t *x)
{
    const char *cn = ch->name ? in->real_name : NULL;
    const char *co = !in->staff && (!old->exists || strcmp(old->org, in->org_name)) ? in->org_name : NULL;
    const char *cp = in->staff && in->position[0] && (!old->exists || strcmp(old->position, in->position))
                         ? in->position : NULL;
    x->checked_name = cn;
    x->checked_org = co;
    x->checked_pos = cp;
    x->verdict = WX_PASS;
    if (!cn && !co && !cp)
        return ST_OK;
    /* one call for all of them, one field a line */
    const char *text = arena_sprintf(r->arena, "%s%s%s%s%s", cn ? cn : "",
                                     cn && (co || cp) ? "\n" : "", co ? co : "",
                                     co && cp ? "\n" : "", cp ? cp : "");
    if (wx_write_admit(r))         /* per-user limit on WeChat calls */
        return ST_REPLIED;
    int rc = content_check(r, r->auth.user_id, text, &x->verdict);
    if (rc < 0)
        return rc;
    if (x->verdict == WX_RISKY)
        return replied(r, 422, "content_risky", "the text did not pass WeChat's content check");
    return ST_OK;
}

int h_profile_put(req_t *r)
{
    json_t *j = req_json(r);
    if (!j)
        return 0;
    profile_input_t in;
    if (parse_input(r, j, &in) < 0)
        return 0;
    long long consent;     /* the notice version to record as accepted, or 0 */
    int crc = consent_check(r, j, &consent);
    if (crc != ST_OK)
        return crc;
    if (consent && (crc = consent_record(r, consent)) != ST_OK)
        return crc;
    region_t reg;
    long long board;
    int rc = place_input(r, &in, &reg, &board);
    if (rc != ST_OK)
        return rc;
    contest_t c;
    rc = contest_from_request(r, j, &c);
    if (rc != ST_OK)
        return rc;
    profile_row_t old;
    rc = load_row(r, r->auth.user_id, &old, 0);
    if (rc != ST_OK)
        return rc;
    /* Judged by every contest's own deadline, never by the one named in
     * the request (engines/quiz/eligibility.h). */
    int open = quiz_registration_open_for(r, clock_now_s(), in.staff ? "staff" : "five_into",
                                          old.exists ? old.kind : NULL);
    if (open < 0)
        return ST_STORE;
    changes_t ch = diff(&old, &in, board, reg.code);
    write_ctx_t x = { .r = r, .in = &in, .reg = &reg, .board = board, .ch = &ch, .c = &c, .open = open };
    rc = admit_change(r, &old, &ch, open);
    if (rc == ST_OK)
        rc = check_new_text(r, &old, &in, &ch, &x);
    if (rc != ST_OK)
        return rc;
    rc = db_tx(req_db(r), write_tx, &x);
    if (rc != ST_OK)
        return rc;
    unit_counts_changed();              /* a unit's members (engines/units/units.h) */
    if (x.locked)
        return reply_error(r, 409, "profile_locked", "the unit, sponsor and region cannot change"
                                                     " after answering in a contest");
    /* a name an organizer had hidden on the boards is shown again once
     * corrected: the boards do not learn names through the outbox */
    if (old.exists && ch.name && old.name_review && strcmp(old.name_review, "rejected") == 0)
        console_boards_rebuild(r);
    json_t *p = profile_load_json(r, r->auth.user_id);
    if (!p)
        return ST_STORE;
    return reply_json(r, 200, json_pack("{s:o}", "profile", p));
}
