/* wx_crypto.c: see wx_crypto.h for the contracts. The general primitives
 * (base64, hex, hashes, the random source) are lib/crypto.c's. */
#include "wx/wx_crypto.h"
#include "lib/crypto.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <mbedtls/aes.h>
#include <mbedtls/md.h>
#include <mbedtls/platform_util.h>

/* ---- open-data decryption ------------------------------------------ */

/* 0 when the last block ends in valid PKCS#7 padding (pad length stored in
 * *pad), -1 otherwise.  The work done does not depend on the padding
 * bytes, so timing says nothing about them. */
static int pkcs7_check(const unsigned char *pt, size_t n, size_t *pad)
{
    unsigned p = pt[n - 1];
    unsigned bad = (unsigned)(p == 0) | (unsigned)(p > 16);
    for (unsigned i = 0; i < 16; i++) {
        unsigned in_pad = (unsigned)(i < p);       /* 1 inside the padding */
        unsigned mask = 0u - in_pad;               /* all ones inside */
        bad |= mask & (unsigned)(pt[n - 1 - i] ^ p);
    }
    *pad = p;
    return bad ? -1 : 0;
}

int wx_decrypt_data(const char *session_key_b64, const char *iv_b64,
                    const char *encrypted_b64, const char *appid, char **out_json)
{
    if (!out_json)
        return CRYPTO_EINPUT;
    *out_json = NULL;
    if (!appid || !*appid)
        return CRYPTO_EINPUT;

    unsigned char key[16], iv[16];
    unsigned char *ct = NULL, *pt = NULL;
    size_t ctlen = 0, ptlen = 0;
    int rc;

    if ((rc = crypto_b64_decode_exact(session_key_b64, key, sizeof key)) != 0)
        return rc;
    if ((rc = crypto_b64_decode_exact(iv_b64, iv, sizeof iv)) != 0)
        goto out;
    if ((rc = crypto_b64_decode(encrypted_b64, WX_CRYPTO_MAX_B64, &ct, &ctlen)) != 0)
        goto out;
    if (ctlen == 0 || ctlen % 16 != 0) {
        rc = CRYPTO_EDECRYPT;
        goto out;
    }
    pt = malloc(ctlen + 1);
    if (!pt) {
        rc = CRYPTO_ENOMEM;
        goto out;
    }

    mbedtls_aes_context aes;
    mbedtls_aes_init(&aes);
    int mrc = mbedtls_aes_setkey_dec(&aes, key, 128);
    if (mrc == 0)
        mrc = mbedtls_aes_crypt_cbc(&aes, MBEDTLS_AES_DECRYPT, ctlen, iv, ct, pt);
    mbedtls_aes_free(&aes);
    if (mrc != 0) {
        rc = CRYPTO_EINTERNAL;
        goto out;
    }

    size_t pad;
    if (pkcs7_check(pt, ctlen, &pad) != 0) {
        rc = CRYPTO_EDECRYPT;
        goto out;
    }
    ptlen = ctlen - pad;
    pt[ptlen] = '\0';
    if (memchr(pt, '\0', ptlen)) {      /* could not be returned as a C string */
        rc = CRYPTO_EJSON;
        goto out;
    }

    /* Duplicate keys are refused: with the iv a client can rewrite the
     * first block, e.g. to shadow a later field with an earlier one. */
    json_error_t jerr;
    json_t *root = json_loadb((const char *)pt, ptlen, JSON_REJECT_DUPLICATES, &jerr);
    if (!root || !json_is_object(root)) {
        json_decref(root);
        rc = CRYPTO_EJSON;
        goto out;
    }
    json_t *wm = json_object_get(root, "watermark");
    json_t *ap = json_is_object(wm) ? json_object_get(wm, "appid") : NULL;
    if (!json_is_string(ap) || strcmp(json_string_value(ap), appid) != 0)
        rc = CRYPTO_EAPPID;
    else
        rc = 0;
    json_decref(root);
    if (rc == 0) {
        *out_json = (char *)pt;
        pt = NULL;
    }

out:
    mbedtls_platform_zeroize(key, sizeof key);
    mbedtls_platform_zeroize(iv, sizeof iv);
    if (pt) {
        mbedtls_platform_zeroize(pt, ctlen + 1);
        free(pt);
    }
    free(ct);
    return rc;
}

int wx_raw_signature(const char *raw_data, const char *session_key, char out_hex[41])
{
    if (!out_hex)
        return CRYPTO_EINPUT;
    out_hex[0] = '\0';
    if (!raw_data || !session_key)
        return CRYPTO_EINPUT;

    const mbedtls_md_info_t *info = mbedtls_md_info_from_type(MBEDTLS_MD_SHA1);
    unsigned char dig[20];
    mbedtls_md_context_t ctx;
    mbedtls_md_init(&ctx);
    int rc = info ? mbedtls_md_setup(&ctx, info, 0) : -1;
    if (rc == 0) rc = mbedtls_md_starts(&ctx);
    if (rc == 0) rc = mbedtls_md_update(&ctx, (const unsigned char *)raw_data, strlen(raw_data));
    if (rc == 0) rc = mbedtls_md_update(&ctx, (const unsigned char *)session_key, strlen(session_key));
    if (rc == 0) rc = mbedtls_md_finish(&ctx, dig);
    mbedtls_md_free(&ctx);
    if (rc != 0)
        return CRYPTO_EINTERNAL;
    crypto_hex_encode(dig, sizeof dig, out_hex);
    return 0;
}

