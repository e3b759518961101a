/* kv.h: Redis access for one worker (hiredis 0.14).
 *
 * Redis holds only what can be rebuilt from MariaDB or lost at small cost,
 * so every caller must cope with kv_cmd() returning NULL (Redis down). A
 * broken connection is dropped and retried at most once per second, so a
 * dead Redis costs a request no more than a failed connect now and then.
 *
 * With redis_sentinels configured, every new connection asks the Sentinels
 * (SENTINEL get-master-addr-by-name redis_master_name) where the primary
 * is and checks that the node named is one (INFO replication). A failover
 * is followed by itself: the old primary's connections break (or it answers
 * READONLY once it is back as a replica), and the reconnect asks again. */
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
/* A pipeline filled step by step (kv_pipeline underneath): add commands,
 * run the batch, read each reply by the index kv_batch_add gave. Commands
 * that do not depend on each other's replies (a rate-limit count and a
 * lookup; caching a session and dropping a lock) so cost one wait instead
 * of one each. argv arrays must outlive kv_batch_run (the arena's, usually). */
#define KV_BATCH_MAX 8
typedef struct {
    int n;
    int argc[KV_BATCH_MAX];
    const char **argv[KV_BATCH_MAX];
    redisReply *rep[KV_BATCH_MAX];   /* after kv_batch_run; NULL: not run or Redis down */
} kv_batch_t;
/* Returns the command's index, or -1 when the batch is full. */
int kv_batch_add(kv_batch_t *b, int argc, const char **argv);
/* Send every command, then read every reply (freed with the arena, which
 * must be given). Returns 0, or -1 with every rep NULL when Redis is down
 * or the connection broke (as kv_cmd: one reconnect and resend after a
 * drop). A Redis error reply is a REDIS_REPLY_ERROR in its slot. */
int kv_batch_run(kv_t *kv, arena_t *a, kv_batch_t *b);

/* AUTH a fresh blocking context with redis_password (Redis's requirepass),
 * when one is configured. Returns 0, or -1 when Redis refused it. */
int kv_auth(redisContext *c);
/* A fresh blocking connection of the caller's own to the primary (direct or
 * through the Sentinels), authenticated, with redis_timeout_ms for I/O; the
 * caller frees it with redisFree. NULL when no primary can be reached. */
redisContext *kv_connect(struct timeval connect_timeout);
/* Mark the connection broken (after an I/O error seen through kv_ctx()). */
void kv_broken(kv_t *kv);
/* 1 when the last attempt reached Redis. */
int kv_up(kv_t *kv);

extern _Atomic unsigned long kv_errors_total;

/* Keys kv.c keeps in Redis. KV_DATASET_KEY holds the replication id of the
 * data set the servers write to. When a connection finds another id there
 * (a replica promoted by a failover holds the old primary's data up to the
 * moment it was promoted, maybe not the last writes), kv.c sets
 * KV_LOST_WRITES_KEY: whoever keeps state in Redis that must equal MariaDB
 * (the boards) rebuilds it, then deletes the key. */
#define KV_DATASET_KEY "kv:dataset"
#define KV_LOST_WRITES_KEY "kv:lost-writes"

#endif
