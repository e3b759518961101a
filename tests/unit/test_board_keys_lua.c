/* test_board_keys_lua.c: the board keys are written twice, in C
 * (rules/board_keys.c) for the rebuild and the checks, and in Lua
 * (engines/boards/keys.lua) for the apply script that Redis runs. This test
 * runs keys.lua in a Redis of its own, exactly as built into the binary,
 * and holds every function against the C one for the same inputs: edge
 * values (negative, zero, the clamps, ids and codes past their bit
 * widths) and a sweep of ordinary ones. The board names apply.lua writes
 * are held against the C's tables (rules_*_boards) both ways. */
#include "tests/unit/check.h"
#include "rules/board_keys.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char KEYS_LUA[] =
#include "engines/boards/keys.lua.h"
    ;

static const char APPLY_LUA[] =
#include "engines/boards/apply.lua.h"
    ;

/* Appended to keys.lua: ARGV holds (kind, a, b, c) tuples, the reply one
 * integer per tuple (every key is an integer below 2^53, exact in a Lua
 * number and in Redis's integer reply). */
static const char CALLS_LUA[] =
    "local out = {}\n"
    "for i = 1, #ARGV, 4 do\n"
    "  local k, a, b, c = ARGV[i], tonumber(ARGV[i + 1]), tonumber(ARGV[i + 2]), tonumber(ARGV[i + 3])\n"
    "  if k == 'u' then out[#out + 1] = unitkey(a, b)\n"
    "  elseif k == 'r' then out[#out + 1] = ratekey(a, b, c)\n"
    "  elseif k == 'g' then out[#out + 1] = regionkey(a, b)\n"
    "  else out[#out + 1] = ppm(a, b) end\n"
    "end\n"
    "return out\n";

static pid_t redis_pid;
static redisContext *rc;

static int free_port(void)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof a;
    if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof a) < 0 || getsockname(s, (struct sockaddr *)&a, &len) < 0) {
        if (s >= 0)
            close(s);
        return -1;
    }
    close(s);
    return ntohs(a.sin_port);
}

static int start_redis(void)
{
    int port = free_port();
    if (port <= 0)
        return -1;
    char ps[16];
    snprintf(ps, sizeof ps, "%d", port);
    redis_pid = fork();
    if (redis_pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        if (null >= 0) {
            dup2(null, 1);
            dup2(null, 2);
        }
        execlp("redis-server", "redis-server", "--port", ps, "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no", "--loglevel", "warning", (char *)NULL);
        _exit(127);
    }
    if (redis_pid < 0)
        return -1;
    for (int i = 0; i < 200; i++) {
        struct timeval tv = { 1, 0 };
        rc = redisConnectWithTimeout("127.0.0.1", port, tv);
        if (rc && !rc->err)
            return 0;
        if (rc)
            redisFree(rc);
        rc = NULL;
        usleep(50 * 1000);
    }
    return -1;
}

static void stop_redis(void)
{
    if (rc)
        redisFree(rc);
    if (redis_pid > 0) {
        kill(redis_pid, SIGTERM);
        waitpid(redis_pid, NULL, 0);
    }
}

#define MAXCALLS 4096
static const char *argv_[3 + 4 * MAXCALLS];
static char bufs[4 * MAXCALLS][24];
static long long want[MAXCALLS];
static int ncalls;

static void add(char kind, long long a, long long b, long long c, long long expect)
{
    if (ncalls == MAXCALLS)
        return;
    int base = 4 * ncalls;
    snprintf(bufs[base], 24, "%c", kind);
    snprintf(bufs[base + 1], 24, "%lld", a);
    snprintf(bufs[base + 2], 24, "%lld", b);
    snprintf(bufs[base + 3], 24, "%lld", c);
    for (int i = 0; i < 4; i++)
        argv_[3 + base + i] = bufs[base + i];
    want[ncalls++] = expect;
}

/* Runs the tuples added so far through keys.lua; CHECKs each against the C. */
static void run_lua(void)
{
    size_t n = strlen(KEYS_LUA) + strlen(CALLS_LUA) + 1;
    char *script = malloc(n);
    snprintf(script, n, "%s%s", KEYS_LUA, CALLS_LUA);
    argv_[0] = "EVAL";
    argv_[1] = script;
    argv_[2] = "0";
    redisReply *r = redisCommandArgv(rc, 3 + 4 * ncalls, argv_, NULL);
    CHECK(r != NULL);
    if (r && r->type == REDIS_REPLY_ERROR)
        fprintf(stderr, "  %s\n", r->str);
    CHECK(r && r->type == REDIS_REPLY_ARRAY && r->elements == (size_t)ncalls);
    int bad = 0;
    for (int i = 0; r && r->type == REDIS_REPLY_ARRAY && i < ncalls && i < (int)r->elements; i++) {
        redisReply *e = r->element[i];
        long long got = e->type == REDIS_REPLY_INTEGER ? e->integer : -1;
        if (got != want[i] && bad++ < 10)
            fprintf(stderr, "  %s(%s, %s, %s): Lua %lld, C %lld\n", bufs[4 * i], bufs[4 * i + 1],
                    bufs[4 * i + 2], bufs[4 * i + 3], got, want[i]);
    }
    CHECK_INT(bad, 0);
    if (r)
        freeReplyObject(r);
    free(script);
    ncalls = 0;
}

static const long long totals[] = { -5, 0, 1, 7, 99, 100, 12345, 99999999, RULES_UNIT_TOTAL_MAX,
                                    RULES_UNIT_TOTAL_MAX + 1, RULES_REGION_TOTAL_MAX,
                                    RULES_REGION_TOTAL_MAX + 99, 1LL << 40 };

TEST(unit_keys_are_the_same_in_lua)
{
    static const long long ids[] = { -1, 0, 1, 2, 77, 9000, (1LL << 24) - 2, (1LL << 24) - 1, 1LL << 24, 1LL << 30 };
    for (size_t t = 0; t < sizeof totals / sizeof totals[0]; t++)
        for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
            add('u', totals[t], ids[i], 0, (long long)rules_unit_score_key(totals[t], ids[i]));
    run_lua();
}

TEST(rate_keys_and_participation_are_the_same_in_lua)
{
    static const long long staff[] = { -1, 0, 1, 2, 3, 9, 10, 25, 333, 999999, 1000000 };
    static const long long heads[] = { -1, 0, 1, 2, 3, 7, 10, 1000, 1000000, 10000000 };
    for (size_t s = 0; s < sizeof staff / sizeof staff[0]; s++)
        for (size_t h = 0; h < sizeof heads / sizeof heads[0]; h++) {
            add('p', staff[s], heads[h], 0, rules_participation_ppm(staff[s], heads[h]));
            for (size_t t = 0; t < sizeof totals / sizeof totals[0]; t += 3)
                add('r', staff[s], heads[h], totals[t],
                    (long long)rules_unit_rate_key(staff[s], heads[h], totals[t]));
        }
    /* every staff count of small units: floor(1e6 * s / h) exactly as the C */
    for (long long h = 1; h <= 40; h++)
        for (long long s = 0; s <= h; s++)
            add('p', s, h, 0, rules_participation_ppm(s, h));
    run_lua();
}

TEST(region_keys_are_the_same_in_lua)
{
    static const long long codes[] = { -1, 0, 110000, 140000, 140404, 659004, 999999, 1LL << 20, 1LL << 21 };
    for (size_t t = 0; t < sizeof totals / sizeof totals[0]; t++)
        for (size_t c = 0; c < sizeof codes / sizeof codes[0]; c++)
            add('g', totals[t], codes[c], 0, (long long)rules_region_key(totals[t], codes[c]));
    run_lua();
}

TEST(a_sweep_of_ordinary_inputs_agrees)
{
    unsigned long long x = 88172645463325252ULL;
    for (int i = 0; i < 900; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        long long t = (long long)(x % 200000), id = (long long)((x >> 20) % 100000) + 1;
        long long head = (long long)((x >> 40) % 5000), st = head ? (long long)((x >> 8) % (head + 3)) : 0;
        switch (i % 3) {
        case 0: add('u', t, id, 0, (long long)rules_unit_score_key(t, id)); break;
        case 1: add('r', st, head, t, (long long)rules_unit_rate_key(st, head, t)); break;
        default: add('g', t, 110000 + id, 0, (long long)rules_region_key(t, 110000 + id)); break;
        }
    }
    run_lua();
}

/* The board names apply.lua writes: each quoted string that starts like a
 * board ("p:", "us:", "ur:", "r:"). */
static int lua_names(char names[][16], int max)
{
    int n = 0;
    for (const char *p = APPLY_LUA; (p = strchr(p, '\'')) != NULL; ) {
        const char *q = strchr(p + 1, '\'');
        if (!q)
            break;
        size_t len = (size_t)(q - p - 1);
        int board = len < 16 && (!strncmp(p + 1, "p:", 2) || !strncmp(p + 1, "us:", 3) ||
                                 !strncmp(p + 1, "ur:", 3) || !strncmp(p + 1, "r:", 2));
        if (board && n < max) {
            int seen = 0;
            for (int i = 0; i < n; i++)
                seen |= strlen(names[i]) == len && !strncmp(names[i], p + 1, len);
            if (!seen) {
                memcpy(names[n], p + 1, len);
                names[n++][len] = '\0';
            }
        }
        p = q + 1;
    }
    return n;
}

TEST(board_names_are_the_same_in_lua)
{
    const char *c_names[5 + 6 + 6];
    int nc = 0;
    for (int i = 0; i < 5; i++)
        c_names[nc++] = rules_people_boards[i];
    for (int o = 0; o < 2; o++)
        for (int i = 0; i < 3; i++)
            c_names[nc++] = rules_unit_boards[o][i];
    for (int i = 0; i < 6; i++)
        c_names[nc++] = rules_region_boards[i];
    char lua[32][16];
    int nl = lua_names(lua, 32);
    /* every board the C builds and reads is one the script writes ... */
    for (int i = 0; i < nc; i++) {
        int found = 0;
        for (int k = 0; k < nl; k++)
            found |= strcmp(c_names[i], lua[k]) == 0;
        if (!found)
            fprintf(stderr, "  apply.lua never writes %s\n", c_names[i]);
        CHECK(found);
    }
    /* ... and the script writes no board the C does not know */
    for (int k = 0; k < nl; k++) {
        int found = 0;
        for (int i = 0; i < nc; i++)
            found |= strcmp(c_names[i], lua[k]) == 0;
        if (!found)
            fprintf(stderr, "  apply.lua writes %s, unknown to rules/board_keys.c\n", lua[k]);
        CHECK(found);
    }
    CHECK_INT(nl, nc);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    if (start_redis() < 0) {
        fprintf(stderr, "redis-server did not start\n");
        stop_redis();
        printf("0 passed, 1 failed\n");
        return 1;
    }
    RUN(unit_keys_are_the_same_in_lua);
    RUN(rate_keys_and_participation_are_the_same_in_lua);
    RUN(region_keys_are_the_same_in_lua);
    RUN(a_sweep_of_ordinary_inputs_agrees);
    RUN(board_names_are_the_same_in_lua);
    stop_redis();
    return check_summary();
}
