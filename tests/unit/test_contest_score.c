/* test_contest_score.c: the submit's contest score (rules_contest_score_after,
 * from the old score and the day's old and new best) equals rescoring's
 * (rules_contest_score over every day's best), for both rules, over long
 * random runs of attempts across days. */
#include "tests/unit/check.h"
#include "rules/score.h"

#include <limits.h>

#define DAYS 12

static unsigned long long rng = 0x9E3779B97F4A7C15ULL;
static long long next(long long n)
{
    rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
    return (long long)(rng % (unsigned long long)n);
}

/* One person's run of submits under rule; every step checks the
 * incremental score against a recount of every day. */
static int run(rules_score_rule_t rule, int steps)
{
    long long best[DAYS];
    for (int d = 0; d < DAYS; d++)
        best[d] = -1;
    long long score = 0;
    int first = 1, bad = 0;
    for (int i = 0; i < steps; i++) {
        int d = (int)next(DAYS);
        long long s = next(4) == 0 ? 0 : next(101);
        long long old_day = best[d], new_day = s > old_day ? s : old_day;
        score = rules_contest_score_after(rule, first ? 0 : score, first ? -1 : old_day, new_day);
        best[d] = new_day;
        first = 0;
        long long want = rules_contest_score(rule, best, DAYS);
        if (score != want && bad++ < 5)
            fprintf(stderr, "  rule %d step %d: incremental %lld, recount %lld\n", rule, i, score, want);
    }
    return bad;
}

TEST(incremental_equals_recount_for_best)
{
    for (int k = 0; k < 200; k++)
        CHECK_INT(run(SCORE_BEST, 60), 0);
}

TEST(incremental_equals_recount_for_daily_best_sum)
{
    for (int k = 0; k < 200; k++)
        CHECK_INT(run(SCORE_DAILY_BEST_SUM, 60), 0);
}

TEST(first_submit_and_edges)
{
    CHECK_INT(rules_contest_score_after(SCORE_BEST, 0, -1, 70), 70);
    CHECK_INT(rules_contest_score_after(SCORE_DAILY_BEST_SUM, 0, -1, 70), 70);
    CHECK_INT(rules_contest_score_after(SCORE_BEST, 0, -1, 0), 0);          /* a blank paper */
    CHECK_INT(rules_contest_score_after(SCORE_BEST, 90, 40, 60), 90);       /* best stays */
    CHECK_INT(rules_contest_score_after(SCORE_DAILY_BEST_SUM, 90, 40, 60), 110);
    CHECK_INT(rules_contest_score_after(SCORE_DAILY_BEST_SUM, 90, -1, 50), 140); /* a new day */
    CHECK_INT(rules_contest_score_after(SCORE_DAILY_BEST_SUM, LLONG_MAX, 10, 20), LLONG_MAX);
    CHECK_INT(rules_contest_score_after((rules_score_rule_t)9, 1, 1, 1), -1);
}

int main(void)
{
    RUN(incremental_equals_recount_for_best);
    RUN(incremental_equals_recount_for_daily_best_sum);
    RUN(first_submit_and_edges);
    return check_summary();
}
