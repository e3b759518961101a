/* privacy.h: personal data under PIPL (issue 14): the notice in force,
 * consent, everything held about a person, erasing a person, and purging
 * a finished contest's personal data. Functions return the status type
 * (server/status.h). */
#ifndef ACCOUNTS_PRIVACY_H
#define ACCOUNTS_PRIVACY_H

#include <jansson.h>
#include "rules/mask.h"
#include "server/request.h"

/* The name every board and list shows for an erased person. */
#define ERASED_NAME RULES_ERASED_NAME

/* The notice in force: ST_OK with *version and *text (arena), ST_STORE,
 * or ST_NOT_FOUND when there is none. */
int privacy_current(req_t *r, long long *version, const char **text);
/* PUT /me/profile's consent: ST_OK when the caller already accepted the
 * notice in force or the body's consent_version is it (*record then holds
 * the version to record, else 0); ST_REPLIED after replying 400
 * consent_required; ST_STORE. */
int consent_check(req_t *r, json_t *body, long long *record);
/* Record that the caller accepted version now. ST_OK or ST_STORE. */
int consent_record(req_t *r, long long version);
/* Everything held about a user, as JSON the caller owns (NULL when a store
 * failed: ST_STORE), but the
 * profile, which its handler adds as GET /me shows it. */
json_t *privacy_export(req_t *r, long long user_id);
/* Erase a person (DELETE /me, and the purge), in one transaction: name
 * (kept as ERASED_NAME), phone, WeChat ids, name history, sessions;
 * attempts and scores stay. Then drops the sessions' Redis copies and puts
 * ERASED_NAME in the boards' name caches. Returns ST_OK, or ST_STORE when
 * MariaDB failed (nothing erased). */
int privacy_erase_user(db_t *db, kv_t *kv, arena_t *a, long long user_id, const char *why);

/* quizd purge-personal-data --contest ID (purge.c) */
int cmd_purge_personal_data(int argc, char **argv);

#endif
