/* reports_int.h: what the files of the reports engine share among
 * themselves (not for other folders: they use reports.h). */
#ifndef ENGINES_REPORTS_INT_H
#define ENGINES_REPORTS_INT_H

#include "engines/reports/reports.h"
#include "server/log.h"

/* Area filter on a table with province_code/city_code/county_code:
 * 4 parameters "ssss" (area four times). */
#define REP_AREA(t) " (? = '' OR " t ".province_code = ? OR " t ".city_code = ? OR " t ".county_code = ?)"

/* A write of a job's own row whose failure is only noted: a job left in a
 * wrong state is put right by the recovery (runner.c) or by its expiry. */
static inline void rep_noted(db_t *db, long long rc)
{
    if (rc < 0)
        log_warn("reports: an export job's row could not be updated (db %d)", db_errno(db));
}

/* One running job as a kind's writer sees it. */
typedef struct {
    db_t *db;                  /* where the writer reads: the replica or the primary */
    db_t *primary;             /* the job's own row (progress, heartbeat) */
    arena_t *arena;            /* reset by the writer between pages */
    long long id;
    rep_who_t who;
    json_t *params;            /* the canonical filters */
    rep_book_t *book;
    long long rows;            /* data rows written */
    long long last_beat_us;
    const char *fail_reason;   /* set by a writer that gives up */
} rep_run_t;

/* Called by writers every page: records progress (0..1) and the heartbeat.
 * Returns -1 when the runner is stopping (the job goes back to the queue). */
int rep_progress(rep_run_t *run, double progress);

/* Writers, one per kind: 0, or -1 (store error or stop; fail_reason set
 * for a reason that should fail the job). */
int rep_write_participants(rep_run_t *run);
int rep_write_units(rep_run_t *run);
int rep_write_members(rep_run_t *run);
int rep_write_weekly(rep_run_t *run);
int rep_write_videos(rep_run_t *run);
int rep_write_winners(rep_run_t *run);

/* Full name or its mask, as the requester may see it: organizers see
 * names; a unit admin sees the people of their own unit (board unit: staff
 * and the five-into members under it) in full, as the console's member
 * list does, anyone else masked. */
const char *rep_name_for(const rep_who_t *who, arena_t *a, const char *name, long long board_unit_id);

/* The unit type as a report shows it (水行政主管部门 ...). */
const char *rep_unit_type_name(const char *type);

/* Integer member of params, or def. */
long long rep_param_int(json_t *params, const char *key, long long def);
const char *rep_param_str(json_t *params, const char *key);

#endif
