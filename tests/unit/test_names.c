/* test_names.c: rules/names — real names and free-text fields. */
#include "tests/unit/check.h"
#include "rules/names.h"

TEST(real_names_accepted)
{
    CHECK(rules_real_name_valid("张三"));
    CHECK(rules_real_name_valid("欧阳娜娜"));
    CHECK(rules_real_name_valid("阿卜杜拉·买买提"));
    CHECK(rules_real_name_valid("迪丽热巴·迪力木拉提"));
    CHECK(rules_real_name_valid("李㐀"));                   /* Extension A */
    CHECK(rules_real_name_valid("吉\xf0\xa0\xae\xb7"));     /* U+20BB7, Extension B */
    CHECK(rules_real_name_valid("John"));
    CHECK(rules_real_name_valid("John·Smith"));
    CHECK(rules_real_name_valid("Li"));
    /* exactly 20 */
    CHECK(rules_real_name_valid("一二三四五六七八九十一二三四五六七八九十"));
}

TEST(real_names_refused)
{
    CHECK(!rules_real_name_valid(NULL));
    CHECK(!rules_real_name_valid(""));
    CHECK(!rules_real_name_valid("张"));                    /* too short */
    CHECK(!rules_real_name_valid("J"));
    CHECK(!rules_real_name_valid("一二三四五六七八九十一二三四五六七八九十一")); /* 21 */
    CHECK(!rules_real_name_valid("·张三"));
    CHECK(!rules_real_name_valid("张三·"));
    CHECK(!rules_real_name_valid("张··三"));
    CHECK(!rules_real_name_valid("··"));
    CHECK(!rules_real_name_valid("张 三"));
    CHECK(!rules_real_name_valid(" 张三"));                 /* not trimmed here */
    CHECK(!rules_real_name_valid("John Smith"));
    CHECK(!rules_real_name_valid("张•三"));                 /* U+2022 */
    CHECK(!rules_real_name_valid("张・三"));                 /* U+30FB */
    CHECK(!rules_real_name_valid("张.三"));
    CHECK(!rules_real_name_valid("张三1"));
    CHECK(!rules_real_name_valid("Ｊｏｈｎ"));               /* full-width letters */
    CHECK(!rules_real_name_valid("张三\xf0\x9f\x98\x80"));  /* emoji */
    CHECK(!rules_real_name_valid("张\xe2\x80\x8b三"));      /* zero-width space */
    CHECK(!rules_real_name_valid("张三\n"));
    CHECK(!rules_real_name_valid("\x01张三"));
    CHECK(!rules_real_name_valid("张\xe4\xb8"));            /* invalid UTF-8 */
    CHECK(!rules_real_name_valid("张\xc0\x80三"));          /* overlong NUL */
    CHECK(!rules_real_name_valid("张\xed\xa0\x80"));        /* surrogate */
    CHECK(!rules_real_name_valid("Robert'); DROP TABLE students;--"));
    CHECK(!rules_real_name_valid("<script>"));
    CHECK(!rules_real_name_valid("李\xf0\xaa\x9c\x80"));    /* U+2A700, Extension C: not in the brief */
    CHECK(!rules_real_name_valid("〇一"));                   /* U+3007 is not in the ranges */
}

TEST(text_field_trims_and_counts)
{
    char out[512];
    CHECK_INT(rules_text_field("  水利局  ", 2, 100, out, sizeof out), 3);
    CHECK_STR(out, "水利局");
    CHECK_INT(rules_text_field("\xe3\x80\x80水利局\xe3\x80\x80 ", 2, 100, out, sizeof out), 3);
    CHECK_STR(out, "水利局");
    CHECK_INT(rules_text_field("\t某某市水利局\r\n", 2, 100, out, sizeof out), 6);
    CHECK_STR(out, "某某市水利局");
    CHECK_INT(rules_text_field("水利 局", 2, 100, out, sizeof out), 4);   /* inner space kept */
    CHECK_STR(out, "水利 局");
    CHECK_INT(rules_text_field("水利\xe3\x80\x80局", 2, 100, out, sizeof out), 4);
    CHECK_INT(rules_text_field("Acme Water Co., Ltd.", 2, 100, out, sizeof out), 20);
    CHECK_INT(rules_text_field("\xf0\xa0\x80\x80水利", 2, 100, out, sizeof out), 3); /* Ext B */
    CHECK_INT(rules_text_field("\xe2\x98\x80水利", 2, 100, out, sizeof out), 3);     /* BMP symbol U+2600 */
    CHECK_INT(rules_text_field("   ", 0, 10, out, sizeof out), 0);
    CHECK_STR(out, "");
    CHECK_INT(rules_text_field("", 0, 10, out, sizeof out), 0);
}

TEST(text_field_lengths)
{
    char in[512], out[512];
    CHECK_INT(rules_text_field("局", 2, 100, out, sizeof out), -1);
    CHECK_STR(out, "");
    CHECK_INT(rules_text_field("  局  ", 2, 100, out, sizeof out), -1);   /* spaces do not count */
    CHECK_INT(rules_text_field("   ", 1, 10, out, sizeof out), -1);
    in[0] = '\0';
    for (int i = 0; i < 100; i++)
        strcat(in, "水");
    CHECK_INT(rules_text_field(in, 2, 100, out, sizeof out), 100);
    CHECK_INT(strlen(out), 300);
    strcat(in, "水");
    CHECK_INT(rules_text_field(in, 2, 100, out, sizeof out), -1);
    /* out too small for the trimmed text (9 bytes) and its NUL */
    char small[9];
    CHECK_INT(rules_text_field("水利局", 2, 100, small, 9), -1);
    CHECK_STR(small, "");
    char fits[10];
    CHECK_INT(rules_text_field("水利局", 2, 100, fits, sizeof fits), 3);
}

TEST(text_field_refuses)
{
    char out[256];
    CHECK_INT(rules_text_field(NULL, 0, 10, out, sizeof out), -1);
    CHECK_INT(rules_text_field("abc", 0, 10, NULL, 10), -1);
    CHECK_INT(rules_text_field("水利\t局", 2, 100, out, sizeof out), -1);
    CHECK_INT(rules_text_field("水利\n局", 2, 100, out, sizeof out), -1);
    CHECK_INT(rules_text_field("水利\x01局", 2, 100, out, sizeof out), -1);
    CHECK_INT(rules_text_field("水利\x7f局", 2, 100, out, sizeof out), -1);
    CHECK_INT(rules_text_field("水利\xc2\x85局", 2, 100, out, sizeof out), -1);     /* C1 NEL */
    CHECK_INT(rules_text_field("水利局\xf0\x9f\x98\x80", 2, 100, out, sizeof out), -1); /* emoji */
    CHECK_INT(rules_text_field("水利局\xf0\x9f\x87\xa8\xf0\x9f\x87\xb3", 2, 100, out, sizeof out), -1); /* flag */
    CHECK_INT(rules_text_field("水利\xe2\x80\x8b局", 2, 100, out, sizeof out), -1);  /* ZWSP */
    CHECK_INT(rules_text_field("abc\xe2\x80\xaexe.doc", 2, 100, out, sizeof out), -1); /* RLO */
    CHECK_INT(rules_text_field("\xef\xbb\xbf水利局", 2, 100, out, sizeof out), -1);  /* BOM */
    CHECK_INT(rules_text_field("水利\xe2\x80\xa8局", 2, 100, out, sizeof out), -1);  /* U+2028 */
    CHECK_INT(rules_text_field("水利\xee\x80\x80局", 2, 100, out, sizeof out), -1);  /* private use */
    CHECK_INT(rules_text_field("水利\xef\xbf\xbf局", 2, 100, out, sizeof out), -1);  /* U+FFFF */
    CHECK_INT(rules_text_field("水利\xe5\xb1", 2, 100, out, sizeof out), -1);        /* invalid UTF-8 */
    CHECK_INT(rules_text_field("水利\xc0\xaf", 2, 100, out, sizeof out), -1);        /* overlong '/' */
    CHECK_INT(rules_text_field("\xed\xa0\x80水利", 2, 100, out, sizeof out), -1);    /* surrogate */
    CHECK_STR(out, "");
}

TEST(text_field_sql_looking_text_is_just_text)
{
    char out[256];
    const char *s = "x'); DROP TABLE units;-- \"<b>\"";
    CHECK_INT(rules_text_field(s, 2, 100, out, sizeof out), (long long)strlen(s));
    CHECK_STR(out, s);
}

int main(void)
{
    RUN(real_names_accepted);
    RUN(real_names_refused);
    RUN(text_field_trims_and_counts);
    RUN(text_field_lengths);
    RUN(text_field_refuses);
    RUN(text_field_sql_looking_text_is_just_text);
    return check_summary();
}
