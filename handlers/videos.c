/* videos.c: the short-video receipt (POST /videos) and the organizers'
 * list, counts per region and awards (engines/prizes/videos.c). */
#include "handlers/videos.h"
#include "engines/prizes/prizes.h"
#include "handlers/handlers.h"

int h_videos_submit(req_t *r)
{
    json_t *j = req_json(r);
    return j ? prizes_video_submit(r, j) : ST_OK;
}

int h_admin_videos(req_t *r) { return prizes_video_list(r); }
int h_admin_video_regions(req_t *r) { return prizes_video_regions(r); }

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
    if (rc == ST_INVALID)
        return reply_error(r, 400, why.code, why.message);
    if (rc == ST_NOT_FOUND)
        return reply_error(r, 404, why.code, why.message);
    if (rc == ST_CONFLICT)
        return reply_error(r, 409, why.code, why.message);
    if (rc != ST_OK)
        return rc;
    reply_json(r, 200, out);
    return ST_OK;
}
