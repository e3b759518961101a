/* admin_auth.h: signing in to the web console.
 *
 * Organizers sign in with a user name and password (accounts made by
 * `quizd organizer-add`); a unit admin signs in with a one-time code taken
 * from the mini-program. Either way the console gets a bearer token whose
 * session holds the role (session.h). */
#ifndef ADMIN_AUTH_H
#define ADMIN_AUTH_H

#include "server/request.h"

/* Failures allowed per window before 429 rate_limited. */
#define ADMIN_RL_WINDOW_S (15 * 60)
#define ADMIN_RL_ACCOUNT 10     /* per user name and client address together */
#define ADMIN_RL_ADDR 20        /* per client address, any name or code */
#define CONSOLE_CODE_TTL_S 600

/* POST /api/v1/admin/login (R_SLOW: Argon2id takes tens of ms of CPU,
 * which must not hold a fast worker). {"username", "password"} → 200
 * {"token", "role": "organizer", "region_code" (area or null), "unit_id":
 * null}; {"code"} → 200 {"token", "role": "unit_admin", "region_code":
 * null, "unit_id"}. Errors: 400 invalid_request (neither form), 401
 * invalid_credentials (wrong name or password: one answer for both), 400
 * invalid_code (unknown, used or expired console code), 429 rate_limited
 * (Retry-After), 503 overloaded (too many hashes at once). */
int h_admin_login(req_t *r);

/* POST /api/v1/me/console-code (R_UNIT_ADMIN) → 200 {"code", "expires_in"}:
 * single use, CONSOLE_CODE_TTL_S seconds, replaces the user's older code. */
int h_console_code(req_t *r);

#endif
