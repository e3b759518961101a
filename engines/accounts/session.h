/* session.h: bearer tokens and the sessions behind them.
 *
 * A session lives in MariaDB (sessions, keyed by sha256(token): the token
 * itself is stored nowhere) and is cached in Redis (string
 * sess:<sha256(token)>), so a Redis restart or FLUSHALL logs no one out: a
 * miss in Redis falls back to MariaDB and refills Redis.
 *
 * Roles are not frozen into a session. The session row keeps the roles the
 * session may carry (its mask: a mini-program session may be user and unit
 * admin, a console session only unit admin, an organizer session only
 * organizer); the roles it has are the mask and'ed with the user's current
 * users.roles (and users.admin_unit_id), read when the session is loaded
 * from MariaDB. So granting or revoking a role takes effect at the next
 * request after session_forget_user(). An organizer session dies when the
 * account is disabled (likewise after the cache entry goes). */
#ifndef SESSION_H
#define SESSION_H

#include "server/request.h"

/* Who the caller is in the contest, beyond what server/ keeps in r->auth
 * (roles, user id, token hash): filled by session_resolve, reached with
 * session_caller(r). */
typedef struct {
    long long organizer_id;    /* organizer account, or 0 */
    long long admin_unit_id;   /* the unit a unit admin administers, or 0 */
    char area[7];              /* organizer's area: "" = all, else a region code */
} caller_t;

/* The caller of r: never NULL (all zero when no session was resolved). */
const caller_t *session_caller(const req_t *r);

typedef struct {
    long long user_id, organizer_id, admin_unit_id;
    int roles;            /* the roles it has now (cached) */
    int mask;             /* the roles it may carry (stored); 0: = roles */
    const char *area;     /* organizer's area, NULL or "" = all */
} session_info_t;

/* Insert a session into MariaDB (inside the caller's transaction, if any)
 * and write its new token (43 chars + NUL) to token and sha256(token) to
 * hash. Returns ST_OK, ST_STORE (MariaDB failed) or ST_ERR (no random bytes). */
int session_insert(req_t *r, const session_info_t *s, char token[64], char hash[65])
    __attribute__((warn_unused_result));
/* Cache a session just inserted (after the caller's commit): added to b,
 * a batch of Redis commands the caller runs (kv.h), or sent now when b is
 * NULL. */
void session_cache_new(req_t *r, kv_batch_t *b, const session_info_t *s, const char *hash);
/* Both of the above. Returns as session_insert. */
int session_create(req_t *r, const session_info_t *s, char token[64]) __attribute__((warn_unused_result));

/* g_auth_resolve: see router.h. Returns 0 (r->auth filled), -1 (no valid
 * session: r->auth empty) or -2 (the stores cannot say now). */
int session_resolve(req_t *r, const char *token);

/* session_resolve in two steps, for a route that reads the token's cached
 * session in the same Redis round trip as its own data (the individual
 * board's page and the caller's place: handlers/leaderboards.c).
 * session_peek_add adds the GET of the cached copy to b (-1: the token
 * cannot be one, nothing added, no session); after the caller ran b,
 * session_peek_result resolves the session from that answer as
 * session_resolve would (no copy, or Redis down: from MariaDB), with the
 * same returns.
 *
 * p->user_hint is the user this token resolved to when this process last
 * saw it (0: not seen). A token's user never changes, so the caller may
 * read that user's data in the same round trip, and use it only when
 * session_peek_result has said the session is that user's: the hint
 * grants nothing. */
typedef struct {
    int idx;
    long long user_hint;
    char token_hash[65];
} session_peek_t;
int session_peek_add(req_t *r, kv_batch_t *b, const char *token, session_peek_t *p);
int session_peek_result(req_t *r, const kv_batch_t *b, const session_peek_t *p);
/* Before session_peek_result on another request than the one that added
 * the GET (the same client's request rebuilt on another thread,
 * server/defer.h): r takes the token's hash from p. */
void session_peek_again(req_t *r, const session_peek_t *p);
/* End one session (by sha256 of its token): MariaDB's row and Redis's
 * copy. Returns ST_OK, or ST_STORE when MariaDB failed. */
int session_end(req_t *r, const char *hash);
/* Drop Redis's copy of a session whose MariaDB row was deleted or changed.
 * When Redis does not answer, the hash is kept in session_revocations and
 * session_revocations_sweep drops the copy once Redis is back, so a copy
 * never outlives its session (a logout, an erasure, a role change). */
void session_cache_drop(db_t *db, kv_t *kv, arena_t *a, const char *hash);
/* The background's part of the above: drops the copies still waiting,
 * when Redis answers (cheap when none wait). */
void session_revocations_sweep(db_t *db, kv_t *kv, arena_t *a);
/* Drop the cached copy of every session of a user (after a role change),
 * so the next request reloads the roles from MariaDB. */
void session_forget_user(req_t *r, long long user_id);

#endif
