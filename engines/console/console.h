/* console.h: the organizers' and unit admins' console (issue 10) — the
 * audit record of organizer changes, organizer areas, unit corrections
 * and merges, content reviews, uploads, unit admin applications and a
 * unit's member list. No HTTP here: handlers/admin_units.c, reviews.c,
 * uploads.c, applications.c, members.c and audit.c turn requests into
 * these calls.
 *
 * Conventions: functions return 0 on success, a positive CONSOLE_* outcome
 * the caller turns into a 4xx, or -1 when MariaDB failed. Writes run in one
 * transaction each, together with their audit row: a change is never
 * committed without its record, nor recorded without being made. */
#ifndef ENGINES_CONSOLE_H
#define ENGINES_CONSOLE_H

#include <jansson.h>
#include <stddef.h>
#include "server/arena.h"
#include "server/db.h"

enum {
    CONSOLE_OK = 0,
    CONSOLE_NOT_FOUND = 1,       /* no such unit, review, upload, application */
    CONSOLE_FORBIDDEN,           /* outside the caller's area, or not theirs */
    CONSOLE_EXISTS,              /* credit code of another unit (*other_id) */
    CONSOLE_DECIDED,             /* a review or application already decided */
    CONSOLE_PENDING,             /* the person already has a pending application */
    CONSOLE_MERGE_SELF,          /* merge into itself */
    CONSOLE_MERGE_UNAVAILABLE,   /* into a disabled or merged unit, or from a merged one */
    CONSOLE_MERGE_CIRCLE,        /* into a unit that was merged into this one */
    CONSOLE_NOT_REGISTERED,      /* an applicant without a profile */
    CONSOLE_UPLOAD_MISSING,      /* an application names an upload that does not exist */
    CONSOLE_UNIT_INACTIVE,       /* approving for a unit merged or disabled since */
};

/* ---- audit (audit.c) ---- */

/* Record one organizer change inside the caller's transaction.
 * organizer_id 0 = the command line. before/after may be NULL (nothing
 * before a creation); they are not stolen. Returns 0 or -1. */
int console_audit(db_t *db, long long organizer_id, const char *action, const char *target_kind,
                  long long target_id, json_t *before, json_t *after);

typedef struct {
    long long organizer_id;      /* 0: any */
    const char *action;          /* NULL: any */
    const char *target_kind;     /* NULL: any */
    long long target_id;         /* 0: any */
    long long since, until;      /* 0: open */
    long long limit, offset;
} console_audit_filter_t;

/* {"entries": [...], "total"} or NULL on a store error. */
json_t *console_audit_list(db_t *db, arena_t *a, const console_audit_filter_t *f);

/* ---- units (units_admin.c) ---- */

typedef struct {
    long long id, merged_into, headcount;
    int disabled, verified;
    char province[7], city[7], county[7];
} console_unit_t;

/* Read a unit. Returns 0, CONSOLE_NOT_FOUND or -1. for_update: lock the
 * row (inside a transaction). */
int console_unit_get(db_t *db, arena_t *a, long long id, int for_update, console_unit_t *out);

/* The unit as organizers see it (every column but the sealed phone), or
 * NULL when it does not exist or on a store error (*err -1). */
json_t *console_unit_json(db_t *db, arena_t *a, long long id, int *err);

/* A correction: fields left NULL / -1 stay as they are. region fields
 * come from an existing region (the handler checked it). */
typedef struct {
    const char *name;            /* valid full name (rules_org_name_valid) */
    const char *credit_code;     /* normalized */
    const char *region_code, *province, *city, *county;
    const char *type;
    long long headcount;         /* -1: unchanged */
    int disabled, verified;      /* -1: unchanged */
    /* re-indexes the name for search (unit_search_index), inside the
     * transaction; set when name is */
    int (*reindex)(db_t *db, long long unit_id, const char *name);
} console_unit_patch_t;

/* Apply a correction and record it. Returns 0 (*boards_moved = 1 when the
 * boards must be rebuilt: region, type, name, headcount, disabled or
 * verified changed), CONSOLE_NOT_FOUND, CONSOLE_EXISTS (*other_id) or -1. */
int console_unit_update(db_t *db, arena_t *a, long long organizer_id, long long id,
                        const console_unit_patch_t *p, int *boards_moved, long long *other_id);

/* Merge unit from into unit into: staff, five-into members (sponsor links),
 * and so their attempts and scores, move to into; from answers merged_into;
 * from's admin loses the role (*old_admin set to that user, or 0, so the
 * caller drops their cached sessions). Returns 0, CONSOLE_NOT_FOUND,
 * CONSOLE_MERGE_*, CONSOLE_FORBIDDEN (into outside area) or -1. */
int console_unit_merge(db_t *db, arena_t *a, long long organizer_id, const char *area,
                       long long from, long long into, long long *moved, long long *old_admin);

/* Ids of every contest (their boards are rebuilt after a change that does
 * not go through the outbox). NULL on a store error. */
db_res_t *console_contest_ids(db_t *db, arena_t *a);

/* ---- content reviews (reviews.c) ---- */

/* {"reviews": [...], "total"}: state NULL = pending, "all" or a state;
 * kind NULL = any. Filtered to area. NULL on a store error. */
json_t *console_reviews_list(db_t *db, arena_t *a, const char *area, const char *state,
                             const char *kind, long long limit, long long offset);

/* Accept (reason NULL) or reject a pending review. A rejected name is
 * hidden in public lists and boards until corrected; *boards = 1 when the
 * boards show the text. Returns 0, CONSOLE_NOT_FOUND, CONSOLE_FORBIDDEN,
 * CONSOLE_DECIDED or -1. */
int console_review_decide(db_t *db, arena_t *a, long long organizer_id, const char *area,
                          long long id, const char *reject_reason, int *boards);

/* ---- uploads (uploads.c) ---- */

#define CONSOLE_UPLOAD_MAX (10 * 1024 * 1024)

/* Store a file (already judged by rules_media_type_sniff). Returns the new
 * id, or -1. */
long long console_upload_store(db_t *db, long long user_id, long long organizer_id,
                               const char *media_type, const void *data, size_t len);

/* How many files user_id (or, when organizer_id > 0, that organizer)
 * uploaded since since (seconds); -1 on a store error. Uploads are capped
 * per person or organizer and day (CONSOLE_UPLOADS_PER_DAY): an
 * application needs two, a study material one, and MariaDB is not a free
 * file store. */
#define CONSOLE_UPLOADS_PER_DAY 30
long long console_upload_count_since(db_t *db, arena_t *a, long long user_id, long long organizer_id,
                                    long long since);

typedef struct {
    long long id, user_id;
    const char *media_type;
    const char *data;
    size_t len;
} console_upload_t;

/* Read an upload the caller may see: its uploader (user_id), or an
 * organizer (organizer_id > 0) who uploaded it or whose area covers a unit
 * that an application names it for (a nationwide organizer sees every
 * upload).
 * Returns 0, CONSOLE_NOT_FOUND (also: not the caller's to see, so ids
 * cannot be probed) or -1. */
int console_upload_get(db_t *db, arena_t *a, long long id, long long user_id,
                       long long organizer_id, const char *area, console_upload_t *out);

/* ---- unit admin applications (applications.c) ---- */

typedef struct {
    long long unit_id, user_id;
    const char *applicant_name, *phone_sealed, *phone_masked;
    long long certificate_upload_id, authorization_upload_id;
} console_application_t;

/* Returns 0 (*id set), CONSOLE_NOT_FOUND (no such active unit),
 * CONSOLE_UPLOAD_MISSING, CONSOLE_FORBIDDEN (an upload someone else made), CONSOLE_PENDING,
 * CONSOLE_NOT_REGISTERED or -1. */
int console_application_create(db_t *db, arena_t *a, const console_application_t *in, long long *id);

/* {"applications": [...], "total"}: state NULL = any; filtered to area. */
json_t *console_applications_list(db_t *db, arena_t *a, const char *area, const char *state,
                                  long long unit_id, long long limit, long long offset);

/* One application with its upload links, or NULL (*err: CONSOLE_NOT_FOUND,
 * CONSOLE_FORBIDDEN or -1). */
json_t *console_application_json(db_t *db, arena_t *a, const char *area, long long id, int *err);

/* Approve (reason NULL) or reject. Approval makes the applicant the unit's
 * one admin; *old_admin is the replaced admin (0 none) and *new_admin the
 * applicant, whose cached sessions the caller forgets. Returns 0,
 * CONSOLE_NOT_FOUND, CONSOLE_FORBIDDEN, CONSOLE_DECIDED, CONSOLE_UNIT_INACTIVE
 * or -1. */
int console_application_decide(db_t *db, arena_t *a, long long organizer_id, const char *area,
                               long long id, const char *reject_reason, long long *old_admin,
                               long long *new_admin);

/* The caller's own latest application, for GET /me: {"id", "unit_id",
 * "state", "reason", "created_at", "decided_at"} or JSON null; NULL on a
 * store error. */
json_t *console_my_application(db_t *db, arena_t *a, long long user_id);

/* What GET /me says about the caller's names an organizer rejected:
 * {"real_name": {"state", "reason"} or null, "units": [{"id", "name_state",
 * "reason"}]}; NULL on a store error. */
json_t *console_my_reviews(db_t *db, arena_t *a, long long user_id);

/* ---- members (members.c) ---- */

typedef struct {
    const char *q;               /* part of a name, or NULL */
    const char *kind;            /* staff | five_into | NULL */
    int participated;            /* -1 any, 0 no, 1 yes */
    int leader;                  /* -1 any, 0, 1 */
    long long min_score, max_score;  /* -1: open */
    long long contest_id;
    long long limit, offset;
} console_members_filter_t;

/* {"members": [...], "total", "contest_id"}: the people whose contest
 * score counts for the unit (its staff and the five-into members it
 * sponsors), full names, phones masked. NULL on a store error. */
json_t *console_members_list(db_t *db, arena_t *a, long long unit_id,
                             const console_members_filter_t *f);

/* ---- organizer accounts (organizer_accounts.c, for the commands) ---- */

/* End every session of an organizer: rows in MariaDB and copies in Redis.
 * Returns the number ended, or -1. */
long long console_organizer_end_sessions(db_t *db, arena_t *a, long long organizer_id);

#endif
