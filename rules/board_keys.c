/* board_keys.c: see board_keys.h. */
#include "rules/board_keys.h"
#include "rules/region_code.h"

#include <stdlib.h>
#include <string.h>

#define TWO_20 (1LL << 20)
#define TWO_24 (1LL << 24)
#define TWO_32 (1LL << 32)
#define TWO_53 9007199254740992.0

static long long clamp(long long v, long long lo, long long hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static int key_ok(double key)
{
    return key >= 0 && key < TWO_53 && key == (double)(long long)key;
}

double rules_unit_score_key(long long total, long long unit_id)
{
    total = clamp(total, 0, RULES_UNIT_TOTAL_MAX);
    unit_id = clamp(unit_id, 0, TWO_24 - 1);
    return (double)(total * TWO_24 + (TWO_24 - 1 - unit_id));
}

long long rules_unit_score_total(double key)
{
    return key_ok(key) ? (long long)key / TWO_24 : -1;
}

long long rules_participation_ppm(long long staff_answered, long long headcount)
{
    if (staff_answered <= 0)
        return 0;
    if (headcount <= 0 || staff_answered >= headcount)
        return 1000000;
    /* staff_answered < headcount here, so the product cannot overflow for
     * any headcount a unit can have (< 9.2e12) */
    return staff_answered * 1000000 / headcount;
}

double rules_unit_rate_key(long long staff_answered, long long headcount, long long total)
{
    long long ppm = rules_participation_ppm(staff_answered, headcount);
    return (double)(ppm * TWO_32 + clamp(total, 0, TWO_32 - 1));
}

double rules_region_key(long long total, long long region_code)
{
    total = clamp(total, 0, RULES_REGION_TOTAL_MAX);
    region_code = clamp(region_code, 0, TWO_20 - 1);
    return (double)(total * TWO_20 + (TWO_20 - 1 - region_code));
}

long long rules_region_total(double key)
{
    return key_ok(key) ? (long long)key / TWO_20 : -1;
}

int rules_board_scope_parse(const char *s, int allow_county_unit, int *level, char arg[24])
{
    arg[0] = 0;
    *level = 0;
    if (!s || !*s || strcmp(s, "national") == 0)
        return 0;
    static const struct { const char *prefix; int level; } kinds[] = {
        { "province:", 1 }, { "city:", 2 }, { "county:", 3 }, { "unit:", 4 },
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        size_t n = strlen(kinds[i].prefix);
        if (strncmp(s, kinds[i].prefix, n) != 0)
            continue;
        const char *v = s + n;
        if (kinds[i].level >= 3 && !allow_county_unit)
            return -1;
        if (kinds[i].level == 4) {
            /* a positive id without sign, spaces or leading zeros */
            size_t len = strlen(v);
            if (len == 0 || len > 18 || v[0] == '0' || strspn(v, "0123456789") != len)
                return -1;
            memcpy(arg, v, len + 1);
            *level = 4;
            return 0;
        }
        char code[7];
        if (rules_region_code_parse(v, code) != kinds[i].level)
            return -1;
        memcpy(arg, code, 7);
        *level = kinds[i].level;
        return 0;
    }
    return -1;
}

const char *const rules_people_boards[5] = { "p:n", "p:p:", "p:c:", "p:x:", "p:u:" };
const char *const rules_unit_boards[2][3] = { { "us:n", "us:p:", "us:c:" }, { "ur:n", "ur:p:", "ur:c:" } };
const char *const rules_region_boards[6] = {
    [RB_PROVINCES] = "r:p", [RB_CITIES] = "r:c", [RB_CITIES_OF] = "r:c:",
    [RB_COUNTIES] = "r:x", [RB_COUNTIES_OF_CITY] = "r:x:", [RB_COUNTIES_OF_PROVINCE] = "r:xp:",
};
