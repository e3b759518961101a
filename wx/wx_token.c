/* wx_token.c: the shared access token (design in wx_token.h).
 *
 * Why these steps, in this order:
 *
 *  - Read the token and its remaining TTL in one round trip (GET + PTTL,
 *    pipelined). The common case ends here.
 *  - A rejected token is removed with compare-and-delete, never a plain DEL:
 *    by the time worker A learns its token failed, worker B may already
 *    have stored the new one, and a DEL would throw that away and start a
 *    second fetch.
 *  - Missing token: take the lock, then read the cache again before
 *    fetching; the previous holder may have stored a token between our
 *    first read and our lock. Waiters poll the cache and, each time, try
 *    the lock too, so a holder that died or failed is replaced once its
 *    lock expires or is released, without a thundering herd.
 *  - stable_token, not cgi-bin/token: cgi-bin/token invalidates the previous
 *    token after 5 minutes, so two processes fetching at once could cut each
 *    other off; stable_token returns the same token to every caller while it
 *    is valid. That is also why the no-Redis fallback may call it freely.
 *  - force_refresh kills the current token for everyone at once and WeChat
 *    allows few per day, so it is used only when a normal stable_token call
 *    hands back the very token WeChat just rejected, at most once per 30 s
 *    fleet-wide (a Redis SET NX PX gate; per process without Redis). When
 *    the gate is closed, a force refresh happened moments ago and WeChat
 *    still hands out the rejected token (it ignores a second force within
 *    30 s anyway): the call fails with 503 rather than spend the quota. */
#define _GNU_SOURCE
#include "wx/wx_token.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "server/config.h"
#include "server/log.h"
#include "lib/mono.h"
#include "wx/wx_internal.h"

typedef struct {
    char key[256], lock[270], ahead[270], force[270];
} keys_t;

static void make_keys(keys_t *k)
{
    snprintf(k->key, sizeof k->key, "wx:token:%.160s", g_config.wx_appid);
    snprintf(k->lock, sizeof k->lock, "%s:lock", k->key);
    snprintf(k->ahead, sizeof k->ahead, "%s:ahead", k->key);
    snprintf(k->force, sizeof k->force, "%s:force", k->key);
}

static int tok_ok(const char *s, size_t n)
{
    if (n == 0 || n > WX_TOKEN_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
            return 0;
    return 1;
}

/* ---- WeChat ----------------------------------------------------------- */

/* POST cgi-bin/stable_token. Returns 0 with out and *expires_in, or -1 with
 * err. */
static int fetch_stable(wx_client_t *c, int force, char *out, size_t outsz, long *expires_in,
                        wx_err_t *err)
{
    static const char path[] = "/cgi-bin/stable_token";
    json_t *o = json_pack("{s:s, s:s, s:s, s:b}", "grant_type", "client_credential", "appid",
                          g_config.wx_appid, "secret", g_config.wx_secret, "force_refresh", force);
    char *body = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!body) {
        wx_err_unavailable(err, 0);
        return -1;
    }
    atomic_fetch_add_explicit(&wx_stat_token_fetches, 1, memory_order_relaxed);
    wx_resp_t r;
    int x = wx_request(c, path, NULL, body, WX_REQ_JSON, WX_MAX_JSON_BODY, &r, err);
    explicit_bzero(body, strlen(body)); /* held the secret */
    free(body);
    if (x < 0)
        return -1;
    json_t *t = json_object_get(r.json, "access_token");
    json_t *e = json_object_get(r.json, "expires_in");
    if (r.errcode != 0 || !json_is_string(t) || !json_is_integer(e) ||
        !tok_ok(json_string_value(t), json_string_length(t)) ||
        json_string_length(t) >= outsz || json_integer_value(e) <= 0) {
        if (r.errcode == 40013 || r.errcode == 40125 || r.errcode == 40164)
            log_error("wx %s errcode=%d: check wx_appid, wx_secret and WeChat's IP whitelist",
                      path, r.errcode);
        else if (r.errcode == 0)
            log_warn("wx %s reply without a usable token", path);
        wx_err_unavailable(err, r.errcode);
        wx_resp_free(&r);
        return -1;
    }
    memcpy(out, json_string_value(t), json_string_length(t) + 1);
    json_int_t ei = json_integer_value(e);
    *expires_in = ei > 86400 ? 86400 : (long)ei;
    if (r.body)
        explicit_bzero(r.body, r.len);
    wx_resp_free(&r);
    log_info("wx token fetched%s, expires_in=%ld", force ? " (force_refresh)" : "", *expires_in);
    return 0;
}

/* Redis TTL for a token WeChat says lives expires_in seconds. */
static long long ttl_ms_for(long expires_in)
{
    long long ms = expires_in > 2 * WX_TOKEN_MARGIN_S ? (long long)(expires_in - WX_TOKEN_MARGIN_S) * 1000
                                                      : (long long)expires_in * 500;
    return ms < 1000 ? 1000 : ms;
}

/* ---- Redis ------------------------------------------------------------ */

static int rc_ok(redisContext *rc)
{
    return rc && !rc->err;
}

/* GET and PTTL of key. Returns 1 (out, *pttl set; pttl -1 no expiry, -2
 * vanished in between), 0 (no token), -1 (Redis unusable). */
static int cache_read(redisContext *rc, const char *key, char *out, size_t outsz, long long *pttl)
{
    if (redisAppendCommand(rc, "GET %s", key) != REDIS_OK ||
        redisAppendCommand(rc, "PTTL %s", key) != REDIS_OK)
        return -1;
    redisReply *a = NULL, *b = NULL;
    int ra = redisGetReply(rc, (void **)&a);
    int rb = ra == REDIS_OK ? redisGetReply(rc, (void **)&b) : REDIS_ERR;
    int res = -1;
    if (ra == REDIS_OK && rb == REDIS_OK && a && b && b->type == REDIS_REPLY_INTEGER) {
        if (a->type == REDIS_REPLY_NIL) {
            res = 0;
        } else if (a->type == REDIS_REPLY_STRING) {
            if (tok_ok(a->str, a->len) && a->len < outsz && strlen(a->str) == a->len) {
                memcpy(out, a->str, a->len + 1);
                *pttl = b->integer;
                res = 1;
            } else {
                res = 0; /* garbage under our key: treat as missing, it gets overwritten */
            }
        }
    }
    if (a)
        freeReplyObject(a);
    if (b)
        freeReplyObject(b);
    return res;
}

/* SET key val NX PX ms. Returns 1 set, 0 already there, -1 Redis unusable. */
static int set_nx(redisContext *rc, const char *key, const char *val, long long ms)
{
    redisReply *r = redisCommand(rc, "SET %s %s NX PX %lld", key, val, ms);
    if (!r)
        return -1;
    int res = r->type == REDIS_REPLY_STATUS ? 1 : r->type == REDIS_REPLY_NIL ? 0 : -1;
    freeReplyObject(r);
    return res;
}

static int set_px(redisContext *rc, const char *key, const char *val, long long ms)
{
    redisReply *r = redisCommand(rc, "SET %s %s PX %lld", key, val, ms);
    if (!r)
        return -1;
    int res = r->type == REDIS_REPLY_STATUS ? 0 : -1;
    freeReplyObject(r);
    return res;
}

/* Delete key only while it holds val. Returns 1 deleted, 0 not, -1 error. */
static int del_if(redisContext *rc, const char *key, const char *val)
{
    static const char lua[] =
        "if redis.call('get',KEYS[1])==ARGV[1] then return redis.call('del',KEYS[1]) end return 0";
    redisReply *r = redisCommand(rc, "EVAL %s 1 %s %s", lua, key, val);
    if (!r)
        return -1;
    int res = r->type == REDIS_REPLY_INTEGER ? (int)r->integer : -1;
    freeReplyObject(r);
    return res;
}

static void redis_down_note(redisContext *rc)
{
    /* at most one line per 10 s per process: this is on every call */
    static _Atomic long long last;
    long long now = mono_ms(), prev = atomic_load_explicit(&last, memory_order_relaxed);
    if (now - prev >= 10000 &&
        atomic_compare_exchange_strong_explicit(&last, &prev, now, memory_order_relaxed,
                                                memory_order_relaxed))
        log_warn("wx token: Redis unavailable (%s), using the per-process token",
                 !rc ? "no connection" : rc->err ? rc->errstr : "error reply");
}

/* ---- fetching a new token ---------------------------------------------- */

/* Gate for force_refresh: Redis when rc is usable, else this process. */
static pthread_mutex_t g_force_mu = PTHREAD_MUTEX_INITIALIZER;
static long long g_force_last = -WX_TOKEN_FORCE_GAP_MS;

static int force_allowed(redisContext *rc, const keys_t *k)
{
    if (rc_ok(rc)) {
        int g = set_nx(rc, k->force, "1", WX_TOKEN_FORCE_GAP_MS);
        if (g >= 0)
            return g;
    }
    pthread_mutex_lock(&g_force_mu);
    long long now = mono_ms();
    int ok = now - g_force_last >= WX_TOKEN_FORCE_GAP_MS;
    if (ok)
        g_force_last = now;
    pthread_mutex_unlock(&g_force_mu);
    return ok;
}

/* A token other than bad (bad may be NULL). Returns 0 or -1 with err. */
static int fetch_new(wx_client_t *c, redisContext *rc, const keys_t *k, const char *bad,
                     char *out, size_t outsz, long *expires_in, wx_err_t *err)
{
    if (fetch_stable(c, 0, out, outsz, expires_in, err) < 0)
        return -1;
    if (!bad || strcmp(out, bad) != 0)
        return 0;
    if (!force_allowed(rc, k)) {
        log_warn("wx token: WeChat still hands out the rejected token and a force refresh "
                 "was made in the last %d s", WX_TOKEN_FORCE_GAP_MS / 1000);
        wx_err_unavailable(err, 0);
        return -1;
    }
    if (fetch_stable(c, 1, out, outsz, expires_in, err) < 0)
        return -1;
    if (strcmp(out, bad) == 0) {
        log_warn("wx token: force_refresh returned the rejected token");
        wx_err_unavailable(err, 0);
        return -1;
    }
    return 0;
}

/* ---- per-process fallback ---------------------------------------------- */

static pthread_mutex_t g_local_mu = PTHREAD_MUTEX_INITIALIZER;
static char g_local_tok[WX_TOKEN_MAX + 1];
static long long g_local_until; /* monotonic ms after which it is not used */

void wx_token_local_reset(void)
{
    pthread_mutex_lock(&g_local_mu);
    g_local_tok[0] = '\0';
    g_local_until = 0;
    pthread_mutex_unlock(&g_local_mu);
}

/* One thread fetches while the others wait on the mutex: single flight
 * per process, and the waiters then find the new token. */
static int local_get(wx_client_t *c, const keys_t *k, const char *bad, char *out, size_t outsz,
                     wx_err_t *err)
{
    pthread_mutex_lock(&g_local_mu);
    long long now = mono_ms();
    if (g_local_tok[0] && now < g_local_until && !(bad && !strcmp(g_local_tok, bad)) &&
        strlen(g_local_tok) < outsz) {
        /* near the end of its life, renew it (stable_token then hands out
         * the next token); keep the current one if that fails */
        if (g_local_until - now > WX_TOKEN_AHEAD_MS) {
            strcpy(out, g_local_tok);
            pthread_mutex_unlock(&g_local_mu);
            return 0;
        }
        char tok[WX_TOKEN_MAX + 1];
        long exp;
        wx_err_t e2;
        if (fetch_new(c, NULL, k, NULL, tok, sizeof tok, &exp, &e2) == 0) {
            strcpy(g_local_tok, tok);
            g_local_until = mono_ms() + ttl_ms_for(exp);
        }
        strcpy(out, g_local_tok);
        pthread_mutex_unlock(&g_local_mu);
        return 0;
    }
    char tok[WX_TOKEN_MAX + 1];
    long exp;
    int x = fetch_new(c, NULL, k, bad, tok, sizeof tok, &exp, err);
    if (x == 0) {
        strcpy(g_local_tok, tok);
        g_local_until = mono_ms() + ttl_ms_for(exp);
        if (strlen(tok) < outsz)
            strcpy(out, tok);
        else {
            wx_err_unavailable(err, 0);
            x = -1;
        }
    }
    pthread_mutex_unlock(&g_local_mu);
    return x;
}

/* ---- the shared path ----------------------------------------------------- */

/* Renew ahead of expiry: at most one caller per WX_TOKEN_AHEAD_GAP_MS
 * fleet-wide, and only while holding the lock. cur is the token in the
 * cache; out gets the new one, or cur when renewal is not ours or fails. */
static void refresh_ahead(wx_client_t *c, redisContext *rc, const keys_t *k, const char *cur,
                          char *out)
{
    strcpy(out, cur);
    if (set_nx(rc, k->ahead, "1", WX_TOKEN_AHEAD_GAP_MS) != 1)
        return;
    char val[33];
    wx_random_hex(val, 16);
    if (set_nx(rc, k->lock, val, WX_TOKEN_LOCK_MS) != 1)
        return;
    char tok[WX_TOKEN_MAX + 1];
    long exp;
    wx_err_t e2;
    if (fetch_new(c, rc, k, NULL, tok, sizeof tok, &exp, &e2) == 0) {
        set_px(rc, k->key, tok, ttl_ms_for(exp));
        strcpy(out, tok);
    }
    del_if(rc, k->lock, val);
}

int wx_token_get(wx_client_t *c, redisContext *rc, const char *bad, char *out, size_t outsz,
                 wx_err_t *err)
{
    keys_t k;
    make_keys(&k);
    if (outsz <= WX_TOKEN_MAX) {
        wx_err_unavailable(err, 0);
        return -1;
    }
    if (bad && !*bad)
        bad = NULL;
    if (!rc_ok(rc)) {
        redis_down_note(rc);
        return local_get(c, &k, bad, out, outsz, err);
    }

    char cur[WX_TOKEN_MAX + 1];
    long long pttl = 0, t0 = mono_ms();
    int f = cache_read(rc, k.key, cur, sizeof cur, &pttl);
    if (f < 0)
        goto fallback;
    if (f == 1 && bad && !strcmp(cur, bad)) {
        if (del_if(rc, k.key, bad) < 0)
            goto fallback;
        f = 0;
    }
    if (f == 1) {
        if (pttl >= 0 && pttl < WX_TOKEN_AHEAD_MS)
            refresh_ahead(c, rc, &k, cur, out);
        else
            strcpy(out, cur);
        return 0;
    }

    char val[33];
    wx_random_hex(val, 16);
    for (;;) {
        int l = set_nx(rc, k.lock, val, WX_TOKEN_LOCK_MS);
        if (l < 0)
            goto fallback;
        if (l == 1) {
            /* the previous holder may have stored one since our read */
            f = cache_read(rc, k.key, cur, sizeof cur, &pttl);
            if (f == 1 && !(bad && !strcmp(cur, bad))) {
                del_if(rc, k.lock, val);
                strcpy(out, cur);
                return 0;
            }
            long exp;
            int x = fetch_new(c, rc, &k, bad, cur, sizeof cur, &exp, err);
            if (x == 0) {
                if (set_px(rc, k.key, cur, ttl_ms_for(exp)) < 0)
                    redis_down_note(rc);
                strcpy(out, cur);
            }
            if (rc_ok(rc))
                del_if(rc, k.lock, val);
            return x;
        }
        if (mono_ms() - t0 >= WX_TOKEN_WAIT_MS) {
            log_warn("wx token: gave up waiting %d ms for another worker's refresh",
                     WX_TOKEN_WAIT_MS);
            wx_err_unavailable(err, 0);
            return -1;
        }
        usleep(WX_TOKEN_POLL_MS * 1000);
        f = cache_read(rc, k.key, cur, sizeof cur, &pttl);
        if (f < 0)
            goto fallback;
        if (f == 1 && !(bad && !strcmp(cur, bad))) {
            strcpy(out, cur);
            return 0;
        }
    }

fallback:
    redis_down_note(rc);
    return local_get(c, &k, bad, out, outsz, err);
}
