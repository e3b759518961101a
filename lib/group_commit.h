/* group_commit.h: a queue of writes that threads hand in together and one
 * of them writes for all (group commit).
 *
 * Each caller queues its entry and waits. The first waiter that finds no
 * group being written becomes the writer: it takes everything queued (up to
 * the queue's max), writes it with the lock released, marks each entry
 * done and wakes exactly those (without the lock: group_commit.c), then
 * wakes the first entry queued meanwhile to write the next group. So
 * while one group commits, the next one gathers, and a write costs its
 * group one transaction instead of one each (engines/accounts/login_group.c).
 * Or the caller does not wait (gc_submit_parked, for a request put aside
 * meanwhile: engines/quiz/start_group.c, engines/quiz/group.c):
 * the writer hands each entry back as its group is written. */
#ifndef LIB_GROUP_COMMIT_H
#define LIB_GROUP_COMMIT_H

#include <pthread.h>
#include <semaphore.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define GC_GROUP_MAX 256

typedef struct gc_entry gc_entry_t;

/* Called by the writer once e's group is written (gc_submit_parked). */
typedef void gc_done_fn(gc_entry_t *e);

/* The queue's part of an entry: embedded in the caller's entry. */
struct gc_entry {
    struct gc_entry *next;
    sem_t wake;          /* its own: a writer wakes only whom it is done with */
    _Atomic int state;   /* waiting, its turn to write, or written */
    _Atomic int posts;   /* posts counted to wake, each before it is made */
    int taken;           /* posts its waiter took */
    gc_done_fn *done;    /* gc_submit_parked: what the writer calls when it is written */
    int64_t queued_us;   /* gc_submit_parked: when it was queued (lib/mono.h) */
};

typedef struct gc_queue {
    pthread_mutex_t mu;
    gc_entry_t *head, *tail;
    int writing;         /* a writer holds a group */
    size_t max;          /* entries per group at most (<= GC_GROUP_MAX) */
    const char *name;    /* for the metrics: "login", "start", "submit" */
    /* What the queue has done, for GET /metrics (gc_foreach): relaxed
     * counters, a reader may be a group behind. */
    _Atomic unsigned long groups, entries;
    _Atomic unsigned long long write_us;   /* inside write(), summed over groups */
    _Atomic unsigned long long wait_us;    /* queued to written, summed over entries */
    _Atomic int listed;                    /* on gc_foreach's list */
    struct gc_queue *next_listed;
} gc_queue_t;

#define GC_QUEUE_INIT(queue_name, max_entries) \
    { .mu = PTHREAD_MUTEX_INITIALIZER, .max = (max_entries), .name = (queue_name) }

/* Writes the group e[0..n-1] (1 <= n <= max), in queue order, and sets each
 * entry's outcome in the caller's part of it. */
typedef void gc_write_fn(void *ctx, gc_entry_t **e, size_t n);

/* Queue e and return once it is written, by this thread (write(ctx, ...),
 * ctx being this caller's) or by another's. */
void gc_submit(gc_queue_t *q, gc_entry_t *e, gc_write_fn *write, void *ctx);

/* Queue e without waiting for it to be written: e->done(e) is called,
 * once, by the thread that writes e's group, after write() returned. When
 * no group is being written, this thread becomes the writer and writes
 * group after group, calling each entry's done as its group is written,
 * until the queue is empty (so e->done(e) may be called before this
 * returns); otherwise it returns at once and the writer takes e. For
 * requests put aside while they wait (server/park.h): no thread sleeps per
 * entry and none is woken. A queue takes either gc_submit or
 * gc_submit_parked entries, never both. */
void gc_submit_parked(gc_queue_t *q, gc_entry_t *e, gc_write_fn *write, void *ctx);

/* Call fn for every queue that has had an entry submitted, under a lock
 * (fn must not submit). */
void gc_foreach(void (*fn)(void *ud, const gc_queue_t *q), void *ud);

#endif
