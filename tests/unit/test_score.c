/* test_score.c: rules/score — score rules, Shanghai days, answers, times. */
#include "tests/unit/check.h"
#include "rules/score.h"

#include <limits.h>

static long long parse(const char *s)
{
    long long t = LLONG_MIN;
    return iso8601_parse(s, &t) == 0 ? t : LLONG_MIN;
}

static const char *fmt(long long t)
{
    static char out[32];
    iso8601_format_shanghai(t, out);
    return out;
}

TEST(score_rule_names)
{
    CHECK_INT(rules_score_rule_parse("best"), SCORE_BEST);
    CHECK_INT(rules_score_rule_parse("daily_best_sum"), SCORE_DAILY_BEST_SUM);
    CHECK_INT(rules_score_rule_parse("Best"), -1);
    CHECK_INT(rules_score_rule_parse("best "), -1);
    CHECK_INT(rules_score_rule_parse(""), -1);
    CHECK_INT(rules_score_rule_parse(NULL), -1);
    CHECK_STR(rules_score_rule_name(SCORE_BEST), "best");
    CHECK_STR(rules_score_rule_name(SCORE_DAILY_BEST_SUM), "daily_best_sum");
    CHECK(rules_score_rule_name((rules_score_rule_t)9) == NULL);
}

TEST(shanghai_day_across_midnight)
{
    long long before = parse("2024-06-11T23:59:59+08:00");
    long long after = parse("2024-06-12T00:00:00+08:00");
    CHECK_INT(before, 1718121599);
    CHECK_INT(after, 1718121600);
    CHECK_INT(rules_shanghai_day(before), 19885);      /* 2024-06-11 */
    CHECK_INT(rules_shanghai_day(after), 19886);
    CHECK_INT(rules_shanghai_day_start(19886), after);
    CHECK_INT(rules_shanghai_day_start(19885), parse("2024-06-11T00:00:00+08:00"));
    /* 16:00 UTC is Shanghai midnight; the UTC date is still the 11th */
    CHECK_INT(rules_shanghai_day(parse("2024-06-11T16:00:00Z")), 19886);
    CHECK_INT(rules_shanghai_day(parse("2024-06-11T15:59:59Z")), 19885);
    for (long long d = -1000; d <= 1000; d += 7) {
        long long s = rules_shanghai_day_start(d);
        CHECK_INT(rules_shanghai_day(s), d);
        CHECK_INT(rules_shanghai_day(s - 1), d - 1);
        CHECK_INT(rules_shanghai_day(s + 86399), d);
    }
}

TEST(shanghai_day_before_1970)
{
    CHECK_INT(rules_shanghai_day(0), 0);             /* 08:00 on 1970-01-01 */
    CHECK_INT(rules_shanghai_day(-1), 0);
    CHECK_INT(rules_shanghai_day(-28800), 0);        /* Shanghai midnight */
    CHECK_INT(rules_shanghai_day(-28801), -1);
    CHECK_INT(rules_shanghai_day(-86400 - 28800), -1);
    CHECK_INT(rules_shanghai_day(-86400 - 28801), -2);
    CHECK_INT(rules_shanghai_day(86400 - 28800 - 1), 0);
    CHECK_INT(rules_shanghai_day(86400 - 28800), 1);
    /* no overflow at the extremes */
    CHECK(rules_shanghai_day(LLONG_MAX) > 0);
    CHECK(rules_shanghai_day(LLONG_MIN) < 0);
}

TEST(contest_score_rules)
{
    const long long days[] = { 30, 80, -1, 50 };
    CHECK_INT(rules_contest_score(SCORE_BEST, days, 4), 80);
    CHECK_INT(rules_contest_score(SCORE_DAILY_BEST_SUM, days, 4), 160);
    CHECK_INT(rules_contest_score(SCORE_BEST, NULL, 0), 0);
    CHECK_INT(rules_contest_score(SCORE_DAILY_BEST_SUM, NULL, 0), 0);
    const long long none[] = { -1, -1 };
    CHECK_INT(rules_contest_score(SCORE_BEST, none, 2), 0);
    CHECK_INT(rules_contest_score(SCORE_BEST, NULL, 3), -1);
    CHECK_INT(rules_contest_score((rules_score_rule_t)7, days, 4), -1);
    const long long huge[] = { LLONG_MAX - 1, 5 };
    CHECK_INT(rules_contest_score(SCORE_DAILY_BEST_SUM, huge, 2), LLONG_MAX);
}

TEST(choice_correctness)
{
    CHECK_INT(rules_choice_correct("A", "A"), 1);
    CHECK_INT(rules_choice_correct("B", "A"), 0);
    /* judge: A = 对, B = 错 */
    CHECK_INT(rules_choice_correct("B", "B"), 1);
    /* multiple choice: exactly the set, in any order */
    CHECK_INT(rules_choice_correct("AC", "AC"), 1);
    CHECK_INT(rules_choice_correct("CA", "AC"), 1);
    CHECK_INT(rules_choice_correct("ACD", "DCA"), 1);
    CHECK_INT(rules_choice_correct("A", "AC"), 0);     /* one missing */
    CHECK_INT(rules_choice_correct("ABC", "AC"), 0);   /* one extra */
    CHECK_INT(rules_choice_correct("ABCD", "AC"), 0);  /* ticking everything */
    CHECK_INT(rules_choice_correct("BD", "AC"), 0);
    CHECK_INT(rules_choice_correct("", "A"), 0);       /* unanswered */
    CHECK_INT(rules_choice_correct("a", "A"), 1);
    CHECK_INT(rules_choice_correct("ca", "AC"), 1);
    /* invalid input */
    CHECK_INT(rules_choice_correct("AA", "A"), -1);
    CHECK_INT(rules_choice_correct("ACA", "AC"), -1);
    CHECK_INT(rules_choice_correct("aA", "A"), -1);
    CHECK_INT(rules_choice_correct("A", "AA"), -1);
    CHECK_INT(rules_choice_correct("A,C", "AC"), -1);
    CHECK_INT(rules_choice_correct("A ", "A"), -1);
    CHECK_INT(rules_choice_correct("1", "A"), -1);
    CHECK_INT(rules_choice_correct("\xc3\x80", "A"), -1);
    CHECK_INT(rules_choice_correct("A", ""), -1);
    CHECK_INT(rules_choice_correct(NULL, "A"), -1);
    CHECK_INT(rules_choice_correct("A", NULL), -1);
    CHECK_INT(rules_choice_correct("Z", "Z"), 1);
}

TEST(iso_format)
{
    CHECK_STR(fmt(1718056800), "2024-06-11T06:00:00+08:00");
    CHECK_STR(fmt(1719759600), "2024-06-30T23:00:00+08:00");
    CHECK_STR(fmt(0), "1970-01-01T08:00:00+08:00");
    CHECK_STR(fmt(-28801), "1969-12-31T23:59:59+08:00");
    CHECK_STR(fmt(-2203920000), "1900-03-01T00:00:00+08:00");
    CHECK_STR(fmt(253402300799LL - 28800), "9999-12-31T23:59:59+08:00");
    CHECK_STR(fmt(-62167219200LL - 28800), "0000-01-01T00:00:00+08:00");
    char out[32] = "x";
    CHECK_INT(iso8601_format_shanghai(253402300799LL - 28800 + 1, out), -1);
    CHECK_STR(out, "");
    CHECK_INT(iso8601_format_shanghai(LLONG_MIN, out), -1);
    CHECK_INT(iso8601_format_shanghai(LLONG_MAX, out), -1);
}

TEST(iso_parse_forms)
{
    const long long t = 1718056800;   /* 2024-06-11T06:00:00+08:00 */
    CHECK_INT(parse("2024-06-11T06:00:00+08:00"), t);
    CHECK_INT(parse("2024-06-10T22:00:00Z"), t);
    CHECK_INT(parse("2024-06-10T22:00:00+00:00"), t);
    CHECK_INT(parse("2024-06-10T22:00:00-00:00"), t);
    CHECK_INT(parse("2024-06-10T17:00:00-05:00"), t);
    CHECK_INT(parse("2024-06-11T03:45:00+05:45"), t);
    CHECK_INT(parse("2024-06-11T06:00:00"), t);          /* no offset: Shanghai */
    CHECK_INT(parse("2024-06-11 06:00:00"), t);          /* MariaDB DATETIME */
    CHECK_INT(parse("2024-06-11T06:00"), t);             /* datetime-local */
    CHECK_INT(parse("2024-06-10T22:00:00.000Z"), t);     /* Date.toISOString */
    CHECK_INT(parse("2024-06-10T22:00:00.999999999Z"), t);
    CHECK_INT(parse("2024-06-10t22:00:00z"), t);
    CHECK_INT(parse("2024-02-29T00:00:00+08:00"), parse("2024-02-28T00:00:00+08:00") + 86400);
    CHECK(parse("2000-02-29T00:00:00") != LLONG_MIN);   /* divisible by 400 */
    CHECK_INT(parse("1969-12-31T23:59:59+08:00"), -28801);
}

TEST(iso_parse_refuses)
{
    static const char *const bad[] = {
        "", "2024", "2024-06-11", "2024-6-11T06:00:00", "2024-06-11T6:00:00",
        "2024-13-01T00:00:00", "2024-00-01T00:00:00", "2024-06-00T00:00:00",
        "2024-06-31T00:00:00", "2023-02-29T00:00:00", "1900-02-29T00:00:00",
        "2024-06-11T24:00:00", "2024-06-11T23:60:00", "2024-06-11T23:59:60",
        "2024-06-11T06:00:00+08", "2024-06-11T06:00:00+0800", "2024-06-11T06:00:00+24:00",
        "2024-06-11T06:00:00+08:60", "2024-06-11T06:00:00+08:00x", "2024-06-11T06:00:00 ",
        " 2024-06-11T06:00:00", "2024-06-11T06:00:00.", "2024-06-11T06:00:00.1234567891Z",
        "2024-06-11X06:00:00", "2024-06-11T06:00:00ZZ", "2024/06/11T06:00:00",
        "+2024-06-11T06:00:00", "２０２４-06-11T06:00:00", "2024-06-11T06:0",
        "2024-06-11T06:00:0",
    };
    int accepted = 0;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        long long t = 42;
        if (iso8601_parse(bad[i], &t) != -1 || t != 42) {
            accepted++;
            fprintf(stderr, "  accepted: \"%s\"\n", bad[i]);
        }
    }
    CHECK_INT(accepted, 0);
    long long t;
    CHECK_INT(iso8601_parse(NULL, &t), -1);
    CHECK_INT(iso8601_parse("2024-06-11T06:00:00", NULL), -1);
}

TEST(iso_round_trip)
{
    int wrong = 0;
    /* 1900 .. 2100, a step that visits every second-of-day residue class */
    for (long long t = -2208988800LL; t < 4102444800LL; t += 86400LL * 13 + 7777) {
        char out[32];
        long long back = LLONG_MIN;
        if (iso8601_format_shanghai(t, out) != 0 || iso8601_parse(out, &back) != 0 || back != t)
            wrong++;
    }
    CHECK_INT(wrong, 0);
    long long back;
    CHECK_INT(iso8601_parse(fmt(-62167219200LL - 28800), &back), 0);
    CHECK_INT(back, -62167219200LL - 28800);
    CHECK_INT(iso8601_parse("9999-12-31T23:59:59Z", &back), 0);
    CHECK_INT(back, 253402300799LL);
}

int main(void)
{
    RUN(score_rule_names);
    RUN(shanghai_day_across_midnight);
    RUN(shanghai_day_before_1970);
    RUN(contest_score_rules);
    RUN(choice_correctness);
    RUN(iso_format);
    RUN(iso_parse_forms);
    RUN(iso_parse_refuses);
    RUN(iso_round_trip);
    return check_summary();
}
