/* wxcall.c: see wxcall.h. */
#include "engines/wechat/wxcall.h"
#include "server/router.h"

#include <stdio.h>

typedef struct {
    wx_redis_t base;
    req_t *r;
    int held;   /* the request held its store before the borrow */
} lender_t;

/* On a slow route req_kv borrows the pooled store (unless the request
 * already holds one); on a fast route it is the worker's own. */
static redisContext *lend(wx_redis_t *self)
{
    lender_t *l = (lender_t *)self;
    l->held = req_holds_stores(l->r);
    kv_t *kv = req_kv(l->r);
    redisContext *c = kv_ctx(kv);
    if (c && c->err) {
        /* an I/O error seen by the token code last time: reconnect (at
         * most once a second, as kv.c paces it) */
        kv_broken(kv);
        c = kv_ctx(kv);
    }
    return c;
}

static void take_back(wx_redis_t *self, redisContext *c)
{
    lender_t *l = (lender_t *)self;
    if (c && c->err)
        kv_broken(req_kv(l->r));
    if (!l->held)
        req_release_stores(l->r);
}

wx_redis_t *wxcall_redis(req_t *r)
{
    lender_t *l = arena_alloc(r->arena, sizeof *l);
    l->base.borrow = lend;
    l->base.give_back = take_back;
    l->r = r;
    return &l->base;
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
