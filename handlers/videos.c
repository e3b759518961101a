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
    return j ? prizes_video_award(r, id, j) : ST_OK;
}
