/* crypto.c: see crypto.h for the contracts. */
#include "lib/crypto.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <mbedtls/aes.h>
#include <mbedtls/base64.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/gcm.h>
#include <mbedtls/md.h>
#include <mbedtls/platform_util.h>

#define GCM_NONCE_LEN 12
#define GCM_TAG_LEN 16

static const char hexdigits[] = "0123456789abcdef";

void crypto_hex_encode(const unsigned char *in, size_t n, char *out)
{
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = hexdigits[in[i] >> 4];
        out[2 * i + 1] = hexdigits[in[i] & 15];
    }
    out[2 * n] = '\0';
}

/* Standard base64, '=' padded, nothing else (no whitespace, no
 * base64url).  mbedTLS alone would skip some whitespace and line breaks;
 * we want exactly one spelling of each value.  Returns 0 and a malloc'd
 * buffer (at least 1 byte even when empty), CRYPTO_EINPUT or
 * CRYPTO_ENOMEM. */
int crypto_b64_decode(const char *s, size_t maxchars, unsigned char **out, size_t *outlen)
{
    *out = NULL;
    *outlen = 0;
    if (!s)
        return CRYPTO_EINPUT;
    size_t n = strnlen(s, maxchars + 1);
    if (n > maxchars || n % 4 != 0)
        return CRYPTO_EINPUT;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                 (c >= '0' && c <= '9') || c == '+' || c == '/';
        if (!ok) {
            /* '=' only as the last one or two characters */
            if (c != '=' || i < n - 2 || (i == n - 2 && s[n - 1] != '='))
                return CRYPTO_EINPUT;
        }
    }
    size_t cap = n / 4 * 3 + 1;
    unsigned char *buf = malloc(cap);
    if (!buf)
        return CRYPTO_ENOMEM;
    size_t olen = 0;
    if (mbedtls_base64_decode(buf, cap, &olen, (const unsigned char *)s, n) != 0) {
        free(buf);
        return CRYPTO_EINPUT;
    }
    *out = buf;
    *outlen = olen;
    return 0;
}

/* Decodes base64 that must be exactly want bytes into out. */
int crypto_b64_decode_exact(const char *s, unsigned char *out, size_t want)
{
    unsigned char *buf;
    size_t n;
    int rc = crypto_b64_decode(s, 4 * ((want + 2) / 3), &buf, &n);
    if (rc != 0)
        return rc;
    if (n != want) {
        mbedtls_platform_zeroize(buf, n);
        free(buf);
        return CRYPTO_EINPUT;
    }
    memcpy(out, buf, want);
    mbedtls_platform_zeroize(buf, n);
    free(buf);
    return 0;
}

static char *b64_encode(const unsigned char *in, size_t n)
{
    size_t cap = 4 * ((n + 2) / 3) + 1, olen = 0;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    if (mbedtls_base64_encode((unsigned char *)out, cap, &olen, in, n) != 0) {
        free(out);
        return NULL;
    }
    out[olen] = '\0';
    return out;
}

/* ---- hashes ------------------------------------------------------------ */

int crypto_hmac_sha256_hex(const char *key, size_t klen, const void *msg, size_t mlen,
                       char out_hex[65])
{
    if (!out_hex)
        return CRYPTO_EINPUT;
    out_hex[0] = '\0';
    if ((!key && klen) || (!msg && mlen))
        return CRYPTO_EINPUT;
    const mbedtls_md_info_t *info = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
    unsigned char dig[32];
    static const unsigned char empty[1];
    if (!info || mbedtls_md_hmac(info, key ? (const unsigned char *)key : empty, klen,
                                 msg ? msg : empty, mlen, dig) != 0)
        return CRYPTO_EINTERNAL;
    crypto_hex_encode(dig, sizeof dig, out_hex);
    return 0;
}

int crypto_sha256_hex(const void *data, size_t len, char out_hex[65])
{
    if (!out_hex)
        return CRYPTO_EINPUT;
    out_hex[0] = '\0';
    if (!data && len)
        return CRYPTO_EINPUT;
    const mbedtls_md_info_t *info = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
    unsigned char dig[32];
    static const unsigned char empty[1];
    if (!info || mbedtls_md(info, data ? data : empty, len, dig) != 0)
        return CRYPTO_EINTERNAL;
    crypto_hex_encode(dig, sizeof dig, out_hex);
    return 0;
}

int crypto_hex_equal(const char *a, const char *b)
{
    if (!a || !b)
        return 0;
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb)
        return 0;
    unsigned char diff = 0;
    for (size_t i = 0; i < la; i++)
        diff |= (unsigned char)(a[i] ^ b[i]);
    return diff == 0;
}

/* ---- random ------------------------------------------------------------ */

/* One DRBG per thread: no lock on the hot path, and a worker that dies
 * takes its state with it (the key's destructor frees it).  A fork()ed
 * child would otherwise replay its parent's stream, so the atfork handler
 * bumps a generation that forces a reseed. */
struct crypto_rng {
    int seeded;
    unsigned gen;
    mbedtls_entropy_context entropy;
    mbedtls_ctr_drbg_context drbg;
};

static __thread struct crypto_rng tls_rng;
static pthread_once_t rng_once = PTHREAD_ONCE_INIT;
static pthread_key_t rng_key;
static int rng_key_ok;
static unsigned rng_fork_gen;

static void rng_after_fork_child(void)
{
    __atomic_add_fetch(&rng_fork_gen, 1, __ATOMIC_RELAXED);
}

static void rng_free(struct crypto_rng *r)
{
    if (r->seeded) {
        mbedtls_ctr_drbg_free(&r->drbg);
        mbedtls_entropy_free(&r->entropy);
        r->seeded = 0;
    }
}

static void rng_thread_exit(void *p)
{
    rng_free(p);
}

static void rng_init_once(void)
{
    rng_key_ok = pthread_key_create(&rng_key, rng_thread_exit) == 0;
    pthread_atfork(NULL, NULL, rng_after_fork_child);
}

static struct crypto_rng *rng_get(void)
{
    struct crypto_rng *r = &tls_rng;
    unsigned gen = __atomic_load_n(&rng_fork_gen, __ATOMIC_RELAXED);
    if (r->seeded && r->gen == gen)
        return r;

    pthread_once(&rng_once, rng_init_once);
    rng_free(r);
    mbedtls_entropy_init(&r->entropy);
    mbedtls_ctr_drbg_init(&r->drbg);
    /* The personalisation string only separates threads and processes;
     * the security rests on the entropy source. */
    char pers[96];
    int plen = snprintf(pers, sizeof pers, "wx_random:%p:%ld:%u", (void *)r, (long)getpid(), gen);
    if (plen < 0 || (size_t)plen >= sizeof pers)
        plen = 0;
    if (mbedtls_ctr_drbg_seed(&r->drbg, mbedtls_entropy_func, &r->entropy,
                              (const unsigned char *)pers, (size_t)plen) != 0) {
        mbedtls_ctr_drbg_free(&r->drbg);
        mbedtls_entropy_free(&r->entropy);
        return NULL;
    }
    r->seeded = 1;
    r->gen = gen;
    if (rng_key_ok)
        pthread_setspecific(rng_key, r);
    return r;
}

int crypto_random_bytes(void *buf, size_t len)
{
    if (!buf && len)
        return CRYPTO_EINPUT;
    struct crypto_rng *r = rng_get();
    unsigned char *p = buf;
    size_t left = len;
    while (r && left) {
        size_t n = left < MBEDTLS_CTR_DRBG_MAX_REQUEST ? left : MBEDTLS_CTR_DRBG_MAX_REQUEST;
        if (mbedtls_ctr_drbg_random(&r->drbg, p, n) != 0)
            r = NULL;
        p += n;
        left -= n;
    }
    if (!r) {
        if (len)
            memset(buf, 0, len);
        return CRYPTO_ERANDOM;
    }
    return 0;
}

int crypto_random_token(char *out, size_t outsz)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    if (!out || outsz < CRYPTO_TOKEN_SIZE) {
        if (out && outsz)
            out[0] = '\0';
        return CRYPTO_EINPUT;
    }
    out[0] = '\0';
    unsigned char b[33];                /* 32 random bytes + a zero tail for the last group */
    if (crypto_random_bytes(b, 32) != 0)
        return CRYPTO_ERANDOM;
    b[32] = 0;
    size_t o = 0;
    for (size_t i = 0; i < 33; i += 3) {
        uint32_t v = (uint32_t)b[i] << 16 | (uint32_t)b[i + 1] << 8 | b[i + 2];
        out[o++] = alphabet[(v >> 18) & 63];
        out[o++] = alphabet[(v >> 12) & 63];
        out[o++] = alphabet[(v >> 6) & 63];
        out[o++] = alphabet[v & 63];
    }
    /* 32 bytes = 256 bits = 42 whole sextets + 4 bits: 43 characters */
    out[CRYPTO_TOKEN_LEN] = '\0';
    mbedtls_platform_zeroize(b, sizeof b);
    return 0;
}

/* ---- sealing ----------------------------------------------------------- */

int crypto_seal(const unsigned char key[32], const char *plain, char **out_b64)
{
    if (!out_b64)
        return CRYPTO_EINPUT;
    *out_b64 = NULL;
    if (!key || !plain)
        return CRYPTO_EINPUT;
    size_t n = strnlen(plain, CRYPTO_SEAL_MAX_PLAIN + 1);
    if (n > CRYPTO_SEAL_MAX_PLAIN)
        return CRYPTO_EINPUT;

    size_t total = GCM_NONCE_LEN + n + GCM_TAG_LEN;
    unsigned char *buf = malloc(total);
    if (!buf)
        return CRYPTO_ENOMEM;
    if (crypto_random_bytes(buf, GCM_NONCE_LEN) != 0) {
        free(buf);
        return CRYPTO_ERANDOM;
    }

    mbedtls_gcm_context gcm;
    mbedtls_gcm_init(&gcm);
    int mrc = mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, key, 256);
    if (mrc == 0)
        mrc = mbedtls_gcm_crypt_and_tag(&gcm, MBEDTLS_GCM_ENCRYPT, n, buf, GCM_NONCE_LEN,
                                        NULL, 0, (const unsigned char *)plain,
                                        buf + GCM_NONCE_LEN, GCM_TAG_LEN,
                                        buf + GCM_NONCE_LEN + n);
    mbedtls_gcm_free(&gcm);
    if (mrc != 0) {
        free(buf);
        return CRYPTO_EINTERNAL;
    }
    char *b64 = b64_encode(buf, total);
    free(buf);
    if (!b64)
        return CRYPTO_ENOMEM;
    *out_b64 = b64;
    return 0;
}

int crypto_open(const unsigned char key[32], const char *sealed_b64, char **out_plain)
{
    if (!out_plain)
        return CRYPTO_EINPUT;
    *out_plain = NULL;
    if (!key || !sealed_b64)
        return CRYPTO_EINPUT;

    unsigned char *buf;
    size_t total;
    size_t maxchars = 4 * ((GCM_NONCE_LEN + CRYPTO_SEAL_MAX_PLAIN + GCM_TAG_LEN + 2) / 3);
    int rc = crypto_b64_decode(sealed_b64, maxchars, &buf, &total);
    if (rc != 0)
        return rc;
    if (total < GCM_NONCE_LEN + GCM_TAG_LEN) {
        free(buf);
        return CRYPTO_EINPUT;
    }
    size_t n = total - GCM_NONCE_LEN - GCM_TAG_LEN;
    unsigned char *pt = malloc(n + 1);
    if (!pt) {
        free(buf);
        return CRYPTO_ENOMEM;
    }

    mbedtls_gcm_context gcm;
    mbedtls_gcm_init(&gcm);
    int mrc = mbedtls_gcm_setkey(&gcm, MBEDTLS_CIPHER_ID_AES, key, 256);
    if (mrc == 0)
        mrc = mbedtls_gcm_auth_decrypt(&gcm, n, buf, GCM_NONCE_LEN, NULL, 0,
                                       buf + GCM_NONCE_LEN + n, GCM_TAG_LEN,
                                       buf + GCM_NONCE_LEN, pt);
    mbedtls_gcm_free(&gcm);
    free(buf);
    if (mrc == 0 && memchr(pt, '\0', n))
        mrc = -1;
    if (mrc != 0) {
        mbedtls_platform_zeroize(pt, n + 1);
        free(pt);
        return CRYPTO_EDECRYPT;
    }
    pt[n] = '\0';
    *out_plain = (char *)pt;
    return 0;
}

/* ---- hex --------------------------------------------------------------- */

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

int crypto_hex_decode(const char *hex, unsigned char *out, size_t outlen)
{
    if (!out)
        return CRYPTO_EINPUT;
    if (!hex || outlen > SIZE_MAX / 2 || strnlen(hex, 2 * outlen + 1) != 2 * outlen) {
        memset(out, 0, outlen);
        return CRYPTO_EINPUT;
    }
    for (size_t i = 0; i < outlen; i++) {
        int hi = hexval((unsigned char)hex[2 * i]);
        int lo = hexval((unsigned char)hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            memset(out, 0, outlen);
            return CRYPTO_EINPUT;
        }
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return 0;
}
