/* accounts.h: the accounts engine — who a caller is and what they may do.
 *
 * It offers: the roles a session holds (the R_ROLES bits of server/router.h
 * and the route flags named after them), bearer-token sessions and their
 * resolution (session.h), the replay of a login code sent again
 * (login_replay.h), Argon2id passwords (password.h), organizer accounts
 * (organizers.h), rate limits on sign-in attempts (ratelimit.h), and
 * sealing of small secrets at rest under the configured key (seal.h);
 * and (issue 14) sub-keys of the sealing key (keys.h), limits against
 * floods at login and on WeChat-bound writes (login_guard.h), and personal
 * data: the privacy notice, consent, access, erasure, purge (privacy.h);
 * and (issue 15) group commit of logins (login_group.h). */
#ifndef ENGINES_ACCOUNTS_H
#define ENGINES_ACCOUNTS_H

#include "server/router.h"

/* Roles a session may hold; a route lists the ones it admits. */
enum {
    ROLE_USER       = 1 << 0,   /* a mini-program user (WeChat login) */
    ROLE_UNIT_ADMIN = 1 << 1,   /* a user who administers one unit */
    ROLE_ORGANIZER  = 1 << 2,   /* an organizer, for an area */
};

/* Route flags: who may call (none of the role bits = public) ... */
enum {
    R_USER       = ROLE_USER,
    R_UNIT_ADMIN = ROLE_UNIT_ADMIN,
    R_ORGANIZER  = ROLE_ORGANIZER,
    /* ... and, with R_ORGANIZER: only an organizer whose area is all */
    R_NATIONWIDE = 1 << 12,
};

/* g_route_admit (server/router.h): enforces R_NATIONWIDE. */
int accounts_route_admit(req_t *r, const route_t *rt);

#include "engines/accounts/login_replay.h"
#include "engines/accounts/organizers.h"
#include "engines/accounts/password.h"
#include "engines/accounts/ratelimit.h"
#include "engines/accounts/seal.h"
#include "engines/accounts/session.h"
#include "engines/accounts/keys.h"
#include "engines/accounts/login_guard.h"
#include "engines/accounts/login_twins.h"
#include "engines/accounts/login_group.h"
#include "engines/accounts/privacy.h"

#endif
