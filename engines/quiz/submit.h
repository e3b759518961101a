/* submit.h: submitting an attempt (POST /attempts/{id}/submit), the quiz
 * engine's submit transaction.
 *
 *   quiz_submit        hands the attempt's id and the body to the submits'
 *                      group commit (group.h), whose writer reads the
 *                      attempts of the group together (one statement: each
 *                      with its stored paper, its contest's scoring
 *                      settings and the bank's version), checks and scores
 *                      the answers in the server against the answer keys of
 *                      the bank in memory (scoring.h), then commits each
 *                      attempt's result, the day's best, the contest score,
 *                      the board outbox row and the reply itself in one
 *                      transaction with the other submits ready at the same
 *                      time, and replies once that transaction has
 *                      committed; a retry gets the first reply;
 *   quiz_submit_load   for a body that is no JSON object: whether the
 *                      attempt is submitted, with its first reply (a retry
 *                      with any body gets the same bytes).
 * The reply holds the person's rank, taken before the commit through the
 * boards (the hooks below: the quiz engine does not include the boards,
 * which include it), so that a later submit gets the same bytes. */
#ifndef QUIZ_SUBMIT_H
#define QUIZ_SUBMIT_H

#include <jansson.h>
#include "server/db.h"
#include "server/request.h"
#include "server/status.h"

/* Seconds after the deadline a submit is still taken: the phone's clock and
 * the network are not exact, and the deadline shown is the server's. */
#define ATTEMPT_GRACE_S 10

/* The loaded attempt (quiz_submit_load); owned by the request's arena. */
typedef struct {
    long long id, user_id;
    int submitted;              /* already submitted: stored_reply is the first reply (NULL: none kept) */
    const char *stored_reply;
} quiz_attempt_t;

/* The boards, as the submit needs them. ranks: apply the entries of
 * contest_id among those the group's CALL returned (every contest's: the
 * board entries of the outbox rows it wrote, which only this connection
 * sees yet) and set the rank of each of users[0..n-1], or <= 0 when
 * unknown. undo: after a failed commit, have the boards rebuilt from
 * MariaDB so they keep no result that was never committed. */
typedef struct {
    void (*ranks)(req_t *r, long long contest_id, const db_res_t *entries, const long long *users, size_t n,
                  long long *ranks);
    void (*undo)(req_t *r, long long contest_id);
} quiz_board_hooks_t;

typedef enum {
    SUBMIT_DONE,      /* reply holds the scored result, committed */
    SUBMIT_STORED,    /* submitted first by another request: reply is its stored reply (NULL: none kept) */
    SUBMIT_GONE,      /* no such attempt of the caller's */
    SUBMIT_EXPIRED,   /* past the deadline and its grace */
    SUBMIT_INVALID,   /* the answers do not fit the paper: why says how */
} quiz_submit_outcome_t;

typedef struct {
    quiz_submit_outcome_t outcome;
    const char *reply;   /* SUBMIT_DONE, SUBMIT_STORED: the JSON reply */
    const char *why;     /* SUBMIT_INVALID */
} quiz_submitted_t;

/* Load attempt aid. Returns ST_OK, ST_NOT_FOUND (no such attempt) or ST_STORE. */
status_t quiz_submit_load(req_t *r, long long aid, quiz_attempt_t *out) __attribute__((warn_unused_result));

/* What the route makes of a submit's outcome: its reply on to (st ST_OK
 * with out set, or ST_STORE), as a handler makes it; returns what a
 * handler returns. */
typedef int quiz_submit_reply_fn(req_t *to, status_t st, const quiz_submitted_t *out);

/* Submit body's answers (a JSON object) to attempt aid as r's caller at
 * now: scored, committed with their group and answered through reply,
 * which gets SUBMIT_GONE for an attempt that is not the caller's, and
 * SUBMIT_STORED for one submitted before, whatever the body. The request
 * does not hold its thread while its group is written: it is parked
 * (server/park.h), and the thread that writes the group calls reply on a
 * request of its own and sends that. Returns what the handler returns:
 * reply's result, or 0 once parked. */
int quiz_submit(req_t *r, long long aid, json_t *body, long long now, const quiz_board_hooks_t *boards,
                quiz_submit_reply_fn *reply) __attribute__((warn_unused_result));

#endif
