/* wx_client.h: the WeChat server API client (libcurl over HTTPS).
 *
 * One wx_client_t per thread: it owns a CURL easy handle that keeps its
 * connection to WeChat alive between calls. Nothing in a wx_client_t is
 * shared, so no locking; the access token is shared through Redis (see
 * wx_token.h) by every thread of every server process.
 *
 * Every call returns 0 on success or -1 with *err filled in: the HTTP
 * status, API error code and message the handler sends back (API.md), plus
 * Retry-After and WeChat's own errcode (0 when the failure was not a WeChat
 * errcode: timeout, connection failure, malformed reply, local validation).
 * err->code and err->message are static strings, never built from WeChat's
 * reply, so they hold no secret, token or personal data.
 *
 * Settings come from g_config: wx_base_url, wx_ca_file (empty: system CA
 * store), wx_appid, wx_secret, wx_connect_timeout_ms (<= 0: 2000),
 * wx_timeout_ms (<= 0: 5000), wx_env_version.
 *
 * Retries (see wx_client.c for the full reasoning): a call is repeated, at
 * most twice and only while the whole call stays within WX_RETRY_BUDGET_MS,
 * when WeChat answered errcode -1 (system busy) or when the request surely
 * never left this process (DNS, TCP connect, TLS handshake or connect-phase
 * timeout, before curl's pre-request callback ran). It is never repeated
 * after the request may have reached WeChat (read timeout, empty reply,
 * connection dropped after sending, HTTP 5xx): a login code or phone code
 * may have been used up, and a subscription message may have been sent.
 *
 * Calls that take an access token get it through wx_token_get(); when
 * WeChat answers 40001, 42001 or 40014 the token is dropped (only if it is
 * still the one that failed), a new one fetched, and the call repeated once.
 *
 * Logs carry only the API path, errcode, curl result and elapsed ms: never a
 * URL (it may hold the secret or the access token), a code, a session key or
 * a phone number. */
#ifndef WX_CLIENT_H
#define WX_CLIENT_H

#include <hiredis/hiredis.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stddef.h>

typedef struct wx_client wx_client_t;

typedef struct {
    int http_status;      /* status for the API reply (400, 403, 429, 503...) */
    const char *code;     /* API error code: "invalid_code", "wechat_unavailable"... */
    const char *message;  /* human readable, safe to show */
    int retry_after_s;    /* > 0: send Retry-After */
    int wx_errcode;       /* WeChat's errcode, 0 when not from WeChat */
} wx_err_t;

typedef struct {
    char openid[65];
    char unionid[65];     /* "" when WeChat did not send one */
    char session_key[65]; /* base64, as WeChat sent it; never log it */
} wx_session_t;

enum { WX_PASS = 0, WX_REVIEW = 1, WX_RISKY = 2 };

/* Retry-After for 45011 (WeChat's per-minute quota: "retry next minute").
 * The quota window is a minute, so a shorter hint would only invite a
 * second refusal. */
#define WX_RATE_LIMIT_RETRY_S 60
/* Retry-After for 503 wechat_unavailable. */
#define WX_UNAVAILABLE_RETRY_S 1
/* A call's own retries start only while the call is younger than this. */
#define WX_RETRY_BUDGET_MS 3000
/* Response body caps. */
#define WX_MAX_JSON_BODY (64 * 1024)
#define WX_MAX_IMAGE_BODY (2 * 1024 * 1024)
/* Longest scene getwxacodeunlimit takes. */
#define WX_SCENE_MAX 32

/* Counters for metrics, updated with relaxed atomics. */
extern atomic_ulong wx_stat_calls;          /* HTTP requests started */
extern atomic_ulong wx_stat_errors;         /* API calls that returned -1 */
extern atomic_ulong wx_stat_retries;        /* requests repeated by the retry policy */
extern atomic_ulong wx_stat_token_fetches;  /* stable_token requests */
extern atomic_ulong wx_stat_token_rejected; /* 40001/42001/40014 answers */

/* Initialise libcurl once per process. wx_client_new() calls it; call it
 * from main() before starting threads to be safe with other curl users.
 * Returns 0 or -1. */
int wx_global_init(void);

/* NULL on allocation failure. */
wx_client_t *wx_client_new(void);
void wx_client_free(wx_client_t *c);

/* How a call that needs the shared access token reaches Redis (the token
 * cache, wx_token.h): through a lender that hands out a context for the
 * token lookup alone and takes it back before the call waits on WeChat.
 * borrow NULL: the fixed context rc is used (may be NULL: Redis down).
 * A lender's borrow may return NULL too; give_back then gets NULL. */
typedef struct wx_redis wx_redis_t;
struct wx_redis {
    redisContext *(*borrow)(wx_redis_t *self);
    void (*give_back)(wx_redis_t *self, redisContext *rc);
    redisContext *rc;
};
/* A lender of one fixed context (tests, tools): WX_REDIS_FIXED(ctx). */
#define WX_REDIS_FIXED(ctx) (&(wx_redis_t){ .rc = (ctx) })

/* jscode2session: the login code from wx.login() → openid, unionid, session
 * key. Errors: 400 invalid_code (40029, 40163, empty or oversized code),
 * 403 risky_user (40226), 429 rate_limited (45011), 503 wechat_unavailable
 * (everything else, timeouts, connection failures). */
int wx_code2session(wx_client_t *c, const char *code, wx_session_t *out, wx_err_t *err);

/* True when scene is 1..32 chars of [0-9A-Za-z!#$&'()*+,/:;=?@-._~]. */
int wx_scene_valid(const char *scene);

/* getwxacodeunlimit. page may be NULL or "" (the home page). On success
 * *img is a malloc'd image the caller frees, *len its size (<= 2 MiB) and
 * ctype its media type ("image/png", "image/jpeg"). Errors: 400
 * invalid_scene (checked locally, and WeChat's 40169), 400 invalid_page
 * (41030), 503 wechat_unavailable. */
int wx_get_wxacode(wx_client_t *c, wx_redis_t *rc, const char *scene, const char *page,
                   int check_path, unsigned char **img, size_t *len, char ctype[32],
                   wx_err_t *err);

/* getuserphonenumber: the code from the getPhoneNumber button → the number
 * without country code (purePhoneNumber, else phoneNumber), digits and a
 * leading '+' only. Errors as wx_code2session (40029 → 400 invalid_code). */
int wx_phone_number(wx_client_t *c, wx_redis_t *rc, const char *code, char *phone,
                    size_t phonesz, wx_err_t *err);

/* msg_sec_check v2; scene 1 profile, 2 comment, 3 forum, 4 social log.
 * *suggest = WX_PASS, WX_REVIEW or WX_RISKY. Errors: 400 content_too_long
 * (over 2500 characters, WeChat's limit), 503 wechat_unavailable (with
 * wx_errcode, e.g. 61010 when the user has not opened the mini-program in 2
 * hours; the handler decides whether to hold the content for review). */
int wx_msg_sec_check(wx_client_t *c, wx_redis_t *rc, const char *openid, int scene,
                     const char *content, int *suggest, wx_err_t *err);

/* checksession: is session_key still this user's current key? *valid = 1
 * (errcode 0) or 0 (87009). Other answers: -1, 503 wechat_unavailable. */
int wx_checksession(wx_client_t *c, wx_redis_t *rc, const char *openid,
                    const char *session_key, int *valid, wx_err_t *err);

/* subscribe/send. page may be NULL; data is the template's data object
 * (borrowed). miniprogram_state follows g_config.wx_env_version. Errors:
 * 403 not_subscribed (43101), 503 wechat_unavailable. Never repeated once
 * the request may have been sent: a message is better lost than doubled. */
int wx_subscribe_send(wx_client_t *c, wx_redis_t *rc, const char *openid,
                      const char *template_id, const char *page, json_t *data, wx_err_t *err);

#endif
