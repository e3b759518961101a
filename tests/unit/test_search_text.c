/* test_search_text.c: rules/search_text — folding and the keyword's bigrams. */
#include "tests/unit/check.h"
#include "rules/search_text.h"

TEST(fold)
{
    char out[64];
    CHECK_INT(rules_search_fold("长治市上党区水利局", out, sizeof out), 9);
    CHECK_STR(out, "长治市上党区水利局");
    CHECK_INT(rules_search_fold("ＡＢＣ水务（集团）", out, sizeof out), 9);
    CHECK_STR(out, "abc水务(集团)");
    CHECK_INT(rules_search_fold("  Water\xe3\x80\x80\xe3\x80\x80" "Co  ", out, sizeof out), 8);
    CHECK_STR(out, "water co");
    CHECK_INT(rules_search_fold("%_", out, sizeof out), 2);
    CHECK_STR(out, "%_");
    CHECK_INT(rules_search_fold("", out, sizeof out), 0);
    CHECK_STR(out, "");
    CHECK_INT(rules_search_fold("   ", out, sizeof out), 0);
    CHECK_INT(rules_search_fold("水\xe5\xb1", out, sizeof out), -1);
    CHECK_STR(out, "");
    CHECK_INT(rules_search_fold(NULL, out, sizeof out), -1);
    CHECK_INT(rules_search_fold("水利局", out, 9), -1);          /* 9 bytes + NUL */
    CHECK_INT(rules_search_fold("水利局", out, 10), 3);
}

TEST(grams_short)
{
    char g[RULES_SEARCH_GRAMS][RULES_GRAM_SIZE];
    CHECK_INT(rules_search_grams("水", g), 0);
    CHECK_INT(rules_search_grams("", g), 0);
    CHECK_INT(rules_search_grams(NULL, g), 0);
    CHECK_INT(rules_search_grams("水\xe5", g), 0);
    CHECK_INT(rules_search_grams("水利", g), 1);
    CHECK_STR(g[0], "水利");
    CHECK_INT(rules_search_grams("上党区水利", g), 4);
    CHECK_STR(g[0], "上党");
    CHECK_STR(g[1], "党区");
    CHECK_STR(g[2], "区水");
    CHECK_STR(g[3], "水利");
    CHECK_INT(rules_search_grams("a%", g), 1);
    CHECK_STR(g[0], "a%");
}

TEST(grams_long_and_duplicates)
{
    char g[RULES_SEARCH_GRAMS][RULES_GRAM_SIZE];
    /* 9 code points, 8 bigrams: picks 0, 2, 4, 7 */
    CHECK_INT(rules_search_grams("长治市上党区水利局", g), 4);
    CHECK_STR(g[0], "长治");
    CHECK_STR(g[1], "市上");
    CHECK_STR(g[2], "党区");
    CHECK_STR(g[3], "利局");
    /* repeated bigrams count once */
    CHECK_INT(rules_search_grams("水水水", g), 1);
    CHECK_STR(g[0], "水水");
    CHECK_INT(rules_search_grams("水利水利", g), 2);
    CHECK_STR(g[0], "水利");
    CHECK_STR(g[1], "利水");
    /* a supplementary code point is one character of a bigram */
    CHECK_INT(rules_search_grams("\xf0\xa0\xae\xb7水", g), 1);
    CHECK_STR(g[0], "\xf0\xa0\xae\xb7水");
}

int main(void)
{
    RUN(fold);
    RUN(grams_short);
    RUN(grams_long_and_duplicates);
    return check_summary();
}
