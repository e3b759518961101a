/* test_bank_find.c: engines/quiz/bank.h's quiz_bank_find, the lookup a
 * submit scores through: every id of the bank found at its index, every
 * other id (between, before, after, negative) not found, an empty bank. */
#include "tests/unit/check.h"
#include "engines/quiz/bank.h"

#include <stdlib.h>

/* A bank of n questions with the ids given (ascending, as bank.c loads). */
static quiz_bank_t *bank_of(const long long *ids, size_t n)
{
    quiz_bank_t *b = calloc(1, sizeof *b);
    b->q = calloc(n + 1, sizeof *b->q);
    b->n = n;
    for (size_t i = 0; i < n; i++)
        b->q[i].id = ids[i];
    return b;
}

static void bank_drop(quiz_bank_t *b)
{
    free(b->q);
    free(b);
}

TEST(every_id_is_found_at_its_index)
{
    static const long long ids[] = { 3, 5, 9, 200, 201, 5000, 1LL << 40 };
    size_t n = sizeof ids / sizeof *ids;
    for (size_t len = 1; len <= n; len++) {   /* odd and even lengths */
        quiz_bank_t *b = bank_of(ids, len);
        for (size_t i = 0; i < len; i++)
            CHECK_INT(quiz_bank_find(b, ids[i]), (long long)i);
        bank_drop(b);
    }
}

TEST(other_ids_are_not_found)
{
    static const long long ids[] = { 3, 5, 9, 200 };
    quiz_bank_t *b = bank_of(ids, 4);
    static const long long missing[] = { 0, 1, 4, 6, 8, 10, 199, 201, -3, 1LL << 40 };
    for (size_t i = 0; i < sizeof missing / sizeof *missing; i++)
        CHECK_INT(quiz_bank_find(b, missing[i]), -1);
    bank_drop(b);
}

TEST(an_empty_bank_holds_nothing)
{
    quiz_bank_t *b = bank_of(NULL, 0);
    CHECK_INT(quiz_bank_find(b, 1), -1);
    CHECK_INT(quiz_bank_find(b, 0), -1);
    bank_drop(b);
}

TEST(a_large_bank)
{
    enum { N = 10007 };
    long long *ids = malloc(sizeof *ids * N);
    for (size_t i = 0; i < N; i++)
        ids[i] = 7 + 3 * (long long)i;
    quiz_bank_t *b = bank_of(ids, N);
    int wrong = 0;
    for (size_t i = 0; i < N; i++)
        wrong += quiz_bank_find(b, ids[i]) != (long long)i || quiz_bank_find(b, ids[i] + 1) != -1;
    CHECK_INT(wrong, 0);
    CHECK_INT(quiz_bank_find(b, 6), -1);
    CHECK_INT(quiz_bank_find(b, ids[N - 1] + 3), -1);
    bank_drop(b);
    free(ids);
}

int main(void)
{
    RUN(every_id_is_found_at_its_index);
    RUN(other_ids_are_not_found);
    RUN(an_empty_bank_holds_nothing);
    RUN(a_large_bank);
    return check_summary();
}
