/* phone.c: POST /api/v1/me/phone.
 *
 * Two ways in. The current one: the getPhoneNumber button gives a code,
 * and getuserphonenumber (access token, shared through Redis) turns it
 * into the number. The old one: the button gave encryptedData and iv,
 * AES-128-CBC under the session key of the user's latest wx.login; we
 * keep that key sealed in users.session_key_sealed for exactly this.
 *
 * When old-style data does not decrypt, either the client sent garbage or
 * it logged in again on the phone (wx.login changes the key) without
 * logging in to us, so our key is stale. checksession asks WeChat whether
 * our key is still current: stale → 401 relogin_required (the client
 * calls wx.login and /login, then retries); current → 400, the data was
 * bad. The client is never told which decryption step failed (CBC padding
 * oracle, see wx_crypto.h). */
#include "handlers/phone.h"
#include "handlers/handlers.h"
#include "engines/accounts/seal.h"
#include "engines/wechat/wxcall.h"
#include "rules/mask.h"
#include "wx/wx_client.h"
#include "lib/crypto.h"
#include "wx/wx_crypto.h"

#include <stdlib.h>
#include <string.h>

#define PHONE_MAX 24

static const char *str_field(json_t *j, const char *key, size_t max)
{
    json_t *v = json_object_get(j, key);
    if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > max ||
        strlen(json_string_value(v)) != json_string_length(v))
        return NULL;
    return json_string_value(v);
}

/* A number as WeChat gives it: an optional '+', then 5..20 digits. */
static int phone_ok(const char *p)
{
    size_t n = 0;
    if (*p == '+')
        p++;
    for (; *p; p++, n++)
        if (*p < '0' || *p > '9')
            return 0;
    return n >= 5 && n <= 20;
}

static int relogin(req_t *r)
{
    return reply_error(r, 401, "relogin_required",
                       "the login has gone stale: call wx.login() and POST /login again");
}

static int bad_data(req_t *r)
{
    return reply_error(r, 400, "invalid_encrypted_data",
                       "encrypted_data and iv do not decrypt to a phone number");
}

/* The old way: decrypt with the stored session key. Returns ST_OK with
 * phone filled, ST_REPLIED, or ST_STORE. */
static int from_encrypted(req_t *r, const char *enc, const char *iv, char *phone, size_t phonesz)
{
    db_res_t *res = db_query(req_db(r), r->arena,
                             "SELECT openid, session_key_sealed FROM users WHERE id = ?", "i",
                             r->auth.user_id);
    if (!res)
        return ST_STORE;
    char *key = NULL;
    if (!res->nrows || unseal_str(r, db_get(res, 0, 1), &key) < 0) {
        relogin(r);
        return ST_REPLIED;
    }
    const char *openid = db_get(res, 0, 0);
    req_release_stores(r);

    char *plain = NULL;
    int rc = wx_decrypt_data(key, iv, enc, g_config.wx_appid, &plain);
    if (rc == 0) {
        json_t *j = arena_json(r->arena, json_loads(plain, JSON_REJECT_DUPLICATES, NULL));
        explicit_bzero(plain, strlen(plain));
        free(plain);
        const char *num = j ? str_field(j, "purePhoneNumber", PHONE_MAX) : NULL;
        if (!num && j)
            num = str_field(j, "phoneNumber", PHONE_MAX);
        int ok = num && phone_ok(num);
        if (ok)
            snprintf(phone, phonesz, "%s", num);
        explicit_bzero(key, strlen(key));
        if (!ok) {
            bad_data(r);
            return ST_REPLIED;
        }
        return 0;
    }
    if (rc == CRYPTO_EINPUT || rc == CRYPTO_EAPPID || rc == CRYPTO_ENOMEM) {
        /* Not base64 / wrong sizes, or another mini-program's data: the key
         * is not in question. */
        explicit_bzero(key, strlen(key));
        bad_data(r);
        return ST_REPLIED;
    }
    /* Did not decrypt (or not to JSON): is our key still current? */
    int valid = 0;
    wx_err_t e;
    rc = wx_checksession((wx_client_t *)req_wx(r), wxcall_redis(r), openid, key, &valid, &e);
    explicit_bzero(key, strlen(key));
    if (rc < 0)
        wxcall_reply_error(r, &e);
    else if (!valid)
        relogin(r);
    else
        bad_data(r);
    return ST_REPLIED;
}

int h_me_phone(req_t *r)
{
    json_t *j = req_json(r);
    if (!j)
        return 0;
    const char *code = str_field(j, "code", 256);
    const char *enc = str_field(j, "encrypted_data", WX_CRYPTO_MAX_B64);
    const char *iv = str_field(j, "iv", 64);
    char phone[PHONE_MAX + 1];
    if (code) {
        /* The session check borrowed a store; WeChat may take seconds. */
        req_release_stores(r);
        wx_err_t e;
        if (wx_phone_number((wx_client_t *)req_wx(r), wxcall_redis(r), code, phone, sizeof phone,
                            &e) < 0)
            return wxcall_reply_error(r, &e);
        if (!phone_ok(phone))
            return reply_error(r, 400, "invalid_code", "WeChat gave no usable phone number");
    } else if (enc && iv) {
        int rc = from_encrypted(r, enc, iv, phone, sizeof phone);
        if (rc != ST_OK)
            return rc;
    } else {
        return reply_error(r, 400, "invalid_code",
                           "send the getPhoneNumber code, or encrypted_data and iv");
    }

    char masked[32], *sealed;
    rules_mask_phone(phone, masked, sizeof masked);
    int sr = seal_str(r, phone, &sealed);
    explicit_bzero(phone, sizeof phone);
    if (sr < 0)
        return -1;
    if (db_exec(req_db(r), "UPDATE users SET phone_sealed = ?, phone_masked = ? WHERE id = ?",
                "ssi", sealed, masked, r->auth.user_id) < 0)
        return ST_STORE;
    return reply_json(r, 200, json_pack("{s:s}", "phone_masked", masked));
}
