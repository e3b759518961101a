/* runner.c: the threads that run export jobs.
 *
 * They are not the fast workers that take submits, nor the slow pool:
 * export_threads threads of their own, each with its own MariaDB
 * connection, claim queued jobs one at a time (an UPDATE ... LIMIT 1 that
 * writes the runner's name, so two servers never take the same job) and
 * write the file under data_dir/exports.
 *
 * A running job beats a heartbeat (real time) at every page. A job whose
 * runner is gone — a process of this host that no longer exists, or a
 * heartbeat older than export_stale_s from any host — is put back in the
 * queue, up to MAX_TRIES times, and then failed with the reason. A runner
 * told to stop (SIGTERM) puts its job back at once. */
#include "engines/reports/reports_int.h"
#include "server/clock.h"
#include "server/config.h"
#include "server/log.h"
#include "lib/crypto.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_RUNNERS 16
#define MAX_TRIES 3
#define BEAT_US (1000 * 1000)

static pthread_t threads[MAX_RUNNERS];
static int nthreads;
static _Atomic int stopping;
static char host[64];

int rep_progress(rep_run_t *run, double progress)
{
    if (atomic_load(&stopping))
        return -1;
    int64_t now = mono_us();
    if (now - run->last_beat_us < BEAT_US / 4 && progress < 1)
        return 0;
    run->last_beat_us = now;
    rep_noted(run->primary, db_exec(run->primary, "UPDATE export_jobs SET progress = ?, rows_written = ?, heartbeat_at = UNIX_TIMESTAMP()"
                     " WHERE id = ? AND state = 'running'",
            "dii", progress > 0.99 ? 0.99 : progress, run->rows, run->id));
    return 0;
}

/* 1 when runner ("host:pid:n") is surely dead: a process of this host
 * that no longer exists (or whose pid this process now has). */
static int runner_dead_here(const char *runner)
{
    size_t hl = strlen(host);
    if (!runner || strncmp(runner, host, hl) != 0 || runner[hl] != ':')
        return 0;
    long pid = strtol(runner + hl + 1, NULL, 10);
    if (pid <= 0)
        return 0;
    if (pid == (long)getpid())
        return 0;   /* this process: its runners are alive (checked by the caller) */
    return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

/* Running jobs whose runner is gone go back to the queue, or fail after
 * MAX_TRIES with the reason. me: this process's runner prefix, whose own
 * jobs are alive. */
static void recover(db_t *db, arena_t *a, const char *me)
{
    db_res_t *res = db_query(db, a, "SELECT id, runner, tries, heartbeat_at < UNIX_TIMESTAMP() - ?"
                                    " FROM export_jobs WHERE state = 'running' LIMIT 100",
                             "i", (long long)g_config.export_stale_s);
    for (size_t i = 0; res && i < res->nrows; i++) {
        const char *runner = db_get(res, i, 1);
        if (runner && strncmp(runner, me, strlen(me)) == 0)
            continue;
        if (!runner_dead_here(runner) && !db_int(res, i, 3))
            continue;
        long long id = db_int(res, i, 0);
        if (db_int(res, i, 2) < MAX_TRIES) {
            rep_noted(db, db_exec(db, "UPDATE export_jobs SET state = 'queued', runner = NULL, progress = 0,"
                        " error = 'interrupted by a server restart; taken up again'"
                        " WHERE id = ? AND state = 'running' AND runner <=> ?", "is", id, runner));
            log_info("reports: export job %lld was interrupted; queued again", id);
        } else {
            rep_noted(db, db_exec(db, "UPDATE export_jobs SET state = 'failed', runner = NULL, finished_at = ?,"
                        " error = 'interrupted by server restarts too many times'"
                        " WHERE id = ? AND state = 'running' AND runner <=> ?",
                    "iis", (long long)clock_now_s(), id, runner));
            log_warn("reports: export job %lld failed: interrupted %d times", id, MAX_TRIES);
        }
    }
}

static int write_kind(rep_run_t *run, const char *kind)
{
    if (strcmp(kind, "participants") == 0)
        return rep_write_participants(run);
    if (strcmp(kind, "units") == 0)
        return rep_write_units(run);
    if (strcmp(kind, "members") == 0)
        return rep_write_members(run);
    if (strcmp(kind, "weekly") == 0)
        return rep_write_weekly(run);
    if (strcmp(kind, "videos") == 0)
        return rep_write_videos(run);
    if (strcmp(kind, "winners") == 0)
        return rep_write_winners(run);
    run->fail_reason = "unknown kind";
    return -1;
}

/* Where a job reads: the replica while it answers and keeps up, else the
 * primary; the job records which and why. */
static db_t *choose_source(db_t *db, db_t *replica, long long id)
{
    if (!replica)
        return db;
    int lag = db_replica_lag(replica);
    char why[96];
    if (lag >= 0 && lag <= g_config.db_replica_max_lag_s)
        snprintf(why, sizeof why, "replica");
    else if (lag == -2)
        snprintf(why, sizeof why, "primary (replica down)");
    else if (lag == -1)
        snprintf(why, sizeof why, "primary (replica not replicating)");
    else
        snprintf(why, sizeof why, "primary (replica %d s behind)", lag);
    rep_noted(db, db_exec(db, "UPDATE export_jobs SET source = ? WHERE id = ?", "si", why, id));
    if (strcmp(why, "replica") != 0)
        log_warn("reports: export job %lld reads the %s", id, why);
    return strcmp(why, "replica") == 0 ? replica : db;
}

/* Record how a job ended: done with its file, back in the queue when the
 * replica or this server went away under it, else failed with the reason. */
static void finish_job(db_t *db, db_t *replica, const rep_run_t *run, int rc, const char *part,
                       const char *path, const char *name, const char *me)
{
    long long id = run->id, now = clock_now_s();
    if (rc == 0 && rename(part, path) == 0) {
        rep_noted(db, db_exec(db, "UPDATE export_jobs SET state = 'done', progress = 1, rows_written = ?, file_name = ?,"
                    " finished_at = ?, expires_at = ?, error = NULL, runner = NULL WHERE id = ? AND runner = ?",
                "isiiis", run->rows, name, now, now + g_config.export_ttl_s, id, me));
        return;
    }
    unlink(part);
    const char *again = run->db == replica && db_ping(replica) < 0 ? "the replica went down; taken up again"
                      : atomic_load(&stopping) ? "interrupted by a server stop; taken up again" : NULL;
    if (again) {
        /* Not the job's fault: it runs again (on the primary, or after the
         * restart) without using up a try. */
        rep_noted(db, db_exec(db, "UPDATE export_jobs SET state = 'queued', runner = NULL, progress = 0, tries = tries - 1,"
                    " error = ? WHERE id = ? AND runner = ?", "sis", again, id, me));
        return;
    }
    const char *why = run->fail_reason ? run->fail_reason : "the database failed while the export was written";
    if (!run->fail_reason)
        log_warn("reports: export job %lld: db %d %s", id, db_errno(run->db), db_error(run->db));
    log_warn("reports: export job %lld failed: %s", id, why);
    rep_noted(db, db_exec(db, "UPDATE export_jobs SET state = 'failed', error = ?, finished_at = ?, runner = NULL"
                " WHERE id = ? AND runner = ?", "siis", why, now, id, me));
}

/* Run one claimed job (row: id, kind, format, params, owner fields). */
static void run_job(db_t *db, db_t *replica, arena_t *a, db_res_t *job, const char *me)
{
    long long id = db_int(job, 0, 0);
    const char *kind = db_get(job, 0, 1);
    int xlsx = strcmp(db_get(job, 0, 2), "xlsx") == 0;
    rep_run_t run = { .db = choose_source(db, replica, id), .primary = db, .arena = a, .id = id };
    run.who.organizer = db_int(job, 0, 4) > 0;
    run.who.organizer_id = db_int(job, 0, 4);
    run.who.user_id = db_int(job, 0, 5);
    run.who.unit_id = db_int(job, 0, 6);
    snprintf(run.who.area, sizeof run.who.area, "%s", db_get(job, 0, 7) ? db_get(job, 0, 7) : "");
    run.params = json_loads(db_get(job, 0, 3), 0, NULL);
    unsigned char rnd[8];
    crypto_random_bytes(rnd, sizeof rnd);
    char name[96];
    snprintf(name, sizeof name, "%lld-%02x%02x%02x%02x%02x%02x%02x%02x.%s", id, rnd[0], rnd[1], rnd[2],
             rnd[3], rnd[4], rnd[5], rnd[6], rnd[7], xlsx ? "xlsx" : "csv");
    /* Not in the arena: the writers reset it between pages. */
    char dir[300], path[400], part[410];
    snprintf(dir, sizeof dir, "%s/exports", g_config.data_dir);
    mkdir(dir, 0700);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    snprintf(part, sizeof part, "%s.part", path);
    int rc = -1;
    if (run.params) {
        run.book = rep_book_open(part, xlsx);
        if (!run.book)
            run.fail_reason = "the export file could not be created";
        else {
            rc = write_kind(&run, kind);
            if (rep_book_close(run.book) < 0 && rc == 0) {
                rc = -1;
                run.fail_reason = "the export file could not be written";
            }
        }
        json_decref(run.params);
    }
    arena_reset(a);
    finish_job(db, replica, &run, rc, part, path, name, me);
}

static void *runner_main(void *arg)
{
    int n = (int)(intptr_t)arg;
    char me[96];
    snprintf(me, sizeof me, "%s:%ld:%d", host, (long)getpid(), n);
    char mine[80];
    snprintf(mine, sizeof mine, "%s:%ld:", host, (long)getpid());
    db_t *db = db_new();
    db_t *replica = db_new_replica();
    arena_t a;
    arena_init(&a);
    int64_t next_recover = 0;
    while (!atomic_load(&stopping)) {
        if (n == 0 && mono_us() >= next_recover) {
            recover(db, &a, mine);
            arena_reset(&a);
            next_recover = mono_us() + 2 * 1000000LL;
        }
        long long got = db_exec(db, "UPDATE export_jobs SET state = 'running', runner = ?, tries = tries + 1,"
                                    " started_at = ?, heartbeat_at = UNIX_TIMESTAMP(), progress = 0,"
                                    " rows_written = 0, source = 'primary'"
                                    " WHERE state = 'queued' ORDER BY id LIMIT 1",
                                "si", me, (long long)clock_now_s());
        db_res_t *job = got == 1 ? db_query(db, &a, "SELECT id, kind, format, params, IFNULL(organizer_id, 0),"
                                                    " IFNULL(user_id, 0), IFNULL(unit_id, 0), area"
                                                    " FROM export_jobs WHERE runner = ? AND state = 'running'",
                                            "s", me) : NULL;
        if (job && job->nrows) {
            run_job(db, replica, &a, job, me);
            arena_reset(&a);
            continue;
        }
        arena_reset(&a);
        usleep(200 * 1000);
    }
    arena_free(&a);
    db_free(db);
    db_free(replica);
    return NULL;
}

void rep_runners_start(void)
{
    if (gethostname(host, sizeof host - 1) < 0)
        snprintf(host, sizeof host, "localhost");
    int n = g_config.export_threads;
    if (n < 1)
        n = 1;
    if (n > MAX_RUNNERS)
        n = MAX_RUNNERS;
    for (int i = 0; i < n; i++)
        if (pthread_create(&threads[i], NULL, runner_main, (void *)(intptr_t)i) == 0)
            nthreads++;
    log_info("reports: %d export runner(s)", nthreads);
}

void rep_runners_stop(void)
{
    atomic_store(&stopping, 1);
    for (int i = 0; i < nthreads; i++)
        pthread_join(threads[i], NULL);
    nthreads = 0;
    rep_replica_close();
}
