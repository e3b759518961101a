/* reports.h: the reports engine — export jobs (participants, units, a unit's
 * members, the weekly report) written as .xlsx or .csv on threads of their
 * own, and events (lectures) with check-ins and recorded attendance.
 *
 * Handlers turn requests into these calls (handlers/exports.c, events.c);
 * nothing here knows HTTP. A function returning status_t (server/status.h) gives
 * ST_OK; ST_STORE when MariaDB failed; ST_NOT_FOUND; ST_INVALID with *err a
 * contract error code (invalid_kind ...); ST_FORBIDDEN (not the caller's to
 * see or change); ST_BUSY (too many jobs of this requester at once);
 * ST_GONE (the file expired and was removed); ST_CONFLICT (not in a state
 * that allows it: job not done, event closed). */
#ifndef ENGINES_REPORTS_H
#define ENGINES_REPORTS_H

#include <jansson.h>
#include "server/arena.h"
#include "server/db.h"
#include "server/status.h"

/* Who asks: from the session (auth_t), copied so the engine needs no
 * request. A unit admin has unit_id; an organizer has area ("" = all). */
typedef struct {
    int organizer;             /* 1: an organizer, 0: a unit admin */
    long long organizer_id, user_id, unit_id;
    char area[7];
} rep_who_t;

/* ---- export jobs (jobs.c, runner.c) ----------------------------------- */

/* Queue an export described by body {"kind", "format", filters...}. An
 * identical request (same requester, kind, format, filters) still queued
 * or running returns that job with *existing = 1. Errors: ST_INVALID with
 * *err (invalid_kind, invalid_format, invalid_filter), ST_FORBIDDEN (a kind
 * the requester may not ask for), ST_BUSY, ST_STORE. */
status_t rep_job_submit(db_t *db, arena_t *a, const rep_who_t *who, json_t *body,
                        long long *job_id, int *existing, const char **err);

/* The job as the API shows it ({"id","kind","format","state","progress",
 * "rows","source","error","created_at","expires_at","download_url"}).
 * ST_NOT_FOUND for no such job, ST_FORBIDDEN for another requester's. */
status_t rep_job_get(db_t *db, arena_t *a, const rep_who_t *who, long long id, json_t **out);

/* The finished file of a job: its path on disk and the name to offer.
 * ST_GONE after expiry, ST_CONFLICT when not done yet. */
status_t rep_job_file(db_t *db, arena_t *a, const rep_who_t *who, long long id,
                      const char **path, const char **name, const char **ctype);

/* Start the runner threads (config export_threads); stop joins them,
 * putting a job in progress back in the queue. */
void rep_runners_start(void);
void rep_runners_stop(void);

/* Periodic upkeep (the server's background thread): expired files are
 * removed, jobs whose runner died are taken up again or failed. */
void rep_upkeep(db_t *db);

/* ---- sheets: one writer for .xlsx (libxlsxwriter, constant memory) and
 * .csv (BOM, CRLF, formulas neutralised) --------------------------------- */

typedef enum { REP_TEXT, REP_INT, REP_NUM, REP_PCT, REP_TIME } rep_type_t;

typedef struct {
    const char *title;
    rep_type_t type;
    int width;                 /* characters (CJK count 2); 0: from the title */
} rep_col_t;

typedef struct rep_book rep_book_t;

/* xlsx = 1 for .xlsx, 0 for .csv. NULL when the file cannot be made. */
rep_book_t *rep_book_open(const char *path, int xlsx);
/* A new sheet with a bold, frozen header row. In CSV, sheets after the
 * first follow after an empty line and a line with the sheet's name. */
int rep_sheet(rep_book_t *b, const char *name, const rep_col_t *cols, int ncols);
/* Cells of the current row, left to right; then rep_row_end. A NULL text
 * and a time of 0 write an empty cell. */
void rep_text(rep_book_t *b, const char *s);
void rep_int(rep_book_t *b, long long v);
void rep_num(rep_book_t *b, double v);
void rep_time(rep_book_t *b, long long epoch_s);
void rep_blank(rep_book_t *b);
int rep_row_end(rep_book_t *b);
/* Finish the file. Returns 0, or -1 when anything failed to be written. */
int rep_book_close(rep_book_t *b);

/* ---- events (events.c) -------------------------------------------------- */

/* Create (id 0) or change an event from {"title", "sessions": [{"starts_at",
 * "ends_at"}], "watch_url", "audience"} (on a change, fields left out keep
 * their value); *out is the event as the API shows it. Only an organizer
 * for the whole country or the event's creator changes it (ST_FORBIDDEN).
 * ST_INVALID with *err (invalid_title, invalid_sessions, invalid_watch_url,
 * invalid_audience), ST_NOT_FOUND. */
status_t rep_event_save(db_t *db, arena_t *a, const rep_who_t *who, long long id, json_t *body,
                        long long now, json_t **out, const char **err);
/* Every event with its sessions and status at now. */
status_t rep_events_list(db_t *db, arena_t *a, long long now, json_t **out);
/* ST_OK when the event exists, ST_NOT_FOUND when not, ST_STORE. */
status_t rep_event_exists(db_t *db, arena_t *a, long long id);
/* Check the user in: *at is the first check-in's time (unchanged when
 * again). ST_NOT_FOUND, ST_FORBIDDEN (no profile: not_registered),
 * ST_CONFLICT (event_not_open). */
status_t rep_event_check_in(db_t *db, arena_t *a, long long event_id, long long user_id, long long now,
                            long long *at);
/* The caller's check-ins and recorded attendance, for GET /me/data:
 * [{"event_id", "title", "checked_in_at", "recorded_at"}]; NULL when
 * MariaDB failed. */
json_t *rep_my_checkins(db_t *db, arena_t *a, long long user_id);
/* Record members of unit who watched together. A unit admin (who->organizer
 * == 0) only for their own unit and its own members; an organizer for units
 * of the area. *added is the count of new rows. ST_FORBIDDEN, ST_NOT_FOUND,
 * ST_INVALID (*err: invalid_user_ids). */
status_t rep_event_attendance(db_t *db, arena_t *a, const rep_who_t *who, long long unit_id,
                              long long event_id, json_t *user_ids, long long now, long long *added,
                              const char **err);

/* ---- the replica for short reads (replica.c) ----------------------------- */

/* A connection to the replica when it is configured, answers and lags at
 * most db_replica_max_lag_s; else NULL. why is "replica" or says why the
 * primary is to be read ("primary (replica down)" ...). Give it back. */
db_t *rep_replica_take(char why[64]);
void rep_replica_give(db_t *db);
/* Close the idle connections (at stop). */
void rep_replica_close(void);

/* ---- statistics (stats.c) ------------------------------------------------ */

/* Per-region totals (provinces, or the children of the organizer's area)
 * and attendance of each event, for GET /admin/stats. */
status_t rep_stats_regions(db_t *db, arena_t *a, const char *area, long long contest_id, json_t **out);
status_t rep_stats_events(db_t *db, arena_t *a, const char *area, json_t **out);

#endif
