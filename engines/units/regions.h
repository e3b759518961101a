/* regions.h: the region lookups registration and search need, and the
 * lists GET /api/v1/regions shows (a unit's or a person's region may be a province, a city or a
 * county, and must exist in the regions table). */
#ifndef REGIONS_H
#define REGIONS_H

#include <jansson.h>
#include "server/request.h"
#include "server/status.h"

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
status_t region_find(req_t *r, const char *code, region_t *out) __attribute__((warn_unused_result));

/* "山西省长治市上党区" from the three names, leaving out a city that
 * only repeats the province (北京市 北京市, 重庆市（县）) or is an NBS
 * placeholder (省直辖县级行政区划). Any name may be NULL. In the arena. */
const char *region_full_name(req_t *r, const char *province, const char *city,
                             const char *county);

/* The 31 provinces (parent NULL or "") or the children of parent, as the
 * API shows them: [{code, name, level, has_children}] in code order, in
 * the arena. Each entry says whether it has children, so a picker knows
 * that 东莞市 (a city without counties) is itself the leaf to choose.
 * Returns ST_OK, ST_NOT_FOUND (no region has code parent) or ST_STORE. */
status_t regions_children(req_t *r, const char *parent, json_t **out)
    __attribute__((warn_unused_result));

#endif
