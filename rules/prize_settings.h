/* prize_settings.h: a contest's prize settings (contests.prize_settings,
 * JSON) parsed and checked.
 *
 * Two shapes, as RULES.md's two contests need them:
 *
 *   ranked tiers, then draws (the main contest):
 *     {"tiers": [{"name": "一等奖", "count": 10}, ...],
 *      "draws": [{"name": "参与奖", "count": 100, "min_score_exclusive": 50}]}
 *   the full-marks rule (the six-mechanisms quiz):
 *     {"full_marks_draw": {"name": "话费奖", "count": 300, "fill_by_rank": true}}
 *
 * "tiers" and "draws" are each optional (at least one prize overall);
 * "full_marks_draw" stands alone. Names are 1..20 characters and distinct;
 * counts 1..100000; at most PRIZE_MAX_TIERS tiers and PRIZE_MAX_DRAWS draws;
 * "name" of the full-marks rule defaults to "话费奖"; unknown members are
 * refused so that a misspelt rule is never silently ignored. */
#ifndef RULES_PRIZE_SETTINGS_H
#define RULES_PRIZE_SETTINGS_H

#include <jansson.h>
#include <stddef.h>

#define PRIZE_MAX_TIERS 16
#define PRIZE_MAX_DRAWS 8
#define PRIZE_MAX_COUNT 100000
#define PRIZE_NAME_MAX 81          /* 20 code points of up to 4 bytes, and NUL */

typedef struct {
    char name[PRIZE_NAME_MAX];
    int count;
} prize_tier_t;

typedef struct {
    char name[PRIZE_NAME_MAX];
    int count;
    int min_score_exclusive;       /* eligible: contest score > this */
} prize_draw_t;

typedef struct {
    int ntiers;
    prize_tier_t tiers[PRIZE_MAX_TIERS];
    int ndraws;
    prize_draw_t draws[PRIZE_MAX_DRAWS];
    int full_marks;                /* 1: the full-marks rule (no tiers, no draws) */
    prize_tier_t fm;               /* its name and count */
    int fm_fill_by_rank;           /* fill up to fm.count by score rank */
} prize_settings_t;

/* Parses and checks j. Returns 0 with *out filled, or -1 with err holding
 * "<field>: <why>" where field is a path such as
 * prize_settings.tiers[1].count (err is always NUL-terminated). */
int rules_prize_settings_parse(json_t *j, prize_settings_t *out, char *err, size_t errsz);

/* Number of prize groups allocation produces (tiers + draws, or 1). */
int rules_prize_groups(const prize_settings_t *s);
/* Name of group g (tiers first, then draws; the full-marks rule is 0). */
const char *rules_prize_group_name(const prize_settings_t *s, int g);

#endif
