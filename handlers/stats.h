/* stats.h: GET /api/v1/admin/stats, the running counts the dashboard shows
 * beside the boards. */
#ifndef HANDLERS_STATS_H
#define HANDLERS_STATS_H

#include "server/request.h"

int h_admin_stats(req_t *r);       /* GET  /admin/stats (R_ORGANIZER) */

#endif
