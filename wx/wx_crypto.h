/* wx_crypto.h: the cryptography the WeChat login and phone flows need.
 *
 * - open-data decryption (wx.getUserInfo / old getPhoneNumber
 *   encryptedData): AES-128-CBC keyed with the session_key;
 * - the rawData signature (sha1) and the checksession signature
 *   (HMAC-SHA256 keyed with the session_key string);
 * - random bytes and bearer tokens from a per-thread CTR-DRBG;
 * - AES-256-GCM sealing of small secrets at rest (phone numbers).
 *
 * Every function returns 0 on success and one of the negative WX_CRYPTO_E*
 * codes on failure; on failure every output pointer is set to NULL and every
 * output buffer to an empty string, so callers never see half a result.
 * Nothing here logs, and no error code says more than its name. */
#ifndef WX_CRYPTO_H
#define WX_CRYPTO_H

#include <stddef.h>

#define WX_CRYPTO_EINPUT   (-1) /* bad base64 or hex, wrong key/iv length, NULL, oversized */
#define WX_CRYPTO_EDECRYPT (-2) /* bad padding, bad tag, ciphertext not a whole number of blocks */
#define WX_CRYPTO_EJSON    (-3) /* plaintext is not a JSON object (or has duplicate keys) */
#define WX_CRYPTO_EAPPID   (-4) /* watermark.appid missing or not ours */
#define WX_CRYPTO_ENOMEM   (-5)
#define WX_CRYPTO_ERANDOM  (-6) /* the DRBG could not be seeded or failed */
#define WX_CRYPTO_EINTERNAL (-7) /* mbedTLS refused a call that should not fail */

/* Largest encryptedData accepted by wx_decrypt_data, in base64 characters.
 * WeChat's payloads are well under 2 KiB; this keeps a hostile body from
 * costing more than a few microseconds. */
#define WX_CRYPTO_MAX_B64 65536

/* Decrypts WeChat open data.  session_key_b64 and iv_b64 must be standard
 * base64 (with '=' padding, no whitespace) decoding to exactly 16 bytes;
 * encrypted_b64 must decode to a non-zero multiple of 16 bytes.  The
 * PKCS#7 padding is checked strictly (1..16, every pad byte equal) without
 * data-dependent branches; the plaintext must be a JSON object, without
 * duplicate keys, whose "watermark" object has "appid" equal to appid.
 *
 * Returns 0 and sets *out_json to a malloc'd NUL-terminated copy of the
 * plaintext (the caller frees it); otherwise WX_CRYPTO_EINPUT, _EDECRYPT,
 * _EJSON, _EAPPID or _ENOMEM, with *out_json = NULL.
 *
 * CBC is not authenticated: whoever holds the iv can change the first 16
 * plaintext bytes at will.  Take only the fields you need, and do not tell
 * the client which of _EDECRYPT and _EJSON happened (padding oracle). */
int wx_decrypt_data(const char *session_key_b64, const char *iv_b64,
                    const char *encrypted_b64, const char *appid, char **out_json);

/* sha1(raw_data || session_key) as 40 lower-case hex digits + NUL: the
 * "signature" wx.getUserInfo returns beside rawData.  Compare it with
 * wx_hex_equal, not strcmp.  Returns 0, or WX_CRYPTO_EINPUT on NULL. */
int wx_raw_signature(const char *raw_data, const char *session_key, char out_hex[41]);

/* HMAC-SHA256(key, msg) as 64 lower-case hex digits + NUL.  For the
 * checksession / setUserStorage signature the key is the session_key
 * string exactly as WeChat sent it (base64 text, not decoded) and msg is
 * the empty string.  Returns 0 or WX_CRYPTO_EINPUT / _EINTERNAL. */
int wx_hmac_sha256_hex(const char *key, size_t klen, const void *msg, size_t mlen,
                       char out_hex[65]);

/* SHA-256 as 64 lower-case hex digits + NUL.  Returns 0 or an error. */
int wx_sha256_hex(const void *data, size_t len, char out_hex[65]);

/* Fills buf with len bytes from this thread's CTR-DRBG (seeded lazily from
 * the OS entropy source on first use, again after fork()).  Returns 0 or
 * WX_CRYPTO_ERANDOM (buf is then zeroed). */
int wx_random_bytes(void *buf, size_t len);

/* Writes 32 random bytes as base64url without padding: 43 characters of
 * [A-Za-z0-9_-] and a NUL.  outsz must be at least WX_TOKEN_SIZE.
 * Returns 0, WX_CRYPTO_EINPUT (outsz too small) or WX_CRYPTO_ERANDOM. */
#define WX_TOKEN_LEN 43
#define WX_TOKEN_SIZE (WX_TOKEN_LEN + 1)
int wx_random_token(char *out, size_t outsz);

/* Seals a small NUL-terminated secret (at most WX_SEAL_MAX_PLAIN bytes)
 * with AES-256-GCM under key and a fresh random 12-byte nonce.  Sets
 * *out_b64 to malloc'd standard base64 of nonce(12) | ciphertext | tag(16).
 * The same plaintext seals differently every time, so sealed values cannot
 * be compared or indexed; store a keyed hash beside them if lookup is
 * needed.  Returns 0 or WX_CRYPTO_EINPUT / _ERANDOM / _ENOMEM / _EINTERNAL. */
#define WX_SEAL_MAX_PLAIN 4096
int wx_seal(const unsigned char key[32], const char *plain, char **out_b64);

/* Opens what wx_seal produced under the same key: checks the tag, then sets
 * *out_plain to a malloc'd NUL-terminated plaintext.  Returns 0,
 * WX_CRYPTO_EINPUT (not base64, too short or too long), WX_CRYPTO_EDECRYPT
 * (wrong key or tampered: the tag does not verify, or the plaintext holds
 * a NUL byte) or WX_CRYPTO_ENOMEM. */
int wx_open(const unsigned char key[32], const char *sealed_b64, char **out_plain);

/* Decodes exactly 2*outlen hex digits (either case, nothing else, then the
 * NUL) into out, e.g. the 64-digit phone_key_hex setting into 32 bytes.
 * Returns 0 or WX_CRYPTO_EINPUT (out is then zeroed). */
int wx_hex_decode(const char *hex, unsigned char *out, size_t outlen);

/* Compares two NUL-terminated strings in time that depends only on their
 * lengths: for checking signatures sent by clients.  Returns 1 when equal,
 * 0 otherwise (also when either is NULL). */
int wx_hex_equal(const char *a, const char *b);

#endif
