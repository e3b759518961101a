/* start.h: starting an attempt (POST /attempts), the quiz engine's start
 * transaction.
 *
 * Under a lock on the person's user row (so that parallel starts make one
 * attempt and the daily cap holds), quiz_start either finds the person's
 * attempt still open, refuses (not registered, not in the audience,
 * registered too late, the day's attempts used up, a bank that cannot fill
 * the paper), or draws a paper and stores a new attempt. The start is
 * committed with the others ready at the same time (start_group.h). No
 * thread waits for that commit: the request is put aside (server/park.h)
 * and the group's writer answers it, calling the handler's reply function
 * with the outcome, once the group has committed. */
#ifndef QUIZ_START_H
#define QUIZ_START_H

#include <jansson.h>
#include "engines/quiz/contest.h"
#include "server/db.h"
#include "server/request.h"
#include "server/status.h"

typedef enum {
    START_NEW,              /* a new attempt: 201 */
    START_OPEN,             /* the person's attempt still open: 200 */
    START_NOT_REGISTERED,   /* no profile yet */
    START_NOT_IN_AUDIENCE,  /* rules_may_answer: not for this person */
    START_TOO_LATE,         /* registered after the registration deadline */
    START_DAILY_LIMIT,      /* attempts_per_day used today */
    START_NO_PAPER,         /* the bank cannot fill the paper */
} quiz_start_outcome_t;

typedef struct {
    quiz_start_outcome_t outcome;
    long long attempt_id, deadline;   /* START_NEW, START_OPEN */
    const char *questions;            /* START_NEW, START_OPEN: the paper as shown, JSON text in the reply's arena */
} quiz_started_t;

/* Start (or find) the attempt of the request's user on contest c, open at
 * now. Returns ST_OK with out set, or ST_STORE. */
/* The reply to a start once its group is written, on to (a request that
 * may be on another thread than the one that read the start, holding an
 * arena of its own): st ST_OK with *out, or the store's failure. Returns
 * what a handler returns. */
typedef int quiz_start_reply_fn(req_t *to, status_t st, const contest_t *c, const quiz_started_t *out);

int quiz_start(req_t *r, const contest_t *c, long long now, quiz_start_reply_fn *reply)
    __attribute__((warn_unused_result));

/* Draw attempt_id's paper again from its seed and compare it with the
 * stored one (`quizd paper-verify`). Returns 0 the same, 1 different, 2
 * cannot tell (no such attempt, no seed, the bank has moved on since), -1
 * a store error; msg says which. */
int quiz_paper_verify(db_t *db, long long attempt_id, char *msg, size_t msglen);

#endif
