/* profile.h: a person's registration (PUT /me/profile) and GET /me.
 *
 * A person registers under their real name with a region and either their
 * unit (staff) or, as a five-into member, the water unit that sponsors
 * them; board_unit_id is the unit whose totals their contest score joins.
 *
 * Rules (API.md, RULES.md):
 *  - new profiles and every change but the real name only until the
 *    contest's registration_deadline (403 registration_closed); the name
 *    may be corrected later, and every name change is recorded
 *    (name_changes);
 *  - once the person has a contest score in any contest, their unit,
 *    sponsor and region are fixed (409 profile_locked): a score must not
 *    move between units or regions on boards already built from it;
 *  - texts go through WeChat's content check (see content_check.h). */
#ifndef PROFILE_H
#define PROFILE_H

#include <jansson.h>
#include "server/request.h"

/* PUT /api/v1/me/profile (R_USER | R_SLOW). */
int h_profile_put(req_t *r);
/* GET /api/v1/me (R_USER). */
int h_me(req_t *r);

/* The user's profile as the API shows it (own data: the name unmasked),
 * json null when none, NULL on a store error (ST_STORE). */
json_t *profile_load_json(req_t *r, long long user_id);

/* 1 when the user has a contest score in any contest, 0 when not, or
 * ST_STORE. */
int profile_locked(req_t *r, long long user_id);

#endif
