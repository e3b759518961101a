/* session.h: bearer tokens and the sessions behind them.
 *
 * A session lives in Redis (hash sess:<sha256(token)>, with a TTL) and in
 * MariaDB (sessions, by the same hash), so a Redis restart logs no one out:
 * a miss in Redis falls back to MariaDB and refills Redis. */
#ifndef SESSION_H
#define SESSION_H

#include "server/request.h"

typedef struct {
    long long user_id, organizer_id, admin_unit_id;
    int roles;
    const char *area;
} session_info_t;

/* Create a session; writes the new token (43 chars + NUL) to token.
 * Returns 0, or -1 when MariaDB failed (r->store_down set). */
int session_create(req_t *r, const session_info_t *s, char token[64]);
/* g_auth_resolve: see router.h. */
int session_resolve(req_t *r, const char *token);
/* Drop the cached copy of every session of a user (after a role change). */
void session_forget_user(req_t *r, long long user_id);

#endif
