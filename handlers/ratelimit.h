/* ratelimit.h: counting failures per key in fixed windows (admin login:
 * per account and per client address).
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

/* 0 when key has had fewer than limit failures in its current window,
 * else the seconds until the window ends (>= 1). */
int rl_blocked(req_t *r, const char *bucket, const char *key, int limit);
/* Count one failure; the window starts at the first failure. */
void rl_fail(req_t *r, const char *bucket, const char *key, int window_s);
/* Forget key's failures (after a success). */
void rl_clear(req_t *r, const char *bucket, const char *key);

/* The per-process fallback, exposed for unit tests: now_ms is a monotonic
 * time. rl_local_blocked returns as rl_blocked does. */
#define RL_LOCAL_SLOTS 1024
int rl_local_blocked(const char *id, int limit, int64_t now_ms);
void rl_local_fail(const char *id, int window_s, int64_t now_ms);
void rl_local_clear(const char *id);
void rl_local_reset(void);

#endif
