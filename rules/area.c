/* area.c: see area.h. */
#include "rules/area.h"

#include <string.h>

static int same(const char *area, const char *code)
{
    return code && *code && strcmp(area, code) == 0;
}

int rules_area_covers(const char *area, const char *province, const char *city, const char *county)
{
    if (!area || !*area)
        return 1;
    return same(area, province) || same(area, city) || same(area, county);
}
