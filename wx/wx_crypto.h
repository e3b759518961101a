/* wx_crypto.h: the cryptography only WeChat's flows need: open-data
 * decryption (wx.getUserInfo / old getPhoneNumber encryptedData,
 * AES-128-CBC keyed with the session_key) and the rawData signature.
 * Error codes are lib/crypto.h's CRYPTO_E*. */
#ifndef WX_CRYPTO_H
#define WX_CRYPTO_H

#include "lib/crypto.h"

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
 * plaintext (the caller frees it); otherwise CRYPTO_EINPUT, _EDECRYPT,
 * _EJSON, _EAPPID or _ENOMEM, with *out_json = NULL.
 *
 * CBC is not authenticated: whoever holds the iv can change the first 16
 * plaintext bytes at will.  Take only the fields you need, and do not tell
 * the client which of _EDECRYPT and _EJSON happened (padding oracle). */
int wx_decrypt_data(const char *session_key_b64, const char *iv_b64,
                    const char *encrypted_b64, const char *appid, char **out_json);

/* sha1(raw_data || session_key) as 40 lower-case hex digits + NUL: the
 * "signature" wx.getUserInfo returns beside rawData.  Compare it with
 * crypto_hex_equal, not strcmp.  Returns 0, or CRYPTO_EINPUT on NULL. */
int wx_raw_signature(const char *raw_data, const char *session_key, char out_hex[41]);

#endif
