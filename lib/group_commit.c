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
#include "lib/mono.h"

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

/* q->mu held, this thread the writer: take up to max queued entries. */
static size_t take_group(gc_queue_t *q, gc_entry_t **take)
{
    size_t max = q->max < GC_GROUP_MAX ? q->max : GC_GROUP_MAX;
    size_t n = 0;
    while (q->head && n < max) {
        take[n++] = q->head;
        q->head = q->head->next;
    }
    if (!q->head)
        q->tail = NULL;
    return n;
}

/* q->mu held: e joins the end of the queue. */
static void append(gc_queue_t *q, gc_entry_t *e)
{
    e->next = NULL;
    if (q->tail)
        q->tail->next = e;
    else
        q->head = e;
    q->tail = e;
}

/* Write a group taken from q (the mutex released), counted for
 * GET /metrics. Returns the time write() returned (lib/mono.h). */
static int64_t write_counted(gc_queue_t *q, gc_entry_t **take, size_t n, gc_write_fn *write, void *ctx)
{
    int64_t t0 = mono_us();
    write(ctx, take, n);
    int64_t t1 = mono_us();
    atomic_fetch_add_explicit(&q->write_us, (unsigned long long)(t1 - t0), memory_order_relaxed);
    atomic_fetch_add_explicit(&q->groups, 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&q->entries, n, memory_order_relaxed);
    return t1;
}

/* q->mu held, no writer: write everything queued, up to max, as one group,
 * with the mutex released; wake what was written, then the next writer.
 * Returns with q->mu held. */
static void write_group(gc_queue_t *q, gc_entry_t *self, gc_write_fn *write, void *ctx)
{
    gc_entry_t *take[GC_GROUP_MAX];
    q->writing = 1;
    size_t n = take_group(q, take);
    pthread_mutex_unlock(&q->mu);
    write_counted(q, take, n, write, ctx);
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

/* The queues gc_foreach lists: each joins at its first submit. */
static pthread_mutex_t listed_mu = PTHREAD_MUTEX_INITIALIZER;
static gc_queue_t *listed_head;

static void list_queue(gc_queue_t *q)
{
    if (atomic_load_explicit(&q->listed, memory_order_acquire))
        return;
    pthread_mutex_lock(&listed_mu);
    if (!atomic_load_explicit(&q->listed, memory_order_relaxed)) {
        q->next_listed = listed_head;
        listed_head = q;
        atomic_store_explicit(&q->listed, 1, memory_order_release);
    }
    pthread_mutex_unlock(&listed_mu);
}

void gc_foreach(void (*fn)(void *ud, const gc_queue_t *q), void *ud)
{
    pthread_mutex_lock(&listed_mu);
    for (const gc_queue_t *q = listed_head; q; q = q->next_listed)
        fn(ud, q);
    pthread_mutex_unlock(&listed_mu);
}

/* e is written: count how long it waited, then let go of it. */
static void done(gc_queue_t *q, gc_entry_t *e, int64_t queued_us)
{
    atomic_fetch_add_explicit(&q->wait_us, (unsigned long long)(mono_us() - queued_us), memory_order_relaxed);
    leave(e);
}

void gc_submit(gc_queue_t *q, gc_entry_t *e, gc_write_fn *write, void *ctx)
{
    list_queue(q);
    int64_t queued_us = mono_us();
    atomic_store(&e->state, GC_WAITING);
    atomic_store(&e->posts, 0);
    e->taken = 0;
    sem_init(&e->wake, 0, 0);
    pthread_mutex_lock(&q->mu);
    append(q, e);
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
            done(q, e, queued_us);
            return;
        }
        pthread_mutex_lock(&q->mu);
        /* its turn, unless a writer took it meanwhile (then GC_DONE stays) */
        int turn = GC_TURN;
        atomic_compare_exchange_strong(&e->state, &turn, GC_WAITING);
    }
    pthread_mutex_unlock(&q->mu);
    done(q, e, queued_us);
}

void gc_submit_parked(gc_queue_t *q, gc_entry_t *e, gc_write_fn *write, void *ctx)
{
    list_queue(q);
    e->queued_us = mono_us();
    pthread_mutex_lock(&q->mu);
    append(q, e);
    if (q->writing) {
        /* the writer looks at the queue again before it stops (below,
         * under the mutex), so it takes e */
        pthread_mutex_unlock(&q->mu);
        return;
    }
    q->writing = 1;
    gc_entry_t *take[GC_GROUP_MAX];
    size_t n;
    while ((n = take_group(q, take)) > 0) {
        pthread_mutex_unlock(&q->mu);
        int64_t t1 = write_counted(q, take, n, write, ctx);
        for (size_t i = 0; i < n; i++) {
            atomic_fetch_add_explicit(&q->wait_us, (unsigned long long)(t1 - take[i]->queued_us),
                                      memory_order_relaxed);
            take[i]->done(take[i]);   /* may free the entry: nothing of it is read after */
        }
        pthread_mutex_lock(&q->mu);
    }
    q->writing = 0;
    pthread_mutex_unlock(&q->mu);
}
