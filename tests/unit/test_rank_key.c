/* test_rank_key.c: rules/rank_key — one double that orders by score, then
 * by who got there first, exactly. */
#include "tests/unit/check.h"
#include "rules/rank_key.h"

#include <limits.h>
#include <math.h>

#define EPOCH 1718056800LL              /* 2024-06-11T06:00:00+08:00 */

TEST(higher_score_wins)
{
    /* one point more beats any amount of earliness */
    CHECK(rules_rank_key(10, EPOCH + RULES_RANK_TIME_MAX, EPOCH) > rules_rank_key(9, EPOCH, EPOCH));
    CHECK(rules_rank_key(1, EPOCH + RULES_RANK_TIME_MAX, EPOCH) > rules_rank_key(0, EPOCH, EPOCH));
    CHECK(rules_rank_key(RULES_RANK_SCORE_MAX, EPOCH + RULES_RANK_TIME_MAX, EPOCH) >
          rules_rank_key(RULES_RANK_SCORE_MAX - 1, EPOCH, EPOCH));
}

TEST(equal_score_earlier_wins)
{
    CHECK(rules_rank_key(100, EPOCH + 5, EPOCH) > rules_rank_key(100, EPOCH + 6, EPOCH));
    CHECK(rules_rank_key(100, EPOCH, EPOCH) > rules_rank_key(100, EPOCH + 1, EPOCH));
    CHECK(rules_rank_key(100, EPOCH + 7, EPOCH) == rules_rank_key(100, EPOCH + 7, EPOCH));
    /* at the top of the range the neighbours still differ by exactly 1 */
    double a = rules_rank_key(RULES_RANK_SCORE_MAX, EPOCH + 1000, EPOCH);
    double b = rules_rank_key(RULES_RANK_SCORE_MAX, EPOCH + 1001, EPOCH);
    CHECK(a - b == 1.0);
}

TEST(grid_order_matches_score_then_time)
{
    static const long long scores[] = { 0, 1, 2, 85, 100, RULES_RANK_SCORE_MAX - 1, RULES_RANK_SCORE_MAX };
    static const long long times[] = { 0, 1, 2, 86400, RULES_RANK_TIME_MAX - 1, RULES_RANK_TIME_MAX };
    int wrong = 0;
    for (size_t i = 0; i < 7; i++)
        for (size_t j = 0; j < 6; j++)
            for (size_t k = 0; k < 7; k++)
                for (size_t l = 0; l < 6; l++) {
                    double x = rules_rank_key(scores[i], EPOCH + times[j], EPOCH);
                    double y = rules_rank_key(scores[k], EPOCH + times[l], EPOCH);
                    int want = scores[i] != scores[k] ? (scores[i] > scores[k] ? 1 : -1)
                             : times[j] != times[l] ? (times[j] < times[l] ? 1 : -1) : 0;
                    int got = x > y ? 1 : x < y ? -1 : 0;
                    wrong += want != got;
                    wrong += rules_rank_score(x) != scores[i];
                    wrong += rules_rank_reached(x, EPOCH) != EPOCH + times[j];
                }
    CHECK_INT(wrong, 0);
}

TEST(exact_at_bounds)
{
    double top = rules_rank_key(RULES_RANK_SCORE_MAX, EPOCH, EPOCH);
    CHECK(top == 9007199254740991.0);                  /* 2^53 - 1 */
    CHECK(top + 1.0 == 9007199254740992.0);            /* still representable: no rounding */
    CHECK_INT(rules_rank_score(top), RULES_RANK_SCORE_MAX);
    CHECK_INT(rules_rank_reached(top, EPOCH), EPOCH);
    CHECK(rules_rank_key(0, EPOCH + RULES_RANK_TIME_MAX, EPOCH) == 0.0);
    CHECK(rules_rank_key(0, EPOCH, EPOCH) == (double)RULES_RANK_TIME_MAX);
    CHECK_INT(RULES_RANK_TIME_MAX / 86400, 388);       /* the documented window */
}

TEST(clamping)
{
    /* before the epoch = at the epoch; after the window = its last second */
    CHECK(rules_rank_key(5, EPOCH - 100, EPOCH) == rules_rank_key(5, EPOCH, EPOCH));
    CHECK(rules_rank_key(5, EPOCH + RULES_RANK_TIME_MAX + 100, EPOCH) ==
          rules_rank_key(5, EPOCH + RULES_RANK_TIME_MAX, EPOCH));
    CHECK(rules_rank_key(-3, EPOCH, EPOCH) == rules_rank_key(0, EPOCH, EPOCH));
    CHECK(rules_rank_key(1LL << 40, EPOCH, EPOCH) == rules_rank_key(RULES_RANK_SCORE_MAX, EPOCH, EPOCH));
    /* extreme times do not overflow */
    CHECK(rules_rank_key(5, LLONG_MAX, LLONG_MIN) == rules_rank_key(5, EPOCH + RULES_RANK_TIME_MAX, EPOCH));
    CHECK(rules_rank_key(5, LLONG_MIN, LLONG_MAX) == rules_rank_key(5, EPOCH, EPOCH));
}

TEST(decoders_refuse_foreign_keys)
{
    CHECK_INT(rules_rank_score(-1.0), -1);
    CHECK_INT(rules_rank_score(NAN), -1);
    CHECK_INT(rules_rank_score(INFINITY), -1);
    CHECK_INT(rules_rank_score(9007199254740992.0), -1);
    CHECK_INT(rules_rank_score(0.5), -1);
    CHECK_INT(rules_rank_reached(-1.0, EPOCH), -1);
    CHECK_INT(rules_rank_score(0.0), 0);
}

int main(void)
{
    RUN(higher_score_wins);
    RUN(equal_score_earlier_wins);
    RUN(grid_order_matches_score_then_time);
    RUN(exact_at_bounds);
    RUN(clamping);
    RUN(decoders_refuse_foreign_keys);
    return check_summary();
}
