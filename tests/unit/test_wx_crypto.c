/* test_wx_crypto.c: wx/wx_crypto (open-data decryption, the rawData
 * signature) against WeChat's published example and independently made
 * vectors. The AES-CBC vectors below that are not WeChat's own were made
 * with Python's `cryptography` package, so they check this code against a
 * second implementation rather than against itself. */
#include "tests/unit/check.h"
#include "lib/crypto.h"
#include "wx/wx_crypto.h"

#include <jansson.h>
#include <mbedtls/base64.h>
#include <stdlib.h>

/* WeChat's open-data decryption example (/work/shared/wx-vectors/decrypt-example.txt). */
static const char EX_KEY[] = "tiihtNczf5v6AKRyjwEUhQ==";
static const char EX_IV[] = "r7BXXKkLb8qrSNn05n0qiA==";
static const char EX_APPID[] = "wx4f4bc4dec97d474b";
static const char EX_DATA[] =
    "CiyLU1Aw2KjvrjMdj8YKliAjtP4gsMZMQmRzooG2xrDcvSnxIMXFufNstNGTyaGS9uT5geRa0W4oTOb1WT7fJlAC+oNPdbB+"
    "3hVbJSRgv+4lGOETKUQz6OYStslQ142dNCuabNPGBzlooOmB231qMM85d2/fV6ChevvXvQP8Hkue1poOFtnEtpyxVLW1zAo6"
    "/1Xx1COxFvrc2d7UL/lmHInNlxuacJXwu0fjpXfz/YqYzBIBzD6WUfTIF9GRHpOn/Hz7saL8xz+W//FRAUid1OksQaQx4CMs"
    "8LOddcQhULW4ucetDf96JcR3g0gfRK4PC7E/r7Z6xNrXd2UIeorGj5Ef7b1pJAYB6Y5anaHqZ9J6nKEBvB4DnNLIVWSgARns"
    "/8wR2SiRS7MNACwTyrGvt9ts8p12PKFdlqYTopNHR1Vf7XjfhQlVsAJdNiKdYmYVoKlaRv85IfVunYzO0IKXsyl7JCUjCpoG"
    "20f0a04COwfneQAGGwd5oa+T8yO5hzuyDb/XcxxmK01EpqOyuxINew==";

/* Same key and iv, plaintexts made in Python. */
/* {"openId":"x","watermark":{"timestamp":1,"appid":"wxdeadbeefdeadbeef"}} */
static const char V_WRONG_APPID[] =
    "DLwpnCaLs4aw5JMtgNc7d7xk/oGwlXoNfL2bZoytb7CzaQv1r6XP8qV5y596ERB+LSf/djDytKIx8bTYIunBZ/Zwz8z7wcka089VV+TW1jY=";
/* {"openId":"x"} */
static const char V_NO_WATERMARK[] = "GhIdnQbgvNXCELF7xgmAPg==";
/* [{"watermark":{"appid":"wx4f4bc4dec97d474b"}}] */
static const char V_ARRAY[] = "BzXCDv8IhKND9cWvDqXzXMSwS5hloatpwdwDWtUcOx2q7ltnD/JXQxf4e5oZVgya";
/* hello, world */
static const char V_NOT_JSON[] = "VGgUhlL5Gc4eazj8esuupg==";
/* {"a":1,"a":2,"watermark":{"appid":"wx4f4bc4dec97d474b"}} */
static const char V_DUP_KEYS[] =
    "CZsZUvOhKGs0gRFU8tgKztIszQ4fhhW277+OZdN3Q1cZxT4FQXc8Wxyum9wZus5oX1FxgAc97JSNJFhHHpluZA==";
/* {"watermark":{"appid":"wx4f4bc4dec97d474b"}} + 4 spaces (48 bytes) + a whole block of 0x10 */
static const char V_FULL_PAD[] =
    "i/89d/Qt0WYAzoa4a7IlmN+9VXJ6E7LWc3z8TMEmU8tdoupW7qzEuSIISKf+f8LLL56NMgf30aisrj3Ts6zYwA==";
/* 47 bytes of that JSON padded with spaces, then one last byte: 0x00, 0x11; or 45 bytes + 03 02 03 */
static const char V_PAD_ZERO[] = "i/89d/Qt0WYAzoa4a7IlmN+9VXJ6E7LWc3z8TMEmU8ugJA8aUEOkH/XTxVXLpWlb";
static const char V_PAD_17[] = "i/89d/Qt0WYAzoa4a7IlmN+9VXJ6E7LWc3z8TMEmU8tvk8L1etyKv41uzKZWn6ig";
static const char V_PAD_MIXED[] = "i/89d/Qt0WYAzoa4a7IlmN+9VXJ6E7LWc3z8TMEmU8s1t83Mc/EEVflAF7Y2JHVz";
/* the JSON followed by a NUL byte and a space, PKCS#7 padded */
static const char V_NUL_INSIDE[] = "i/89d/Qt0WYAzoa4a7IlmN+9VXJ6E7LWc3z8TMEmU8v2cd8iGsDD6lcO70ZMCPTu";

static size_t b64dec(const char *s, unsigned char *out, size_t cap)
{
    size_t olen = 0;
    if (mbedtls_base64_decode(out, cap, &olen, (const unsigned char *)s, strlen(s)) != 0)
        return 0;
    return olen;
}

static void b64enc(const unsigned char *in, size_t n, char *out, size_t cap)
{
    size_t olen = 0;
    if (mbedtls_base64_encode((unsigned char *)out, cap, &olen, in, n) != 0)
        out[0] = '\0';
}

static const char *jstr(json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}


TEST(raw_signature_published_example)
{
    /* WeChat's signature example; expected value also checked with hashlib.sha1 */
    const char *raw =
        "{\"nickName\":\"Band\",\"gender\":1,\"language\":\"zh_CN\",\"city\":\"Guangzhou\","
        "\"province\":\"Guangdong\",\"country\":\"CN\",\"avatarUrl\":\"http://wx.qlogo.cn/mmopen/"
        "vi_32/1vZvI39NWFQ9XM4LtQpFrQJ1xlgZxx3w7bQxKARol6503Iuswjjn6nIGBiaycAjAtpujxyzYsrztuuICqIM5ibXQ/0\"}";
    char hex[41];
    CHECK_INT(wx_raw_signature(raw, "HyVFkGl5F5OQWJZZaNzBBg==", hex), 0);
    CHECK_STR(hex, "75e81ceda165f4ffa64f4068af58c64b8f54b88c");
    CHECK(crypto_hex_equal(hex, "75e81ceda165f4ffa64f4068af58c64b8f54b88c"));
    CHECK(!crypto_hex_equal(hex, "75e81ceda165f4ffa64f4068af58c64b8f54b88d"));
    CHECK(!crypto_hex_equal(hex, "75e81ceda165f4ffa64f4068af58c64b8f54b88"));
    CHECK(!crypto_hex_equal(hex, NULL));
    CHECK_INT(wx_raw_signature(NULL, "k", hex), CRYPTO_EINPUT);
}

TEST(decrypt_published_example)
{
    char *out = NULL;
    CHECK_INT(wx_decrypt_data(EX_KEY, EX_IV, EX_DATA, EX_APPID, &out), 0);
    CHECK(out != NULL);
    json_t *root = out ? json_loads(out, 0, NULL) : NULL;
    CHECK(json_is_object(root));
    CHECK_STR(jstr(root, "openId"), "oGZUI0egBJY1zhBYw2KhdUfwVJJE");
    CHECK_STR(jstr(root, "unionId"), "ocMvos6NjeKLIBqg5Mr9QjxrP1FA");
    json_t *wm = json_object_get(root, "watermark");
    CHECK_STR(jstr(wm, "appid"), EX_APPID);
    CHECK_INT(json_integer_value(json_object_get(wm, "timestamp")), 1477314187);
    /* the padding is gone: the text ends with the closing brace */
    CHECK(out && out[strlen(out) - 1] == '}');
    json_decref(root);
    free(out);
}

TEST(decrypt_whole_block_of_padding)
{
    char *out = NULL;
    CHECK_INT(wx_decrypt_data(EX_KEY, EX_IV, V_FULL_PAD, EX_APPID, &out), 0);
    CHECK_INT(out ? strlen(out) : 0, 48);
    free(out);
}

TEST(decrypt_bad_padding)
{
    char *out = (char *)1;
    CHECK_INT(wx_decrypt_data(EX_KEY, EX_IV, V_PAD_ZERO, EX_APPID, &out), CRYPTO_EDECRYPT);
    CHECK(out == NULL);
    CHECK_INT(wx_decrypt_data(EX_KEY, EX_IV, V_PAD_17, EX_APPID, &out), CRYPTO_EDECRYPT);
    CHECK_INT(wx_decrypt_data(EX_KEY, EX_IV, V_PAD_MIXED, EX_APPID, &out), CRYPTO_EDECRYPT);
    CHECK(out == NULL);
}

TEST(decrypt_not_json)
{
    char *out = NULL;
    CHECK_INT(wx_decrypt_data(EX_KEY, EX_IV, V_NOT_JSON, EX_APPID, &out), CRYPTO_EJSON);
    CHECK_INT(wx_decrypt_data(EX_KEY, EX_IV, V_ARRAY, EX_APPID, &out), CRYPTO_EJSON);
    CHECK_INT(wx_decrypt_data(EX_KEY, EX_IV, V_DUP_KEYS, EX_APPID, &out), CRYPTO_EJSON);
    CHECK_INT(wx_decrypt_data(EX_KEY, EX_IV, V_NUL_INSIDE, EX_APPID, &out), CRYPTO_EJSON);
    CHECK(out == NULL);
}

TEST(decrypt_wrong_appid)
{
    char *out = NULL;
    CHECK_INT(wx_decrypt_data(EX_KEY, EX_IV, EX_DATA, "wx0000000000000000", &out), CRYPTO_EAPPID);
    CHECK(out == NULL);
    /* a prefix of the right appid is still wrong */
    CHECK_INT(wx_decrypt_data(EX_KEY, EX_IV, EX_DATA, "wx4f4bc4dec97d474", &out), CRYPTO_EAPPID);
    CHECK_INT(wx_decrypt_data(EX_KEY, EX_IV, V_WRONG_APPID, EX_APPID, &out), CRYPTO_EAPPID);
    CHECK_INT(wx_decrypt_data(EX_KEY, EX_IV, V_NO_WATERMARK, EX_APPID, &out), CRYPTO_EAPPID);
    CHECK_INT(wx_decrypt_data(EX_KEY, EX_IV, EX_DATA, "", &out), CRYPTO_EINPUT);
    CHECK(out == NULL);
}

TEST(decrypt_wrong_key)
{
    char *out = NULL;
    int rc = wx_decrypt_data("AAAAAAAAAAAAAAAAAAAAAA==", EX_IV, EX_DATA, EX_APPID, &out);
    CHECK(rc == CRYPTO_EDECRYPT || rc == CRYPTO_EJSON);
    rc = wx_decrypt_data("tiihtNczf5v6AKRyjwEUhA==", EX_IV, EX_DATA, EX_APPID, &out);
    CHECK(rc == CRYPTO_EDECRYPT || rc == CRYPTO_EJSON);
    CHECK(out == NULL);
}

TEST(decrypt_tampered)
{
    static unsigned char ct[512];
    static char b64[800];
    size_t n = b64dec(EX_DATA, ct, sizeof ct);
    CHECK_INT(n, 400);
    int failures = 0, leaked = 0;
    for (size_t i = 0; i < n; i++) {
        for (int bit = 0; bit < 8; bit += 7) {
            ct[i] ^= (unsigned char)(1u << bit);
            b64enc(ct, n, b64, sizeof b64);
            char *out = NULL;
            if (wx_decrypt_data(EX_KEY, EX_IV, b64, EX_APPID, &out) < 0)
                failures++;
            if (out)
                leaked++;
            free(out);
            ct[i] ^= (unsigned char)(1u << bit);
        }
    }
    CHECK_INT(failures, 2 * (long long)n);
    CHECK_INT(leaked, 0);

    /* the iv: flipping a bit of it changes the first plaintext block only,
     * here the opening brace, so the text is no longer JSON */
    unsigned char iv[16];
    char ivb64[32];
    CHECK_INT(b64dec(EX_IV, iv, sizeof iv), 16);
    iv[0] ^= 0x01;
    b64enc(iv, 16, ivb64, sizeof ivb64);
    char *out = NULL;
    CHECK_INT(wx_decrypt_data(EX_KEY, ivb64, EX_DATA, EX_APPID, &out), CRYPTO_EJSON);

    /* truncated by one block, or not a whole number of blocks */
    b64enc(ct, n - 16, b64, sizeof b64);
    CHECK(wx_decrypt_data(EX_KEY, EX_IV, b64, EX_APPID, &out) < 0);
    b64enc(ct, n - 1, b64, sizeof b64);
    CHECK_INT(wx_decrypt_data(EX_KEY, EX_IV, b64, EX_APPID, &out), CRYPTO_EDECRYPT);
    CHECK_INT(wx_decrypt_data(EX_KEY, EX_IV, "", EX_APPID, &out), CRYPTO_EDECRYPT);
    CHECK(out == NULL);
}

TEST(decrypt_bad_input)
{
    char *out = NULL;
    /* key: not base64, 15 bytes, 24 bytes, url-safe alphabet, whitespace, no padding */
    CHECK_INT(wx_decrypt_data("tiihtNczf5v6AKRyjwEU!Q==", EX_IV, EX_DATA, EX_APPID, &out), CRYPTO_EINPUT);
    CHECK_INT(wx_decrypt_data("tiihtNczf5v6AKRyjwEU", EX_IV, EX_DATA, EX_APPID, &out), CRYPTO_EINPUT);
    CHECK_INT(wx_decrypt_data("tiihtNczf5v6AKRyjwEUhQ", EX_IV, EX_DATA, EX_APPID, &out), CRYPTO_EINPUT);
    CHECK_INT(wx_decrypt_data("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", EX_IV, EX_DATA, EX_APPID, &out), CRYPTO_EINPUT);
    CHECK_INT(wx_decrypt_data("AAAAAAAAAAAAAAAAAAAA", EX_IV, EX_DATA, EX_APPID, &out), CRYPTO_EINPUT);
    CHECK_INT(wx_decrypt_data("tiihtNczf5v6AKRyjwEUhQ=\n", EX_IV, EX_DATA, EX_APPID, &out), CRYPTO_EINPUT);
    CHECK_INT(wx_decrypt_data("tiihtNczf5v6AKRyjw_UhQ==", EX_IV, EX_DATA, EX_APPID, &out), CRYPTO_EINPUT);
    CHECK_INT(wx_decrypt_data("tiihtNczf5v6AKRy=wEUhQ==", EX_IV, EX_DATA, EX_APPID, &out), CRYPTO_EINPUT);
    /* iv */
    CHECK_INT(wx_decrypt_data(EX_KEY, "r7BXXKkLb8qrSNn05n0q", EX_DATA, EX_APPID, &out), CRYPTO_EINPUT);
    CHECK_INT(wx_decrypt_data(EX_KEY, "r7BXXKkLb8qr SNn05n0qiA=", EX_DATA, EX_APPID, &out), CRYPTO_EINPUT);
    /* data: a space (as a form decoder makes of '+') */
    char *bad = strdup(EX_DATA);
    bad[54] = ' ';
    CHECK_INT(wx_decrypt_data(EX_KEY, EX_IV, bad, EX_APPID, &out), CRYPTO_EINPUT);
    free(bad);
    CHECK_INT(wx_decrypt_data(EX_KEY, EX_IV, "====", EX_APPID, &out), CRYPTO_EINPUT);
    /* oversized */
    char *big = malloc(WX_CRYPTO_MAX_B64 + 5);
    memset(big, 'A', WX_CRYPTO_MAX_B64 + 4);
    big[WX_CRYPTO_MAX_B64 + 4] = '\0';
    CHECK_INT(wx_decrypt_data(EX_KEY, EX_IV, big, EX_APPID, &out), CRYPTO_EINPUT);
    free(big);
    /* NULLs */
    CHECK_INT(wx_decrypt_data(NULL, EX_IV, EX_DATA, EX_APPID, &out), CRYPTO_EINPUT);
    CHECK_INT(wx_decrypt_data(EX_KEY, NULL, EX_DATA, EX_APPID, &out), CRYPTO_EINPUT);
    CHECK_INT(wx_decrypt_data(EX_KEY, EX_IV, NULL, EX_APPID, &out), CRYPTO_EINPUT);
    CHECK_INT(wx_decrypt_data(EX_KEY, EX_IV, EX_DATA, NULL, &out), CRYPTO_EINPUT);
    CHECK_INT(wx_decrypt_data(EX_KEY, EX_IV, EX_DATA, EX_APPID, NULL), CRYPTO_EINPUT);
    CHECK(out == NULL);
}

int main(void)
{
    RUN(raw_signature_published_example);
    RUN(decrypt_published_example);
    RUN(decrypt_whole_block_of_padding);
    RUN(decrypt_bad_padding);
    RUN(decrypt_not_json);
    RUN(decrypt_wrong_appid);
    RUN(decrypt_wrong_key);
    RUN(decrypt_tampered);
    RUN(decrypt_bad_input);
    return check_summary();
}
