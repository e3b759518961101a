/* regions.c: region lookups, and the lists behind GET /api/v1/regions
 * (handlers/regions.c). */
#include "engines/units/regions.h"
#include "server/clock.h"
#include "server/config.h"
#include "server/log.h"
#include "server/request.h"
#include "server/router.h"
#include "rules/region_code.h"

#include <string.h>

status_t region_find(req_t *r, const char *code, region_t *out)
{
    memset(out, 0, sizeof *out);
    char norm[7];
    if (!code || rules_region_code_parse(code, norm) < 0)
        return ST_NOT_FOUND;
    db_res_t *res = db_query(req_db(r), r->arena,
                             "SELECT level, province_code, IFNULL(city_code, ''), name"
                             " FROM regions WHERE code = ?", "s", norm);
    if (!res)
        return ST_STORE;
    if (!res->nrows)
        return ST_NOT_FOUND;
    memcpy(out->code, norm, 7);
    out->level = (int)db_int(res, 0, 0);
    snprintf(out->province, sizeof out->province, "%s", db_get(res, 0, 1));
    snprintf(out->city, sizeof out->city, "%s", db_get(res, 0, 2));
    if (out->level == 3)
        memcpy(out->county, norm, 7);
    out->name = db_get(res, 0, 3);
    return 0;
}

const char *region_full_name(req_t *r, const char *province, const char *city,
                             const char *county)
{
    const char *p = province ? province : "";
    int skip_city = !city || !*city || (*p && strncmp(city, p, strlen(p)) == 0) ||
                    strstr(city, "直辖县级") != NULL;
    return arena_sprintf(r->arena, "%s%s%s", p, skip_city ? "" : city, county ? county : "");
}

status_t regions_children(req_t *r, const char *parent, json_t **out)
{
    *out = NULL;
    db_res_t *res;
    if (!parent || !*parent) {
        res = db_query(req_db(r), r->arena,
                       "SELECT r.code, r.name, r.level,"
                       " EXISTS (SELECT 1 FROM regions c WHERE c.parent_code = r.code)"
                       " FROM regions r WHERE r.parent_code IS NULL ORDER BY r.code", "");
    } else {
        region_t reg;
        int rc = region_find(r, parent, &reg);
        if (rc != ST_OK)
            return rc;
        res = db_query(req_db(r), r->arena,
                       "SELECT r.code, r.name, r.level,"
                       " EXISTS (SELECT 1 FROM regions c WHERE c.parent_code = r.code)"
                       " FROM regions r WHERE r.parent_code = ? ORDER BY r.code", "s", reg.code);
    }
    if (!res)
        return ST_STORE;
    json_t *list = arena_json(r->arena, json_array());
    for (size_t i = 0; i < res->nrows; i++)
        json_array_append_new(list, json_pack("{s:s,s:s,s:I,s:b}", "code", db_get(res, i, 0),
                                              "name", db_get(res, i, 1),
                                              "level", (json_int_t)db_int(res, i, 2),
                                              "has_children", (int)db_int(res, i, 3)));
    *out = list;
    return ST_OK;
}
