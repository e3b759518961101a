/* test_board_keys.c: rules/board_keys — the unit, rate and region keys of
 * the boards (exact integers below 2^53, ordered as the boards need) and
 * the scopes a leaderboard request may name. */
#include "tests/unit/check.h"
#include "rules/board_keys.h"

#define TWO_53 9007199254740992.0

TEST(unit_key_orders_by_total_then_lower_id)
{
    CHECK(rules_unit_score_key(101, 9000) > rules_unit_score_key(100, 1));
    CHECK(rules_unit_score_key(100, 5) > rules_unit_score_key(100, 6));
    CHECK(rules_unit_score_key(0, 1) > rules_unit_score_key(0, 2));
    CHECK_INT(rules_unit_score_total(rules_unit_score_key(12345, 77)), 12345);
    CHECK_INT(rules_unit_score_total(rules_unit_score_key(-5, 77)), 0);
    /* the largest total and id still fit below 2^53, exactly */
    double top = rules_unit_score_key(RULES_UNIT_TOTAL_MAX, 0);
    CHECK(top < TWO_53);
    CHECK(top - rules_unit_score_key(RULES_UNIT_TOTAL_MAX, 1) == 1.0);
    CHECK_INT(rules_unit_score_total(top), RULES_UNIT_TOTAL_MAX);
    CHECK_INT(rules_unit_score_total(rules_unit_score_key(RULES_UNIT_TOTAL_MAX + 99, 3)), RULES_UNIT_TOTAL_MAX);
    /* ids beyond 2^24 tie with the last one instead of wrapping */
    CHECK(rules_unit_score_key(7, 1LL << 30) == rules_unit_score_key(7, (1LL << 24) - 1));
    CHECK_INT(rules_unit_score_total(-1.0), -1);
    CHECK_INT(rules_unit_score_total(0.5), -1);
    CHECK_INT(rules_unit_score_total(TWO_53), -1);
}

TEST(participation_is_staff_over_headcount_capped)
{
    CHECK_INT(rules_participation_ppm(0, 10), 0);
    CHECK_INT(rules_participation_ppm(3, 10), 300000);
    CHECK_INT(rules_participation_ppm(1, 3), 333333);
    CHECK_INT(rules_participation_ppm(2, 3), 666666);          /* floor, not round */
    CHECK_INT(rules_participation_ppm(10, 10), 1000000);
    CHECK_INT(rules_participation_ppm(25, 10), 1000000);       /* at most 1 */
    CHECK_INT(rules_participation_ppm(1, 0), 1000000);         /* no headcount given */
    CHECK_INT(rules_participation_ppm(0, 0), 0);
    CHECK_INT(rules_participation_ppm(-1, 5), 0);
    CHECK_INT(rules_participation_ppm(999999, 1000000), 999999);
}

TEST(rate_key_orders_by_rate_then_total)
{
    CHECK(rules_unit_rate_key(1, 2, 0) > rules_unit_rate_key(3, 10, 100000));
    CHECK(rules_unit_rate_key(1, 2, 51) > rules_unit_rate_key(2, 4, 50));   /* same rate */
    CHECK(rules_unit_rate_key(5, 5, 0) == rules_unit_rate_key(9, 5, 0));    /* both 100% */
    double top = rules_unit_rate_key(1, 1, 1LL << 40);
    CHECK(top < TWO_53);
    CHECK(top == (double)(1000000LL * (1LL << 32) + ((1LL << 32) - 1)));
}

TEST(region_key_orders_by_total_then_lower_code)
{
    CHECK(rules_region_key(11, 999999) > rules_region_key(10, 110000));
    CHECK(rules_region_key(10, 110000) > rules_region_key(10, 140000));
    CHECK_INT(rules_region_total(rules_region_key(270, 140000)), 270);
    double top = rules_region_key(RULES_REGION_TOTAL_MAX, 0);
    CHECK(top < TWO_53);
    CHECK_INT(rules_region_total(top), RULES_REGION_TOTAL_MAX);
    CHECK_INT(rules_region_total(rules_region_key(-3, 140000)), 0);
}

TEST(scopes)
{
    int level;
    char arg[24];
    CHECK_INT(rules_board_scope_parse(NULL, 1, &level, arg), 0);
    CHECK_INT(level, 0);
    CHECK_INT(rules_board_scope_parse("", 1, &level, arg), 0);
    CHECK_INT(rules_board_scope_parse("national", 0, &level, arg), 0);
    CHECK_INT(level, 0);
    CHECK_STR(arg, "");
    CHECK_INT(rules_board_scope_parse("province:140000", 0, &level, arg), 0);
    CHECK_INT(level, 1);
    CHECK_STR(arg, "140000");
    CHECK_INT(rules_board_scope_parse("city:140400", 0, &level, arg), 0);
    CHECK_INT(level, 2);
    CHECK_INT(rules_board_scope_parse("county:140404", 1, &level, arg), 0);
    CHECK_INT(level, 3);
    CHECK_STR(arg, "140404");
    CHECK_INT(rules_board_scope_parse("unit:42", 1, &level, arg), 0);
    CHECK_INT(level, 4);
    CHECK_STR(arg, "42");
    /* the units boards have no county or unit scope */
    CHECK_INT(rules_board_scope_parse("county:140404", 0, &level, arg), -1);
    CHECK_INT(rules_board_scope_parse("unit:42", 0, &level, arg), -1);
    static const char *bad[] = {
        "National", "nation", "province", "province:", "province:140400", "city:140000",
        "county:140400", "province:1400000", "province:14000", "province: 140000", "province:14000a",
        "unit:", "unit:0", "unit:042", "unit:-1", "unit:+1", "unit:1.5", "unit:1 ",
        "unit:1234567890123456789", "region:140000", "province:000000",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = rules_board_scope_parse(bad[i], 1, &level, arg);
        if (rc != -1)
            fprintf(stderr, "  accepted \"%s\"\n", bad[i]);
        CHECK_INT(rc, -1);
    }
}

int main(void)
{
    RUN(unit_key_orders_by_total_then_lower_id);
    RUN(participation_is_staff_over_headcount_capped);
    RUN(rate_key_orders_by_rate_then_total);
    RUN(region_key_orders_by_total_then_lower_code);
    RUN(scopes);
    return check_summary();
}
