/* privacy.h: the privacy notice and a person's rights over their data
 * (PIPL; API.md), and the organizers' list of likely duplicate people.
 * The rules live in engines/accounts/accounts.h. */
#ifndef PRIVACY_H
#define PRIVACY_H

#include "server/request.h"

/* GET /api/v1/privacy (public) → 200 {"version", "text"}: the notice in
 * force. 404 no_notice when none was ever published. */
int h_privacy_get(req_t *r);
/* PUT /api/v1/admin/privacy (nationwide organizer) {"text"} → 200
 * {"version", "text"}: a new notice, in force at once; everyone is asked
 * for consent again at their next profile change. Recorded. 400
 * invalid_text (20..20000 characters). */
int h_privacy_put(req_t *r);
/* GET /api/v1/me/data → 200 {"account", "profile", "consents", "scores",
 * "attempts", "name_changes", "units_registered", "content_reviews"}. */
int h_me_data(req_t *r);
/* DELETE /api/v1/me {"confirm": true} → 204; 400 confirmation_required. */
int h_me_delete(req_t *r);
/* GET /api/v1/admin/duplicates?limit&offset (organizer; a regional one sees
 * units of their area) → 200 {"duplicates": [{"unit_id", "unit_name",
 * "real_name", "user_ids": [...], "phones_verified"}], "total"}: people
 * with the same real name in the same unit. */
int h_admin_duplicates(req_t *r);

#endif
