/* park.h: a request put aside without a thread, answered later from
 * another thread.
 *
 * A handler that can only answer once some other request has finished
 * (the same thing asked twice at once) need not hold its worker while it
 * waits: req_park() takes the request's connection away from the worker,
 * which then sends nothing for it and goes on to the next request. The
 * connection belongs to the parked_t until req_answer_parked() sends the
 * reply, from whichever thread has it, and gives the connection back to
 * the loop. A parked request still counts as in flight, so a stopping
 * server waits for it. Knows nothing of what the requests are. */
#ifndef PARK_H
#define PARK_H

#include "server/request.h"

#include <semaphore.h>

typedef struct parked parked_t;

/* Park r. After this the handler makes no reply and returns ST_OK; the
 * holder of the handle must answer it exactly once. Returns NULL when r
 * cannot be parked (a request not on a worker's connection, out of
 * memory): then the handler answers r itself as usual. */
parked_t *req_park(req_t *r) __attribute__((warn_unused_result));

/* Send the parked request the reply `from` holds (status, content type,
 * extra headers, body: copied as they are, from's arena is not kept),
 * log it as the parked request's own, and hand its connection back.
 * from must have replied (from->replied). Frees p. Any thread. */
void req_answer_parked(parked_t *p, const req_t *from);

/* Answer a parked request on this thread as its handler would have: a
 * request is rebuilt from its connection (query, headers, path
 * parameters) on this fast worker's stores and the arena a (reset after),
 * answer(r, ud) makes the reply (a status left unreplied becomes its error
 * reply, as a handler's), which is sent and logged as the request's own;
 * the connection goes back to the loop. The rebuilt request cannot be
 * parked again. Frees p. (server/defer.h resumes requests this way.) */
void req_resume_parked(parked_t *p, worker_t *w, arena_t *a, int (*answer)(req_t *r, void *ud), void *ud);

/* ---- park_wait.c: parked, or else waiting ----
 *
 * A request whose reply another thread makes (a group's writer): parked
 * when it can be, else (req_park returned NULL) its own thread sleeps
 * until the other one is done and replies itself. */
typedef struct {
    parked_t *p;          /* NULL: the request's thread sleeps on waiter */
    sem_t waiter;
} park_wait_t;

/* Park r, or get ready to sleep. Returns 1 when parked: the handler then
 * returns 0 and never touches the request again; 0: it calls
 * park_wait_sleep, then replies. */
int park_wait_begin(park_wait_t *w, req_t *r);

/* The other thread, once the reply can be made: for a parked request,
 * build(to, ud) writes the reply on a request of its own whose arena is a
 * (build returns what a handler returns: a status left unreplied becomes
 * its error reply, no reply at all 500), it is sent, and 1 is returned
 * (the caller frees what it held); else the sleeper is woken and 0 is
 * returned (the sleeper replies and frees). */
int park_wait_done(park_wait_t *w, arena_t *a, int (*build)(req_t *to, void *ud), void *ud);

/* Sleep until park_wait_done (after park_wait_begin returned 0). */
void park_wait_sleep(park_wait_t *w);

#endif
