/* regions.c: GET /api/v1/regions?parent=<code>. The table never changes
 * at run time, so clients may keep the answer. */
#include "handlers/regions.h"
#include "handlers/handlers.h"
#include "engines/units/units.h"

int h_regions(req_t *r)
{
    json_t *list;
    int rc = regions_children(r, req_query(r, "parent"), &list);
    if (rc == ST_NOT_FOUND)
        return reply_error(r, 404, "region_not_found", "no region has that code");
    if (rc != ST_OK)
        return rc;
    /* Regions change only with a migration. */
    reply_header(r, "Cache-Control", "public, max-age=3600");
    return reply_json(r, 200, json_pack("{s:O}", "regions", list));
}
