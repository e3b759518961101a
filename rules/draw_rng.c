/* draw_rng.c: see draw_rng.h. */
#include "rules/draw_rng.h"

#include <mbedtls/md.h>
#include <stdint.h>
#include <string.h>

int rules_draw_rng_init(draw_rng_t *g, const unsigned char *seed, size_t seedlen, const char *public_value)
{
    size_t pvlen = public_value ? strlen(public_value) : 0;
    if (seedlen < DRAW_SEED_MIN || seedlen > DRAW_SEED_MAX || pvlen > DRAW_PUBLIC_VALUE_MAX)
        return -1;
    unsigned char material[13 + 4 + DRAW_SEED_MAX + DRAW_PUBLIC_VALUE_MAX];
    size_t n = 0;
    memcpy(material, DRAW_ALGORITHM, 13);
    n = 13;
    material[n++] = (unsigned char)(seedlen >> 24);
    material[n++] = (unsigned char)(seedlen >> 16);
    material[n++] = (unsigned char)(seedlen >> 8);
    material[n++] = (unsigned char)seedlen;
    memcpy(material + n, seed, seedlen);
    n += seedlen;
    if (pvlen)
        memcpy(material + n, public_value, pvlen);
    n += pvlen;
    mbedtls_hmac_drbg_init(&g->drbg);
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
    if (!md || mbedtls_hmac_drbg_seed_buf(&g->drbg, md, material, n) != 0) {
        mbedtls_hmac_drbg_free(&g->drbg);
        return -1;
    }
    return 0;
}

int rules_draw_rng_index(void *ctx, size_t n, size_t *out)
{
    draw_rng_t *g = ctx;
    if (n == 0)
        return -1;
    /* 2^64 mod n, computed without 2^64: (2^64 - n) mod n. */
    uint64_t rem = (uint64_t)(0 - (uint64_t)n) % (uint64_t)n;
    for (;;) {
        unsigned char b[8];
        if (mbedtls_hmac_drbg_random(&g->drbg, b, sizeof b) != 0)
            return -1;
        uint64_t x = 0;
        for (int i = 0; i < 8; i++)
            x = (x << 8) | b[i];
        /* limit = 2^64 - rem; x >= limit  <=>  x > UINT64_MAX - rem. */
        if (rem && x > UINT64_MAX - rem)
            continue;
        *out = (size_t)(x % (uint64_t)n);
        return 0;
    }
}

void rules_draw_rng_free(draw_rng_t *g)
{
    mbedtls_hmac_drbg_free(&g->drbg);
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int rules_hex_decode(const char *s, unsigned char *out, size_t cap)
{
    if (!s)
        return -1;
    size_t len = strlen(s);
    if (len % 2 || len / 2 > cap)
        return -1;
    for (size_t i = 0; i < len / 2; i++) {
        int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return (int)(len / 2);
}
