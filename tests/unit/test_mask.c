/* test_mask.c: rules/mask — how names and phones appear in public lists. */
#include "tests/unit/check.h"
#include "rules/mask.h"

static const char *mn(const char *name)
{
    static char out[128];
    rules_mask_name(name, out, sizeof out);
    return out;
}

static const char *mp(const char *phone)
{
    static char out[64];
    rules_mask_phone(phone, out, sizeof out);
    return out;
}

TEST(names_table)
{
    static const char *const cases[][2] = {
        { "张三", "张*" },
        { "张三丰", "张**" },
        { "欧阳修", "欧阳*" },
        { "欧阳娜娜", "欧阳**" },
        { "司马光", "司马*" },
        { "诸葛亮", "诸葛*" },
        { "上官婉儿", "上官**" },
        { "慕容复", "慕容*" },
        { "令狐冲", "令狐*" },
        { "东方不败", "东方**" },
        { "申屠嘉", "申屠*" },
        { "司马", "司*" },             /* two characters: surname 司 */
        { "欧阳", "欧*" },
        { "王", "王*" },               /* single character */
        { "李𠮷", "李*" },
        { "吉\xf0\xa0\xae\xb7祥", "吉**" },
        { "阿卜杜拉·买买提", "阿*******" },
        { "John", "J***" },
        { "John·Smith", "J*********" },
        { "li", "l*" },
        { "J", "J*" },
        { "", "*" },
        { "\xff\xfe", "*" },           /* invalid UTF-8 never echoed */
        { "张\xe4\xb8", "*" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_STR(mn(cases[i][0]), cases[i][1]);
    CHECK_STR(mn(NULL), "*");
}

TEST(name_small_buffers)
{
    char out[8];
    rules_mask_name("欧阳娜娜", out, 8);     /* 6 + 1 star + NUL */
    CHECK_STR(out, "欧阳*");
    rules_mask_name("欧阳娜娜", out, 7);
    CHECK_STR(out, "欧阳");
    rules_mask_name("欧阳娜娜", out, 3);     /* surname does not fit: none of it */
    CHECK_STR(out, "**");
    rules_mask_name("张三", out, 1);
    CHECK_STR(out, "");
    out[0] = 'x';
    rules_mask_name("张三", out, 0);         /* nothing written */
    CHECK(out[0] == 'x');
}

TEST(phones)
{
    static const char *const cases[][2] = {
        { "13812345678", "138****5678" },
        { "+8613812345678", "138****5678" },
        { "+86 138 1234 5678", "138****5678" },
        { "+86-138-1234-5678", "138****5678" },
        { "8613812345678", "138****5678" },
        { "86 13812345678", "138****5678" },
        { "035112345678", "035*****5678" },   /* 12-digit landline */
        { "+1 415 555 0100", "141****0100" }, /* foreign, not stripped */
        { "0351123456", "035*****56" },       /* 10 */
        { "86123456", "861***56" },           /* 86 kept: not a mobile */
        { "123456", "123*56" },
        { "12345", "*****" },
        { "1", "*" },
        { "+86", "****" },
        { "", "****" },
        { "abc", "****" },
        { "138123456780000000000000000000000000000", "****" }, /* absurdly long */
        { "13812345678x", "****" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        CHECK_STR(mp(cases[i][0]), cases[i][1]);
    CHECK_STR(mp(NULL), "****");
    char small[5];
    rules_mask_phone("13812345678", small, sizeof small);
    CHECK_STR(small, "138*");
}

TEST(erased_name_is_shown_as_it_is)
{
    CHECK_STR(mn(RULES_ERASED_NAME), "已注销");
    CHECK_STR(mn("已注"), "已*");
}

int main(void)
{
    RUN(erased_name_is_shown_as_it_is);
    RUN(names_table);
    RUN(name_small_buffers);
    RUN(phones);
    return check_summary();
}
