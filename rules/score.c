/* score.c: see score.h. */
#include "rules/score.h"

#include <limits.h>
#include <string.h>

#define SH_OFFSET (8 * 3600)
#define DAY 86400

int rules_score_rule_parse(const char *s)
{
    if (!s)
        return -1;
    if (strcmp(s, "best") == 0)
        return SCORE_BEST;
    if (strcmp(s, "daily_best_sum") == 0)
        return SCORE_DAILY_BEST_SUM;
    return -1;
}

const char *rules_score_rule_name(rules_score_rule_t rule)
{
    switch (rule) {
    case SCORE_BEST: return "best";
    case SCORE_DAILY_BEST_SUM: return "daily_best_sum";
    }
    return NULL;
}

long long rules_shanghai_day(long long epoch_s)
{
    /* floor(epoch_s / DAY), then add one when the remainder plus the
     * offset crosses midnight: no epoch_s + offset to overflow */
    long long d = epoch_s / DAY, rem = epoch_s % DAY;
    if (rem < 0) {                                  /* now 0 .. DAY-1 */
        rem += DAY;
        d--;
    }
    return rem + SH_OFFSET >= DAY ? d + 1 : d;
}

long long rules_shanghai_day_start(long long day)
{
    return day * DAY - SH_OFFSET;
}

long long rules_contest_score(rules_score_rule_t rule, const long long *daily_best, size_t ndays)
{
    if (!daily_best && ndays)
        return -1;
    long long acc = 0;
    switch (rule) {
    case SCORE_BEST:
        for (size_t i = 0; i < ndays; i++)
            if (daily_best[i] > acc)
                acc = daily_best[i];
        return acc;
    case SCORE_DAILY_BEST_SUM:
        for (size_t i = 0; i < ndays; i++) {
            if (daily_best[i] <= 0)
                continue;
            if (__builtin_add_overflow(acc, daily_best[i], &acc))
                return LLONG_MAX;
        }
        return acc;
    }
    return -1;
}

long long rules_contest_score_after(rules_score_rule_t rule, long long old_score, long long old_day_best,
                                    long long new_day_best)
{
    long long days[2] = { old_score, new_day_best };
    if (rule == SCORE_DAILY_BEST_SUM && old_day_best > 0)
        days[0] = old_score - old_day_best;
    return rules_contest_score(rule, days, 2);
}

/* Bit i set for letter 'A'+i; -1 on a non-letter or a repeat. */
static long letter_set(const char *s)
{
    long set = 0;
    for (; *s; s++) {
        int c = (unsigned char)*s;
        if (c >= 'a' && c <= 'z')
            c -= 'a' - 'A';
        if (c < 'A' || c > 'Z')
            return -1;
        long bit = 1L << (c - 'A');
        if (set & bit)
            return -1;
        set |= bit;
    }
    return set;
}

int rules_choice_correct(const char *chosen_sorted_letters, const char *answer_letters)
{
    if (!chosen_sorted_letters || !answer_letters)
        return -1;
    long chosen = letter_set(chosen_sorted_letters);
    long answer = letter_set(answer_letters);
    if (chosen < 0 || answer <= 0)
        return -1;
    return chosen == answer;
}
