/* group.h: group commit of submits, inside the quiz engine (submit.c).
 *
 * A submit is queued with its body and its request put aside (parked,
 * server/park.h): no thread waits for it. The thread that queues a submit
 * while no group is being written becomes the writer (as MariaDB's own
 * group commit): it takes every queued submit (up to GROUP_MAX), writes
 * them in one transaction on its own connection, with multi-row
 * statements and one log flush at its COMMIT, answers each one, and goes
 * on with the next group until none is queued. Nothing is acknowledged
 * before its commit. A group that fails for a reason other than a
 * deadlock or a lost connection (which db_tx retries) is written again one
 * submit at a time, so one bad entry never fails the others. */
#ifndef QUIZ_GROUP_H
#define QUIZ_GROUP_H

#include <jansson.h>
#include "engines/quiz/submit.h"
#include "lib/group_commit.h"
#include "rules/attempt.h"

#define GROUP_MAX 64

/* One submit, as its submitter queues it and its group's writer reads,
 * scores and writes it. */
typedef struct quiz_entry {
    gc_entry_t gc;       /* first: the queue's part (lib/group_commit.h) */
    /* input, set by the submitter */
    long long aid, user_id, now;   /* user_id: the caller, whose attempt it must be */
    json_t *body;        /* the request's body, held by the entry's arena */
    arena_t *arena;      /* the entry's own (submit.c): its scoring and reply are built there */
    /* the attempt as the group read it, and its scoring (scoring.h) */
    long long contest_id, day;
    int rule, points, nq, correct;
    long long score;
    json_t *results;     /* per question, when show_results (else NULL); in the entry's arena */
    int show_results;    /* the review policy allows results in the reply */
    char (*bank)[ATTEMPT_MAX_OPTIONS + 1];   /* chosen bank letters per question */
    /* output, set by the group's writer */
    status_t st;
    quiz_submitted_t out;
    /* the writer's working state (group.c) */
    int state, dup_of;
    int to_write;        /* scored by the first read, decided in the transaction */
    long long old_cs, new_cs, new_day, old_day, reached, rank;
    int first;
} quiz_entry_t;

/* Queue e (e->gc.done set); e->gc.done(&e->gc) is called once its group
 * has committed (e->st ST_OK with e->out set) or failed (ST_STORE), by
 * whichever thread wrote the group: maybe this one, before this returns.
 * r is the submitter's request: when this thread becomes the writer, the
 * groups are written on r's connections. */
void quiz_group_submit(req_t *r, quiz_entry_t *e, const quiz_board_hooks_t *boards);

#endif
