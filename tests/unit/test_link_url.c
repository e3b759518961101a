/* test_link_url.c: rules/link_url — links organizers publish. */
#include "tests/unit/check.h"
#include "rules/link_url.h"

#include <string.h>

TEST(accepted)
{
    CHECK_INT(rules_link_url_valid("https://www.mwr.gov.cn/"), 1);
    CHECK_INT(rules_link_url_valid("http://example.org/a.pdf?x=1&y=%E4%B8%AD#p2"), 1);
    CHECK_INT(rules_link_url_valid("https://x"), 1);
}

TEST(refused)
{
    CHECK_INT(rules_link_url_valid(NULL), 0);
    CHECK_INT(rules_link_url_valid(""), 0);
    CHECK_INT(rules_link_url_valid("https://"), 0);
    CHECK_INT(rules_link_url_valid("https:///path"), 0);
    CHECK_INT(rules_link_url_valid("javascript:alert(1)"), 0);
    CHECK_INT(rules_link_url_valid("HTTPS://example.org/"), 0);
    CHECK_INT(rules_link_url_valid("ftp://example.org/"), 0);
    CHECK_INT(rules_link_url_valid("//example.org/"), 0);
    CHECK_INT(rules_link_url_valid("https://example.org/a b"), 0);
    CHECK_INT(rules_link_url_valid("https://example.org/\"onmouseover=x"), 0);
    CHECK_INT(rules_link_url_valid("https://example.org/<script>"), 0);
    CHECK_INT(rules_link_url_valid("https://example.org/\x7f"), 0);
    CHECK_INT(rules_link_url_valid("https://例子.org/"), 0);     /* punycode it */
    CHECK_INT(rules_link_url_valid("https://example.org/\n"), 0);
}

TEST(length)
{
    char u[LINK_URL_MAX + 2];
    memcpy(u, "https://x.org/", 14);
    memset(u + 14, 'a', sizeof u - 15);
    u[LINK_URL_MAX] = '\0';
    CHECK_INT(rules_link_url_valid(u), 1);
    u[LINK_URL_MAX] = 'a';
    u[LINK_URL_MAX + 1] = '\0';
    CHECK_INT(rules_link_url_valid(u), 0);
}

int main(void)
{
    RUN(accepted);
    RUN(refused);
    RUN(length);
    return check_summary();
}
