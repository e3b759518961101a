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

#endif
