/* regions.h: GET /api/v1/regions, and the region lookups registration
 * needs (a unit's or a person's region may be a province, a city or a
 * county, and must exist in the regions table). */
#ifndef REGIONS_H
#define REGIONS_H

#include <jansson.h>
#include "server/request.h"

typedef struct {
    char code[7];
    int level;              /* 1 province, 2 city, 3 county */
    char province[7];
    char city[7];           /* "" for a province */
    char county[7];         /* "" unless level 3 */
    const char *name;       /* in the request's arena */
} region_t;

/* Look a region up by its 6-digit code (any other text is simply not
 * found). Returns ST_OK, ST_NOT_FOUND or ST_STORE. */
int region_find(req_t *r, const char *code, region_t *out) __attribute__((warn_unused_result));

/* "山西省长治市上党区" from the three names, leaving out a city that
 * only repeats the province (北京市 北京市, 重庆市（县）) or is an NBS
 * placeholder (省直辖县级行政区划). Any name may be NULL. In the arena. */
const char *region_full_name(req_t *r, const char *province, const char *city,
                             const char *county);

int h_regions(req_t *r);

#endif
