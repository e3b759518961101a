/* test_db_ids.c: db_ids_json — ids for a group's locking read, ascending,
 * each once, whatever order and repeats they come in. */
#include "tests/unit/check.h"
#include "server/db.h"

TEST(ascending_each_once)
{
    arena_t a;
    arena_init(&a);
    long long ids[] = { 42, 7, 42, 9000000000000000000LL, 7, 1 };
    CHECK_STR(db_ids_json(&a, ids, 6), "[1,7,42,9000000000000000000]");
    long long one[] = { 5 };
    CHECK_STR(db_ids_json(&a, one, 1), "[5]");
    CHECK_STR(db_ids_json(&a, NULL, 0), "[]");
    long long neg[] = { 3, -2 };
    CHECK_STR(db_ids_json(&a, neg, 2), "[-2,3]");
    arena_free(&a);
}

int main(void)
{
    RUN(ascending_each_once);
    return check_summary();
}
