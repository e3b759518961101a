/* draw_rng.h: the draw's deterministic random choice, reimplementable by
 * anyone from the published seed and public value (README "The draw").
 *
 * Algorithm "quizd-draw-v1":
 *   seed material = "quizd-draw-v1" (13 ASCII bytes)
 *                 || seed length as 4 bytes big-endian || seed bytes
 *                 || public value (its UTF-8 bytes, as entered)
 *   HMAC_DRBG with SHA-256 (NIST SP 800-90A, mbedTLS's hmac_drbg), instantiated
 *   with that material alone (no nonce, no personalization string), never
 *   reseeded, no additional input.
 *   An index in [0, n): generate 8 bytes, read them as a big-endian unsigned
 *   64-bit x; with limit = 2^64 - (2^64 mod n), reject x >= limit and
 *   generate again (so every index is equally likely); else index = x mod n.
 * Each "generate" is one HMAC_DRBG Generate call of 8 bytes. */
#ifndef RULES_DRAW_RNG_H
#define RULES_DRAW_RNG_H

#include <mbedtls/hmac_drbg.h>
#include <stddef.h>

#define DRAW_ALGORITHM "quizd-draw-v1"
#define DRAW_SEED_MIN 16
#define DRAW_SEED_MAX 64
#define DRAW_PUBLIC_VALUE_MAX 200

typedef struct {
    mbedtls_hmac_drbg_context drbg;
} draw_rng_t;

/* Returns 0, or -1 when seedlen is outside [DRAW_SEED_MIN, DRAW_SEED_MAX] or
 * the public value is longer than DRAW_PUBLIC_VALUE_MAX bytes (nothing to free). */
int rules_draw_rng_init(draw_rng_t *g, const unsigned char *seed, size_t seedlen, const char *public_value);
/* Unbiased index in [0, n) into *out (n >= 1). Returns 0 or -1. Matches
 * prize_pick_fn (prize_alloc.h) with ctx = the draw_rng_t. */
int rules_draw_rng_index(void *g, size_t n, size_t *out);
void rules_draw_rng_free(draw_rng_t *g);

/* Hex (lower or upper case, even length) into bytes. Returns the byte count
 * or -1 when s is not hex or longer than 2 * cap. */
int rules_hex_decode(const char *s, unsigned char *out, size_t cap);

#endif
