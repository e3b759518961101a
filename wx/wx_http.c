/* wx_http.c: the transport under every WeChat call: one kept-alive libcurl
 * handle per client, the retry policy, the reply caps. (The calls
 * themselves are wx_client.c; the access token wx_token.c; both use this
 * file, and this file uses neither.)
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
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server/config.h"
#include "server/log.h"
#include "lib/crypto.h"
#include "lib/mono.h"
#include "wx/wx_internal.h"

#define WX_DEFAULT_CONNECT_MS 2000
#define WX_DEFAULT_TIMEOUT_MS 5000
#define WX_MAX_RETRIES 2
#define WX_MIN_ATTEMPT_MS 200   /* a repeat needs at least this much budget */
#define WX_MAXAGE_CONN_S 30L

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

void wx_random_hex(char *out, size_t nbytes)
{
    unsigned char b[64];
    if (nbytes > sizeof b)
        nbytes = sizeof b;
    /* The DRBG cannot fail once seeded; if it somehow does, the zeroed
     * bytes still make a valid (if predictable) lock value. */
    (void)crypto_random_bytes(b, nbytes);
    crypto_hex_encode(b, nbytes, out);
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

/* ---- client ----------------------------------------------------------- */

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static int g_init_rc = -1;

/* Every client's handle shares TLS sessions and resolved names: a thread
 * whose kept-alive connection was closed (idle past WX_MAXAGE_CONN_S, or by
 * WeChat) resumes a session another thread made instead of a full
 * handshake, and looks nothing up again. Connections stay each handle's
 * own (one request at a time per connection, above). */
static CURLSH *g_share;
static pthread_mutex_t g_share_mu[CURL_LOCK_DATA_LAST];

static void share_lock(CURL *h, curl_lock_data d, curl_lock_access a, void *u)
{
    (void)h; (void)a; (void)u;
    pthread_mutex_lock(&g_share_mu[d]);
}

static void share_unlock(CURL *h, curl_lock_data d, void *u)
{
    (void)h; (void)u;
    pthread_mutex_unlock(&g_share_mu[d]);
}

static void global_init_once(void)
{
    g_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
    if (g_init_rc < 0)
        return;
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_init(&g_share_mu[i], NULL);
    g_share = curl_share_init();
    if (g_share &&
        (curl_share_setopt(g_share, CURLSHOPT_LOCKFUNC, share_lock) != CURLSHE_OK ||
         curl_share_setopt(g_share, CURLSHOPT_UNLOCKFUNC, share_unlock) != CURLSHE_OK ||
         curl_share_setopt(g_share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION) != CURLSHE_OK ||
         curl_share_setopt(g_share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS) != CURLSHE_OK)) {
        curl_share_cleanup(g_share);
        g_share = NULL;          /* each handle on its own, as before */
    }
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
    if (g_share)
        curl_easy_setopt(h, CURLOPT_SHARE, g_share);
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
    long long t0 = mono_ms();
    int retries = 0, rc = -1;
    for (;;) {
        long this_timeout = timeout;
        if (retries > 0) {
            long left = (long)(WX_RETRY_BUDGET_MS - (mono_ms() - t0));
            if (left < this_timeout)
                this_timeout = left;
        }
        long status = 0;
        CURLcode cc = CURLE_OK;
        int t = attempt(c, url, body, flags & WX_REQ_ONCE, cap, this_timeout, connect, &status, &cc);
        long long ms = mono_ms() - t0;
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
