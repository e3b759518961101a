/* login_group.h: group commit of logins (handlers/login.c).
 *
 * A login whose code WeChat has traded is queued; the first waiting thread
 * that finds no group being written becomes the group's writer
 * (leader/follower, as engines/quiz/group.h does for submits): it takes
 * every queued login (up to LOGIN_GROUP_MAX) and writes them in one
 * transaction on its own connection: one multi-row upsert of the users,
 * then one CALL writing every session and remembered reply and
 * committing (schema/290_login_finish_group.sql): three round trips and
 * one log flush for the whole group. Each login waits until its group has
 * committed (or failed): nothing is acknowledged before its commit. It
 * waits parked (server/park.h), holding no thread: the writer answers it
 * (gc_submit_parked, as the starts and submits do). A
 * group that fails for a reason other than a deadlock or a lost connection
 * (which db_tx retries) is written again one login at a time, so one bad
 * entry never fails the others. After the commit the writer also sends,
 * in one Redis pipeline for the whole group, what each login leaves there
 * (its session's copy, its remembered reply, which drops its claim on the
 * code, and its end of the exchange: login_replay.h, login_guard.h); a
 * login that failed gives up its claim and ends its exchange instead. The
 * waiters hold no store connection and need none after. */
#ifndef LOGIN_GROUP_H
#define LOGIN_GROUP_H

#include "lib/group_commit.h"
#include "engines/accounts/login_replay.h"
#include "engines/accounts/session.h"
#include "server/request.h"

#define LOGIN_GROUP_MAX 64

typedef struct login_entry {
    gc_entry_t gc;             /* first: the queue's part; its done (set by
                                  the login) answers the login */
    /* input, set by the login's own thread; everything lives beside the
     * entry, since its request's arena goes once the request is parked */
    arena_t *arena;            /* the login's own: the reply is built in it */
    const char *openid, *unionid;   /* unionid NULL when WeChat gave none */
    const char *key_sealed;    /* the session key, sealed (seal.h) */
    const char *code_hash;     /* sha256 of the code (login_replay.h) */
    replay_t *rp;              /* the code's claim, published after the commit */
    int leave;                 /* counted by login_guard_enter_add: leave after */
    long long now;
    /* output, set by the group's writer */
    char token[64], hash[65];  /* the new session's token and its sha256 */
    int st;                    /* ST_OK (committed), ST_STORE or ST_ERR */
    session_info_t info;       /* user, roles and unit of the session */
    char *reply;               /* the reply's JSON, in arena */
    char *reply_sealed;        /* its sealed form, in the group's arena */
} login_entry_t;

/* Queue e. e->gc.done(&e->gc) is called once, by the thread that writes
 * e's group, when it is written (e->st ST_OK, outputs set) or has failed
 * (e->st ST_STORE or ST_ERR; its claim given up and its exchange ended):
 * maybe before this returns, since when no group is being written this
 * thread becomes the writer and writes group after group, on r's store
 * connections, until the queue is empty. */
void login_group_write(req_t *r, login_entry_t *e);

#endif
