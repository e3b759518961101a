/* start_group.h: group commit of starts, inside the quiz engine (start.c),
 * as group.h does for submits.
 *
 * A start, once its paper is drawn in its own thread, is queued and its
 * request put aside (server/park.h); the first thread that finds no start
 * group being written becomes the writer: it takes every queued start (up
 * to START_GROUP_MAX) and decides and writes them in one transaction on
 * its own connection (the statements' cost in MariaDB, parsing aside
 * mostly the optimizer's, is paid once per group, not once per start),
 * with one log flush at its COMMIT, and goes on with the next group until
 * none is queued. Once a group has committed (or failed), the writer calls
 * each entry's finish (still on its own connections: what a start needs
 * read or written again after its group) and then its gc.done (the
 * reply): nothing is acknowledged before its commit. A group that fails
 * for a reason other than a deadlock or a lost connection (which db_tx
 * retries) is written again one start at a time, so one bad entry never
 * fails the others.
 *
 * The rules hold across processes as they did with one transaction per
 * start: the person's user row is locked before their attempts are read,
 * so two servers sharing MariaDB serialise a person's starts on that lock,
 * not on anything in memory. */
#ifndef QUIZ_START_GROUP_H
#define QUIZ_START_GROUP_H

#include "lib/group_commit.h"
#include "engines/quiz/contest.h"
#include "server/request.h"
#include "server/status.h"

#define START_GROUP_MAX 64

/* What the group decided for one start. */
typedef enum {
    SG_NEW,              /* the attempt is written: aid */
    SG_OPEN,             /* the person's attempt still open: aid */
    SG_NOT_REGISTERED,
    SG_NOT_IN_AUDIENCE,
    SG_TOO_LATE,
    SG_DAILY_LIMIT,
    SG_NO_PAPER,
    SG_BANK_MOVED,       /* the bank is no longer at version: draw again */
} quiz_sg_outcome_t;

typedef struct quiz_start_entry quiz_start_entry_t;

/* Called by the writer for an entry whose group is written, before
 * gc.done: writer is the writer's request (its connections, an arena of
 * the group's). */
typedef void quiz_start_finish_fn(req_t *writer, quiz_start_entry_t *e);

/* One start with its paper drawn, ready to be decided and written. */
struct quiz_start_entry {
    gc_entry_t gc;           /* first: the queue's part (lib/group_commit.h); gc.done is set */
    quiz_start_finish_fn *finish;
    /* input, set by the starter */
    const contest_t *c;
    long long user_id, day, now, deadline, version;
    const char *questions;   /* the stored paper's JSON text; NULL: the bank cannot fill it */
    const char *seed_hex;
    /* output, set by the group's writer */
    status_t st;
    quiz_sg_outcome_t outcome;
    long long aid;
    /* the writer's working state (start_group.c) */
    int via;                 /* SG_OPEN of an attempt this group writes: that entry's index, else -1 */
};

/* Queue e (its gc.done and finish set) and return, maybe before it is
 * written: when its group has committed, e->st is ST_OK with e->outcome
 * (and e->aid) set, or ST_STORE, and the writer calls e->finish, then
 * e->gc.done, which may free e. r is the starter's request, holding no
 * store (req_release_stores): when this thread becomes the writer, the
 * groups are written on the connections of r's thread. */
void quiz_start_group(req_t *r, quiz_start_entry_t *e);

/* Write e again, alone, now, from its finish (a paper drawn anew after
 * SG_BANK_MOVED): writer is the one finish was given. */
void quiz_start_write_alone(req_t *writer, quiz_start_entry_t *e);

#endif
