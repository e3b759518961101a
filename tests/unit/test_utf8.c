/* test_utf8.c: lib/utf8 strictness, counting and control detection. */
#include "tests/unit/check.h"
#include "lib/utf8.h"

static int valid(const char *s)
{
    return rules_utf8_valid(s, strlen(s));
}

/* Encodes any value below 2^21 the way a naive encoder would (surrogates
 * included), so the decoder can be checked on every code point. */
static int encode(uint32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) { o[0] = (unsigned char)cp; return 1; }
    if (cp < 0x800) { o[0] = (unsigned char)(0xC0 | cp >> 6); o[1] = (unsigned char)(0x80 | (cp & 63)); return 2; }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | cp >> 12); o[1] = (unsigned char)(0x80 | (cp >> 6 & 63));
        o[2] = (unsigned char)(0x80 | (cp & 63)); return 3;
    }
    o[0] = (unsigned char)(0xF0 | cp >> 18); o[1] = (unsigned char)(0x80 | (cp >> 12 & 63));
    o[2] = (unsigned char)(0x80 | (cp >> 6 & 63)); o[3] = (unsigned char)(0x80 | (cp & 63));
    return 4;
}

TEST(accepts_well_formed)
{
    CHECK(valid(""));
    CHECK(valid("plain ascii"));
    CHECK(valid("张三丰"));
    CHECK(valid("\xc2\xb7"));               /* U+00B7 */
    CHECK(valid("\xf0\xa0\x80\x80"));       /* U+20000 */
    CHECK(valid("\xf0\x9f\x98\x80"));       /* U+1F600 (valid UTF-8; policy is elsewhere) */
    CHECK(valid("\xed\x9f\xbf"));           /* U+D7FF */
    CHECK(valid("\xee\x80\x80"));           /* U+E000 */
    CHECK(valid("\xf4\x8f\xbf\xbf"));       /* U+10FFFF */
    CHECK(rules_utf8_valid("a\0b", 3));     /* NUL is a code point */
    CHECK(rules_utf8_valid(NULL, 0));
    CHECK(!rules_utf8_valid(NULL, 1));
}

TEST(rejects_overlong_surrogate_out_of_range_truncated)
{
    CHECK(!valid("\xc0\x80"));              /* overlong NUL */
    CHECK(!valid("\xc1\xbf"));
    CHECK(!valid("\xe0\x80\x80"));
    CHECK(!valid("\xe0\x9f\xbf"));          /* overlong U+07FF */
    CHECK(!valid("\xf0\x80\x80\x80"));
    CHECK(!valid("\xf0\x8f\xbf\xbf"));      /* overlong U+FFFF */
    CHECK(!valid("\xed\xa0\x80"));          /* U+D800 */
    CHECK(!valid("\xed\xbf\xbf"));          /* U+DFFF */
    CHECK(!valid("\xed\xa0\xbd\xed\xb8\x80")); /* CESU-8 pair */
    CHECK(!valid("\xf4\x90\x80\x80"));      /* U+110000 */
    CHECK(!valid("\xf5\x80\x80\x80"));
    CHECK(!valid("\xff"));
    CHECK(!valid("\xfe\xff"));
    CHECK(!valid("\x80"));                  /* lone continuation */
    CHECK(!valid("\xe4\xb8"));              /* 中 cut short */
    CHECK(!valid("\xe4\xb8" "a"));
    CHECK(!rules_utf8_valid("\xe4\xb8\xad", 2)); /* len bounds the read */
    CHECK(!valid("ok\xe4"));
}

TEST(decode_values)
{
    uint32_t cp = 0;
    CHECK_INT(rules_utf8_decode("A", 1, &cp), 1);
    CHECK_INT(cp, 'A');
    CHECK_INT(rules_utf8_decode("\xe4\xb8\xad", 3, &cp), 3);
    CHECK_INT(cp, 0x4E2D);
    CHECK_INT(rules_utf8_decode("\xf0\xa0\x80\x80", 4, &cp), 4);
    CHECK_INT(cp, 0x20000);
    CHECK_INT(rules_utf8_decode("\xc0\x80", 2, &cp), -1);
    CHECK_INT(cp, 0xFFFD);
    CHECK_INT(rules_utf8_decode("", 0, &cp), -1);
    CHECK_INT(rules_utf8_decode(NULL, 3, NULL), -1);
}

TEST(every_code_point)
{
    int wrong = 0;
    char buf[4];
    for (uint32_t c = 0; c < 0x110000; c++) {
        int n = encode(c, buf);
        uint32_t got;
        int r = rules_utf8_decode(buf, (size_t)n, &got);
        int surrogate = c >= 0xD800 && c <= 0xDFFF;
        if (surrogate ? r != -1 : (r != n || got != c))
            wrong++;
        if (n > 1 && rules_utf8_decode(buf, (size_t)n - 1, NULL) != -1)
            wrong++;                        /* every truncation refused */
    }
    /* every value above U+10FFFF in a 4-byte form is refused */
    for (uint32_t c = 0x110000; c < 0x200000; c += 0x101)
        if (rules_utf8_decode(buf, (size_t)encode(c, buf), NULL) != -1)
            wrong++;
    CHECK_INT(wrong, 0);
}

TEST(count)
{
    CHECK_INT(rules_utf8_count(""), 0);
    CHECK_INT(rules_utf8_count("abc"), 3);
    CHECK_INT(rules_utf8_count("张三"), 2);
    CHECK_INT(rules_utf8_count("a中\xf0\x9f\x98\x80"), 3);
    CHECK_INT(rules_utf8_count("\xff\xfe"), 2);
    CHECK_INT(rules_utf8_count("\xe4\xb8"), 2);
    CHECK_INT(rules_utf8_count(NULL), 0);
}

TEST(controls)
{
    CHECK(!rules_has_control("张三 abc"));
    CHECK(!rules_has_control(""));
    CHECK(!rules_has_control(NULL));
    CHECK(rules_has_control("a\tb"));
    CHECK(rules_has_control("a\n"));
    CHECK(rules_has_control("\r"));
    CHECK(rules_has_control("\x01"));
    CHECK(rules_has_control("\x1b[31m"));
    CHECK(rules_has_control("del\x7f"));
    CHECK(rules_has_control("\xc2\x80"));   /* U+0080 */
    CHECK(rules_has_control("nel\xc2\x85"));/* U+0085 */
    CHECK(rules_has_control("\xc2\x9f"));
    CHECK(!rules_has_control("\xc2\xa0"));  /* NBSP is not Cc */
    CHECK(!rules_has_control("\xc2"));      /* truncated: not judged here */
}

int main(void)
{
    RUN(accepts_well_formed);
    RUN(rejects_overlong_surrogate_out_of_range_truncated);
    RUN(decode_values);
    RUN(every_code_point);
    RUN(count);
    RUN(controls);
    return check_summary();
}
