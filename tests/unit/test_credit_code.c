/* test_credit_code.c: rules/credit_code — GB 32100-2015 check character. */
#include "tests/unit/check.h"
#include "rules/credit_code.h"

static const char charset[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

static int ok(const char *s)
{
    char out[19];
    return rules_credit_code_normalize(s, out) == 0;
}

TEST(valid_codes)
{
    char out[19];
    CHECK_INT(rules_credit_code_normalize("9144030071526726XG", out), 0);
    CHECK_STR(out, "9144030071526726XG");
    CHECK_INT(rules_credit_code_normalize("12100000400010398P", out), 0);
    CHECK_STR(out, "12100000400010398P");
    /* check characters at both ends of the wrap: 0 ((31 - 0) % 31) and Y (30) */
    CHECK(ok("9133010000000000W0"));
    CHECK(ok("91330100000000007Y"));
    CHECK(ok("5211000000000000T0"));
}

TEST(normalised_case_and_spaces)
{
    char out[19];
    CHECK_INT(rules_credit_code_normalize("9144030071526726xg", out), 0);
    CHECK_STR(out, "9144030071526726XG");
    CHECK_INT(rules_credit_code_normalize("  12100000400010398p  ", out), 0);
    CHECK_STR(out, "12100000400010398P");
}

TEST(wrong_check_character)
{
    char out[19] = "junk";
    CHECK_INT(rules_credit_code_normalize("9144030071526726XH", out), -1);
    CHECK_STR(out, "");
    CHECK(!ok("12100000400010398Q"));
    CHECK(!ok("9144030071526727XG"));   /* body changed */

    /* every single substitution and every adjacent transposition in the
     * body is caught: the weights are distinct and non-zero mod 31 */
    char code[19];
    int missed = 0;
    for (int i = 0; i < 17; i++) {
        for (int v = 0; v < 31; v++) {
            memcpy(code, "9144030071526726XG", 19);
            if (code[i] == charset[v])
                continue;
            code[i] = charset[v];
            missed += ok(code);
        }
        if (i < 16) {
            memcpy(code, "9144030071526726XG", 19);
            char t = code[i];
            code[i] = code[i + 1];
            code[i + 1] = t;
            if (code[i] != code[i + 1])
                missed += ok(code);
        }
    }
    CHECK_INT(missed, 0);
}

TEST(forbidden_letters)
{
    const char *bad = "IOSVZiosvz";
    char code[19];
    int accepted = 0;
    for (const char *b = bad; *b; b++) {
        memcpy(code, "9144030071526726XG", 19);
        code[16] = *b;                    /* in the body */
        accepted += ok(code);
        memcpy(code, "9144030071526726XG", 19);
        code[17] = *b;                    /* as the check character */
        accepted += ok(code);
        memcpy(code, "9144030071526726XG", 19);
        code[0] = *b;
        accepted += ok(code);
    }
    CHECK_INT(accepted, 0);
}

TEST(wrong_lengths_and_characters)
{
    CHECK(!ok(NULL));
    CHECK(!ok(""));
    CHECK(!ok("                  "));
    CHECK(!ok("9144030071526726X"));      /* 17 */
    CHECK(!ok("9144030071526726XGG"));    /* 19 */
    CHECK(!ok("09144030071526726XG"));
    CHECK(!ok("914403007152672 6XG"));    /* inner space */
    CHECK(!ok("91440300-71526726XG"));
    CHECK(!ok("9144030071526726XG\n"));
    CHECK(!ok("\t9144030071526726XG"));
    /* full-width digits and letters are refused, not converted */
    CHECK(!ok("９１４４０３００７１５２６７２６ＸＧ"));
    CHECK(!ok("9144030071526726ＸＧ"));
    CHECK(!ok("9144030071526726X\xc7"));
    /* the whole string counts, however many spaces pad it */
    char padded[128];
    memset(padded, ' ', sizeof padded);
    memcpy(padded, "9144030071526726XG", 18);
    memcpy(padded + 120, "junk\0", 5);
    CHECK(!ok(padded));
    padded[120] = '\0';
    CHECK(ok(padded));
    char out[19];
    CHECK_INT(rules_credit_code_normalize("9144030071526726XG", NULL), -1);
    CHECK_INT(rules_credit_code_normalize(NULL, out), -1);
    CHECK_STR(out, "");
}

int main(void)
{
    RUN(valid_codes);
    RUN(normalised_case_and_spaces);
    RUN(wrong_check_character);
    RUN(forbidden_letters);
    RUN(wrong_lengths_and_characters);
    return check_summary();
}
