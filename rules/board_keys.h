/* board_keys.h: the sorted-set scores of the unit and region boards, and
 * the scopes a leaderboard request may name. No I/O: the Lua script in
 * engines/boards/lua.c computes the same keys and must stay in step (the
 * integration test "rebuild equals incremental" compares the two).
 *
 * Every key is an integer below 2^53, so a double (and Redis) holds it
 * exactly and equal inputs give equal keys:
 *
 *   unit by score:   total * 2^24 + (2^24 - 1 - min(unit_id, 2^24 - 1))
 *                    equal totals: the lower unit id (registered first) first
 *   unit by rate:    ppm * 2^32 + min(total, 2^32 - 1)
 *                    ppm = floor(1e6 * min(1, staff_answered / headcount));
 *                    equal rates: the higher total first
 *   region:          total * 2^20 + (2^20 - 1 - code)      (code < 10^6 < 2^20)
 *                    equal totals: the lower region code first
 *
 * Totals are clamped to [0, 2^29 - 1] for units and [0, 2^33 - 1] for
 * regions (a million people at 100 points is 10^8 < 2^27).
 *
 * The Lua side is engines/boards/keys.lua, the only Lua copy of these
 * formulas (the apply script is keys.lua followed by apply.lua), and
 * tests/unit/test_board_keys_lua.c runs it in Redis against these
 * functions for the same inputs. */
#ifndef RULES_BOARD_KEYS_H
#define RULES_BOARD_KEYS_H

#define RULES_UNIT_TOTAL_MAX ((1LL << 29) - 1)
#define RULES_REGION_TOTAL_MAX ((1LL << 33) - 1)

double rules_unit_score_key(long long total, long long unit_id);
long long rules_unit_score_total(double key);     /* -1 for a key no call makes */

/* Staff who answered per million of the headcount, at most 10^6. A
 * headcount of 0 or less counts as fully taken part once anyone answered. */
long long rules_participation_ppm(long long staff_answered, long long headcount);
double rules_unit_rate_key(long long staff_answered, long long headcount, long long total);

double rules_region_key(long long total, long long region_code);
long long rules_region_total(double key);          /* -1 for a key no call makes */

/* The boards' names under a contest's version prefix ("{c7}:v3:"), the
 * one C definition the rebuild, the check and the reads use; the apply
 * script (engines/boards/apply.lua) writes the same names, which
 * tests/unit/test_board_keys_lua.c holds against these tables. A name
 * ending in ':' takes a region code or unit id after it. */
/* people: national, by province, city, county, unit */
extern const char *const rules_people_boards[5];
/* units by score [0] and by participation rate [1]: national, by province, city */
extern const char *const rules_unit_boards[2][3];
/* regions: provinces; cities (all, of a province); counties (all, of a
 * city, of a province) */
enum { RB_PROVINCES, RB_CITIES, RB_CITIES_OF, RB_COUNTIES, RB_COUNTIES_OF_CITY, RB_COUNTIES_OF_PROVINCE };
extern const char *const rules_region_boards[6];

/* A leaderboard scope: "national", "province:<code>", "city:<code>",
 * "county:<code>" or "unit:<id>" (units boards: no county or unit).
 * Fills level (0 national, 1 province, 2 city, 3 county, 4 unit) and arg
 * (the 6-digit code, or the unit id in decimal, no leading zeros).
 * Returns 0, or -1 for anything else (NULL and "" mean national: 0). */
int rules_board_scope_parse(const char *s, int allow_county_unit, int *level, char arg[24]);

#endif
