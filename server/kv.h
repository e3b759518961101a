/* kv.h: Redis access for one worker (hiredis 0.14).
 *
 * Redis holds only what can be rebuilt from MariaDB or lost at small cost,
 * so every caller must cope with kv_cmd() returning NULL (Redis down). A
 * broken connection is dropped and retried at most once per second, so a
 * dead Redis costs a request no more than a failed connect now and then. */
#ifndef KV_H
#define KV_H

#include <hiredis/hiredis.h>
#include "server/arena.h"

typedef struct kv kv_t;

kv_t *kv_new(void);
void kv_free(kv_t *kv);
/* A connected context, or NULL while Redis is unreachable. */
redisContext *kv_ctx(kv_t *kv);
/* Run a command; the reply is freed with the arena (a may be NULL: the
 * caller frees it with freeReplyObject). NULL when Redis is down or the
 * connection broke; a Redis error reply is returned as a REDIS_REPLY_ERROR. */
redisReply *kv_cmd(kv_t *kv, arena_t *a, const char *fmt, ...);
redisReply *kv_cmdargv(kv_t *kv, arena_t *a, int argc, const char **argv, const size_t *lens);
/* Several commands in one round trip: command i is argv[i][0..argc[i]-1];
 * out[i] its reply (freed with a; a Redis error reply is returned as
 * such). Returns 0, or -1 when Redis is down or the connection broke
 * (nothing in out then). For reads and idempotent writes: a connection
 * found dead at once is reopened and the whole pipeline sent again. */
int kv_pipeline(kv_t *kv, arena_t *a, int n, const int *argc, const char *const *const *argv,
                redisReply **out) __attribute__((warn_unused_result));
/* AUTH a fresh blocking context with redis_password (Redis's requirepass),
 * when one is configured. Returns 0, or -1 when Redis refused it. */
int kv_auth(redisContext *c);
/* Mark the connection broken (after an I/O error seen through kv_ctx()). */
void kv_broken(kv_t *kv);
/* 1 when the last attempt reached Redis. */
int kv_up(kv_t *kv);

extern _Atomic unsigned long kv_errors_total;

#endif
