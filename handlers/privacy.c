/* privacy.c: GET /privacy, PUT /admin/privacy, GET /me/data, DELETE /me,
 * GET /admin/duplicates (see privacy.h). */
#include "handlers/privacy.h"
#include "engines/boards/boards.h"
#include "engines/prizes/prizes.h"
#include "engines/reports/reports.h"
#include "engines/accounts/accounts.h"
#include "handlers/handlers.h"
#include "handlers/profile.h"
#include "lib/utf8.h"

#include <string.h>

#define NOTICE_MIN_CHARS 20
#define NOTICE_MAX_CHARS 20000

int h_privacy_get(req_t *r)
{
    long long version;
    const char *text;
    int st = privacy_current(r, &version, &text);
    if (st == ST_NOT_FOUND)
        return reply_error(r, 404, "no_notice", "no privacy notice has been published");
    if (st != ST_OK)
        return st;
    return reply_json(r, 200, json_pack("{s:I,s:s}", "version", (json_int_t)version, "text", text));
}

typedef struct {
    const char *text;
    long long organizer_id, now, version;
} notice_ctx_t;

/* The new notice and its record, under db_tx (server/db.h). */
static int notice_tx(db_t *db, void *ctx)
{
    notice_ctx_t *x = ctx;
    if (db_exec(db, "INSERT INTO privacy_notices (text, created_at, created_by) VALUES (?, ?, ?)",
                "sii", x->text, x->now, x->organizer_id) < 0)
        return ST_STORE;
    x->version = db_last_id(db);
    if (db_exec(db, "INSERT INTO privacy_log (action, organizer_id, affected, detail, created_at)"
                    " VALUES ('notice', ?, ?, 'new privacy notice', ?)",
                "iii", x->organizer_id, x->version, x->now) < 0 ||
        db_commit(db) < 0)
        return ST_STORE;
    return ST_OK;
}

int h_privacy_put(req_t *r)
{
    json_t *j = req_json(r);
    if (!j)
        return ST_REPLIED;
    const char *text = req_text(json_object_get(j, "text"));
    size_t chars = text ? rules_utf8_count(text) : 0;
    if (chars < NOTICE_MIN_CHARS || chars > NOTICE_MAX_CHARS)
        return reply_error(r, 400, "invalid_text", "text must be the notice, 20 to 20000 characters");
    notice_ctx_t x = { .text = text, .organizer_id = session_caller(r)->organizer_id, .now = clock_now_s() };
    int st = db_tx(req_db(r), notice_tx, &x);
    if (st != ST_OK)
        return st;
    log_info("organizer %lld published privacy notice version %lld", x.organizer_id, x.version);
    return reply_json(r, 200, json_pack("{s:I,s:s}", "version", (json_int_t)x.version, "text", text));
}

int h_me_data(req_t *r)
{
    json_t *out = arena_json(r->arena, privacy_export(r, r->auth.user_id));
    if (!out)
        return ST_STORE;
    json_t *profile = profile_load_json(r, r->auth.user_id);
    if (!profile)
        return ST_STORE;
    json_object_set_new(out, "profile", profile);
    /* prizes, certificates, video receipts and subscriptions (prizes engine) */
    json_t *mine = arena_json(r->arena, prizes_my_data(req_db(r), r->arena, r->auth.user_id));
    if (!mine)
        return ST_STORE;
    json_object_update(out, mine);
    /* lectures checked in to, or recorded by the unit (reports engine) */
    json_t *checkins = rep_my_checkins(req_db(r), r->arena, r->auth.user_id);
    if (!checkins)
        return ST_STORE;
    json_object_set_new(out, "check_ins", checkins);
    return reply_json(r, 200, json_incref(out));
}

int h_me_delete(req_t *r)
{
    json_t *j = req_json(r);
    if (!j)
        return ST_REPLIED;
    if (!json_is_true(json_object_get(j, "confirm")))
        return reply_error(r, 400, "confirmation_required",
                           "send {\"confirm\": true}: this erases your name, phone number and WeChat"
                           " ids and cannot be undone");
    int st = privacy_erase_user(req_db(r), req_kv(r), r->arena, r->auth.user_id,
                                "withdrawn by the person");
    if (st != ST_OK)
        return st;
    lb_pages_forget();                  /* the name shown on the boards (boards.h) */
    log_info("user %lld withdrew: personal data erased", r->auth.user_id);
    return reply_raw(r, 204, "application/json; charset=utf-8", "", 0);
}

int h_admin_duplicates(req_t *r)
{
    long long limit, offset;
    if (req_query_int(r, "limit", 20, 1, 100, &limit) < 0 ||
        req_query_int(r, "offset", 0, 0, 100000, &offset) < 0)
        return ST_REPLIED;
    const char *area = session_caller(r)->area;
    static const char FROM[] =
        " FROM profiles p JOIN units u ON u.id = p.board_unit_id LEFT JOIN users us ON us.id = p.user_id"
        " WHERE us.erased_at IS NULL AND (? = '' OR u.province_code = ? OR u.city_code = ?"
        " OR u.county_code = ?)"
        " GROUP BY p.board_unit_id, p.real_name HAVING COUNT(*) > 1";
    db_t *db = req_db(r);
    /* (a read on a connection a MariaDB restart left stale is repeated on a
     * new one by db_query itself) */
    db_res_t *n = db_query(db, r->arena, arena_sprintf(r->arena, "SELECT COUNT(*) FROM (SELECT 1%s) g", FROM),
                           "ssss", area, area, area, area);
    db_res_t *res = n ? db_query(db, r->arena,
                                 arena_sprintf(r->arena,
                                               "SELECT p.board_unit_id, MAX(u.name), p.real_name,"
                                               " GROUP_CONCAT(p.user_id ORDER BY p.user_id),"
                                               " SUM(us.phone_hash IS NOT NULL)%s"
                                               " ORDER BY COUNT(*) DESC, p.board_unit_id, p.real_name"
                                               " LIMIT ? OFFSET ?", FROM),
                                 "ssssii", area, area, area, area, limit, offset)
                      : NULL;
    if (!res)
        return ST_STORE;
    json_t *list = json_array();
    for (size_t i = 0; i < res->nrows; i++) {
        json_t *ids = json_array();
        const char *p = db_get(res, i, 3);
        while (p && *p) {
            json_array_append_new(ids, json_integer(strtoll(p, NULL, 10)));
            p = strchr(p, ',');
            if (p)
                p++;
        }
        json_array_append_new(list, json_pack("{s:I,s:s,s:s,s:o,s:I}",
                                              "unit_id", (json_int_t)db_int(res, i, 0),
                                              "unit_name", db_get(res, i, 1),
                                              "real_name", db_get(res, i, 2), "user_ids", ids,
                                              "phones_verified", (json_int_t)db_int(res, i, 4)));
    }
    return reply_json(r, 200, json_pack("{s:o,s:I}", "duplicates", list, "total",
                                        (json_int_t)db_int(n, 0, 0)));
}
