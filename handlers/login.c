/* login.c: POST /api/v1/login.
 *
 * code → (remembered reply?) → jscode2session → one transaction, shared
 * with the logins ready at the same time (login_group.h): the user
 * (created or found by openid, unionid kept, the session key sealed), the
 * session, and the remembered reply → reply, sent by the group's writer
 * while the request waits parked (server/park.h), its thread gone back to
 * the slow pool as soon as WeChat has answered. */
#include "handlers/login.h"
#include "engines/accounts/accounts.h"
#include "handlers/handlers.h"
#include "engines/accounts/login_group.h"
#include "engines/accounts/login_replay.h"
#include "engines/accounts/login_twins.h"
#include "engines/accounts/seal.h"
#include "engines/accounts/session.h"
#include "engines/wechat/wxcall.h"
#include "server/park.h"
#include "wx/wx_client.h"
#include "lib/crypto.h"

#include <stdlib.h>
#include <string.h>

#define JSON_CT "application/json; charset=utf-8"

/* A wx.login code: 1..256 printable ASCII characters. The JSON string may
 * hold a NUL, so the lengths are compared too. */
static const char *get_code(json_t *j)
{
    json_t *v = json_object_get(j, "code");
    if (!json_is_string(v))
        return NULL;
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (n == 0 || n > 256 || strlen(s) != n)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
            return NULL;
    return s;
}

/* A login from its first step to its reply: the key of its exchange for
 * its twins (login_twins.h) and, once WeChat has answered, its entry in a
 * login group with everything the entry needs beside it. The request's
 * own arena will not do: it is the worker's, reset as soon as the handler
 * returns, which it does at once when the request waits for its group
 * parked (server/park.h). */
typedef struct {
    login_entry_t e;         /* first: its gc part is the group queue's */
    arena_t arena;
    replay_t rp;             /* the code's claim (login_replay.h) */
    char hash[65];           /* sha256 of the code, hex */
    park_wait_t wait;        /* parked, or its thread sleeping */
} login_t;

static void login_free(login_t *l)
{
    explicit_bzero(l->e.token, sizeof l->e.token);
    if (l->e.reply)
        explicit_bzero(l->e.reply, strlen(l->e.reply));
    arena_free(&l->arena);
    free(l);
}

/* The reply of a login its group has written (or failed). */
static int reply_of(req_t *to, const login_t *l)
{
    if (l->e.st != ST_OK)
        return l->e.st;
    return reply_raw(to, 200, JSON_CT, l->e.reply, strlen(l->e.reply));
}

/* A parked login's reply, sent by its group's writer: to its twins too. */
static int answer(req_t *to, void *ud)
{
    login_t *l = ud;
    int rc = reply_of(to, l);
    reply_status(to, rc);
    login_twins_done(l, to, l->hash);
    return rc;
}

/* The group is done with l (its writer's thread). */
static void written(gc_entry_t *g)
{
    login_t *l = (login_t *)g;
    if (park_wait_done(&l->wait, &l->arena, answer, l))
        login_free(l);
}

/* WeChat said who it is: write everything in a group with the logins
 * ready at the same time (login_group.h), which replies; the request
 * waits for it parked when it can (r->parked), its thread free. */
static int finish(req_t *r, login_t *l, const wx_session_t *ws, int *entered)
{
    char *key_sealed;
    if (seal_str(r, ws->session_key, &key_sealed) < 0) {
        replay_abandon(r, &l->rp);
        return ST_ERR;
    }
    arena_t *a = &l->arena;
    l->e = (login_entry_t){ .gc = { .done = written }, .arena = a, .openid = arena_strdup(a, ws->openid),
                            .unionid = ws->unionid[0] ? arena_strdup(a, ws->unionid) : NULL,
                            .key_sealed = arena_strdup(a, key_sealed), .code_hash = l->hash, .rp = &l->rp,
                            .leave = *entered, .now = clock_now_s() };
    /* committed, then the session's copy, the remembered reply (which
     * drops the claim) and the end of this exchange sent to Redis by the
     * group's writer; a failed login's claim given up and its exchange
     * ended by the writer too */
    *entered = 0;
    int parked = park_wait_begin(&l->wait, r);
    login_group_write(r, &l->e);
    if (parked)
        return ST_OK;              /* written() answers it, maybe already */
    park_wait_sleep(&l->wait);
    return reply_of(r, l);
}

/* WeChat's refusals that use a code up: remembered (accounts.h). */
static int code_spent(int errcode)
{
    return errcode == 40029 || errcode == 40163 || errcode == 40226;
}

/* Ask WeChat who the code is (r holds the code's claim) and finish. */
static int exchange(req_t *r, const char *code, login_t *l, int *entered)
{
    /* No store is needed while WeChat answers: give it back to the pool. */
    req_release_stores(r);
    wx_session_t ws;
    wx_err_t e;
    char *prev;
    if (wx_code2session((wx_client_t *)req_wx(r), code, &ws, &e) < 0) {
        /* "Code been used": Redis may have lost the reply MariaDB kept. */
        if (e.wx_errcode == 40163 && (prev = replay_lookup_db(r, &l->rp)) != NULL) {
            replay_abandon(r, &l->rp);
            return reply_raw(r, 200, JSON_CT, prev, strlen(prev));
        }
        /* before the claim goes, so no waiter calls WeChat again */
        if (code_spent(e.wx_errcode) && e.http_status >= 400 && e.http_status < 500)
            login_guard_remember_bad(r, l->hash, e.http_status, e.code, e.message);
        replay_abandon(r, &l->rp);
        return wxcall_reply_error(r, &e);
    }
    int rc = finish(r, l, &ws, entered);
    explicit_bzero(&ws, sizeof ws);
    return rc;
}

/* One login with a well-formed code (h_login admitted it). One round trip
 * to Redis counts the exchange, claims the code (or finds its remembered
 * reply) and looks whether it is known bad by now. */
static int login_code(req_t *r, const char *code, login_t *l, int *entered)
{
    kv_batch_t b = { 0 };
    login_guard_step_t gs = { -1, -1 };
    const char *hash = l->hash;
    replay_t *rp = &l->rp;
    login_guard_enter_add(r, &b, hash, &gs);
    replay_begin_add(r, hash, &b, rp);
    /* after the claim: a twin that held it before us may have been refused */
    login_guard_bad_add(r, &b, hash, &gs);
    (void)kv_batch_run(req_kv(r), r->arena, &b);   /* Redis down: MariaDB claims */
    int refused = login_guard_enter_result(&b, &gs, entered);
    char *prev;
    int rc = replay_begin_result(r, &b, rp, !refused, &prev);
    if (rc < 0)
        return rc;
    if (rc == REPLAY_HIT)            /* the remembered login, even past the count */
        return reply_raw(r, 200, JSON_CT, prev, strlen(prev));
    if (refused) {
        if (rc == REPLAY_OWNER)
            replay_abandon(r, rp);
        return login_guard_busy(r);
    }
    if (rc == REPLAY_OWNER && login_guard_bad_result(r, &b, &gs, hash)) {
        replay_abandon(r, rp);
        return ST_REPLIED;
    }
    if (rc == REPLAY_BUSY) {
        /* Another request with this code has not finished in time. */
        wx_err_t e = { 503, "wechat_unavailable", "WeChat is not answering; try again shortly",
                       WX_UNAVAILABLE_RETRY_S, 0 };
        return wxcall_reply_error(r, &e);
    }
    return exchange(r, code, l, entered);
}

int h_login(req_t *r)
{
    json_t *j = req_json(r);
    if (!j)
        return 0;
    const char *code = get_code(j);
    if (!code)
        return reply_error(r, 400, "invalid_code", "code must be the string wx.login() gave");
    login_t *l = calloc(1, sizeof *l);
    if (!l)
        return ST_ERR;
    arena_init(&l->arena);
    crypto_sha256_hex(code, strlen(code), l->hash);
    if (login_guard_admit(r, l->hash) != ST_OK) {
        login_free(l);
        return ST_REPLIED;
    }
    /* A twin of a request exchanging this code here waits parked, on no
     * thread, and gets that request's reply (login_twins.h). */
    if (login_twins_join(r, l, l->hash) == TWIN_PARKED) {
        login_free(l);
        return ST_OK;
    }
    int entered = 0;
    int rc = login_code(r, code, l, &entered);
    if (r->parked)                /* waiting for its group: written() ends it */
        return ST_OK;
    if (entered)                  /* a login that ended before its group */
        login_guard_leave(r, l->hash);
    reply_status(r, rc);          /* a failure's reply now, so the twins get it too */
    login_twins_done(l, r, l->hash);
    login_free(l);
    return rc;
}
