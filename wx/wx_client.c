/* wx_client.c: the WeChat server API calls (see wx_client.h): what each
 * endpoint sends and how its errcodes map to API errors. The transport and
 * its retry policy are wx_http.c; the shared access token wx_token.c. */
#define _GNU_SOURCE
#include "wx/wx_client.h"

#include <ctype.h>
#include <curl/curl.h>
#include <mbedtls/md.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "server/config.h"
#include "server/log.h"
#include "wx/wx_internal.h"
#include "wx/wx_token.h"

#define WX_CODE_MAX 256         /* longest login/phone code accepted */
#define WX_CONTENT_MAX_CHARS 2500

/* ---- small helpers ---------------------------------------------------- */

static void err_clear(wx_err_t *err)
{
    wx_err_set(err, 0, NULL, NULL, 0, 0);
}

/* Errors every call shares; call-specific codes are mapped first. */
static void map_common(int errcode, const char *path, wx_err_t *err)
{
    switch (errcode) {
    case 45009: case 45011:
        wx_err_set(err, 429, "rate_limited", "too many requests to WeChat; try again later",
                   WX_RATE_LIMIT_RETRY_S, errcode);
        return;
    case 40013: case 40125: case 40164: case 41002: case 41004: case 61024:
        /* appid, secret, IP whitelist: the operator must fix the config */
        log_error("wx %s errcode=%d: check wx_appid, wx_secret and WeChat's IP whitelist",
                  path, errcode);
        wx_err_unavailable(err, errcode);
        return;
    default:
        wx_err_unavailable(err, errcode);
        return;
    }
}

/* Login and phone codes. */
static void map_code_errors(int errcode, const char *path, wx_err_t *err)
{
    switch (errcode) {
    case 40029: case 40163:
        wx_err_set(err, 400, "invalid_code", "the code is invalid or was already used", 0,
                   errcode);
        return;
    case 40226:
        wx_err_set(err, 403, "risky_user", "WeChat flagged this account as risky", 0, errcode);
        return;
    default:
        map_common(errcode, path, err);
    }
}

/* Login and phone codes: printable ASCII, no spaces, bounded. */
static int code_ok(const char *code)
{
    if (!code)
        return 0;
    size_t n = strlen(code);
    if (n == 0 || n > WX_CODE_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)code[i] <= 0x20 || (unsigned char)code[i] >= 0x7f)
            return 0;
    return 1;
}

/* Copy a JSON string member of 1..maxlen bytes with no control characters
 * into out. Returns 0, or -1 when missing, not a string or out of bounds. */
static int copy_str(json_t *obj, const char *key, char *out, size_t outsz, int required)
{
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        out[0] = '\0';
        return required ? -1 : 0;
    }
    if (!json_is_string(v))
        return -1;
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n >= outsz || (required && n == 0) || strlen(s) != n)
        return -1;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return -1;
    memcpy(out, s, n + 1);
    return 0;
}

static int token_rejected(int errcode)
{
    return errcode == 40001 || errcode == 42001 || errcode == 40014;
}

/* wx_token_get with a Redis context borrowed from rc for just that call:
 * none is held while the call itself waits on WeChat. */
static int token_get(wx_client_t *c, wx_redis_t *rc, const char *bad, char *out, size_t outsz,
                     wx_err_t *err)
{
    redisContext *ctx = !rc ? NULL : rc->borrow ? rc->borrow(rc) : rc->rc;
    int x = wx_token_get(c, ctx, bad, out, outsz, err);
    if (rc && rc->borrow && rc->give_back)
        rc->give_back(rc, ctx);
    return x;
}

/* A call that carries access_token: fetch it, and when WeChat rejects it,
 * renew it and repeat the call once. extra_query (may be NULL) is appended
 * after the token. Returns as wx_request; a second rejection is returned as
 * a reply with that errcode. */
static int token_request(wx_client_t *c, wx_redis_t *rc, const char *path,
                         const char *extra_query, const char *body, int flags, size_t cap,
                         wx_resp_t *r, wx_err_t *err)
{
    char tok[WX_TOKEN_MAX + 1], bad[WX_TOKEN_MAX + 1];
    memset(r, 0, sizeof *r);
    if (token_get(c, rc, NULL, tok, sizeof tok, err) < 0)
        return -1;
    for (int round = 0;; round++) {
        char *etok = wx_escape(c, tok);
        if (!etok) {
            wx_err_unavailable(err, 0);
            return -1;
        }
        size_t qlen = strlen(etok) + (extra_query ? strlen(extra_query) : 0) + 16;
        char *q = malloc(qlen);
        if (!q) {
            curl_free(etok);
            wx_err_unavailable(err, 0);
            return -1;
        }
        snprintf(q, qlen, "access_token=%s%s%s", etok, extra_query ? "&" : "",
                 extra_query ? extra_query : "");
        curl_free(etok);
        int x = wx_request(c, path, q, body, flags, cap, r, err);
        free(q);
        if (x < 0)
            return -1;
        if (!token_rejected(r->errcode))
            return 0;
        atomic_fetch_add_explicit(&wx_stat_token_rejected, 1, memory_order_relaxed);
        if (round > 0) {
            log_warn("wx %s token rejected again (errcode=%d)", path, r->errcode);
            return 0;
        }
        log_info("wx %s token rejected (errcode=%d), renewing", path, r->errcode);
        wx_resp_free(r);
        memcpy(bad, tok, sizeof tok);
        if (token_get(c, rc, bad, tok, sizeof tok, err) < 0)
            return -1;
    }
}

/* ---- endpoints -------------------------------------------------------- */

int wx_code2session(wx_client_t *c, const char *code, wx_session_t *out, wx_err_t *err)
{
    static const char path[] = "/sns/jscode2session";
    err_clear(err);
    memset(out, 0, sizeof *out);
    if (!code_ok(code)) {
        wx_err_set(err, 400, "invalid_code", "the code is invalid or was already used", 0, 0);
        atomic_fetch_add_explicit(&wx_stat_errors, 1, memory_order_relaxed);
        return -1;
    }
    if (!c) {
        wx_err_unavailable(err, 0);
        atomic_fetch_add_explicit(&wx_stat_errors, 1, memory_order_relaxed);
        return -1;
    }
    char *ea = wx_escape(c, g_config.wx_appid);
    char *es = wx_escape(c, g_config.wx_secret);
    char *ec = wx_escape(c, code);
    char *q = NULL;
    if (ea && es && ec &&
        asprintf(&q, "appid=%s&secret=%s&js_code=%s&grant_type=authorization_code", ea, es, ec) < 0)
        q = NULL;
    curl_free(ea);
    curl_free(es);
    curl_free(ec);
    if (!q) {
        wx_err_unavailable(err, 0);
        atomic_fetch_add_explicit(&wx_stat_errors, 1, memory_order_relaxed);
        return -1;
    }
    wx_resp_t r;
    int x = wx_request(c, path, q, NULL, WX_REQ_ONCE | WX_REQ_JSON, WX_MAX_JSON_BODY, &r, err);
    /* the query holds the secret: wipe it before freeing */
    explicit_bzero(q, strlen(q));
    free(q);
    if (x == 0) {
        if (r.errcode != 0) {
            map_code_errors(r.errcode, path, err);
            x = -1;
        } else if (copy_str(r.json, "openid", out->openid, sizeof out->openid, 1) < 0 ||
                   copy_str(r.json, "session_key", out->session_key, sizeof out->session_key, 1) < 0 ||
                   copy_str(r.json, "unionid", out->unionid, sizeof out->unionid, 0) < 0) {
            log_warn("wx %s reply without a usable openid/session_key", path);
            explicit_bzero(out, sizeof *out);
            wx_err_unavailable(err, 0);
            x = -1;
        }
    }
    if (r.body)
        explicit_bzero(r.body, r.len); /* held the session key */
    wx_resp_free(&r);
    if (x < 0)
        atomic_fetch_add_explicit(&wx_stat_errors, 1, memory_order_relaxed);
    return x;
}

int wx_scene_valid(const char *scene)
{
    static const char extra[] = "!#$&'()*+,/:;=?@-._~";
    if (!scene)
        return 0;
    size_t n = strlen(scene);
    if (n == 0 || n > WX_SCENE_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)scene[i];
        if (!(isascii(ch) && isalnum(ch)) && !strchr(extra, ch))
            return 0;
    }
    return 1;
}

static const char *env_version(void)
{
    const char *v = g_config.wx_env_version;
    if (!strcmp(v, "trial") || !strcmp(v, "develop"))
        return v;
    return "release";
}

/* Media type from the image's own bytes; NULL when it is no image we serve. */
static const char *sniff_image(const unsigned char *b, size_t n)
{
    if (n >= 8 && !memcmp(b, "\x89PNG\r\n\x1a\n", 8))
        return "image/png";
    if (n >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff)
        return "image/jpeg";
    if (n >= 6 && (!memcmp(b, "GIF87a", 6) || !memcmp(b, "GIF89a", 6)))
        return "image/gif";
    return NULL;
}

static int finish(int x, wx_err_t *err)
{
    (void)err;
    if (x < 0)
        atomic_fetch_add_explicit(&wx_stat_errors, 1, memory_order_relaxed);
    return x;
}

/* Serialize a request body; NULL when the input could not be encoded
 * (invalid UTF-8 in a string). */
static char *dump_body(json_t *o)
{
    if (!o)
        return NULL;
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    return s;
}

int wx_get_wxacode(wx_client_t *c, wx_redis_t *rc, const char *scene, const char *page,
                   int check_path, unsigned char **img, size_t *len, char ctype[32],
                   wx_err_t *err)
{
    static const char path[] = "/wxa/getwxacodeunlimit";
    err_clear(err);
    *img = NULL;
    *len = 0;
    ctype[0] = '\0';
    if (!wx_scene_valid(scene)) {
        wx_err_set(err, 400, "invalid_scene", "scene must be 1-32 URL-safe characters", 0, 0);
        return finish(-1, err);
    }
    if (page && (strlen(page) > 256 || page[0] == '/')) {
        wx_err_set(err, 400, "invalid_page", "page must be a mini-program path without a leading /",
                   0, 0);
        return finish(-1, err);
    }
    json_t *o = json_pack("{s:s, s:b, s:s}", "scene", scene, "check_path", check_path ? 1 : 0,
                          "env_version", env_version());
    if (o && page && *page && json_object_set_new(o, "page", json_string(page)) < 0) {
        json_decref(o);
        o = NULL;
    }
    char *body = dump_body(o);
    if (!body) {
        wx_err_set(err, 400, "invalid_page", "page must be valid UTF-8", 0, 0);
        return finish(-1, err);
    }
    wx_resp_t r;
    int x = token_request(c, rc, path, NULL, body, 0, WX_MAX_IMAGE_BODY, &r, err);
    free(body);
    if (x < 0)
        return finish(-1, err);
    if (r.json) {
        switch (r.errcode) {
        case 40169:
            wx_err_set(err, 400, "invalid_scene", "scene must be 1-32 URL-safe characters", 0,
                       r.errcode);
            break;
        case 41030:
            wx_err_set(err, 400, "invalid_page", "page does not exist in the published mini-program",
                       0, r.errcode);
            break;
        default:
            map_common(r.errcode, path, err); /* JSON without errcode: unusable */
        }
        wx_resp_free(&r);
        return finish(-1, err);
    }
    const char *mt = sniff_image(r.body, r.len);
    if (!mt) {
        log_warn("wx %s reply is neither JSON nor a known image (len=%zu)", path, r.len);
        wx_resp_free(&r);
        wx_err_unavailable(err, 0);
        return finish(-1, err);
    }
    snprintf(ctype, 32, "%s", mt);
    *img = r.body;
    *len = r.len;
    r.body = NULL;
    wx_resp_free(&r);
    return 0;
}

int wx_phone_number(wx_client_t *c, wx_redis_t *rc, const char *code, char *phone,
                    size_t phonesz, wx_err_t *err)
{
    static const char path[] = "/wxa/business/getuserphonenumber";
    err_clear(err);
    if (phonesz)
        phone[0] = '\0';
    if (!code_ok(code)) {
        wx_err_set(err, 400, "invalid_code", "the code is invalid or was already used", 0, 0);
        return finish(-1, err);
    }
    char *body = dump_body(json_pack("{s:s}", "code", code));
    if (!body) {
        wx_err_unavailable(err, 0);
        return finish(-1, err);
    }
    wx_resp_t r;
    int x = token_request(c, rc, path, NULL, body, WX_REQ_ONCE | WX_REQ_JSON, WX_MAX_JSON_BODY,
                          &r, err);
    free(body);
    if (x < 0)
        return finish(-1, err);
    if (r.errcode != 0) {
        map_code_errors(r.errcode, path, err);
        wx_resp_free(&r);
        return finish(-1, err);
    }
    json_t *pi = json_object_get(r.json, "phone_info");
    char num[32];
    if (!json_is_object(pi) ||
        (copy_str(pi, "purePhoneNumber", num, sizeof num, 1) < 0 &&
         copy_str(pi, "phoneNumber", num, sizeof num, 1) < 0)) {
        log_warn("wx %s reply without phone_info", path);
        x = -1;
    } else {
        size_t n = strlen(num);
        for (size_t i = 0; i < n; i++)
            if (!(isdigit((unsigned char)num[i]) || (i == 0 && num[i] == '+')))
                x = -1;
        if (n < 3 || n >= phonesz)
            x = -1;
        if (x < 0)
            log_warn("wx %s phone number of unexpected form (len=%zu)", path, n);
        else
            memcpy(phone, num, n + 1);
    }
    explicit_bzero(num, sizeof num);
    if (r.body)
        explicit_bzero(r.body, r.len);
    wx_resp_free(&r);
    if (x < 0)
        wx_err_unavailable(err, 0);
    return finish(x, err);
}

int wx_msg_sec_check(wx_client_t *c, wx_redis_t *rc, const char *openid, int scene,
                     const char *content, int *suggest, wx_err_t *err)
{
    static const char path[] = "/wxa/msg_sec_check";
    err_clear(err);
    *suggest = WX_REVIEW;
    if (!content)
        content = "";
    size_t chars = 0;
    for (const unsigned char *p = (const unsigned char *)content; *p; p++)
        if ((*p & 0xc0) != 0x80)
            chars++;
    if (chars > WX_CONTENT_MAX_CHARS) {
        wx_err_set(err, 400, "content_too_long", "text is over 2500 characters", 0, 0);
        return finish(-1, err);
    }
    if (scene < 1 || scene > 4 || !openid || !*openid || strlen(openid) > 64) {
        wx_err_set(err, 400, "invalid_request", "bad content check request", 0, 0);
        return finish(-1, err);
    }
    char *body = dump_body(json_pack("{s:s, s:i, s:i, s:s}", "content", content, "version", 2,
                                     "scene", scene, "openid", openid));
    if (!body) {
        wx_err_set(err, 400, "invalid_content", "text must be valid UTF-8", 0, 0);
        return finish(-1, err);
    }
    wx_resp_t r;
    int x = token_request(c, rc, path, NULL, body, WX_REQ_JSON, WX_MAX_JSON_BODY, &r, err);
    free(body);
    if (x < 0)
        return finish(-1, err);
    if (r.errcode != 0) {
        map_common(r.errcode, path, err);
        wx_resp_free(&r);
        return finish(-1, err);
    }
    json_t *res = json_object_get(r.json, "result");
    const char *s = json_string_value(json_object_get(res, "suggest"));
    if (s && !strcmp(s, "pass"))
        *suggest = WX_PASS;
    else if (s && !strcmp(s, "review"))
        *suggest = WX_REVIEW;
    else if (s && !strcmp(s, "risky"))
        *suggest = WX_RISKY;
    else {
        log_warn("wx %s reply without result.suggest", path);
        wx_err_unavailable(err, 0);
        x = -1;
    }
    wx_resp_free(&r);
    return finish(x, err);
}

/* Hex HMAC-SHA256 of the empty string keyed with the session key as given
 * (WeChat signs with the base64 text, not its decoded bytes). */
static int hmac_empty_hex(const char *key, char out[65])
{
    unsigned char mac[32];
    const mbedtls_md_info_t *md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
    if (!md || mbedtls_md_hmac(md, (const unsigned char *)key, strlen(key),
                               (const unsigned char *)"", 0, mac) != 0)
        return -1;
    static const char hx[] = "0123456789abcdef";
    for (int i = 0; i < 32; i++) {
        out[2 * i] = hx[mac[i] >> 4];
        out[2 * i + 1] = hx[mac[i] & 15];
    }
    out[64] = '\0';
    explicit_bzero(mac, sizeof mac);
    return 0;
}

int wx_checksession(wx_client_t *c, wx_redis_t *rc, const char *openid,
                    const char *session_key, int *valid, wx_err_t *err)
{
    static const char path[] = "/wxa/checksession";
    err_clear(err);
    *valid = 0;
    if (!openid || !*openid || strlen(openid) > 64 || !session_key || !*session_key ||
        strlen(session_key) > 256) {
        wx_err_set(err, 400, "invalid_request", "bad session check request", 0, 0);
        return finish(-1, err);
    }
    char sig[65];
    if (hmac_empty_hex(session_key, sig) < 0) {
        wx_err_unavailable(err, 0);
        return finish(-1, err);
    }
    char *eo = wx_escape(c, openid);
    char *q = NULL;
    if (eo && asprintf(&q, "openid=%s&signature=%s&sig_method=hmac_sha256", eo, sig) < 0)
        q = NULL;
    curl_free(eo);
    explicit_bzero(sig, sizeof sig);
    if (!q) {
        wx_err_unavailable(err, 0);
        return finish(-1, err);
    }
    wx_resp_t r;
    int x = token_request(c, rc, path, q, NULL, WX_REQ_JSON, WX_MAX_JSON_BODY, &r, err);
    free(q);
    if (x < 0)
        return finish(-1, err);
    if (r.errcode == 0)
        *valid = 1;
    else if (r.errcode == 87009)
        *valid = 0;
    else {
        map_common(r.errcode, path, err);
        x = -1;
    }
    wx_resp_free(&r);
    return finish(x, err);
}

int wx_subscribe_send(wx_client_t *c, wx_redis_t *rc, const char *openid,
                      const char *template_id, const char *page, json_t *data, wx_err_t *err)
{
    static const char path[] = "/cgi-bin/message/subscribe/send";
    err_clear(err);
    if (!openid || !*openid || strlen(openid) > 64 || !template_id || !*template_id ||
        strlen(template_id) > 128 || (data && !json_is_object(data))) {
        wx_err_set(err, 400, "invalid_request", "bad subscription message", 0, 0);
        return finish(-1, err);
    }
    const char *state = env_version();
    state = !strcmp(state, "develop") ? "developer" : !strcmp(state, "trial") ? "trial" : "formal";
    json_t *o = json_pack("{s:s, s:s, s:s, s:s}", "touser", openid, "template_id", template_id,
                          "miniprogram_state", state, "lang", "zh_CN");
    if (o && page && *page && json_object_set_new(o, "page", json_string(page)) < 0) {
        json_decref(o);
        o = NULL;
    }
    if (o && json_object_set_new(o, "data", data ? json_incref(data) : json_object()) < 0) {
        json_decref(o);
        o = NULL;
    }
    char *body = dump_body(o);
    if (!body) {
        wx_err_set(err, 400, "invalid_request", "bad subscription message", 0, 0);
        return finish(-1, err);
    }
    wx_resp_t r;
    int x = token_request(c, rc, path, NULL, body, WX_REQ_ONCE | WX_REQ_JSON, WX_MAX_JSON_BODY,
                          &r, err);
    free(body);
    if (x < 0)
        return finish(-1, err);
    if (r.errcode == 43101) {
        wx_err_set(err, 403, "not_subscribed", "the user has not accepted this message", 0,
                   r.errcode);
        x = -1;
    } else if (r.errcode != 0) {
        map_common(r.errcode, path, err);
        x = -1;
    }
    wx_resp_free(&r);
    return finish(x, err);
}
