/* exports.c: export jobs over HTTP. The job runs on the reports engine's
 * own threads; this file only asks for it, shows it and hands its file to
 * the one who asked for it. */
#include "handlers/exports.h"
#include "engines/quiz/contest.h"
#include "handlers/handlers.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Larger files are not served (none this size is expected: 200,000
 * participants make about 12 MB as .xlsx, 31 MB as .csv). Behind nginx
 * (export_accel_path) the file goes by X-Accel-Redirect; otherwise it is
 * read into the reply. */
#define MAX_FILE (512L * 1024 * 1024)

void exports_who(req_t *r, rep_who_t *who)
{
    memset(who, 0, sizeof *who);
    who->organizer = (r->auth.roles & ROLE_ORGANIZER) != 0;
    who->organizer_id = session_caller(r)->organizer_id;
    who->user_id = r->auth.user_id;
    who->unit_id = who->organizer ? 0 : session_caller(r)->admin_unit_id;
    snprintf(who->area, sizeof who->area, "%s", who->organizer ? session_caller(r)->area : "");
}

int exports_reply_error(req_t *r, status_t rc, const char *err)
{
    switch (rc) {
    case ST_INVALID:
        return reply_error(r, 400, err ? err : "invalid_request", "the request is not valid");
    case ST_FORBIDDEN:
        return reply_error(r, 403, "forbidden", "not yours to see or change");
    case ST_NOT_FOUND:
        return reply_error(r, 404, err ? err : "not_found", "no such item");
    case ST_BUSY:
        reply_header(r, "Retry-After", "10");
        return reply_error(r, 429, "too_many_jobs", "wait for your exports in progress to finish");
    case ST_GONE:
        return reply_error(r, 410, "export_expired", "this export was removed; ask for it again");
    case ST_CONFLICT:
        return reply_error(r, 409, "job_not_done", "the export is not finished yet");
    default: /* ST_STORE: the engine's only other failure */
        return ST_STORE;
    }
}

int h_exports_create(req_t *r)
{
    json_t *j = req_json(r);
    if (!j)
        return 0;
    if (!json_is_object(j))
        return reply_error(r, 400, "bad_json", "the body must be a JSON object");
    /* The contest is fixed when asked for, so "the current one" cannot
     * change under a job that runs later. */
    json_t *cid = json_object_get(j, "contest_id");
    if (cid && !json_is_integer(cid) && !json_is_null(cid))
        return reply_error(r, 400, "invalid_filter", "contest_id must be an integer");
    contest_t c;
    int rc = contest_load(r, cid && json_is_integer(cid) ? json_integer_value(cid) : 0, &c);
    if (rc == ST_STORE)
        return ST_STORE;
    if (rc != ST_OK)
        return reply_error(r, 404, "no_contest", "no such contest");
    json_object_set_new(j, "contest_id", json_integer(c.id));
    rep_who_t who;
    exports_who(r, &who);
    long long id;
    int existing;
    const char *err = NULL;
    status_t st = rep_job_submit(req_db(r), r->arena, &who, j, &id, &existing, &err);
    if (st != ST_OK)
        return exports_reply_error(r, st, err);
    return reply_json(r, existing ? 200 : 202, json_pack("{s:I,s:b}", "job_id", (json_int_t)id,
                                                         "existing", existing));
}

int h_job_get(req_t *r)
{
    long long id;
    if (req_id_param(r, 0, "job_not_found", &id) < 0)
        return 0;
    rep_who_t who;
    exports_who(r, &who);
    json_t *job;
    status_t rc = rep_job_get(req_db(r), r->arena, &who, id, &job);
    if (rc != ST_OK)
        return exports_reply_error(r, rc, "job_not_found");
    return reply_json(r, 200, job);
}

int h_job_file(req_t *r)
{
    long long id;
    if (req_id_param(r, 0, "job_not_found", &id) < 0)
        return 0;
    rep_who_t who;
    exports_who(r, &who);
    const char *path, *name, *ctype;
    status_t rc = rep_job_file(req_db(r), r->arena, &who, id, &path, &name, &ctype);
    if (rc != ST_OK)
        return exports_reply_error(r, rc, "job_not_found");
    req_release_stores(r);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || st.st_size > MAX_FILE) {
        if (fd >= 0)
            close(fd);
        log_warn("exports: the file of job %lld cannot be read", id);
        return reply_error(r, 410, "export_expired", "this export is no longer available; ask for it again");
    }
    reply_header(r, "Content-Disposition", arena_sprintf(r->arena, "attachment; filename=\"%s\"", name));
    reply_header(r, "Cache-Control", "private, no-store");
    if (g_config.export_accel_path[0]) {
        /* nginx sends the file from its internal location: the server
         * holds none of it, however large. */
        close(fd);
        const char *file = strrchr(path, '/');
        reply_header(r, "X-Accel-Redirect",
                     arena_sprintf(r->arena, "%s%s", g_config.export_accel_path, file ? file + 1 : path));
        return reply_raw(r, 200, ctype, "", 0);
    }
    char *buf = arena_alloc(r->arena, (size_t)st.st_size + 1);
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    if (got != (size_t)st.st_size)
        return ST_ERR;
    /* The buffer is the arena's already: hand it over without a copy. */
    r->status = 200;
    r->ctype = ctype;
    r->out = buf;
    r->out_len = got;
    r->replied = 1;
    return 0;
}
