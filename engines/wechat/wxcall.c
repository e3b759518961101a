/* wxcall.c: see wxcall.h. */
#include "engines/wechat/wxcall.h"
#include "server/router.h"

#include <pthread.h>
#include <stdio.h>

static pthread_key_t tl_key;
static pthread_once_t tl_once = PTHREAD_ONCE_INIT;
static __thread kv_t *tl_kv;

static void tl_free(void *p) { kv_free(p); }
static void tl_init(void) { pthread_key_create(&tl_key, tl_free); }

redisContext *wxcall_redis(req_t *r)
{
    if (!r->route || !(r->route->flags & R_SLOW))
        return kv_ctx(req_kv(r));
    if (!tl_kv) {
        pthread_once(&tl_once, tl_init);
        tl_kv = kv_new();
        /* the key's destructor frees it when the thread ends */
        pthread_setspecific(tl_key, tl_kv);
    }
    redisContext *c = kv_ctx(tl_kv);
    if (c && c->err) {
        /* wx_token saw an I/O error on it last time: reconnect (at most
         * once a second, as kv.c paces it). */
        kv_broken(tl_kv);
        c = kv_ctx(tl_kv);
    }
    return c;
}

int wxcall_reply_error(req_t *r, const wx_err_t *e)
{
    int status = e->http_status >= 400 ? e->http_status : 503;
    if (e->retry_after_s > 0) {
        char v[16];
        snprintf(v, sizeof v, "%d", e->retry_after_s);
        reply_header(r, "Retry-After", v);
    }
    return reply_error(r, status, e->code ? e->code : "wechat_unavailable",
                       e->message ? e->message : "WeChat is not answering; try again shortly");
}
