/* wx_client.c: WeChat server API calls over one kept-alive libcurl handle.
 *
 * Retry policy, and why.
 *
 * Some calls use something up on WeChat's side: jscode2session consumes the
 * login code, getuserphonenumber the phone code, subscribe/send sends a
 * message. Repeating such a request after it may have reached WeChat turns
 * one success into a 40163 ("code been used") or a doubled message. So a
 * request is repeated only when it surely never arrived, or when WeChat said
 * so itself:
 *
 *  - errcode -1 ("system busy"): WeChat answered without doing the work.
 *  - A transport failure before the request was sent. "Before" is not
 *    guessed from the curl error code alone: curl calls the pre-request
 *    callback (CURLOPT_PREREQFUNCTION) once the connection (TCP and TLS) is
 *    ready and just before it writes the request. A failure with that
 *    callback never called, and an error code of the connect phase
 *    (COULDNT_RESOLVE_HOST, COULDNT_CONNECT, SSL_CONNECT_ERROR, or
 *    OPERATION_TIMEDOUT while still connecting) cannot have delivered the
 *    request. Certificate failures are not repeated: they will not heal.
 *  - Nothing else: a timeout while waiting for the reply, an empty reply
 *    (GOT_NOTHING), a reset while receiving (RECV_ERROR), an HTTP 5xx.
 *
 * curl itself silently resends a request once when a reused keep-alive
 * connection turns out dead with nothing received. That is a resend after
 * sending, so for the calls that use something up (WX_REQ_ONCE) the
 * pre-request callback refuses a second run within one transfer, and the
 * transfer fails as "maybe sent". (curl checks a pooled connection for a
 * server-side close before reusing it, so this costs a login only in the
 * rare race where WeChat closes the connection as the request goes out.)
 * Idle connections are not reused after WX_MAXAGE_CONN_S, well under the
 * usual 60-75 s server keep-alive, to make that race rarer still.
 *
 * At most two repeats, each after a short jittered pause, and a repeat
 * starts only if the call is still younger than WX_RETRY_BUDGET_MS (minus
 * time for the attempt); a repeat's timeout is clamped to what is left of
 * the budget, so a login never waits much more than max(wx_timeout_ms, 3 s).
 *
 * HTTP/1.1 is pinned: one request per connection at a time keeps the
 * "was it sent" reasoning above simple, and WeChat's API gains nothing from
 * HTTP/2 for one request at a time per thread. */
#define _GNU_SOURCE
#include "wx/wx_client.h"

#include <ctype.h>
#include <curl/curl.h>
#include <mbedtls/md.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "server/config.h"
#include "server/log.h"
#include "wx/wx_internal.h"
#include "wx/wx_token.h"

#define WX_DEFAULT_CONNECT_MS 2000
#define WX_DEFAULT_TIMEOUT_MS 5000
#define WX_MAX_RETRIES 2
#define WX_MIN_ATTEMPT_MS 200   /* a repeat needs at least this much budget */
#define WX_MAXAGE_CONN_S 30L
#define WX_CODE_MAX 256         /* longest login/phone code accepted */
#define WX_CONTENT_MAX_CHARS 2500

atomic_ulong wx_stat_calls;
atomic_ulong wx_stat_errors;
atomic_ulong wx_stat_retries;
atomic_ulong wx_stat_token_fetches;
atomic_ulong wx_stat_token_rejected;

struct wx_client {
    CURL *h;
    struct curl_slist *json_hdr;
    uint64_t rng;
    /* state of the transfer in progress */
    unsigned char *buf;
    size_t len, alloc, limit;
    int too_large;
    int prereq_calls;
    int once;
};

/* ---- small helpers ---------------------------------------------------- */

long long wx_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void wx_random_hex(char *out, size_t nbytes)
{
    static const char hx[] = "0123456789abcdef";
    unsigned char b[64];
    if (nbytes > sizeof b)
        nbytes = sizeof b;
    size_t got = 0;
    while (got < nbytes) {
        ssize_t n = getrandom(b + got, nbytes - got, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    if (got < nbytes) {
        /* getrandom cannot fail for small sizes once the pool is ready;
         * this only keeps the value unique if it somehow does. */
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^
                     ((uint64_t)getpid() << 40) ^ (uint64_t)(uintptr_t)&ts;
        for (size_t i = got; i < nbytes; i++) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            b[i] = (unsigned char)x;
        }
    }
    for (size_t i = 0; i < nbytes; i++) {
        out[2 * i] = hx[b[i] >> 4];
        out[2 * i + 1] = hx[b[i] & 15];
    }
    out[2 * nbytes] = '\0';
}

void wx_err_set(wx_err_t *err, int http_status, const char *code, const char *message,
                int retry_after_s, int wx_errcode)
{
    if (!err)
        return;
    err->http_status = http_status;
    err->code = code;
    err->message = message;
    err->retry_after_s = retry_after_s;
    err->wx_errcode = wx_errcode;
}

void wx_err_unavailable(wx_err_t *err, int wx_errcode)
{
    wx_err_set(err, 503, "wechat_unavailable", "WeChat is not answering; try again shortly",
               WX_UNAVAILABLE_RETRY_S, wx_errcode);
}

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

/* ---- client ----------------------------------------------------------- */

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static int g_init_rc = -1;

static void global_init_once(void)
{
    g_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

int wx_global_init(void)
{
    pthread_once(&g_once, global_init_once);
    return g_init_rc;
}

static size_t on_write(char *p, size_t size, size_t nmemb, void *ud)
{
    wx_client_t *c = ud;
    size_t n = size * nmemb;
    if (n > c->limit - c->len) {
        c->too_large = 1;
        return 0; /* CURLE_WRITE_ERROR */
    }
    if (c->len + n + 1 > c->alloc) {
        size_t want = c->alloc ? c->alloc : 4096;
        while (want < c->len + n + 1)
            want *= 2;
        if (want > c->limit + 1)
            want = c->limit + 1;
        unsigned char *nb = realloc(c->buf, want);
        if (!nb)
            return 0;
        c->buf = nb;
        c->alloc = want;
    }
    memcpy(c->buf + c->len, p, n);
    c->len += n;
    c->buf[c->len] = '\0';
    return n;
}

static int on_prereq(void *ud, char *primary_ip, char *local_ip, int primary_port,
                     int local_port)
{
    (void)primary_ip; (void)local_ip; (void)primary_port; (void)local_port;
    wx_client_t *c = ud;
    c->prereq_calls++;
    /* A second run within one transfer is curl resending on a fresh
     * connection: forbidden when the first may have used something up. */
    if (c->once && c->prereq_calls > 1)
        return CURL_PREREQFUNC_ABORT;
    return CURL_PREREQFUNC_OK;
}

wx_client_t *wx_client_new(void)
{
    if (wx_global_init() < 0)
        return NULL;
    wx_client_t *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->h = curl_easy_init();
    c->json_hdr = curl_slist_append(NULL, "Content-Type: application/json; charset=utf-8");
    struct curl_slist *t = c->json_hdr ? curl_slist_append(c->json_hdr, "Expect:") : NULL;
    if (!c->h || !t) {
        wx_client_free(c);
        return NULL;
    }
    c->json_hdr = t;
    char seed[17];
    wx_random_hex(seed, 8);
    c->rng = strtoull(seed, NULL, 16) | 1;

    CURL *h = c->h;
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(h, CURLOPT_PREREQFUNCTION, on_prereq);
    curl_easy_setopt(h, CURLOPT_PREREQDATA, c);
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https,http");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_MAXAGE_CONN, WX_MAXAGE_CONN_S);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "quiz-backend/1");
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (g_config.wx_ca_file[0])
        curl_easy_setopt(h, CURLOPT_CAINFO, g_config.wx_ca_file);
    return c;
}

void wx_client_free(wx_client_t *c)
{
    if (!c)
        return;
    if (c->h)
        curl_easy_cleanup(c->h);
    curl_slist_free_all(c->json_hdr);
    free(c->buf);
    free(c);
}

char *wx_escape(wx_client_t *c, const char *s)
{
    return curl_easy_escape(c->h, s ? s : "", 0);
}

void wx_resp_free(wx_resp_t *r)
{
    if (!r)
        return;
    free(r->body);
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}

static unsigned next_rand(wx_client_t *c)
{
    uint64_t x = c->rng;
    x ^= x << 13; x ^= x >> 7; x ^= x << 17;
    c->rng = x;
    return (unsigned)(x >> 32);
}

enum { T_OK, T_NOT_SENT, T_MAYBE_SENT };

/* One HTTP exchange. Returns T_OK (a reply is in c->buf, *status set),
 * T_NOT_SENT or T_MAYBE_SENT; *cc is curl's result. */
static int attempt(wx_client_t *c, const char *url, const char *body, int once, size_t cap,
                   long timeout_ms, long connect_ms, long *status, CURLcode *cc)
{
    CURL *h = c->h;
    c->len = 0;
    c->too_large = 0;
    c->prereq_calls = 0;
    c->once = once;
    c->limit = cap;
    if (c->buf)
        c->buf[0] = '\0';
    curl_easy_setopt(h, CURLOPT_URL, url);
    if (body) {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, c->json_hdr);
    } else {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, (struct curl_slist *)NULL);
    }
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, connect_ms < timeout_ms ? connect_ms : timeout_ms);
    atomic_fetch_add_explicit(&wx_stat_calls, 1, memory_order_relaxed);
    *cc = curl_easy_perform(h);
    *status = 0;
    if (*cc == CURLE_OK) {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, status);
        return T_OK;
    }
    if (c->prereq_calls == 0 && !c->too_large &&
        (*cc == CURLE_COULDNT_RESOLVE_HOST || *cc == CURLE_COULDNT_CONNECT ||
         *cc == CURLE_SSL_CONNECT_ERROR || *cc == CURLE_OPERATION_TIMEDOUT))
        return T_NOT_SENT;
    return T_MAYBE_SENT;
}

/* Parse c->buf into r. Returns 0, or -1 for a reply that cannot be used. */
static int take_reply(wx_client_t *c, long status, int flags, wx_resp_t *r)
{
    r->http_status = status;
    r->len = c->len;
    r->body = malloc(c->len + 1);
    if (!r->body)
        return -1;
    if (c->len)
        memcpy(r->body, c->buf, c->len);
    r->body[c->len] = '\0';

    size_t i = 0;
    while (i < r->len && (r->body[i] == ' ' || r->body[i] == '\t' || r->body[i] == '\r' ||
                          r->body[i] == '\n'))
        i++;
    if (i < r->len && r->body[i] == '{' && r->len <= WX_MAX_JSON_BODY) {
        json_error_t je;
        r->json = json_loadb((const char *)r->body, r->len, JSON_REJECT_DUPLICATES, &je);
        if (r->json && !json_is_object(r->json)) {
            json_decref(r->json);
            r->json = NULL;
        }
    }
    if (r->json) {
        json_t *ec = json_object_get(r->json, "errcode");
        if (ec && json_is_integer(ec)) {
            json_int_t v = json_integer_value(ec);
            r->errcode = (v > -1000000000 && v < 1000000000) ? (int)v : 999999999;
        } else if (ec && json_is_string(ec)) {
            r->errcode = atoi(json_string_value(ec));
        }
    }
    if ((flags & WX_REQ_JSON) && !r->json)
        return -1;
    /* WeChat answers errors with HTTP 200; any other status is a gateway
     * speaking, unless it still carries WeChat's errcode. */
    if ((status < 200 || status > 299) && !(r->json && r->errcode != 0))
        return -1;
    return 0;
}

int wx_request(wx_client_t *c, const char *path, const char *query, const char *body,
               int flags, size_t cap, wx_resp_t *r, wx_err_t *err)
{
    memset(r, 0, sizeof *r);
    if (!c || !c->h) {
        wx_err_unavailable(err, 0);
        return -1;
    }
    const char *base = g_config.wx_base_url[0] ? g_config.wx_base_url : "https://api.weixin.qq.com";
    size_t blen = strlen(base);
    while (blen && base[blen - 1] == '/')
        blen--;
    size_t ulen = blen + strlen(path) + (query ? strlen(query) + 1 : 0) + 1;
    char *url = malloc(ulen);
    if (!url) {
        wx_err_unavailable(err, 0);
        return -1;
    }
    snprintf(url, ulen, "%.*s%s%s%s", (int)blen, base, path, query ? "?" : "", query ? query : "");

    long timeout = g_config.wx_timeout_ms > 0 ? g_config.wx_timeout_ms : WX_DEFAULT_TIMEOUT_MS;
    long connect = g_config.wx_connect_timeout_ms > 0 ? g_config.wx_connect_timeout_ms
                                                      : WX_DEFAULT_CONNECT_MS;
    long long t0 = wx_now_ms();
    int retries = 0, rc = -1;
    for (;;) {
        long this_timeout = timeout;
        if (retries > 0) {
            long left = (long)(WX_RETRY_BUDGET_MS - (wx_now_ms() - t0));
            if (left < this_timeout)
                this_timeout = left;
        }
        long status = 0;
        CURLcode cc = CURLE_OK;
        int t = attempt(c, url, body, flags & WX_REQ_ONCE, cap, this_timeout, connect, &status, &cc);
        long long ms = wx_now_ms() - t0;
        int retry = 0;
        if (t == T_OK) {
            if (take_reply(c, status, flags, r) < 0) {
                log_warn("wx %s bad reply http=%ld len=%zu ms=%lld", path, status, c->len, ms);
                wx_resp_free(r);
                wx_err_unavailable(err, 0);
                break;
            }
            if (r->errcode == -1)
                retry = 1;
            else {
                if (r->errcode)
                    log_info("wx %s errcode=%d ms=%lld", path, r->errcode, ms);
                else
                    log_debug("wx %s ok ms=%lld", path, ms);
                rc = 0;
                break;
            }
        } else if (t == T_NOT_SENT) {
            retry = 1;
        }
        long pause = retries == 0 ? 50 + (long)(next_rand(c) % 50) : 150 + (long)(next_rand(c) % 100);
        if (retry && retries < WX_MAX_RETRIES &&
            ms + pause + WX_MIN_ATTEMPT_MS <= WX_RETRY_BUDGET_MS) {
            if (t == T_OK) {
                log_info("wx %s errcode=-1 ms=%lld, retrying", path, ms);
                wx_resp_free(r);
            } else {
                log_info("wx %s not sent (curl %d: %s) ms=%lld, retrying", path, (int)cc,
                         curl_easy_strerror(cc), ms);
            }
            atomic_fetch_add_explicit(&wx_stat_retries, 1, memory_order_relaxed);
            usleep((useconds_t)pause * 1000);
            retries++;
            continue;
        }
        if (t == T_OK) { /* -1 to the end: the caller maps it */
            log_warn("wx %s errcode=-1 ms=%lld, giving up after %d tries", path, ms, retries + 1);
            rc = 0;
            break;
        }
        if (c->too_large)
            log_warn("wx %s reply over %zu bytes ms=%lld", path, cap, ms);
        else
            log_warn("wx %s failed %s (curl %d: %s) ms=%lld tries=%d", path,
                     t == T_NOT_SENT ? "before sending" : "after sending", (int)cc,
                     curl_easy_strerror(cc), ms, retries + 1);
        wx_err_unavailable(err, 0);
        break;
    }
    free(url);
    /* keep a big image buffer from lingering in an idle thread */
    if (c->alloc > WX_MAX_JSON_BODY * 2) {
        free(c->buf);
        c->buf = NULL;
        c->alloc = 0;
    }
    c->len = 0;
    return rc;
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
