/* wxcall.h: what a handler needs around a WeChat call.
 *
 * Slow routes hold a store borrowed from a small pool (server.c), and a
 * WeChat call can take seconds; so a handler gives its store back
 * (req_release_stores) before calling WeChat. Calls that need the shared
 * access token still need Redis (wx_token.h): they borrow a store from
 * the same pool for the token lookup alone (wxcall_redis), as the README
 * says, and give it back before waiting on WeChat.
 */
#ifndef WXCALL_H
#define WXCALL_H

#include <hiredis/hiredis.h>
#include "server/request.h"
#include "wx/wx_client.h"

/* The Redis lender to pass to a token-using wx_* call (freed with the
 * request): on a slow route it borrows the request's pooled store for the
 * token lookup and gives it back after (unless the request held it
 * already), on a fast route it lends the worker's own. Its context is NULL
 * while Redis is down: wx_token then falls back to its per-process token. */
wx_redis_t *wxcall_redis(req_t *r);

/* Reply with a WeChat failure as API.md maps it (status, code, message,
 * Retry-After from wx_err_t). Returns 0. */
int wxcall_reply_error(req_t *r, const wx_err_t *e);

#endif
