/* lua.c: the two Lua scripts of the boards, and how they are run.
 *
 * The apply script is the only writer of live boards besides the rebuild's
 * bulk load: it applies outbox entries to every board they touch at once
 * (a script runs atomically), journals them while a rebuild runs, replays
 * that journal onto the new version and swaps it in. Its unit, rate and
 * region keys are the formulas of rules/board_keys.h (keys.lua, held against
 * the C by tests/unit/test_board_keys.c), and the people's key
 * is rules_rank_key computed in C; Lua numbers are doubles, exact below
 * 2^53, and Redis converts a number argument with %.17g, so every key it
 * stores is the exact integer the C side computes for the same input.
 *
 * Why applying is idempotent and order-free: a person's contest score never
 * goes down through the outbox (both score rules only add), so their rank
 * key only grows; an entry whose key is not above the board's is a no-op,
 * and the unit and region totals move by (new score - the score the board
 * held). The applied bitmap records each attempt so a repeat costs one
 * SETBIT. Corrections that lower a score go through a rebuild instead
 * (lb_request_rebuild). */
#include "engines/boards/boards.h"
#include "engines/boards/internal.h"

#include <mbedtls/sha1.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* The apply script is keys.lua (the board keys, rules/board_keys.h in
 * Lua) followed by apply.lua; the read script is read.lua. The Makefile
 * turns each .lua file into a C string (engines/boards/). */
static const char APPLY_LUA[] =
#include "engines/boards/keys.lua.h"
#include "engines/boards/apply.lua.h"
    ;

static const char READ_LUA[] =
#include "engines/boards/read.lua.h"
    ;

static const struct {
    const char *src;
    int nkeys;
} scripts[] = {
    [LB_SCRIPT_APPLY] = { APPLY_LUA, 2 },
    [LB_SCRIPT_READ] = { READ_LUA, 1 },
};
static char sha_hex[2][41];
static pthread_once_t sha_once = PTHREAD_ONCE_INIT;

static void compute_shas(void)
{
    for (int i = 0; i < 2; i++) {
        unsigned char d[20];
        mbedtls_sha1_ret((const unsigned char *)scripts[i].src, strlen(scripts[i].src), d);
        for (int k = 0; k < 20; k++)
            sprintf(sha_hex[i] + 2 * k, "%02x", d[k]);
    }
}

void lb_tag(long long contest_id, char out[32])
{
    snprintf(out, 32, "{c%lld}", contest_id);
}

/* The EVALSHA command of script on contest_id's keys with args, in a;
 * *argc its length. */
static const char **evalsha_argv(arena_t *a, int script, long long contest_id, int nargs, const char *const *args,
                                 int *argc)
{
    pthread_once(&sha_once, compute_shas);
    char tag[32];
    lb_tag(contest_id, tag);
    int nk = scripts[script].nkeys;
    *argc = 3 + nk + nargs;
    const char **argv = arena_alloc(a, sizeof(char *) * (size_t)*argc);
    argv[0] = "EVALSHA";
    argv[1] = sha_hex[script];
    argv[2] = nk == 2 ? "2" : "1";
    argv[3] = arena_sprintf(a, "%s:ver", tag);
    if (nk == 2)
        argv[4] = arena_sprintf(a, "%s:building", tag);
    for (int i = 0; i < nargs; i++)
        argv[3 + nk + i] = args[i];
    return argv;
}

redisReply *lb_eval(kv_t *kv, arena_t *a, int script, long long contest_id,
                    int nargs, const char *const *args)
{
    int argc;
    const char **argv = evalsha_argv(a, script, contest_id, nargs, args, &argc);
    redisReply *rep = kv_cmdargv(kv, a, argc, argv, NULL);
    if (rep && rep->type == REDIS_REPLY_ERROR && strncmp(rep->str, "NOSCRIPT", 8) == 0) {
        /* Redis restarted or flushed its script cache: EVAL runs the
         * script and caches it for the next EVALSHA. */
        argv[0] = "EVAL";
        argv[1] = scripts[script].src;
        rep = kv_cmdargv(kv, a, argc, argv, NULL);
    }
    return rep;
}
