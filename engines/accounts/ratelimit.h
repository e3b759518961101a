/* ratelimit.h: attempts per key in fixed windows (admin sign-in: per
 * account and per client address).
 *
 * An attempt is counted when it is admitted, before the work it guards
 * (an Argon2id verification), so the limit holds even for many requests
 * sent at once; a caller gives the count back when the attempt turned out
 * fine, so only failures add up.
 *
 * Counters live in Redis (rl:<bucket>:<sha256(key)>, INCR with a TTL of
 * the window), so every server process sees the same count. While Redis is
 * down each process counts in a small table of its own with the same
 * limits: the limit then holds per process (n servers: n times as many
 * tries at most) rather than not at all, and organizers can still sign in
 * during a Redis outage. Counts from that time are not carried back into
 * Redis. Keys are hashed, so no user name or address is stored as such. */
#ifndef RATELIMIT_H
#define RATELIMIT_H

#include <stdint.h>
#include "server/request.h"

/* Admit and count one attempt for key: 0 when admitted, else the seconds
 * until the window ends (>= 1), and nothing is counted. The window starts
 * at the first counted attempt. */
int rl_take(req_t *r, const char *bucket, const char *key, int limit, int window_s) __attribute__((warn_unused_result));
/* Several counts in one Redis call, inside a batch of commands (kv.h):
 * name the keys in order with rl_many_key, add the call to b with
 * rl_many_add, and after kv_batch_run rl_many_result says what rl_take on
 * each key in turn would have: the keys are counted in order up to the
 * first one over its limit (that one and those after it are not counted).
 * Without an answer from Redis the table decides, as for rl_take. */
#define RL_MANY 4
typedef struct {
    int n, idx;
    struct {
        char id[64];
        int limit, window_s, pending;
    } k[RL_MANY];
} rl_many_t;
void rl_many_key(rl_many_t *m, const char *bucket, const char *key, int limit, int window_s);
void rl_many_add(req_t *r, kv_batch_t *b, rl_many_t *m);
/* 0 when every key admitted it, else the seconds until the refusing key's
 * window ends (>= 1) and *which its index. */
int rl_many_result(const kv_batch_t *b, rl_many_t *m, int *which) __attribute__((warn_unused_result));
/* Uncount one admitted attempt (it succeeded). */
void rl_give_back(req_t *r, const char *bucket, const char *key);
/* Forget key's count. */
void rl_clear(req_t *r, const char *bucket, const char *key);

/* The per-process fallback, exposed for unit tests: now_ms is a monotonic
 * time; the functions behave as the ones above. */
#define RL_LOCAL_SLOTS 1024
int rl_local_take(const char *id, int limit, int window_s, int64_t now_ms);
/* What the table holds for id now (counted while Redis was unreachable),
 * and forgetting n of it once Redis has taken them over. */
int rl_local_pending(const char *id, int64_t now_ms);
void rl_local_forget(const char *id, int n, int64_t now_ms);
void rl_local_give_back(const char *id, int64_t now_ms);
void rl_local_clear(const char *id);
void rl_local_reset(void);

#endif
