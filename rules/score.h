/* score.h: the contest's scoring rules, its days, and its times.
 *
 * Contest days are Asia/Shanghai calendar days.  China has kept UTC+8
 * without daylight saving since 1991, so a fixed offset is exact for any
 * date this system meets; no tz database is read. */
#ifndef RULES_SCORE_H
#define RULES_SCORE_H

#include <stddef.h>

/* Contest times are written and read as ISO 8601 in Shanghai time. */
#include "lib/iso8601.h"

typedef enum {
    SCORE_BEST = 0,            /* "best": the best single attempt */
    SCORE_DAILY_BEST_SUM = 1,  /* "daily_best_sum": sum over days of each day's best */
} rules_score_rule_t;

/* "best" -> SCORE_BEST, "daily_best_sum" -> SCORE_DAILY_BEST_SUM (exact,
 * case-sensitive spelling, as in API.md); -1 for anything else or NULL. */
int rules_score_rule_parse(const char *s);

/* The API spelling of a rule, or NULL for a value outside the enum. */
const char *rules_score_rule_name(rules_score_rule_t rule);

/* The Shanghai calendar day holding the instant epoch_s, as days since
 * 1970-01-01 (Shanghai): floor((epoch_s + 8*3600) / 86400), rounding
 * toward minus infinity for instants before 1970-01-01T08:00 too.  Exact
 * for every long long input (no overflow). */
long long rules_shanghai_day(long long epoch_s);

/* The instant day starts in Shanghai (00:00:00+08:00):
 * day * 86400 - 8*3600.  Valid for |day| < 10^14. */
long long rules_shanghai_day_start(long long day);

/* Contest score from each contest day's best attempt score.
 * SCORE_BEST: the largest; SCORE_DAILY_BEST_SUM: the sum (saturating at
 * LLONG_MAX).  Negative entries mean "no attempt that day" and count as 0;
 * no days gives 0.  Returns -1 for an unknown rule or NULL with ndays > 0. */
long long rules_contest_score(rules_score_rule_t rule, const long long *daily_best, size_t ndays);

/* The contest score after one submit, from what the submit reads under
 * its lock instead of every day's best: old_score is the contest score
 * before (0 for the person's first submit), old_day_best the best of the
 * submit's day before (negative: none yet), new_day_best that day's best
 * now (>= old_day_best). The other days enter rules_contest_score as one
 * entry (their sum, or for SCORE_BEST the old score, whose maximum today's
 * new best either keeps or beats), so the result equals
 * rules_contest_score over every day's best. -1 for an unknown rule. */
long long rules_contest_score_after(rules_score_rule_t rule, long long old_score, long long old_day_best,
                                    long long new_day_best);

/* Whether a choice question was answered right: the set of letters chosen
 * equals the answer key's set, exactly (a multiple-choice question with
 * one right letter missing or one wrong letter added is wrong).  Both are
 * strings of option letters in any order ("CA" = "AC"); lower case counts
 * as upper case.  Returns 1 correct, 0 wrong (an empty choice is wrong),
 * -1 for invalid input: NULL, a character that is not a letter, a letter
 * given twice (in either string), or an empty answer key. */
int rules_choice_correct(const char *chosen_sorted_letters, const char *answer_letters);

#endif
