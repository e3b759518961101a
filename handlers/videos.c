/* videos.c: the short-video receipt (POST /videos) and the organizers'
 * list, counts per region and awards (engines/prizes/videos.c). */
#include "handlers/videos.h"
#include "engines/prizes/prizes.h"
#include "handlers/handlers.h"

#include <string.h>

/* The reply for a check of engines/prizes that failed (why), or rc. */
static int refuse(req_t *r, status_t rc, const prizes_why_t *why)
{
    switch (rc) {
    case ST_INVALID:   /* WeChat's content check has its own status */
        return reply_error(r, strcmp(why->code, "content_risky") == 0 ? 422 : 400, why->code, why->message);
    case ST_FORBIDDEN: return reply_error(r, 403, why->code, why->message);
    case ST_NOT_FOUND: return reply_error(r, 404, why->code, why->message);
    case ST_CONFLICT: return reply_error(r, 409, why->code, why->message);
    default: return rc;
    }
}

int h_videos_submit(req_t *r)
{
    json_t *j = req_json(r);
    if (!j)
        return ST_OK;
    json_t *out;
    int created;
    prizes_why_t why;
    status_t rc = prizes_video_submit(r, j, &out, &created, &why);
    if (rc != ST_OK)
        return refuse(r, rc, &why);
    reply_json(r, created ? 201 : 200, out);
    return ST_OK;
}

int h_admin_videos(req_t *r)
{
    long long limit, offset;
    if (req_query_int(r, "limit", 20, 1, 100, &limit) < 0 || req_query_int(r, "offset", 0, 0, 1000000, &offset) < 0)
        return ST_OK;
    json_t *out;
    status_t rc = prizes_video_list(r, limit, offset, &out);
    if (rc != ST_OK)
        return rc;
    reply_json(r, 200, out);
    return ST_OK;
}

int h_admin_video_regions(req_t *r)
{
    const char *level = req_query(r, "level");
    int county = !level || strcmp(level, "county") == 0;
    if (!county && strcmp(level, "city") != 0)
        return reply_error(r, 400, "invalid_level", "level: city or county");
    json_t *out;
    status_t rc = prizes_video_regions(r, county, req_query(r, "parent"), &out);
    if (rc != ST_OK)
        return rc;
    reply_json(r, 200, out);
    return ST_OK;
}

int h_admin_video_award(req_t *r)
{
    long long id;
    if (req_id_param(r, 0, "not_found", &id) < 0)
        return 0;
    json_t *j = req_json(r);
    if (!j)
        return ST_OK;
    json_t *out;
    prizes_why_t why;
    status_t rc = prizes_video_award(r, id, j, &out, &why);
    if (rc != ST_OK)
        return refuse(r, rc, &why);
    reply_json(r, 200, out);
    return ST_OK;
}
