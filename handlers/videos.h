/* videos.h: POST /videos and the organizers' video routes. */
#ifndef HANDLERS_VIDEOS_H
#define HANDLERS_VIDEOS_H

#include "server/request.h"

int h_videos_submit(req_t *r);
int h_admin_videos(req_t *r);
int h_admin_video_regions(req_t *r);
int h_admin_video_award(req_t *r);

#endif
