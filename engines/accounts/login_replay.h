/* login_replay.h: a login code sent again within five minutes gets the
 * reply it got the first time.
 *
 * A phone on a bad network often retries POST /login with the same
 * wx.login code; WeChat would answer the second jscode2session with 40163
 * ("code been used"), logging a person out for a lost packet. So the reply
 * to a code is remembered under sha256(code) for LOGIN_REPLAY_S seconds,
 * sealed (it holds a bearer token): in Redis for the fast path, and in
 * MariaDB's login_codes, written in the login's own transaction, so it
 * survives a Redis restart or outage.
 *
 * Two requests with the same code at once (a retry racing the original)
 * must not both call WeChat (the second would get 40163). The first to
 * claim the code calls WeChat; the other waits for its reply. The claim is
 * a Redis SET NX PX lock; while Redis is down it is a pending login_codes
 * row (reply_sealed = '') that the MariaDB primary key makes unique.
 *
 * Looking and claiming are one Redis script, and so are caching the reply
 * and dropping the lock, so a request sees either the lock or the reply.
 * A failed owner drops its claim at once, and a waiter then claims the
 * code itself (WeChat's -1 or a timeout may not have used the code up). A
 * crashed owner's claim expires by itself.
 *
 * Should the two arbiters ever both grant a claim (Redis restarting
 * between two identical requests), WeChat itself decides: the second
 * jscode2session gets 40163, and that request then finds the first one's
 * reply in login_codes (replay_lookup_db). */
#ifndef LOGIN_REPLAY_H
#define LOGIN_REPLAY_H

#include "server/request.h"

#define LOGIN_REPLAY_S 300

typedef struct {
    char hash[65];        /* sha256(code), hex */
    int mode;             /* which claim is held: 0 none, 1 Redis lock, 2 MariaDB row */
    char lock_val[33];    /* the Redis lock's value: only its owner deletes it */
    int claim_idx;        /* the first look's place in its batch */
} replay_t;

enum { REPLAY_OWNER = 0, REPLAY_HIT = 1, REPLAY_BUSY = 2 };

/* Look for a remembered reply to the code (code_hash: sha256 hex), else
 * claim the code. replay_begin_add adds the first look to b, a batch of
 * Redis commands (kv.h) the caller may add more to and then runs; then
 * replay_begin_result reads it, and waits (with its stores given back
 * between polls) while another request holds the claim (unless may_wait
 * is 0: then REPLAY_BUSY at once). It returns
 * REPLAY_HIT with *reply (JSON text, arena), REPLAY_OWNER (call WeChat,
 * then replay_save_tx/replay_publish_add or replay_abandon), REPLAY_BUSY
 * when the other request outlasted the wait; or a failure status
 * (status.h): ST_STORE when MariaDB failed, ST_ERR. */
void replay_begin_add(req_t *r, const char *code_hash, kv_batch_t *b, replay_t *rp);
int replay_begin_result(req_t *r, kv_batch_t *b, replay_t *rp, int may_wait, char **reply)
    __attribute__((warn_unused_result));

/* The reply sealed (it holds a bearer token) for MariaDB's login_codes,
 * which the login's own transaction writes (the procedure login_finish,
 * schema/260), and for replay_publish_add. Returns 0, or -1 when sealing
 * failed. */
int replay_seal(req_t *r, const char *reply, char **sealed) __attribute__((warn_unused_result));
/* After the commit: cache the sealed reply in Redis and drop the claim,
 * added to a batch of Redis commands (kv.h) the caller runs. */
void replay_publish_add(req_t *r, kv_batch_t *b, replay_t *rp, const char *sealed);
/* WeChat refused or failed: drop the claim so a retry may try again. */
void replay_abandon(req_t *r, replay_t *rp);

/* After WeChat said the code was used (40163): the reply MariaDB
 * remembers (Redis may have lost it, or a twin request that claimed the
 * code through the other arbiter is just committing it: looked for during
 * up to 1.5 s), or NULL. Refills Redis on a hit. */
char *replay_lookup_db(req_t *r, replay_t *rp);

#endif
