/* uploads.c: POST /uploads (one file, multipart/form-data as
 * wx.uploadFile sends it) and GET /uploads/{id}. The type is judged by the
 * bytes (rules/media_type.h); the client's file name is ignored. People
 * upload an application's files; organizers a study material's PDF
 * (handlers/materials.c), kept under their organizer id. */
#include "handlers/console.h"
#include "engines/console/console.h"
#include "handlers/handlers.h"
#include "lib/multipart.h"
#include "rules/media_type.h"

int h_upload_create(req_t *r)
{
    if (!multipart_is_form(r->content_type))
        return reply_error(r, 415, "unsupported_media_type",
                           "send the file as multipart/form-data, field file");
    const char *data;
    size_t len, nfiles;
    if (multipart_only_file(r->content_type, r->body, r->body_len, "file", &data, &len, &nfiles) < 0)
        return reply_error(r, 400, "invalid_upload", "the multipart body is not well-formed");
    if (nfiles != 1)
        return reply_error(r, 400, "invalid_upload", "send exactly one file, in the field file");
    if (len == 0)
        return reply_error(r, 400, "invalid_upload", "the file is empty");
    if (len > CONSOLE_UPLOAD_MAX)
        return reply_error(r, 413, "body_too_large", "a file may be at most 10 MB");
    const char *mt = rules_media_type_sniff((const unsigned char *)data, len);
    if (!mt)
        return reply_error(r, 415, "unsupported_media_type", "only PDF, JPEG and PNG files are taken");
    /* an organizer's session carries no user: the file is theirs */
    int org = (r->auth.roles & ROLE_ORGANIZER) != 0;
    long long user = org ? 0 : r->auth.user_id, organizer = org ? session_caller(r)->organizer_id : 0;
    long long recent = console_upload_count_since(req_db(r), r->arena, user, organizer,
                                                  (long long)clock_now_s() - 86400);
    if (recent < 0)
        return ST_STORE;

    if (recent >= CONSOLE_UPLOADS_PER_DAY) {
        reply_header(r, "Retry-After", "3600");
        return reply_error(r, 429, "rate_limited", "too many uploads today; try again tomorrow");
    }
    long long id = console_upload_store(req_db(r), user, organizer, mt, data, len);
    if (id < 0)
        return ST_STORE;

    log_info("upload %lld by %s %lld: %s, %zu bytes", id, org ? "organizer" : "user", org ? organizer : user,
             mt, len);
    return reply_json(r, 201, json_pack("{s:I,s:s,s:I}", "upload_id", (json_int_t)id,
                                        "media_type", mt, "size", (json_int_t)len));
}

int h_upload_get(req_t *r)
{
    long long id;
    if (req_id_param(r, 0, "upload_not_found", &id) < 0)
        return 0;
    console_upload_t u;
    int org = (r->auth.roles & ROLE_ORGANIZER) != 0;
    int rc = console_upload_get(req_db(r), r->arena, id, org ? 0 : r->auth.user_id,
                                org ? session_caller(r)->organizer_id : 0, session_caller(r)->area, &u);
    if (rc)
        return console_reply_outcome(r, rc, "upload_not_found");
    reply_header(r, "Content-Disposition",
                 arena_sprintf(r->arena, "inline; filename=\"upload-%lld.%s\"", id,
                               rules_media_type_ext(u.media_type)));
    reply_header(r, "X-Content-Type-Options", "nosniff");
    reply_header(r, "Cache-Control", "private, no-store");
    return reply_raw(r, 200, u.media_type, u.data, u.len);
}
