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
 * the confirmation. A quiz sign-in hands over the user role only (never
 * unit admin) and lasts as long as a mini-program session.
 *
 * The console's sign-in by scanning (purpose WS_FOR_CONSOLE) is the same
 * walk for unit admins: only a unit admin may confirm it (WS_FORBIDDEN
 * otherwise), and the session handed over is the one POST /admin/login
 * gives for a one-time code: the unit admin role for that unit, nothing
 * else, and only while the person still administers the unit they
 * administered when they confirmed (a replaced admin gets nothing). */
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
 * secret CRYPTO_TOKEN_LEN characters and a NUL. Returns ST_OK, ST_STORE,
 * or ST_ERR when the random source failed. */
typedef enum { WS_FOR_QUIZ, WS_FOR_CONSOLE } ws_purpose_t;

status_t websession_create(req_t *r, ws_purpose_t purpose, char id[WEBSESSION_ID_LEN + 1], char secret[64])
    __attribute__((warn_unused_result));

typedef enum {
    WS_PENDING,
    WS_CONFIRMED,      /* token set when this poll is the one that collects it */
    WS_EXPIRED,
    WS_NOT_FOUND,      /* no such id, or the wrong secret */
    WS_FORBIDDEN,      /* a console sign-in confirmed by someone who is no unit admin */
} ws_state_t;

/* Poll id with secret. On WS_CONFIRMED, token[0] is NUL unless this call
 * handed the session over (then it holds the new session's token: the
 * only time it exists outside the caller, and *unit_id is the unit of a
 * console session, 0 for a quiz one). Returns ST_OK with *state set, or a
 * failure (ST_STORE). */
status_t websession_poll(req_t *r, const char *id, const char *secret, ws_state_t *state, char token[64],
                         long long *unit_id) __attribute__((warn_unused_result));

/* Confirm id for user_id. Returns ST_OK with *state: WS_CONFIRMED
 * (confirmed now, or already by this same user: a retried confirm),
 * WS_NOT_FOUND (none, or confirmed by someone else), WS_EXPIRED, or
 * WS_FORBIDDEN (a console sign-in and user_id administers no unit: nothing
 * is written); or ST_STORE. */
status_t websession_confirm(req_t *r, const char *id, long long user_id, ws_state_t *state)
    __attribute__((warn_unused_result));

/* ST_OK when id is pending and not expired (its code may be shown),
 * ST_NOT_FOUND when not, ST_STORE. */
status_t websession_is_pending(req_t *r, const char *id) __attribute__((warn_unused_result));

#endif
