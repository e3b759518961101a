/* leaderboards.h: the leaderboard routes (handlers/leaderboards.c). */
#ifndef HANDLERS_LEADERBOARDS_H
#define HANDLERS_LEADERBOARDS_H

#include "server/request.h"

int h_lb_individual(req_t *r);     /* GET  /leaderboards/individual */
int h_lb_units(req_t *r);          /* GET  /leaderboards/units */
int h_lb_regions(req_t *r);        /* GET  /leaderboards/regions */
int h_lb_rebuild(req_t *r);        /* POST /admin/boards/rebuild */
int h_lb_rebuild_status(req_t *r); /* GET  /admin/boards/rebuild */

#endif
