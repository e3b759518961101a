/* test_attempt.c: rules/attempt.c — shuffles, and letters shown <-> bank. */
#include "rules/attempt.h"
#include "rules/score.h"
#include "tests/unit/check.h"

#include <stdlib.h>

TEST(shuffle_is_a_permutation_and_uses_every_order)
{
    char perm[7];
    int seen[24] = { 0 };
    uint32_t rnd[6];
    srand(7);
    for (int n = 0; n < 2400; n++) {
        for (int i = 0; i < 6; i++)
            rnd[i] = (uint32_t)rand() * 2654435761u ^ (uint32_t)rand();
        CHECK_INT(attempt_shuffle(4, 0, rnd, perm), 0);
        CHECK(attempt_perm_valid(perm));
        CHECK_INT(strlen(perm), 4);
        /* index of the permutation among the 24 */
        int idx = 0, used = 0;
        for (int i = 0; i < 4; i++) {
            int k = perm[i] - 'A', smaller = 0;
            for (int j = 0; j < k; j++)
                smaller += !(used & (1 << j));
            used |= 1 << k;
            idx = idx * (4 - i) + smaller;
        }
        seen[idx]++;
    }
    for (int i = 0; i < 24; i++)
        CHECK(seen[i] > 50 && seen[i] < 170);   /* 100 expected each */
}

TEST(shuffle_keep_order_and_bounds)
{
    char perm[7];
    CHECK_INT(attempt_shuffle(2, 1, NULL, perm), 0);
    CHECK_STR(perm, "AB");
    uint32_t rnd[6] = { 5, 4, 3, 2, 1, 0 };
    CHECK_INT(attempt_shuffle(0, 0, rnd, perm), -1);
    CHECK_STR(perm, "");
    CHECK_INT(attempt_shuffle(7, 0, rnd, perm), -1);
    CHECK_INT(attempt_shuffle(3, 0, NULL, perm), -1);
    CHECK_INT(attempt_shuffle(6, 0, rnd, perm), 0);
    CHECK(attempt_perm_valid(perm));
}

TEST(perm_valid)
{
    CHECK(attempt_perm_valid("AB"));
    CHECK(attempt_perm_valid("CADB"));
    CHECK(attempt_perm_valid("FEDCBA"));
    CHECK(!attempt_perm_valid("A"));        /* one option is no question */
    CHECK(!attempt_perm_valid("ABB"));
    CHECK(!attempt_perm_valid("ABD"));      /* D is not among three */
    CHECK(!attempt_perm_valid("abc"));
    CHECK(!attempt_perm_valid("ABCDEFG"));
    CHECK(!attempt_perm_valid(""));
    CHECK(!attempt_perm_valid(NULL));
}

TEST(choice_to_bank)
{
    char out[7];
    const char *why = NULL;
    const char *ca[] = { "C", "A" };
    /* shown C = bank A, shown A = bank B */
    CHECK_INT(attempt_choice_to_bank("BDAC", 1, ca, 2, out, &why), 0);
    CHECK_STR(out, "AB");
    const char *one[] = { "B" };
    CHECK_INT(attempt_choice_to_bank("BDAC", 0, one, 1, out, &why), 0);
    CHECK_STR(out, "D");
    CHECK_INT(attempt_choice_to_bank("BDAC", 0, one, 0, out, &why), 0);   /* unanswered */
    CHECK_STR(out, "");
    /* refusals, each with a reason */
    const char *e[] = { "E" }, *low[] = { "a" }, *two[] = { "AB" }, *dup[] = { "A", "A" }, *nul[] = { NULL };
    CHECK_INT(attempt_choice_to_bank("BDAC", 1, e, 1, out, &why), -1);
    CHECK(why && *why);
    CHECK_STR(out, "");
    CHECK_INT(attempt_choice_to_bank("BDAC", 1, low, 1, out, &why), -1);
    CHECK_INT(attempt_choice_to_bank("BDAC", 1, two, 1, out, &why), -1);
    CHECK_INT(attempt_choice_to_bank("BDAC", 1, dup, 2, out, &why), -1);
    CHECK_INT(attempt_choice_to_bank("BDAC", 1, nul, 1, out, &why), -1);
    CHECK_INT(attempt_choice_to_bank("BDAC", 0, ca, 2, out, &why), -1);   /* single takes one */
    const char *c[] = { "C" };
    CHECK_INT(attempt_choice_to_bank("AB", 0, c, 1, out, &why), -1);      /* judge: A or B */
    const char *many[] = { "A", "B", "C", "D", "E" };
    CHECK_INT(attempt_choice_to_bank("BDAC", 1, many, 5, out, &why), -1);
    CHECK_INT(attempt_choice_to_bank("BAD!", 1, ca, 2, out, NULL), -1);
}

TEST(bank_to_shown_round_trip)
{
    char shown[7], back[7];
    CHECK_INT(attempt_bank_to_shown("BDAC", "AC", shown), 0);
    CHECK_STR(shown, "CD");
    const char *letters[] = { "C", "D" };
    CHECK_INT(attempt_choice_to_bank("BDAC", 1, letters, 2, back, NULL), 0);
    CHECK_STR(back, "AC");
    CHECK(rules_choice_correct(back, "AC") == 1);
    CHECK_INT(attempt_bank_to_shown("AB", "B", shown), 0);
    CHECK_STR(shown, "B");
    CHECK_INT(attempt_bank_to_shown("BDAC", "E", shown), -1);
    CHECK_STR(shown, "");
    CHECK_INT(attempt_bank_to_shown("BDAC", "", shown), 0);
    CHECK_STR(shown, "");
    /* every permutation of 4 and every answer set round-trips */
    char perm[7];
    uint32_t rnd[6];
    for (unsigned seed = 0; seed < 200; seed++) {
        for (int i = 0; i < 6; i++)
            rnd[i] = seed * 2654435761u + (uint32_t)i * 40503u;
        attempt_shuffle(5, 0, rnd, perm);
        for (unsigned set = 1; set < 32; set++) {
            char key[7];
            int n = 0;
            for (int k = 0; k < 5; k++)
                if (set & (1u << k))
                    key[n++] = (char)('A' + k);
            key[n] = 0;
            CHECK_INT(attempt_bank_to_shown(perm, key, shown), 0);
            const char *ls[6];
            char one[6][2];
            for (int k = 0; shown[k]; k++) {
                one[k][0] = shown[k];
                one[k][1] = 0;
                ls[k] = one[k];
            }
            CHECK_INT(attempt_choice_to_bank(perm, 1, ls, strlen(shown), back, NULL), 0);
            CHECK_STR(back, key);
        }
    }
}

int main(void)
{
    RUN(shuffle_is_a_permutation_and_uses_every_order);
    RUN(shuffle_keep_order_and_bounds);
    RUN(perm_valid);
    RUN(choice_to_bank);
    RUN(bank_to_shown_round_trip);
    return check_summary();
}
