/* test_region_code.c: rules/region_code — GB/T 2260 code shapes. */
#include "tests/unit/check.h"
#include "rules/region_code.h"

TEST(levels)
{
    char out[7];
    CHECK_INT(rules_region_code_parse("140000", out), 1);
    CHECK_STR(out, "140000");
    CHECK_INT(rules_region_code_parse("140400", out), 2);
    CHECK_STR(out, "140400");
    CHECK_INT(rules_region_code_parse("140404", out), 3);
    CHECK_STR(out, "140404");
    CHECK_INT(rules_region_code_parse("110101", out), 3);   /* 东城区 under 110100 */
    CHECK_INT(rules_region_code_parse("469001", out), 3);   /* province-administered county */
    CHECK_INT(rules_region_code_parse("820000", out), 1);
}

TEST(refused)
{
    static const char *const bad[] = {
        "", "14040", "1404041", "14040a", " 140404", "140404 ", "14 404",
        "-14040", "+14040", "000000", "001234", "140004", "140010",
        "１４０４０４", "0x1404",
    };
    int accepted = 0;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char out[7] = "junk";
        if (rules_region_code_parse(bad[i], out) != -1 || out[0] != '\0') {
            accepted++;
            fprintf(stderr, "  accepted: \"%s\"\n", bad[i]);
        }
    }
    CHECK_INT(accepted, 0);
    char out[7];
    CHECK_INT(rules_region_code_parse(NULL, out), -1);
    CHECK_INT(rules_region_code_parse("140404", NULL), -1);
}

TEST(parents)
{
    char p[7], c[7];
    rules_region_parents("140404", p, c);
    CHECK_STR(p, "140000");
    CHECK_STR(c, "140400");
    rules_region_parents("140400", p, c);
    CHECK_STR(p, "140000");
    CHECK_STR(c, "140400");
    rules_region_parents("140000", p, c);
    CHECK_STR(p, "140000");
    CHECK_STR(c, "");
    rules_region_parents("110101", p, c);
    CHECK_STR(p, "110000");
    CHECK_STR(c, "110100");
    rules_region_parents("140004", p, c);
    CHECK_STR(p, "");
    CHECK_STR(c, "");
    rules_region_parents(NULL, p, c);
    CHECK_STR(p, "");
    rules_region_parents("140404", NULL, c);
    CHECK_STR(c, "140400");
}

int main(void)
{
    RUN(levels);
    RUN(refused);
    RUN(parents);
    return check_summary();
}
