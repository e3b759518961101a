/* login_guard.h: floods at POST /login and the WeChat-bound writes
 * (issue 14; login_guard.c says how). Every function that replies returns
 * ST_REPLIED after replying 429 rate_limited with Retry-After (or WeChat's
 * remembered refusal), else ST_OK. */
#ifndef ACCOUNTS_LOGIN_GUARD_H
#define ACCOUNTS_LOGIN_GUARD_H

#include "server/request.h"

/* Admit one login from r's address (per address a minute, in all a second). */
int login_guard_admit(req_t *r);
/* Was this login code refused by WeChat in the last five minutes? */
int login_guard_known_bad(req_t *r, const char *code_hash);
/* Remember that WeChat refused a code in a way that used it up. */
void login_guard_remember_bad(req_t *r, const char *code_hash, int status, const char *err_code,
                              const char *message);
/* Bound the requests with one code in flight at once: ST_REPLIED after
 * replying 429 (too many), else ST_OK with *entered 1 when counted (call
 * login_guard_leave at the end; 0 while Redis is down). */
int login_guard_enter(req_t *r, const char *code_hash, int *entered);
void login_guard_leave(req_t *r, const char *code_hash);
/* Admit one WeChat-bound write of the caller (POST /units, PUT /me/profile,
 * POST /me/phone). */
int wx_write_admit(req_t *r);

#endif
