/* attempts.c: see attempts.h. The transactions are the quiz engine's
 * (engines/quiz/start.h, submit.h); this file reads the request, calls the
 * engine and turns its outcome into the reply. */
#include "handlers/attempts.h"
#include "engines/quiz/quiz.h"
#include "handlers/handlers.h"
#include "lib/iso8601.h"

#include "engines/boards/boards.h"
#include "engines/units/units.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- POST /attempts ---- */

static int reply_attempt(req_t *r, int status, long long contest_id, const quiz_started_t *st)
{
    char dl[32], now[32];
    iso8601_format_shanghai(st->deadline, dl);
    iso8601_format_shanghai(clock_now_s(), now);
    /* The paper comes as JSON text (engines/quiz/paper_text.h) and goes in
     * as it is; the times are ISO 8601 text that needs no escaping. */
    const char *body = arena_sprintf(r->arena, "{\"attempt_id\":%lld,\"contest_id\":%lld,\"deadline\":\"%s\","
                                     "\"server_time\":\"%s\",\"questions\":%s}", st->attempt_id, contest_id, dl,
                                     now, st->questions);
    return reply_raw(r, status, "application/json; charset=utf-8", body, strlen(body));
}

static int reply_start(req_t *r, const contest_t *c, const quiz_started_t *st)
{
    switch (st->outcome) {
    case START_NEW:
        return reply_attempt(r, 201, c->id, st);
    case START_OPEN:
        return reply_attempt(r, 200, c->id, st);
    case START_NOT_REGISTERED:
        return reply_error(r, 403, "not_registered", "register (PUT /me/profile) before answering");
    case START_NOT_IN_AUDIENCE:
        return reply_error(r, 403, "not_in_audience", "this contest is for the staff of water units only");
    case START_TOO_LATE:
        return reply_error(r, 403, "registered_too_late", "registered after this contest's deadline");
    case START_DAILY_LIMIT:
        return reply_error(r, 403, "daily_limit_reached",
                           arena_sprintf(r->arena, "at most %d attempts a day; try again tomorrow",
                                         c->attempts_per_day));
    case START_NO_PAPER:
        return reply_error(r, 409, "paper_unavailable", "the question bank cannot fill this contest's paper yet");
    }
    return ST_ERR;
}

/* The reply to a start once its group is written (maybe on another thread
 * than the one that read the request: to holds its own arena). */
static int reply_started(req_t *to, status_t st, const contest_t *c, const quiz_started_t *out)
{
    return st != ST_OK ? st : reply_start(to, c, out);
}

int h_attempt_start(req_t *r)
{
    json_t *j = NULL;
    if (r->body_len) {
        j = req_json(r);
        if (!j)
            return 0;
    }
    contest_t c;
    int rc = contest_from_request(r, j, &c);
    if (rc != ST_OK)
        return rc;
    long long now = clock_now_s();
    if (strcmp(contest_status(&c, now), "open") != 0)
        return reply_error(r, 403, "contest_not_open",
                           now < c.starts_at ? "the contest has not started" : "the contest has ended");
    return quiz_start(r, &c, now, reply_started);
}

/* ---- POST /attempts/{id}/submit ---- */

static int reply_stored(req_t *r, const char *reply)
{
    if (!reply)   /* submitted by a path that kept no reply (never by this file) */
        return reply_error(r, 409, "already_submitted", "this attempt was already submitted");
    return reply_raw(r, 200, "application/json; charset=utf-8", reply, strlen(reply));
}

static void boards_undo(req_t *r, long long contest_id)
{
    (void)lb_request_rebuild(req_kv(r), contest_id);
}

static const quiz_board_hooks_t board_hooks = { lb_ranks_after_submits, boards_undo };

/* The reply to a submit once its group is written (maybe on another
 * thread than the one that read the request: to holds its own arena). */
static int reply_submitted(req_t *to, status_t st, const quiz_submitted_t *out)
{
    if (st != ST_OK)
        return st;
    switch (out->outcome) {
    case SUBMIT_DONE:
        unit_counts_changed();          /* the unit's participants and score (units.h) */
        return reply_raw(to, 200, "application/json; charset=utf-8", out->reply, strlen(out->reply));
    case SUBMIT_STORED:
        return reply_stored(to, out->reply);
    case SUBMIT_GONE:
        return reply_error(to, 404, "attempt_not_found", "no such attempt of yours");
    case SUBMIT_EXPIRED:
        return reply_error(to, 410, "attempt_expired", "the time for this attempt is over");
    case SUBMIT_INVALID:
        return reply_error(to, 400, "invalid_answers", out->why);
    }
    return ST_ERR;
}

int h_attempt_submit(req_t *r)
{
    long long aid;
    if (req_id_param(r, 0, "attempt_not_found", &aid) < 0)
        return 0;
    /* A JSON object goes to the submit's group, which reads the attempt
     * with the others of the group (engines/quiz/submit.h). */
    json_t *j = req_json_object(r);
    if (j)
        return quiz_submit(r, aid, j, clock_now_s(), &board_hooks, reply_submitted);
    /* A retry gets the first reply whatever its body, even one that is not
     * JSON; any other such body is an error. */
    quiz_attempt_t a;
    status_t st = quiz_submit_load(r, aid, &a);
    if (st != ST_OK && st != ST_NOT_FOUND)
        return st;
    if (st == ST_OK && a.user_id == r->auth.user_id && a.submitted)
        return reply_stored(r, a.stored_reply);
    return reply_error(r, 400, "bad_json", "the body must be a JSON object");
}

int cmd_paper_verify(int argc, char **argv)
{
    char *end = NULL;
    long long id = argc == 2 ? strtoll(argv[1], &end, 10) : 0;
    if (argc != 2 || !end || *end || id <= 0) {
        fprintf(stderr, "usage: quizd paper-verify ATTEMPT_ID\n");
        return 2;
    }
    db_t *db = db_new();
    char msg[256];
    int rc = quiz_paper_verify(db, id, msg, sizeof msg);
    printf("%s\n", msg);
    db_free(db);
    return rc < 0 ? 3 : rc;
}
