/* group_commit.c: see group_commit.h.
 *
 * Waking. Each entry sleeps on a semaphore of its own, and a writer posts
 * it without holding the queue's mutex: a woken waiter that was written
 * returns at once instead of queueing for the mutex behind the writer
 * (with a condition variable each wake-up was a second sleep and wake on
 * that mutex). Every post is counted (posts) before it is made, and a
 * waiter returns only after it has taken as many as were counted, so no
 * post can still be on its way to a semaphore that is gone; the written
 * mark (GC_DONE) is stored before its post, so a waiter that sees it has
 * seen the writer's outcome too. */
#include "lib/group_commit.h"

#include <errno.h>

enum { GC_WAITING, GC_TURN, GC_DONE };

/* Count a post, set what it says, make it. A post to an entry that is
 * still queued is made under the queue's mutex; one to an entry a writer
 * took is made by that writer alone. */
static void post(gc_entry_t *e, int state)
{
    atomic_fetch_add(&e->posts, 1);
    atomic_store(&e->state, state);
    sem_post(&e->wake);
}

/* Take one post (a signal may interrupt the wait). */
static void take_post(gc_entry_t *e)
{
    while (sem_wait(&e->wake) < 0 && errno == EINTR)
        ;
    e->taken++;
}

/* e is written: wait for the posts still counted on their way, then let go. */
static void leave(gc_entry_t *e)
{
    while (e->taken < atomic_load(&e->posts))
        take_post(e);
    sem_destroy(&e->wake);
}

/* q->mu held, no writer: write everything queued, up to max, as one group,
 * with the mutex released; wake what was written, then the next writer.
 * Returns with q->mu held. */
static void write_group(gc_queue_t *q, gc_entry_t *self, gc_write_fn *write, void *ctx)
{
    gc_entry_t *take[GC_GROUP_MAX];
    size_t max = q->max < GC_GROUP_MAX ? q->max : GC_GROUP_MAX;
    size_t n = 0;
    q->writing = 1;
    while (q->head && n < max) {
        take[n++] = q->head;
        q->head = q->head->next;
    }
    if (!q->head)
        q->tail = NULL;
    pthread_mutex_unlock(&q->mu);
    write(ctx, take, n);
    for (size_t i = 0; i < n; i++) {
        if (take[i] == self)
            atomic_store(&self->state, GC_DONE);
        else
            post(take[i], GC_DONE);
    }
    pthread_mutex_lock(&q->mu);
    q->writing = 0;
    /* the first one queued meanwhile writes the next group */
    if (q->head)
        post(q->head, GC_TURN);
}

void gc_submit(gc_queue_t *q, gc_entry_t *e, gc_write_fn *write, void *ctx)
{
    e->next = NULL;
    atomic_store(&e->state, GC_WAITING);
    atomic_store(&e->posts, 0);
    e->taken = 0;
    sem_init(&e->wake, 0, 0);
    pthread_mutex_lock(&q->mu);
    if (q->tail)
        q->tail->next = e;
    else
        q->head = e;
    q->tail = e;
    for (;;) {
        if (atomic_load(&e->state) == GC_DONE)
            break;
        if (!q->writing) {
            write_group(q, e, write, ctx);
            continue;
        }
        /* woken when its group is written, or to write the next group */
        pthread_mutex_unlock(&q->mu);
        take_post(e);
        if (atomic_load(&e->state) == GC_DONE) {
            leave(e);
            return;
        }
        pthread_mutex_lock(&q->mu);
        /* its turn, unless a writer took it meanwhile (then GC_DONE stays) */
        int turn = GC_TURN;
        atomic_compare_exchange_strong(&e->state, &turn, GC_WAITING);
    }
    pthread_mutex_unlock(&q->mu);
    leave(e);
}
