/* test_eligibility.c: rules/eligibility — audience, registration deadline
 * per contest, review policy. */
#include "tests/unit/check.h"
#include "rules/eligibility.h"

#define DL 1717603199LL   /* 2024-06-05 23:59:59 +08:00 */

TEST(audience)
{
    CHECK_INT(rules_audience_admits("all", "staff"), 1);
    CHECK_INT(rules_audience_admits("all", "five_into"), 1);
    CHECK_INT(rules_audience_admits("staff", "staff"), 1);
    CHECK_INT(rules_audience_admits("staff", "five_into"), 0);
    CHECK_INT(rules_audience_admits("all", "other"), 0);
    CHECK_INT(rules_audience_admits("all", NULL), 0);
    /* unknown audiences admit the narrowest group */
    CHECK_INT(rules_audience_admits("everyone", "five_into"), 0);
    CHECK_INT(rules_audience_admits(NULL, "five_into"), 0);
    CHECK_INT(rules_audience_admits(NULL, "staff"), 1);
}

TEST(may_answer)
{
    CHECK_INT(rules_may_answer("staff", "staff", DL, DL), ELIG_OK);          /* the last second */
    CHECK_INT(rules_may_answer("staff", "staff", DL + 1, DL), ELIG_TOO_LATE);
    CHECK_INT(rules_may_answer("staff", "staff", 0, DL), ELIG_OK);
    CHECK_INT(rules_may_answer("staff", "five_into", 0, DL), ELIG_NOT_IN_AUDIENCE);
    /* audience first: a late five-into member is told they are not in it */
    CHECK_INT(rules_may_answer("staff", "five_into", DL + 100, DL), ELIG_NOT_IN_AUDIENCE);
    CHECK_INT(rules_may_answer("all", "five_into", DL, DL), ELIG_OK);
    CHECK_INT(rules_may_answer("all", "five_into", DL + 1, DL), ELIG_TOO_LATE);
}

TEST(review)
{
    CHECK_INT(rules_review_open("after_submit", 100, 50), 1);
    CHECK_INT(rules_review_open("after_end", 100, 50), 0);
    CHECK_INT(rules_review_open("after_end", 100, 100), 0);   /* the last second still counts as open */
    CHECK_INT(rules_review_open("after_end", 100, 101), 1);
    CHECK_INT(rules_review_open("bogus", 100, 50), 0);
    CHECK_INT(rules_review_open(NULL, 100, 50), 0);
    CHECK_INT(rules_review_open(NULL, 100, 101), 1);
}

int main(void)
{
    RUN(audience);
    RUN(may_answer);
    RUN(review);
    return check_summary();
}
