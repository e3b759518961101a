/* content_check.h: WeChat's content check (msg_sec_check v2, scene 1 =
 * profile data) for the text people register, and the review list.
 *
 * Policy: `risky` is refused (422 content_risky); `review` is accepted and
 * listed in content_reviews for an organizer; when WeChat cannot be asked
 * (not configured, down, or the user's 2-hour window is over) the text is
 * accepted and listed as `unchecked`, so registration never waits on
 * WeChat's availability. */
#ifndef CONTENT_CHECK_H
#define CONTENT_CHECK_H

#include "server/request.h"
#include "wx/wx_client.h"

/* Verdicts: WX_PASS, WX_REVIEW, WX_RISKY (wx_client.h), and: */
#define CONTENT_UNCHECKED 3

/* Checks text (several fields joined by '\n') as user_id's profile data.
 * Gives the request's stores back before calling WeChat. Returns 0 with
 * *verdict set, or ST_STORE. */
int content_check(req_t *r, long long user_id, const char *text, int *verdict) __attribute__((warn_unused_result));

/* Lists one text for review when verdict is WX_REVIEW or CONTENT_UNCHECKED
 * (does nothing for the others). kind: unit_name, contact_name, real_name,
 * org_name, position. Returns 0, or ST_STORE. */
int content_review_add(req_t *r, const char *kind, long long subject_id, long long user_id,
                       const char *content, int verdict);

#endif
