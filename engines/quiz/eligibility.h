/* eligibility.h: who may register or change their registration, judged
 * by the server's clock and the contests' own deadlines only (never by a
 * contest the client names), and saving a contest's audience and review
 * policy. The rules themselves are rules/eligibility.h. */
#ifndef QUIZ_ELIGIBILITY_H
#define QUIZ_ELIGIBILITY_H

#include <jansson.h>
#include "server/request.h"

/* May a profile of new_kind ("staff" | "five_into") be made, or changed in
 * its unit, sponsor, region or kind, at now? old_kind is the stored
 * profile's kind, NULL when there is none.
 *
 * Yes while any contest the person may still join takes registrations: a
 * contest not yet ended (ends_at >= now) whose registration_deadline has
 * not passed and whose audience admits new_kind. Whether they have
 * answered is profile_locked's business (handlers/profile.h).
 * A change of kind must not open a contest whose registration has closed:
 * a five-into member who becomes staff after a staff contest's deadline
 * is refused while that contest runs.
 * Returns 1 (may), 0 (closed), -1 on a store error. */
int quiz_registration_open_for(req_t *r, long long now, const char *new_kind, const char *old_kind);

/* Set a contest's audience and review policy, each only when not NULL
 * (the caller has checked the values). Returns 0, -1 store error. */
int quiz_contest_policy_save(req_t *r, long long contest_id, const char *audience, const char *review_policy);

/* Read "audience" and "review_policy" from an organizer's contest body
 * into *audience / *review_policy (left alone when absent). Returns 0, or
 * -1 after replying 400 invalid_contest. */
int quiz_contest_policy_parse(req_t *r, json_t *j, const char **audience, const char **review_policy);

#endif
