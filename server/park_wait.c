/* park_wait.c: see park.h ("parked, or else waiting"). Starts and
 * submits wait for their groups this way (engines/quiz/start.c, submit.c). */
#include "server/park.h"

#include <errno.h>
#include <string.h>

int park_wait_begin(park_wait_t *w, req_t *r)
{
    w->p = req_park(r);
    if (w->p)
        return 1;
    sem_init(&w->waiter, 0, 0);
    return 0;
}

int park_wait_done(park_wait_t *w, arena_t *a, int (*build)(req_t *to, void *ud), void *ud)
{
    if (!w->p) {
        sem_post(&w->waiter);
        return 0;
    }
    req_t to;
    memset(&to, 0, sizeof to);
    to.arena = a;
    reply_status(&to, build(&to, ud));
    if (!to.replied)
        reply_error(&to, 500, "internal", "internal error");
    req_answer_parked(w->p, &to);
    return 1;
}

void park_wait_sleep(park_wait_t *w)
{
    while (sem_wait(&w->waiter) < 0 && errno == EINTR)
        ;
    sem_destroy(&w->waiter);
}
