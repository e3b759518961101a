/* test_prize_alloc.c: rules/prize_settings, rules/prize_alloc and
 * rules/draw_rng on crafted score tables (issue 12's list). */
#include "tests/unit/check.h"
#include "rules/draw_rng.h"
#include "rules/prize_alloc.h"
#include "rules/prize_settings.h"
#include "rules/phone_id.h"

#include <stdlib.h>

#define MAXC 4000

static prize_cand_t cands[MAXC];
static size_t ncands;
static prize_award_t awards[MAXC];

static void add(long long uid, long long score, long long reached, size_t phone)
{
    cands[ncands++] = (prize_cand_t){ .user_id = uid, .score = score, .reached_at = reached, .phone_group = phone };
}

static prize_settings_t settings(const char *json)
{
    prize_settings_t s;
    char err[200];
    json_t *j = json_loads(json, 0, NULL);
    int rc = rules_prize_settings_parse(j, &s, err, sizeof err);
    json_decref(j);
    if (rc < 0)
        fprintf(stderr, "settings %s: %s\n", json, err);
    return s;
}

/* A draw seeded from a small number (the tests' fixed seeds). */
static long run(const prize_settings_t *s, long long full, unsigned seedno, const char *pv)
{
    unsigned char seed[32] = { 0 };
    seed[0] = (unsigned char)(seedno >> 24);
    seed[1] = (unsigned char)(seedno >> 16);
    seed[2] = (unsigned char)(seedno >> 8);
    seed[3] = (unsigned char)seedno;
    draw_rng_t g;
    if (rules_draw_rng_init(&g, seed, sizeof seed, pv) < 0)
        return -2;
    rules_prize_sort(cands, ncands);
    long n = rules_prize_allocate(s, full, cands, ncands, rules_draw_rng_index, &g, awards);
    rules_draw_rng_free(&g);
    return n;
}

static int count_group(long n, int group)
{
    int k = 0;
    for (long i = 0; i < n; i++)
        k += awards[i].group == group;
    return k;
}

/* Nobody twice, no phone group twice. */
static int all_distinct(long n)
{
    for (long i = 0; i < n; i++)
        for (long j = 0; j < i; j++) {
            if (awards[i].cand == awards[j].cand)
                return 0;
            size_t pa = cands[awards[i].cand].phone_group, pb = cands[awards[j].cand].phone_group;
            if (pa && pa == pb)
                return 0;
        }
    return 1;
}

#define MAIN_SETTINGS "{\"tiers\":[{\"name\":\"一等奖\",\"count\":10},{\"name\":\"二等奖\",\"count\":20}," \
    "{\"name\":\"三等奖\",\"count\":50},{\"name\":\"优胜奖\",\"count\":120}]," \
    "\"draws\":[{\"name\":\"参与奖\",\"count\":100,\"min_score_exclusive\":50}]}"
#define FM_SETTINGS "{\"full_marks_draw\":{\"count\":300,\"fill_by_rank\":true}}"

TEST(settings_valid_and_named_errors)
{
    prize_settings_t s;
    char err[200];
    json_t *j = json_loads(MAIN_SETTINGS, 0, NULL);
    CHECK_INT(rules_prize_settings_parse(j, &s, err, sizeof err), 0);
    CHECK_INT(s.ntiers, 4);
    CHECK_INT(s.ndraws, 1);
    CHECK_INT(rules_prize_places(&s), 300);
    CHECK_STR(rules_prize_group_name(&s, 4), "参与奖");
    json_decref(j);
    s = settings(FM_SETTINGS);
    CHECK(s.full_marks && s.fm.count == 300 && s.fm_fill_by_rank);
    CHECK_STR(s.fm.name, "话费奖");

    static const char *const bad[][2] = {
        { "[]", "prize_settings:" },
        { "{\"tiers\":[{\"name\":\"一等奖\",\"count\":0}]}", "prize_settings.tiers[0].count:" },
        { "{\"tiers\":[{\"name\":\"\",\"count\":1}]}", "prize_settings.tiers[0].name:" },
        { "{\"tiers\":[{\"name\":\"a\",\"count\":1},{\"name\":\"a\",\"count\":1}]}", "prize_settings.tiers[1].name:" },
        { "{\"tiers\":[{\"name\":\"a\",\"count\":1,\"x\":1}]}", "prize_settings.tiers[0].x:" },
        { "{\"draws\":[{\"name\":\"a\",\"count\":5}]}", "prize_settings.draws[0].min_score_exclusive:" },
        { "{\"draws\":[{\"name\":\"a\",\"count\":5,\"min_score_exclusive\":-1}]}", "prize_settings.draws[0].min_score_exclusive:" },
        { "{\"full_marks_draw\":{\"count\":300}}", "prize_settings.full_marks_draw.fill_by_rank:" },
        { "{\"full_marks_draw\":{\"count\":3,\"fill_by_rank\":true},\"tiers\":[]}", "prize_settings.full_marks_draw:" },
        { "{\"tier\":[]}", "prize_settings.tier:" },
        { "{}", "prize_settings:" },
        { "{\"tiers\":\"x\"}", "prize_settings.tiers:" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        j = json_loads(bad[i][0], JSON_DECODE_ANY, NULL);
        CHECK(j != NULL);
        int rc = rules_prize_settings_parse(j, &s, err, sizeof err);
        CHECK_INT(rc, -1);
        if (strncmp(err, bad[i][1], strlen(bad[i][1])) != 0)
            fprintf(stderr, "  case %zu: err \"%s\", want prefix \"%s\"\n", i, err, bad[i][1]);
        CHECK(strncmp(err, bad[i][1], strlen(bad[i][1])) == 0);
        json_decref(j);
    }
}

TEST(ties_across_a_tier_boundary_rank_as_the_boards)
{
    prize_settings_t s = settings("{\"tiers\":[{\"name\":\"一\",\"count\":2},{\"name\":\"二\",\"count\":2}]}");
    ncands = 0;
    add(5, 90, 300, 0);   /* 90 reached later: third */
    add(7, 90, 100, 0);   /* 90 first: first */
    add(3, 90, 200, 0);   /* second, the boundary tie goes by time */
    add(4, 80, 50, 0);
    add(2, 80, 50, 0);    /* same score and time as 4: lower id first */
    long n = run(&s, 100, 1, "x");
    CHECK_INT(n, 4);
    CHECK_INT(cands[awards[0].cand].user_id, 7);
    CHECK_INT(cands[awards[1].cand].user_id, 3);
    CHECK_INT(awards[1].group, 0);
    CHECK_INT(cands[awards[2].cand].user_id, 5);
    CHECK_INT(awards[2].group, 1);
    CHECK_INT(cands[awards[3].cand].user_id, 2);
    CHECK(!awards[0].by_draw && !awards[3].by_draw);
}

TEST(more_than_n_full_marks_draws_n_among_them)
{
    prize_settings_t s = settings(FM_SETTINGS);
    ncands = 0;
    for (int i = 0; i < 350; i++)
        add(1000 + i, 100, i, (size_t)0);
    for (int i = 0; i < 50; i++)
        add(5000 + i, 95, i, 0);
    long n = run(&s, 100, 7, "pv");
    CHECK_INT(n, 300);
    int full = 0, drawn = 0;
    for (long i = 0; i < n; i++) {
        full += cands[awards[i].cand].score == 100;
        drawn += awards[i].by_draw;
    }
    CHECK_INT(full, 300);
    CHECK_INT(drawn, 300);
    CHECK(all_distinct(n));
}

TEST(fewer_than_n_full_marks_fill_by_rank_with_a_boundary_draw)
{
    prize_settings_t s = settings(FM_SETTINGS);
    ncands = 0;
    for (int i = 0; i < 100; i++)
        add(1000 + i, 100, i, 0);
    for (int i = 0; i < 150; i++)
        add(2000 + i, 90, i, 0);
    for (int i = 0; i < 100; i++)
        add(3000 + i, 80, i, 0);
    for (int i = 0; i < 20; i++)
        add(4000 + i, 70, i, 0);
    long n = run(&s, 100, 3, "pv");
    CHECK_INT(n, 300);
    int by[101] = { 0 }, drawn = 0;
    for (long i = 0; i < n; i++) {
        by[cands[awards[i].cand].score]++;
        if (awards[i].by_draw) {
            drawn++;
            CHECK_INT(cands[awards[i].cand].score, 80);
        }
    }
    CHECK_INT(by[100], 100);
    CHECK_INT(by[90], 150);
    CHECK_INT(by[80], 50);
    CHECK_INT(by[70], 0);
    CHECK_INT(drawn, 50);
    /* Exactly N full marks: all win, nobody drawn. */
    ncands = 0;
    for (int i = 0; i < 300; i++)
        add(1000 + i, 100, i, 0);
    add(9, 99, 0, 0);
    n = run(&s, 100, 3, "pv");
    CHECK_INT(n, 300);
    for (long i = 0; i < n; i++)
        CHECK(!awards[i].by_draw && cands[awards[i].cand].score == 100);
}

TEST(fewer_candidates_than_prizes_everyone_wins_once)
{
    prize_settings_t s = settings(MAIN_SETTINGS);
    ncands = 0;
    for (int i = 0; i < 15; i++)
        add(100 + i, 60 + i, i, 0);
    long n = run(&s, 100, 1, "pv");
    CHECK_INT(n, 15);
    CHECK_INT(count_group(n, 0), 10);
    CHECK_INT(count_group(n, 1), 5);
    CHECK_INT(count_group(n, 4), 0);
    CHECK(all_distinct(n));
    ncands = 0;
    n = run(&s, 100, 1, "pv");
    CHECK_INT(n, 0);
    s = settings(FM_SETTINGS);
    for (int i = 0; i < 7; i++)
        add(100 + i, 100 - i, i, 0);
    n = run(&s, 100, 1, "pv");
    CHECK_INT(n, 7);
}

TEST(nobody_wins_twice_on_a_full_table)
{
    prize_settings_t s = settings(MAIN_SETTINGS);
    ncands = 0;
    for (int i = 0; i < 1000; i++)
        add(10 + i, i % 101, i, (size_t)(i % 3 == 0 ? 0 : 1 + i / 2));
    long n = run(&s, 100, 11, "pv");
    CHECK_INT(n, 300);
    CHECK(all_distinct(n));
    CHECK_INT(count_group(n, 0), 10);
    CHECK_INT(count_group(n, 3), 120);
    CHECK_INT(count_group(n, 4), 100);
}

TEST(two_accounts_with_one_phone_win_once)
{
    prize_settings_t s = settings("{\"tiers\":[{\"name\":\"一\",\"count\":2}]}");
    ncands = 0;
    add(1, 100, 1, 1);
    add(2, 99, 1, 1);     /* same phone as 1: blocked */
    add(3, 98, 1, 2);
    add(4, 97, 1, 0);
    long n = run(&s, 100, 1, "pv");
    CHECK_INT(n, 2);
    CHECK_INT(cands[awards[0].cand].user_id, 1);
    CHECK_INT(cands[awards[1].cand].user_id, 3);
    /* In a draw: of two same-phone accounts at most one is drawn, whatever the seed. */
    s = settings("{\"draws\":[{\"name\":\"抽\",\"count\":3,\"min_score_exclusive\":0}]}");
    for (unsigned seed = 0; seed < 200; seed++) {
        ncands = 0;
        add(1, 60, 1, 1);
        add(2, 60, 2, 1);
        add(3, 60, 3, 2);
        add(4, 60, 4, 3);
        n = run(&s, 100, seed, "pv");
        CHECK_INT(n, 3);
        CHECK(all_distinct(n));
    }
}

TEST(participation_draw_excludes_tier_winners_and_exactly_50)
{
    prize_settings_t s = settings("{\"tiers\":[{\"name\":\"一\",\"count\":2}],"
                                  "\"draws\":[{\"name\":\"参与奖\",\"count\":10,\"min_score_exclusive\":50}]}");
    for (unsigned seed = 0; seed < 50; seed++) {
        ncands = 0;
        add(1, 100, 1, 0);
        add(2, 90, 1, 0);
        add(3, 51, 1, 0);
        add(4, 60, 1, 0);
        add(5, 50, 1, 0);
        add(6, 50, 2, 0);
        add(7, 10, 1, 0);
        long n = run(&s, 100, seed, "v");
        CHECK_INT(n, 4);
        CHECK_INT(count_group(n, 1), 2);
        for (long i = 0; i < n; i++)
            if (awards[i].group == 1) {
                long long uid = cands[awards[i].cand].user_id;
                CHECK(uid == 3 || uid == 4);
                CHECK(awards[i].by_draw);
            }
    }
}

/* The winner set of a 5-of-60 draw, as a bitmask. */
static unsigned long long drawn_set(unsigned seed, const char *pv)
{
    prize_settings_t s = settings("{\"draws\":[{\"name\":\"抽\",\"count\":5,\"min_score_exclusive\":0}]}");
    ncands = 0;
    for (int i = 0; i < 60; i++)
        add(i + 1, 60, i, 0);
    long n = run(&s, 100, seed, pv);
    unsigned long long m = 0;
    for (long i = 0; i < n; i++)
        m |= 1ULL << (cands[awards[i].cand].user_id - 1);
    return m;
}

TEST(same_inputs_same_winners_other_seed_or_value_others)
{
    unsigned long long a = drawn_set(42, "福彩3D 2024186期 5 1 7");
    CHECK(a != 0);
    CHECK(a == drawn_set(42, "福彩3D 2024186期 5 1 7"));
    CHECK(a != drawn_set(43, "福彩3D 2024186期 5 1 7"));
    CHECK(a != drawn_set(42, "福彩3D 2024186期 5 1 8"));
}

/* Over 2000 fixed seeds, 10 drawn from 40 equal candidates: each candidate
 * is expected 500 times (sd ≈ 19.4); every count must be within ±100 (over
 * five sd). The seeds are fixed, so the result never changes between runs. */
TEST(fairness_over_many_fixed_seeds)
{
    prize_settings_t s = settings("{\"draws\":[{\"name\":\"抽\",\"count\":10,\"min_score_exclusive\":0}]}");
    int wins[40] = { 0 };
    for (unsigned seed = 0; seed < 2000; seed++) {
        ncands = 0;
        for (int i = 0; i < 40; i++)
            add(i, 70, 1000 - i, 0);
        long n = run(&s, 100, seed, "fairness");
        CHECK_INT(n, 10);
        for (long i = 0; i < n; i++)
            wins[cands[awards[i].cand].user_id]++;
    }
    int lo = wins[0], hi = wins[0];
    for (int i = 0; i < 40; i++) {
        lo = wins[i] < lo ? wins[i] : lo;
        hi = wins[i] > hi ? wins[i] : hi;
        CHECK(wins[i] >= 400 && wins[i] <= 600);
    }
    printf("fairness: wins per candidate from %d to %d (expected 500)\n", lo, hi);
}

TEST(index_is_unbiased_and_in_range)
{
    unsigned char seed[16] = { 1 };
    draw_rng_t g;
    CHECK_INT(rules_draw_rng_init(&g, seed, sizeof seed, ""), 0);
    int hist[3] = { 0 };
    for (int i = 0; i < 3000; i++) {
        size_t k = 99;
        CHECK_INT(rules_draw_rng_index(&g, 3, &k), 0);
        CHECK(k < 3);
        if (k < 3)
            hist[k]++;
    }
    for (int i = 0; i < 3; i++)
        CHECK(hist[i] > 850 && hist[i] < 1150);
    /* n just above 2^63 rejects about half of all draws and still ends. */
    size_t big = ((size_t)1 << 63) + 1, k;
    for (int i = 0; i < 100; i++) {
        CHECK_INT(rules_draw_rng_index(&g, big, &k), 0);
        CHECK(k < big);
    }
    size_t one;
    CHECK_INT(rules_draw_rng_index(&g, 1, &one), 0);
    CHECK_INT(one, 0);
    CHECK_INT(rules_draw_rng_index(&g, 0, &one), -1);
    rules_draw_rng_free(&g);
    CHECK_INT(rules_draw_rng_init(&g, seed, 15, ""), -1);
    unsigned char buf[4];
    CHECK_INT(rules_hex_decode("0aFf", buf, sizeof buf), 2);
    CHECK(buf[0] == 0x0a && buf[1] == 0xff);
    CHECK_INT(rules_hex_decode("0g", buf, sizeof buf), -1);
    CHECK_INT(rules_hex_decode("abc", buf, sizeof buf), -1);
}

TEST(non_canonical_input_refused)
{
    prize_settings_t s = settings(MAIN_SETTINGS);
    prize_cand_t c[2] = { { 1, 50, 1, 0 }, { 2, 60, 1, 0 } };
    CHECK_INT(rules_prize_allocate(&s, 100, c, 2, rules_draw_rng_index, NULL, awards), -1);
    prize_cand_t d[2] = { { 1, 60, 1, 5 }, { 2, 50, 1, 0 } };   /* phone group above n */
    CHECK_INT(rules_prize_canonical(d, 2), 0);
}

TEST(phone_numbers_compare_without_country_code)
{
    char a[32], b[32], c[32];
    CHECK_INT(rules_phone_canonical("13812345678", a, sizeof a), 0);
    CHECK_INT(rules_phone_canonical("8613812345678", b, sizeof b), 0);
    CHECK_INT(rules_phone_canonical("+8613812345678", c, sizeof c), 0);
    CHECK_STR(a, "13812345678");
    CHECK_STR(b, a);
    CHECK_STR(c, a);
    CHECK_INT(rules_phone_canonical("85212345678", a, sizeof a), 0);
    CHECK_STR(a, "85212345678");
    CHECK_INT(rules_phone_canonical("138-1234", a, sizeof a), -1);
    CHECK_INT(rules_phone_canonical("", a, sizeof a), -1);
    CHECK_INT(rules_phone_canonical(NULL, a, sizeof a), -1);
    CHECK_INT(rules_phone_canonical("13812345678", a, 5), -1);
}

int main(void)
{
    RUN(phone_numbers_compare_without_country_code);
    RUN(settings_valid_and_named_errors);
    RUN(ties_across_a_tier_boundary_rank_as_the_boards);
    RUN(more_than_n_full_marks_draws_n_among_them);
    RUN(fewer_than_n_full_marks_fill_by_rank_with_a_boundary_draw);
    RUN(fewer_candidates_than_prizes_everyone_wins_once);
    RUN(nobody_wins_twice_on_a_full_table);
    RUN(two_accounts_with_one_phone_win_once);
    RUN(participation_draw_excludes_tier_winners_and_exactly_50);
    RUN(same_inputs_same_winners_other_seed_or_value_others);
    RUN(fairness_over_many_fixed_seeds);
    RUN(index_is_unbiased_and_in_range);
    RUN(non_canonical_input_refused);
    return check_summary();
}
