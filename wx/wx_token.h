/* wx_token.h: the access token shared by every worker of every process.
 *
 * Kept in Redis under "wx:token:<appid>" with a TTL 60 s shorter
 * than WeChat's expires_in. Exactly one caller at a time fetches a new one
 * (cgi-bin/stable_token) under the lock "<key>:lock", taken with
 * SET NX PX 10000 and a random value and released only by its owner (a Lua
 * compare-and-delete). Callers that find no token and no lock free wait,
 * polling the cache every 20 ms for up to 3 s. When fewer than 4 minutes of
 * the Redis TTL remain (5 minutes of the token's life, when WeChat starts
 * handing out the next token) one caller, at most one per 30 s across the
 * fleet, refreshes it ahead while everyone keeps using the current one.
 *
 * When Redis is unusable (NULL context, a context in error, or an error
 * reply) the token lives in a per-process cache instead, fetched by one
 * thread at a time: the service keeps working with Redis down and still
 * calls stable_token about once per process, not once per request.
 *
 * A rejected token (WeChat 40001, 42001, 40014) is passed back as `bad`:
 * the cache entry is dropped only if it still holds that token (Lua
 * compare-and-delete, so a token another worker just stored survives), and
 * a new one fetched. stable_token in normal mode returns the current token
 * while WeChat thinks it valid; when it hands back the very token that was
 * just rejected, the fetch is repeated with force_refresh=true (WeChat caps
 * these per day, so at most one per 30 s across the fleet). */
#ifndef WX_TOKEN_H
#define WX_TOKEN_H

#include <hiredis/hiredis.h>
#include <stddef.h>

#include "wx/wx_client.h"

#define WX_TOKEN_MAX 512              /* longest token WeChat documents */
#define WX_TOKEN_MARGIN_S 60          /* Redis TTL = expires_in - this */
#define WX_TOKEN_AHEAD_MS 240000      /* refresh ahead below this Redis TTL */
#define WX_TOKEN_AHEAD_GAP_MS 30000   /* at most one ahead-refresh per this */
#define WX_TOKEN_LOCK_MS 10000        /* refresher lock lifetime */
#define WX_TOKEN_WAIT_MS 3000         /* how long others wait for the refresher */
#define WX_TOKEN_POLL_MS 20
#define WX_TOKEN_FORCE_GAP_MS 30000   /* at most one force_refresh per this */

/* A valid access token into out (outsz > WX_TOKEN_MAX). bad: the token
 * WeChat just rejected, or NULL. rc may be NULL or broken. Returns 0, or -1
 * with err = 503 wechat_unavailable. */
int wx_token_get(wx_client_t *c, redisContext *rc, const char *bad, char *out, size_t outsz,
                 wx_err_t *err);

/* Forget the per-process fallback token (tests). */
void wx_token_local_reset(void);

#endif
