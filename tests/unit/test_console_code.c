/* test_console_code.c: rules/console_code — spelling and reading back the
 * unit admin's one-time console code. */
#include "tests/unit/check.h"
#include "rules/console_code.h"

TEST(make_uses_five_bits_per_symbol)
{
    char out[CONSOLE_CODE_LEN + 1];
    unsigned char zero[5] = { 0 }, ones[5] = { 0xff, 0xff, 0xff, 0xff, 0xff };
    rules_console_code_make(zero, out);
    CHECK_STR(out, "22222222");
    rules_console_code_make(ones, out);
    CHECK_STR(out, "ZZZZZZZZ");
    /* 0x08 0x86 0x42 0x98 0xe8 = 00001 00010 00011 00100 00101 00110 00111 01000 */
    unsigned char seq[5] = { 0x08, 0x86, 0x42, 0x98, 0xe8 };
    rules_console_code_make(seq, out);
    CHECK_STR(out, "3456789A");
}

TEST(alphabet_has_no_look_alikes)
{
    const char *a = CONSOLE_CODE_ALPHABET;
    CHECK_INT(strlen(a), 32);
    CHECK(!strchr(a, '0') && !strchr(a, 'O') && !strchr(a, '1') && !strchr(a, 'I'));
}

TEST(every_made_code_normalizes_to_itself)
{
    char out[CONSOLE_CODE_LEN + 1], back[CONSOLE_CODE_LEN + 1];
    unsigned char rnd[5];
    for (int i = 0; i < 2000; i++) {
        for (int k = 0; k < 5; k++)
            rnd[k] = (unsigned char)(i * 37 + k * 101 + (i >> 3));
        rules_console_code_make(rnd, out);
        CHECK_INT(rules_console_code_normalize(out, back), 0);
        CHECK_STR(back, out);
    }
}

TEST(normalize_accepts_what_people_type)
{
    char out[CONSOLE_CODE_LEN + 1];
    CHECK_INT(rules_console_code_normalize("abcd-efgh", out), 0);
    CHECK_STR(out, "ABCDEFGH");
    CHECK_INT(rules_console_code_normalize(" AB CD EF GH ", out), 0);
    CHECK_STR(out, "ABCDEFGH");
    CHECK_INT(rules_console_code_normalize("k7m2-x9p3", out), 0);
    CHECK_STR(out, "K7M2X9P3");
}

TEST(normalize_refuses_the_rest)
{
    char out[CONSOLE_CODE_LEN + 1];
    const char *bad[] = { NULL, "", "ABCDEFG", "ABCDEFGHJ", "ABCDEFG0", "ABCDEFGO",
                          "ABCDEFG1", "ABCDEFGI", "ABCD_EFG", "ABCDEFG\xc3\xa9", "----" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        strcpy(out, "junk");
        CHECK_INT(rules_console_code_normalize(bad[i], out), -1);
        CHECK_STR(out, "");
    }
}

int main(void)
{
    RUN(make_uses_five_bits_per_symbol);
    RUN(alphabet_has_no_look_alikes);
    RUN(every_made_code_normalizes_to_itself);
    RUN(normalize_accepts_what_people_type);
    RUN(normalize_refuses_the_rest);
    return check_summary();
}
