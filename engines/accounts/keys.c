/* keys.c: sub-keys of the sealing key (see accounts.h).
 *
 * sub-key(purpose) = HMAC-SHA256(phone_key, "quizd:" purpose); a MAC under
 * it cannot be made without the sealing key, which lives only in the
 * server's configuration (never in Redis or MariaDB). */
#include "engines/accounts/accounts.h"
#include "engines/accounts/seal.h"
#include "lib/crypto.h"

#include <stdio.h>
#include <string.h>

int accounts_mac_hex(const char *purpose, const char *msg, size_t len, char out[65])
{
    const unsigned char *key = seal_key();
    if (!key)
        return -1;
    char label[64], sub[65];
    snprintf(label, sizeof label, "quizd:%s", purpose);
    if (crypto_hmac_sha256_hex((const char *)key, 32, label, strlen(label), sub) < 0)
        return -1;
    int rc = crypto_hmac_sha256_hex(sub, 64, msg, len, out);
    explicit_bzero(sub, sizeof sub);
    return rc < 0 ? -1 : 0;
}

int accounts_phone_hash(const char *phone, char out[65])
{
    /* digits only: "+86 138-1234-5678" and "13812345678" are one number */
    char digits[32];
    size_t n = 0;
    for (const char *p = phone; *p && n < sizeof digits - 1; p++)
        if (*p >= '0' && *p <= '9')
            digits[n++] = *p;
    digits[n] = '\0';
    if (n == 13 && strncmp(digits, "86", 2) == 0)
        memmove(digits, digits + 2, 12);
    return accounts_mac_hex("phone", digits, strlen(digits), out);
}
