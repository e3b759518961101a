/* login.h: POST /api/v1/login — a mini-program user signs in with the code
 * from wx.login(). */
#ifndef LOGIN_H
#define LOGIN_H

#include "server/request.h"

/* R_SLOW. {"code"} → 200 {"token", "expires_in", "user": {"id",
 * "registered"}}; the same code again within five minutes → the same
 * reply (login_replay.h). Errors: 400 invalid_code, 403 risky_user, 429
 * rate_limited (Retry-After), 503 wechat_unavailable (Retry-After). */
int h_login(req_t *r);

#endif
