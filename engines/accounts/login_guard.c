/* login_guard.c: floods at POST /login and the WeChat-bound writes (see
 * accounts.h).
 *
 * - Logins are counted per client address (a minute's window) and in all
 *   (a second's window) with ratelimit.h's counters, before anything else
 *   is done, so junk from one address is refused at once and cannot fill
 *   the slow pool that every WeChat-bound route shares. nginx's limit_req
 *   does the same in front (scripts/stack.py, deploy/).
 * - A code WeChat refused in a way that used it up (40029 invalid, 40163
 *   used, 40226 risky) is remembered as bad for five minutes (the life of
 *   a wx.login code) under login:bad:<sha256(code)>, so repeats cost no
 *   WeChat call. The owner of a code's claim writes the mark before it
 *   drops the claim (login_replay.h), and a request that wins a claim
 *   looks again, so waiters on the same code never call WeChat after a
 *   refusal.
 * - Requests with one code in one process wait for the first of them
 *   parked, on no thread (login_twins.h); only that first one enters here.
 *   At most LOGIN_SAME_CODE_MAX such exchangers of one code (one per
 *   server process, or a request that could not be parked) are in flight
 *   at once (login:n:<sha256(code)>): each may wait on another's claim on
 *   a slow thread, so that is bounded; the rest get 429 with Retry-After 1
 *   and find the remembered answer when they retry.
 * With Redis down the counters fall back to each process's own table
 * (ratelimit.h), and so does the bad-code memory: each process keeps the
 * refusals it remembered itself (bounded, least recently used first) and
 * reads them when Redis does not answer, so a junk code sent again still
 * costs no WeChat call from that process. */
#include "engines/accounts/accounts.h"
#include "engines/accounts/ratelimit.h"
#include "lib/ttl_cache.h"
#include "server/config.h"

#include <pthread.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BAD_CODE_S 300
#define LOGIN_SAME_CODE_MAX 8
#define LOCAL_BAD_ENTRIES 4096
#define LOCAL_BAD_BYTES (1 << 20)

static ttl_cache_t *local_bad;          /* this process's copy: sha256(code) -> refusal */
static pthread_once_t local_bad_once = PTHREAD_ONCE_INIT;

static void local_bad_init(void) { local_bad = ttl_cache_new(LOCAL_BAD_ENTRIES, LOCAL_BAD_BYTES); }

static int limited(req_t *r, int wait_s, const char *message)
{
    reply_header(r, "Retry-After", arena_sprintf(r->arena, "%d", wait_s > 0 ? wait_s : 1));
    reply_error(r, 429, "rate_limited", message);
    return ST_REPLIED;
}

static const char *addr_of(req_t *r)
{
    return r->remote_addr && *r->remote_addr ? r->remote_addr : "-";
}

/* A remembered refusal ("status code message", as login_guard_remember_bad
 * wrote it): replied, 1; else 0. */
static int reply_bad_text(req_t *r, const char *text)
{
    int status = atoi(text);
    char code[40];
    int used = 0;
    if (status < 400 || status > 499 || sscanf(text, "%*d %39s %n", code, &used) != 1 || !used)
        return 0;
    reply_error(r, status, arena_strdup(r->arena, code), arena_strdup(r->arena, text + used));
    return 1;
}

/* The refusal Redis answered with in rep; when Redis did not answer (rep
 * NULL), this process's own copy. Replied, 1; else 0. */
static int reply_bad(req_t *r, const redisReply *rep, const char *code_hash)
{
    if (rep)
        return rep->type == REDIS_REPLY_STRING && reply_bad_text(r, rep->str);
    pthread_once(&local_bad_once, local_bad_init);
    char *text = NULL;
    size_t len;
    return local_bad && ttl_cache_get(local_bad, code_hash, arena_alloc_ctx, r->arena, &text, &len) &&
           reply_bad_text(r, text);
}

static const char **bad_argv(req_t *r, const char *code_hash)
{
    const char **argv = arena_alloc(r->arena, 2 * sizeof *argv);
    argv[0] = "GET";
    argv[1] = arena_sprintf(r->arena, "login:bad:%s", code_hash);
    return argv;
}

int login_guard_admit(req_t *r, const char *code_hash)
{
    kv_batch_t b = { 0 };
    rl_many_t m = { 0 };
    if (g_config.login_rate_per_addr > 0)
        rl_many_key(&m, "login-addr", addr_of(r), g_config.login_rate_per_addr, 60);
    if (g_config.login_rate_total > 0)
        rl_many_key(&m, "login-all", "all", g_config.login_rate_total, 1);
    if (m.n)
        rl_many_add(r, &b, &m);
    int bad = kv_batch_add(&b, 2, bad_argv(r, code_hash));
    (void)kv_batch_run(req_kv(r), r->arena, &b);    /* Redis down: the table counts */
    int which, w = m.n ? rl_many_result(&b, &m, &which) : 0;
    if (w)
        return limited(r, w, g_config.login_rate_per_addr > 0 && which == 0
                                 ? "too many logins from this address; try again shortly"
                                 : "too many logins at once; try again shortly");
    return reply_bad(r, b.rep[bad], code_hash) ? ST_REPLIED : ST_OK;
}

void login_guard_remember_bad(req_t *r, const char *code_hash, int status, const char *err_code,
                              const char *message)
{
    const char *text = arena_sprintf(r->arena, "%d %s %s", status, err_code, message);
    pthread_once(&local_bad_once, local_bad_init);
    if (local_bad)
        (void)ttl_cache_put(local_bad, code_hash, text, strlen(text), BAD_CODE_S * 1000LL,
                            ttl_cache_gen(local_bad));
    kv_cmd(req_kv(r), r->arena, "SET login:bad:%s %s EX %d", code_hash, text, BAD_CODE_S);
}

static const char ENTER_LUA[] =
    "local n = redis.call('INCR', KEYS[1])\n"
    "redis.call('EXPIRE', KEYS[1], 60)\n"
    "if n > tonumber(ARGV[1]) then redis.call('DECR', KEYS[1]) return 0 end\n"
    "return 1\n";

void login_guard_enter_add(req_t *r, kv_batch_t *b, const char *code_hash, login_guard_step_t *s)
{
    const char **argv = arena_alloc(r->arena, 5 * sizeof *argv);
    argv[0] = "EVAL";
    argv[1] = ENTER_LUA;
    argv[2] = "1";
    argv[3] = arena_sprintf(r->arena, "login:n:%s", code_hash);
    argv[4] = arena_sprintf(r->arena, "%d", LOGIN_SAME_CODE_MAX);
    s->enter_idx = kv_batch_add(b, 5, argv);
}

int login_guard_enter_result(const kv_batch_t *b, const login_guard_step_t *s, int *entered)
{
    const redisReply *rep = s->enter_idx >= 0 ? b->rep[s->enter_idx] : NULL;
    *entered = 0;
    if (!rep || rep->type != REDIS_REPLY_INTEGER)
        return 0;                     /* Redis down: not counted, and nothing to leave */
    if (rep->integer == 0)
        return 1;
    *entered = 1;
    return 0;
}

int login_guard_busy(req_t *r)
{
    return limited(r, 1, "this code is being exchanged already; try again in a moment");
}

void login_guard_leave(req_t *r, const char *code_hash)
{
    kv_batch_t b = { 0 };
    login_guard_leave_add(r, &b, code_hash);
    (void)kv_batch_run(req_kv(r), r->arena, &b);  /* Redis down: the count expires */
}

void login_guard_bad_add(req_t *r, kv_batch_t *b, const char *code_hash, login_guard_step_t *s)
{
    s->bad_idx = kv_batch_add(b, 2, bad_argv(r, code_hash));
}

int login_guard_bad_result(req_t *r, const kv_batch_t *b, const login_guard_step_t *s, const char *code_hash)
{
    return s->bad_idx >= 0 && reply_bad(r, b->rep[s->bad_idx], code_hash);
}

void login_guard_leave_add(req_t *r, kv_batch_t *b, const char *code_hash)
{
    const char **argv = arena_alloc(r->arena, 2 * sizeof *argv);
    argv[0] = "DECR";
    argv[1] = arena_sprintf(r->arena, "login:n:%s", code_hash);
    kv_batch_add(b, 2, argv);
}

int wx_write_admit(req_t *r)
{
    if (g_config.wx_write_rate_per_user <= 0)
        return 0;
    int w = rl_take(r, "wx-write", arena_sprintf(r->arena, "%lld", r->auth.user_id),
                    g_config.wx_write_rate_per_user, 60);
    return w ? limited(r, w, "too many changes in a minute; try again shortly") : 0;
}
