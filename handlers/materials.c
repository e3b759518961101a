/* materials.c: see materials.h. */
#include "handlers/materials.h"
#include "handlers/handlers.h"
#include "rules/link_url.h"
#include "rules/names.h"
#include "lib/iso8601.h"

#include <string.h>

/* A file's url is the path of GET /materials/{id}/file on this site, as
 * the other urls this server makes (qrcode_url, download_url). */
static json_t *material_json(arena_t *a, long long id, long long contest_id, const char *title,
                             const char *kind, const char *url, long long published_at)
{
    char t[32];
    iso8601_format_shanghai(published_at, t);
    if (strcmp(kind, "file") == 0 || !url)
        url = arena_sprintf(a, "/api/v1/materials/%lld/file", id);
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
        json_array_append_new(arr, material_json(r->arena, db_int(res, i, 0), db_int(res, i, 1), db_get(res, i, 2),
                                                 db_get(res, i, 3), db_get(res, i, 4), db_int(res, i, 5)));
    return reply_json(r, 200, json_pack("{s:o}", "materials", arr));
}

static int bad(req_t *r, const char *why)
{
    return reply_error(r, 400, "invalid_material", why);
}

/* The file of a material: an upload an organizer made (a person's upload,
 * an application's certificate say, is never published: 404 as for no
 * upload at all) that is a PDF by its bytes (rules_media_type_sniff judged
 * them at upload). Returns ST_OK, ST_REPLIED or ST_STORE. */
static int check_upload(req_t *r, json_t *v, long long *upload_id)
{
    if (!json_is_integer(v) || json_integer_value(v) <= 0)
        return bad(r, "upload_id: the id POST /uploads gave for the PDF"), ST_REPLIED;
    *upload_id = json_integer_value(v);
    db_res_t *u = db_query(req_db(r), r->arena, "SELECT media_type FROM uploads"
                                                " WHERE id = ? AND organizer_id IS NOT NULL", "i", *upload_id);
    if (!u)
        return ST_STORE;
    if (!u->nrows)
        return reply_error(r, 404, "upload_not_found", "no upload of an organizer has this id"), ST_REPLIED;
    if (strcmp(db_get(u, 0, 0), "application/pdf") != 0)
        return reply_error(r, 415, "unsupported_media_type", "a material's file must be a PDF"), ST_REPLIED;
    return ST_OK;
}

/* contest_id: absent or null (every contest, *contest = 0) or an existing
 * contest. Returns ST_OK, ST_REPLIED or ST_STORE. */
static int check_contest(req_t *r, json_t *cv, long long *contest)
{
    *contest = 0;
    if (!cv || json_is_null(cv))
        return ST_OK;
    if (!json_is_integer(cv) || json_integer_value(cv) <= 0)
        return bad(r, "contest_id: a contest's id, or null for every contest"), ST_REPLIED;
    *contest = json_integer_value(cv);
    db_res_t *c = db_query(req_db(r), r->arena, "SELECT 1 FROM contests WHERE id = ?", "i", *contest);
    if (!c)
        return ST_STORE;
    if (!c->nrows)
        return reply_error(r, 404, "no_contest", "no such contest"), ST_REPLIED;
    return ST_OK;
}

int h_admin_material_create(req_t *r)
{
    json_t *j = req_json(r);
    if (!j)
        return 0;
    char title[401];
    const char *t = json_string_value(json_object_get(j, "title"));
    if (!t || rules_text_field(t, 2, 100, title, sizeof title) < 0)
        return bad(r, "title: 2 to 100 characters of one line");
    json_t *uv = json_object_get(j, "upload_id");
    const char *url = json_string_value(json_object_get(j, "url"));
    if (uv && json_object_get(j, "url"))
        return bad(r, "either url (a link) or upload_id (a PDF uploaded with POST /uploads), not both");
    if (!uv && !rules_link_url_valid(url))
        return bad(r, "url: an http or https link of at most 500 characters");
    const char *pub = json_string_value(json_object_get(j, "published_at"));
    long long published_at;
    if (!pub || iso8601_parse(pub, &published_at) < 0)
        return bad(r, "published_at: an ISO 8601 time with offset");
    long long contest = 0, upload = 0;
    int rc = check_contest(r, json_object_get(j, "contest_id"), &contest);
    if (rc == ST_OK && uv)
        rc = check_upload(r, uv, &upload);
    if (rc != ST_OK)
        return rc == ST_REPLIED ? 0 : rc;
    const char *kind = uv ? "file" : "link";
    /* NULL contest: for every contest; NULL url: a file (a NULL 's' binds NULL) */
    const char *cid = contest ? arena_sprintf(r->arena, "%lld", contest) : NULL;
    const char *uid = upload ? arena_sprintf(r->arena, "%lld", upload) : NULL;
    if (db_exec(req_db(r), "INSERT INTO materials (contest_id, title, kind, url, upload_id, published_at,"
                           " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                "sssssiii", cid, title, kind, uv ? NULL : url, uid, published_at, session_caller(r)->organizer_id,
                clock_now_s()) < 0) {
        return ST_STORE;
    }
    long long id = db_last_id(req_db(r));
    log_info("material %lld (%s) published by organizer %lld", id, kind, session_caller(r)->organizer_id);
    return reply_json(r, 201, json_pack("{s:o}", "material",
                                        material_json(r->arena, id, contest, title, kind, url, published_at)));
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

/* filename*= (RFC 6266, RFC 5987) for a title: every byte but unreserved
 * ASCII percent-encoded, and the characters file systems refuse (and
 * controls) made '_' first, so the name can neither leave the download
 * folder nor break the header. */
static const char *title_filename(arena_t *a, const char *title)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(title);
    char *out = arena_alloc(a, n * 3 + 8), *o = out;
    for (const unsigned char *p = (const unsigned char *)title; *p; p++) {
        unsigned char c = *p;
        if (c < 0x20 || c == 0x7F || strchr("/\\:*?\"<>|", c))
            c = '_';
        if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || strchr("-._~", c)) {
            *o++ = (char)c;
        } else {
            *o++ = '%';
            *o++ = hex[c >> 4];
            *o++ = hex[c & 15];
        }
    }
    memcpy(o, ".pdf", 5);
    return out;
}

int h_material_file(req_t *r)
{
    long long id;
    if (req_id_param(r, 0, "material_not_found", &id) < 0)
        return 0;
    db_res_t *res = db_query(req_db(r), r->arena,
                             "SELECT m.title, u.media_type, u.data FROM materials m"
                             " JOIN uploads u ON u.id = m.upload_id"
                             " WHERE m.id = ? AND m.kind = 'file' AND m.withdrawn_at IS NULL"
                             " AND m.published_at <= ?", "ii", id, clock_now_s());
    if (!res)
        return ST_STORE;
    if (!res->nrows)
        return reply_error(r, 404, "material_not_found", "no such material is published");
    reply_header(r, "Content-Disposition",
                 arena_sprintf(r->arena, "inline; filename=\"material-%lld.pdf\"; filename*=UTF-8''%s", id,
                               title_filename(r->arena, db_get(res, 0, 0))));
    reply_header(r, "X-Content-Type-Options", "nosniff");
    /* public, but a withdrawal must take effect: caches keep it briefly */
    reply_header(r, "Cache-Control", "public, max-age=60");
    return reply_raw(r, 200, "application/pdf", db_get(res, 0, 2), res->lens[2]);
}
