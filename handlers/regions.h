/* regions.h: GET /api/v1/regions. */
#ifndef HANDLERS_REGIONS_H
#define HANDLERS_REGIONS_H

#include "server/request.h"

/* GET /api/v1/regions?parent=<code>: without parent the 31 provinces,
 * with one its children ({"regions": [...]}, engines/units/regions.h);
 * 404 region_not_found for an unknown parent. */
int h_regions(req_t *r);

#endif
