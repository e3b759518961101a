/* crypto.h: the general cryptography, over mbedTLS: the process's one
 * random source (a per-thread CTR-DRBG) and bearer tokens from it,
 * SHA-256 and HMAC-SHA256 as hex, AES-256-GCM sealing of small secrets at
 * rest, strict base64 and hex. (WeChat's own open-data decryption is
 * wx/wx_crypto.h.)
 *
 * Every function returns 0 on success and one of the negative CRYPTO_E*
 * codes on failure; on failure every output pointer is set to NULL and every
 * output buffer to an empty string, so callers never see half a result.
 * Nothing here logs, and no error code says more than its name. */
#ifndef LIB_CRYPTO_H
#define LIB_CRYPTO_H

#include <stddef.h>

#define CRYPTO_EINPUT   (-1) /* bad base64 or hex, wrong key/iv length, NULL, oversized */
#define CRYPTO_EDECRYPT (-2) /* bad padding, bad tag, ciphertext not a whole number of blocks */
#define CRYPTO_EJSON    (-3) /* plaintext is not a JSON object (or has duplicate keys) */
#define CRYPTO_EAPPID   (-4) /* watermark.appid missing or not ours */
#define CRYPTO_ENOMEM   (-5)
#define CRYPTO_ERANDOM  (-6) /* the DRBG could not be seeded or failed */
#define CRYPTO_EINTERNAL (-7) /* mbedTLS refused a call that should not fail */

/* HMAC-SHA256(key, msg) as 64 lower-case hex digits + NUL.  For the
 * checksession / setUserStorage signature the key is the session_key
 * string exactly as WeChat sent it (base64 text, not decoded) and msg is
 * the empty string.  Returns 0 or CRYPTO_EINPUT / _EINTERNAL. */
int crypto_hmac_sha256_hex(const char *key, size_t klen, const void *msg, size_t mlen,
                       char out_hex[65]);

/* SHA-256 as 64 lower-case hex digits + NUL.  Returns 0 or an error. */
int crypto_sha256_hex(const void *data, size_t len, char out_hex[65]);

/* Fills buf with len bytes from this thread's CTR-DRBG (seeded lazily from
 * the OS entropy source on first use, again after fork()).  Returns 0 or
 * CRYPTO_ERANDOM (buf is then zeroed). */
int crypto_random_bytes(void *buf, size_t len);

/* Writes 32 random bytes as base64url without padding: 43 characters of
 * [A-Za-z0-9_-] and a NUL.  outsz must be at least CRYPTO_TOKEN_SIZE.
 * Returns 0, CRYPTO_EINPUT (outsz too small) or CRYPTO_ERANDOM. */
#define CRYPTO_TOKEN_LEN 43
#define CRYPTO_TOKEN_SIZE (CRYPTO_TOKEN_LEN + 1)
int crypto_random_token(char *out, size_t outsz);

/* Seals a small NUL-terminated secret (at most CRYPTO_SEAL_MAX_PLAIN bytes)
 * with AES-256-GCM under key and a fresh random 12-byte nonce.  Sets
 * *out_b64 to malloc'd standard base64 of nonce(12) | ciphertext | tag(16).
 * The same plaintext seals differently every time, so sealed values cannot
 * be compared or indexed; store a keyed hash beside them if lookup is
 * needed.  Returns 0 or CRYPTO_EINPUT / _ERANDOM / _ENOMEM / _EINTERNAL. */
#define CRYPTO_SEAL_MAX_PLAIN 4096
int crypto_seal(const unsigned char key[32], const char *plain, char **out_b64);

/* Opens what crypto_seal produced under the same key: checks the tag, then sets
 * *out_plain to a malloc'd NUL-terminated plaintext.  Returns 0,
 * CRYPTO_EINPUT (not base64, too short or too long), CRYPTO_EDECRYPT
 * (wrong key or tampered: the tag does not verify, or the plaintext holds
 * a NUL byte) or CRYPTO_ENOMEM. */
int crypto_open(const unsigned char key[32], const char *sealed_b64, char **out_plain);

/* Decodes exactly 2*outlen hex digits (either case, nothing else, then the
 * NUL) into out, e.g. the 64-digit phone_key_hex setting into 32 bytes.
 * Returns 0 or CRYPTO_EINPUT (out is then zeroed). */
int crypto_hex_decode(const char *hex, unsigned char *out, size_t outlen);

/* Compares two NUL-terminated strings in time that depends only on their
 * lengths: for checking signatures sent by clients.  Returns 1 when equal,
 * 0 otherwise (also when either is NULL). */
int crypto_hex_equal(const char *a, const char *b);

/* Strict standard base64 ('=' padded, no whitespace, no base64url) of at
 * most maxchars characters: 0 and a malloc'd *out (at least 1 byte), or
 * CRYPTO_EINPUT / CRYPTO_ENOMEM. _exact: must decode to exactly want
 * bytes, written to out. */
int crypto_b64_decode(const char *s, size_t maxchars, unsigned char **out, size_t *outlen);
int crypto_b64_decode_exact(const char *s, unsigned char *out, size_t want);
/* n bytes as 2n lower-case hex digits and a NUL. */
void crypto_hex_encode(const unsigned char *in, size_t n, char *out);

#endif
