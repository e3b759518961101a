/* wxcall.h: what a handler needs around a WeChat call.
 *
 * Slow routes hold a store borrowed from a small pool (server.c), and a
 * WeChat call can take seconds; so a handler gives its store back
 * (req_release_stores) before calling WeChat. Calls that need the shared
 * access token still need Redis (wx_token.h), so this thread keeps one
 * Redis connection of its own for that, outside the pool. */
#ifndef WXCALL_H
#define WXCALL_H

#include <hiredis/hiredis.h>
#include "server/request.h"
#include "wx/wx_client.h"

/* The Redis context to pass to a token-using wx_* call: on a slow route
 * this thread's own connection (so the request need not hold a pooled
 * store while WeChat answers), on a fast route the worker's. NULL while
 * Redis is down: wx_token then falls back to its per-process token. */
redisContext *wxcall_redis(req_t *r);

/* Reply with a WeChat failure as API.md maps it (status, code, message,
 * Retry-After from wx_err_t). Returns 0. */
int wxcall_reply_error(req_t *r, const wx_err_t *e);

#endif
