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

/* Sub-keys are derived once per thread and purpose, not on every MAC:
 * a few purposes exist. */
#define SUBKEY_SLOTS 8
static __thread struct {
    char purpose[32];
    char sub[65];
} subkeys[SUBKEY_SLOTS];

static const char *subkey(const char *purpose)
{
    int i;
    if (strlen(purpose) >= sizeof subkeys[0].purpose)
        return NULL;
    for (i = 0; i < SUBKEY_SLOTS && subkeys[i].purpose[0]; i++)
        if (strcmp(subkeys[i].purpose, purpose) == 0)
            return subkeys[i].sub;
    const unsigned char *key = seal_key();
    if (!key || i == SUBKEY_SLOTS)
        return NULL;
    char label[64];
    snprintf(label, sizeof label, "quizd:%s", purpose);
    if (crypto_hmac_sha256_hex((const char *)key, 32, label, strlen(label), subkeys[i].sub) < 0)
        return NULL;
    memcpy(subkeys[i].purpose, purpose, strlen(purpose) + 1);
    return subkeys[i].sub;
}

int accounts_mac_hex(const char *purpose, const char *msg, size_t len, char out[65])
{
    const char *sub = subkey(purpose);
    char once[65];
    if (!sub) {
        /* more purposes than slots: derive it for this call only */
        const unsigned char *key = seal_key();
        char label[64];
        snprintf(label, sizeof label, "quizd:%s", purpose);
        if (!key || crypto_hmac_sha256_hex((const char *)key, 32, label, strlen(label), once) < 0)
            return -1;
        sub = once;
    }
    int rc = crypto_hmac_sha256_hex(sub, 64, msg, len, out);
    explicit_bzero(once, sizeof once);
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
