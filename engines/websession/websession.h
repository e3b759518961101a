/* websession.h: the websession engine — signing in on the web quiz page
 * by scanning a code with the mini-program (schema/180_web_sessions.sql).
 *
 *   1. the page creates a pending web session: an id (in the code's scene
 *      "w=<id>") and a poll secret that only the page holds;
 *   2. the person scans the code; the mini-program asks them to agree and
 *      confirms with their own token;
 *   3. the page polls with the secret and, once confirmed, collects a new
 *      session of its own for the same user, once.
 *
 * A photographed code is of no use to someone else: confirming only hands
 * the person's sign-in to whoever holds the secret, which never leaves the
 * page that made it. A pending session expires WEBSESSION_TTL_S after it
 * was made; a confirmed one must be collected within WEBSESSION_TTL_S of
 * the confirmation. The session handed over carries the user role only
 * (never unit admin) and lasts as long as a mini-program session. */
#ifndef ENGINES_WEBSESSION_H
#define ENGINES_WEBSESSION_H

#include "server/request.h"

#define WEBSESSION_TTL_S   120
#define WEBSESSION_ID_LEN  24     /* hex digits: 12 random bytes */

/* Creation is limited per client address (Redis counters, ratelimit.h). */
#define WEBSESSION_RL_LIMIT    20
#define WEBSESSION_RL_WINDOW_S 600

/* 1 when s has the shape of a web session id (WEBSESSION_ID_LEN lower-case
 * hex digits), else 0: anything else is "not found" without a query. */
int websession_id_valid(const char *s);

/* Make a pending web session. id gets WEBSESSION_ID_LEN digits and a NUL,
 * secret CRYPTO_TOKEN_LEN characters and a NUL. Returns 0, or -1 on a
 * store or random-source failure. */
int websession_create(req_t *r, char id[WEBSESSION_ID_LEN + 1], char secret[64]);

typedef enum {
    WS_PENDING,
    WS_CONFIRMED,      /* token set when this poll is the one that collects it */
    WS_EXPIRED,
    WS_NOT_FOUND,      /* no such id, or the wrong secret */
} ws_state_t;

/* Poll id with secret. On WS_CONFIRMED, token[0] is NUL unless this call
 * handed the session over (then it holds the new session's token: the
 * only time it exists outside the caller). Returns 0 with *state set, or
 * -1 on a store error. */
int websession_poll(req_t *r, const char *id, const char *secret, ws_state_t *state, char token[64]);

/* Confirm id for user_id. Returns 0 (confirmed now, or already by this
 * same user: a retried confirm), WS_NOT_FOUND (none, or confirmed by
 * someone else), WS_EXPIRED, or -1 on a store error. */
int websession_confirm(req_t *r, const char *id, long long user_id);

/* 1 when id is pending and not expired (its code may be shown), 0 when
 * not, -1 on a store error. */
int websession_is_pending(req_t *r, const char *id);

#endif
