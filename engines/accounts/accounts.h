/* accounts.h: abuse resistance and personal data (issue 14).
 *
 * - keys: sub-keys derived from the sealing key (phone_key_hex) with
 *   HMAC-SHA256, one per purpose, so no new secret needs configuring: the
 *   MAC over cached sessions and the keyed hash that makes a phone number
 *   unique without storing it in the clear.
 * - login guard: logins limited per address and in all; a code WeChat
 *   refused remembered as bad for five minutes; WeChat-bound writes
 *   limited per user.
 * - privacy: the notice in force, consent, everything held about a person,
 *   erasing a person, and purging a finished contest's personal data.
 *
 * Every function that touches a store sets r->store_down when it fails. */
#ifndef ACCOUNTS_H
#define ACCOUNTS_H

#include <jansson.h>
#include "rules/mask.h"
#include "server/request.h"

/* ---- keys.c ---- */
/* HMAC-SHA256(sub-key for purpose, msg) as 64 hex digits. Returns 0, or -1
 * when the sealing key is not configured. */
int accounts_mac_hex(const char *purpose, const char *msg, size_t len, char out[65]);
/* The keyed hash of a phone number (digits only, as WeChat gives it). */
int accounts_phone_hash(const char *phone, char out[65]);

/* ---- login_guard.c ---- */
/* Admit one login from r's address: 0, or 1 after replying 429
 * rate_limited with Retry-After. */
int login_guard_admit(req_t *r);
/* Was this login code refused by WeChat in the last five minutes? 1 after
 * replying with WeChat's remembered error, else 0. */
int login_guard_known_bad(req_t *r, const char *code_hash);
/* Remember that WeChat refused a code (a refusal that consumed it:
 * invalid, used or risky), with the error it gave. */
void login_guard_remember_bad(req_t *r, const char *code_hash, int status, const char *err_code,
                              const char *message);
/* Bound the requests with one code in flight at once: 1 after replying
 * 429 (too many), -1 when entered (call login_guard_leave at the end), 0
 * when not counted (Redis down). */
int login_guard_enter(req_t *r, const char *code_hash);
void login_guard_leave(req_t *r, const char *code_hash);
/* Admit one WeChat-bound write of the caller (POST /units, PUT /me/profile,
 * POST /me/phone): 0, or 1 after replying 429 rate_limited. */
int wx_write_admit(req_t *r);

/* ---- privacy.c ---- */
/* The notice in force: 0 with *version and *text (arena), -1 store error,
 * -2 when there is none. */
int privacy_current(req_t *r, long long *version, const char **text);
/* PUT /me/profile's consent: 0 when the caller already accepted the notice
 * in force or the body's consent_version is it (*record then holds the
 * version to record, else 0); 1 after replying 400 consent_required; -1 on
 * a store error. */
int consent_check(req_t *r, json_t *body, long long *record);
/* Record that the caller accepted version now. Returns 0 or -1. */
int consent_record(req_t *r, long long version);
/* Everything held about a user, as JSON (NULL on a store error). */
json_t *privacy_export(req_t *r, long long user_id);
/* Erase a person (DELETE /me, and the purge), in one transaction: name
 * (kept as ERASED_NAME), phone, WeChat ids, name history, sessions;
 * attempts and scores stay. Then drops the sessions' Redis copies and puts
 * ERASED_NAME in the boards' name caches. Returns 0, or -1 when MariaDB
 * failed (nothing erased). */
int privacy_erase_user(db_t *db, kv_t *kv, arena_t *a, long long user_id, const char *why);
/* The name every board and list shows for an erased person. */
#define ERASED_NAME RULES_ERASED_NAME

/* ---- purge.c ---- */
/* quizd purge-personal-data --contest ID [--now] */
int cmd_purge_personal_data(int argc, char **argv);

#endif
