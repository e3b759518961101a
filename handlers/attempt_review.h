/* attempt_review.h: a person's own attempts, read back (R_USER).
 *
 *   GET /attempts/{id}   the attempt with its questions as shown and the
 *                        caller's choices; each question's answer,
 *                        whether it was right and its explanation only
 *                        once the contest's review policy allows it
 *                        (rules/eligibility.h) and the attempt is over
 *                        (submitted, or its time is up): an open attempt
 *                        never shows a key. 404 attempt_not_found for
 *                        anyone but its owner.
 *   GET /attempts        ?contest_id&limit&offset: the caller's attempts,
 *                        newest first, with total. */
#ifndef ATTEMPT_REVIEW_H
#define ATTEMPT_REVIEW_H

#include "server/request.h"

int h_attempt_get(req_t *r);
int h_attempts_list(req_t *r);

#endif
