/* login_guard.h: floods at POST /login and the WeChat-bound writes
 * (issue 14; login_guard.c says how). Every function that replies returns
 * ST_REPLIED after replying 429 rate_limited with Retry-After (or WeChat's
 * remembered refusal), else ST_OK. */
#ifndef ACCOUNTS_LOGIN_GUARD_H
#define ACCOUNTS_LOGIN_GUARD_H

#include "server/request.h"

/* Admit one login with this code (sha256 hex): counted per address (a
 * minute) and in all (a second), and refused when WeChat refused the code
 * in the last five minutes. One Redis round trip. */
int login_guard_admit(req_t *r, const char *code_hash);
/* Remember that WeChat refused a code in a way that used it up. */
void login_guard_remember_bad(req_t *r, const char *code_hash, int status, const char *err_code,
                              const char *message);

/* The steps the code's exchanger takes, each added to a batch of Redis
 * commands (kv.h) sent with the replay's claim or its publication, then
 * read after kv_batch_run:
 * - enter: count it among the requests exchanging the code at once (at
 *   most LOGIN_SAME_CODE_MAX); login_guard_enter_result is 1 when there
 *   are too many (nothing counted; login_guard_busy replies the 429), else
 *   0 with *entered 1 when counted (0 while Redis is down): then
 *   login_guard_leave_add (or login_guard_leave) at the end;
 * - bad: look whether the code is known bad by now (a twin that held the
 *   claim before may have been refused); login_guard_bad_result is 1 after
 *   replying WeChat's remembered refusal. */
typedef struct {
    int enter_idx, bad_idx;
} login_guard_step_t;
void login_guard_enter_add(req_t *r, kv_batch_t *b, const char *code_hash, login_guard_step_t *s);
int login_guard_enter_result(const kv_batch_t *b, const login_guard_step_t *s, int *entered);
int login_guard_busy(req_t *r);
void login_guard_bad_add(req_t *r, kv_batch_t *b, const char *code_hash, login_guard_step_t *s);
int login_guard_bad_result(req_t *r, const kv_batch_t *b, const login_guard_step_t *s, const char *code_hash);
void login_guard_leave_add(req_t *r, kv_batch_t *b, const char *code_hash);
void login_guard_leave(req_t *r, const char *code_hash);
/* Admit one WeChat-bound write of the caller (POST /units, PUT /me/profile,
 * POST /me/phone). */
int wx_write_admit(req_t *r);

#endif
