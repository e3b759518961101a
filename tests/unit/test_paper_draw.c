/* test_paper_draw.c: rules/paper_draw.c — the seeded draw is reproducible,
 * follows the spec, never repeats a question and is close to uniform. */
#include "rules/paper_draw.h"
#include "tests/unit/check.h"

#include <stdlib.h>

static const char *cats[] = { "法", "机制", "应急" };

/* 3 categories of 10, ids not in order, types and option counts mixed. */
static draw_question_t *bank30(void)
{
    static draw_question_t b[30];
    for (int i = 0; i < 30; i++) {
        b[i].id = 1000 - i * 7;
        b[i].category = cats[i % 3];
        b[i].type = (paper_qtype_t)(i % 3 == 2 ? PQ_JUDGE : i % 2);
        b[i].noptions = b[i].type == PQ_JUDGE ? 2 : 3 + i % 4;
    }
    return b;
}

static void seed_of(int n, unsigned char seed[PAPER_SEED_LEN])
{
    memset(seed, 0, PAPER_SEED_LEN);
    seed[0] = (unsigned char)n;
    seed[1] = (unsigned char)(n >> 8);
}

static const draw_question_t *find(const draw_question_t *b, size_t n, long long id)
{
    for (size_t i = 0; i < n; i++)
        if (b[i].id == id)
            return &b[i];
    return NULL;
}

TEST(same_seed_same_paper_other_seed_other_paper)
{
    draw_question_t *b = bank30();
    draw_entry_t spec[] = { { "法", 3 }, { "机制", 2 }, { "应急", 4 } };
    drawn_question_t x[9], y[9], z[9];
    unsigned char s1[PAPER_SEED_LEN], s2[PAPER_SEED_LEN];
    seed_of(1, s1);
    seed_of(2, s2);
    CHECK_INT(paper_draw(s1, b, 30, spec, 3, x, 9), 9);
    CHECK_INT(paper_draw(s1, b, 30, spec, 3, y, 9), 9);
    CHECK_INT(paper_draw(s2, b, 30, spec, 3, z, 9), 9);
    int same = 1, differs = 0;
    for (int i = 0; i < 9; i++) {
        same &= x[i].id == y[i].id && strcmp(x[i].perm, y[i].perm) == 0;
        differs |= x[i].id != z[i].id || strcmp(x[i].perm, z[i].perm) != 0;
    }
    CHECK(same);
    CHECK(differs);
    /* the bank's order does not matter: reversed (ascending ids, taken as
     * they are without a sort), the same paper */
    draw_question_t r[30];
    for (int i = 0; i < 30; i++)
        r[i] = b[29 - i];
    CHECK_INT(paper_draw(s1, r, 30, spec, 3, z, 9), 9);
    for (int i = 0; i < 9; i++) {
        CHECK_INT(z[i].id, x[i].id);
        CHECK_STR(z[i].perm, x[i].perm);
        CHECK_INT(r[z[i].bank_index].id, z[i].id);
    }
}

TEST(counts_per_category_no_repeats_grouped_by_type)
{
    draw_question_t *b = bank30();
    draw_entry_t spec[] = { { "法", 10 }, { "机制", 1 }, { "应急", 5 }, { "*", 6 } };
    drawn_question_t d[22];
    for (int n = 0; n < 200; n++) {
        unsigned char s[PAPER_SEED_LEN];
        seed_of(n, s);
        CHECK_INT(paper_draw(s, b, 30, spec, 4, d, 22), 22);
        int per[3] = { 0 };
        for (int i = 0; i < 22; i++) {
            const draw_question_t *q = find(b, 30, d[i].id);
            CHECK(q != NULL);
            if (!q)
                return;
            for (int j = 0; j < i; j++)
                CHECK(d[j].id != d[i].id);
            if (i)
                CHECK(find(b, 30, d[i - 1].id)->type <= q->type);
            for (int c = 0; c < 3; c++)
                per[c] += strcmp(q->category, cats[c]) == 0;
            CHECK(attempt_perm_valid(d[i].perm));
            CHECK_INT(strlen(d[i].perm), q->noptions);
            if (q->type == PQ_JUDGE)
                CHECK_STR(d[i].perm, "AB");
        }
        CHECK_INT(per[0], 10);
        CHECK(per[1] >= 1);
        CHECK(per[2] >= 5);
    }
}

TEST(short_bank_and_bad_input)
{
    draw_question_t *b = bank30();
    unsigned char s[PAPER_SEED_LEN] = { 0 };
    drawn_question_t d[40];
    draw_entry_t short_cat[] = { { "法", 11 } };
    CHECK_INT(paper_draw(s, b, 30, short_cat, 1, d, 40), 0);
    draw_entry_t twice[] = { { "法", 6 }, { "法", 5 } };
    CHECK_INT(paper_draw(s, b, 30, twice, 2, d, 40), 0);
    draw_entry_t none[] = { { "无", 1 } };
    CHECK_INT(paper_draw(s, b, 30, none, 1, d, 40), 0);
    draw_entry_t all[] = { { "*", 31 } };
    CHECK_INT(paper_draw(s, b, 30, all, 1, d, 40), 0);
    draw_entry_t neg[] = { { "法", -1 } };
    CHECK_INT(paper_draw(s, b, 30, neg, 1, d, 40), -1);
    draw_entry_t big[] = { { "*", 30 } };
    CHECK_INT(paper_draw(s, b, 30, big, 1, d, 29), -1);
    CHECK_INT(paper_draw(s, b, 30, big, 1, d, 30), 30);
    draw_question_t dup[2] = { { 5, "法", PQ_SINGLE, 4 }, { 5, "法", PQ_SINGLE, 4 } };
    draw_entry_t one[] = { { "法", 1 } };
    CHECK_INT(paper_draw(s, dup, 2, one, 1, d, 40), -1);
    draw_question_t seven[1] = { { 5, "法", PQ_SINGLE, 7 } };
    CHECK_INT(paper_draw(s, seven, 1, one, 1, d, 40), -1);
    CHECK_INT(paper_draw(s, b, 30, NULL, 0, d, 40), 0);
}

/* Every question of a category is picked about equally often, and every
 * option order of a 4-option question appears about equally often. */
TEST(close_to_uniform)
{
    draw_question_t b[10];
    for (int i = 0; i < 10; i++)
        b[i] = (draw_question_t){ i + 1, "法", PQ_SINGLE, 4 };
    draw_entry_t spec[] = { { "法", 3 } };
    int picks[10] = { 0 }, first[4] = { 0 };
    const int runs = 20000;
    drawn_question_t d[3];
    for (int n = 0; n < runs; n++) {
        unsigned char s[PAPER_SEED_LEN];
        seed_of(n, s);
        s[2] = 0x5a;
        CHECK_INT(paper_draw(s, b, 10, spec, 1, d, 3), 3);
        for (int i = 0; i < 3; i++)
            picks[d[i].id - 1]++;
        first[d[0].perm[0] - 'A']++;
    }
    /* expected 6000 picks each (3 of 10), 5000 first letters each; a
     * binomial's standard deviation is about 65 and 61: 6 sigma bounds */
    for (int i = 0; i < 10; i++)
        CHECK(picks[i] > 6000 - 400 && picks[i] < 6000 + 400);
    for (int k = 0; k < 4; k++)
        CHECK(first[k] > 5000 - 370 && first[k] < 5000 + 370);
}

int main(void)
{
    RUN(same_seed_same_paper_other_seed_other_paper);
    RUN(counts_per_category_no_repeats_grouped_by_type);
    RUN(short_bank_and_bad_input);
    RUN(close_to_uniform);
    return check_summary();
}
