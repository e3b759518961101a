/* logout.h: ending a session. */
#ifndef LOGOUT_H
#define LOGOUT_H

#include "server/request.h"

/* POST /api/v1/logout (any signed-in role) → 204; the token then gets 401
 * on every route of every server. */
int h_logout(req_t *r);

#endif
