/* materials.c: see materials.h. */
#include "handlers/materials.h"
#include "handlers/handlers.h"
#include "rules/link_url.h"
#include "rules/names.h"
#include "lib/iso8601.h"

#include <string.h>

static json_t *material_json(long long id, long long contest_id, const char *title, const char *kind,
                             const char *url, long long published_at)
{
    char t[32];
    iso8601_format_shanghai(published_at, t);
    return json_pack("{s:I,s:o,s:s,s:s,s:s,s:s}", "id", (json_int_t)id, "contest_id",
                     contest_id ? json_integer(contest_id) : json_null(), "title", title, "kind", kind, "url",
                     url, "published_at", t);
}

int h_materials_list(req_t *r)
{
    long long contest = 0;
    if (req_query_int(r, "contest_id", 0, 1, (1LL << 53), &contest) < 0)
        return 0;
    db_res_t *res = db_query(req_db(r), r->arena,
                             "SELECT id, IFNULL(contest_id, 0), title, kind, url, published_at FROM materials"
                             " WHERE withdrawn_at IS NULL AND published_at <= ?"
                             " AND (? = 0 OR contest_id IS NULL OR contest_id = ?)"
                             " ORDER BY published_at DESC, id DESC LIMIT 200",
                             "iii", clock_now_s(), contest, contest);
    if (!res) {
        return ST_STORE;
    }
    json_t *arr = json_array();
    for (size_t i = 0; i < res->nrows; i++)
        json_array_append_new(arr, material_json(db_int(res, i, 0), db_int(res, i, 1), db_get(res, i, 2),
                                                 db_get(res, i, 3), db_get(res, i, 4), db_int(res, i, 5)));
    return reply_json(r, 200, json_pack("{s:o}", "materials", arr));
}

static int bad(req_t *r, const char *why)
{
    return reply_error(r, 400, "invalid_material", why);
}

int h_admin_material_create(req_t *r)
{
    json_t *j = req_json(r);
    if (!j)
        return 0;
    if (json_object_get(j, "upload_id"))
        return reply_error(r, 400, "uploads_unavailable", "this server keeps no uploads yet: publish a link");
    char title[401];
    const char *t = json_string_value(json_object_get(j, "title"));
    if (!t || rules_text_field(t, 2, 100, title, sizeof title) < 0)
        return bad(r, "title: 2 to 100 characters of one line");
    const char *url = json_string_value(json_object_get(j, "url"));
    if (!rules_link_url_valid(url))
        return bad(r, "url: an http or https link of at most 500 characters");
    const char *pub = json_string_value(json_object_get(j, "published_at"));
    long long published_at;
    if (!pub || iso8601_parse(pub, &published_at) < 0)
        return bad(r, "published_at: an ISO 8601 time with offset");
    json_t *cv = json_object_get(j, "contest_id");
    long long contest = 0;
    if (cv && !json_is_null(cv)) {
        if (!json_is_integer(cv) || json_integer_value(cv) <= 0)
            return bad(r, "contest_id: a contest's id, or null for every contest");
        contest = json_integer_value(cv);
        db_res_t *c = db_query(req_db(r), r->arena, "SELECT 1 FROM contests WHERE id = ?", "i", contest);
        if (!c) {
            return ST_STORE;
        }
        if (!c->nrows)
            return reply_error(r, 404, "no_contest", "no such contest");
    }
    long long now = clock_now_s();
    /* NULL contest: for every contest (a NULL 's' parameter binds NULL) */
    const char *cid = contest ? arena_sprintf(r->arena, "%lld", contest) : NULL;
    if (db_exec(req_db(r), "INSERT INTO materials (contest_id, title, kind, url, published_at, created_by, created_at)"
                           " VALUES (?, ?, 'link', ?, ?, ?, ?)",
                "sssiii", cid, title, url, published_at, session_caller(r)->organizer_id, now) < 0) {
        return ST_STORE;
    }
    long long id = db_last_id(req_db(r));
    log_info("material %lld published by organizer %lld", id, session_caller(r)->organizer_id);
    return reply_json(r, 201, json_pack("{s:o}", "material",
                                        material_json(id, contest, title, "link", url, published_at)));
}

int h_admin_material_delete(req_t *r)
{
    long long id;
    if (req_id_param(r, 0, "material_not_found", &id) < 0)
        return 0;
    long long n = db_exec(req_db(r), "UPDATE materials SET withdrawn_at = ?, withdrawn_by = ?"
                                     " WHERE id = ? AND withdrawn_at IS NULL",
                          "iii", clock_now_s(), session_caller(r)->organizer_id, id);
    if (n < 0) {
        return ST_STORE;
    }
    if (n == 0)
        return reply_error(r, 404, "material_not_found", "no such material");
    log_info("material %lld withdrawn by organizer %lld", id, session_caller(r)->organizer_id);
    return reply_raw(r, 204, "application/json; charset=utf-8", "", 0);
}
