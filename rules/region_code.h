/* region_code.h: 6-digit GB/T 2260 administrative division codes.
 *
 * PPCCXX: province PP0000, city PPCC00, county PPCCXX.  Only the shape is
 * checked here; whether a code exists is the regions table's business. */
#ifndef RULES_REGION_CODE_H
#define RULES_REGION_CODE_H

/* Accepts exactly 6 ASCII digits (nothing before, after or between) and
 * copies them with a NUL into out.  Returns the level: 1 province
 * (ends 0000), 2 city (ends 00), 3 county; or -1 (out = "") for anything
 * else, and for shapes no code has: province part 00 (000000, 001234),
 * or a county under city part 00 (e.g. 140004). */
int rules_region_code_parse(const char *s, char out[7]);

/* The province and city a code belongs to: for 140404 "140000" and
 * "140400"; for a city code, province and itself; for a province code,
 * itself and "" (no city).  An invalid code gives "" for both.  Either
 * output may be NULL.  Note that cities of the four municipalities and
 * province-administered counties (e.g. 469001 under 469000) are
 * pseudo-cities in GB/T 2260; naming them is the regions table's job. */
void rules_region_parents(const char code[7], char province[7], char city[7]);

#endif
