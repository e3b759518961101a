/* test_cert_serial.c: rules/cert_serial — serials from an HMAC. */
#include "tests/unit/check.h"
#include "rules/cert_serial.h"

TEST(serial_is_hmac_and_checks)
{
    const unsigned char key[32] = "0123456789abcdef0123456789abcdef";
    const unsigned char other[32] = "fedcba9876543210fedcba9876543210";
    char s[CERT_SERIAL_LEN + 1], t[CERT_SERIAL_LEN + 1];
    CHECK_INT(rules_cert_serial(key, 32, 2, 77, s), 0);
    CHECK(rules_cert_serial_format(s));
    /* HMAC-SHA256(key, "cert-v1:2:77"), first 12 bytes, computed independently with Python's hmac. */
    CHECK_STR(s, "855ea3018ca0a62663b7b777");
    CHECK(rules_cert_serial_check(key, 32, s, 2, 77));
    CHECK(!rules_cert_serial_check(key, 32, s, 2, 78));
    CHECK(!rules_cert_serial_check(key, 32, s, 3, 77));
    CHECK(!rules_cert_serial_check(other, 32, s, 2, 77));
    CHECK_INT(rules_cert_serial(key, 32, 2, 78, t), 0);
    CHECK(strcmp(s, t) != 0);
    s[0] = s[0] == 'a' ? 'b' : 'a';
    CHECK(!rules_cert_serial_check(key, 32, s, 2, 77));
    CHECK(!rules_cert_serial_format("855EA3018CA0A62663B7B777"));
    CHECK(!rules_cert_serial_format("855ea3018ca0a62663b7b77"));
    CHECK(!rules_cert_serial_format(NULL));
    CHECK(!rules_cert_serial_check(key, 32, "../../etc/passwd", 2, 77));
}

int main(void)
{
    RUN(serial_is_hmac_and_checks);
    return check_summary();
}
