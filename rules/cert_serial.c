/* cert_serial.c: see cert_serial.h. */
#include "rules/cert_serial.h"

#include <mbedtls/md.h>
#include <stdio.h>
#include <string.h>

int rules_cert_serial(const unsigned char *key, size_t keylen, long long contest_id, long long user_id,
                      char out[CERT_SERIAL_LEN + 1])
{
    char msg[64];
    int n = snprintf(msg, sizeof msg, "cert-v1:%lld:%lld", contest_id, user_id);
    unsigned char mac[32];
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
    if (!key || !md || mbedtls_md_hmac(md, key, keylen, (const unsigned char *)msg, (size_t)n, mac) != 0)
        return -1;
    for (int i = 0; i < CERT_SERIAL_LEN / 2; i++)
        snprintf(out + 2 * i, 3, "%02x", mac[i]);
    return 0;
}

int rules_cert_serial_format(const char *s)
{
    return s && strlen(s) == CERT_SERIAL_LEN && strspn(s, "0123456789abcdef") == CERT_SERIAL_LEN;
}

int rules_cert_serial_check(const unsigned char *key, size_t keylen, const char *serial, long long contest_id,
                            long long user_id)
{
    char want[CERT_SERIAL_LEN + 1];
    if (!rules_cert_serial_format(serial) || rules_cert_serial(key, keylen, contest_id, user_id, want) < 0)
        return 0;
    unsigned char d = 0;
    for (int i = 0; i < CERT_SERIAL_LEN; i++)
        d |= (unsigned char)(want[i] ^ serial[i]);
    return d == 0;
}
