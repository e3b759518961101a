/* queue.h: a bounded queue of pointers between threads.
 *
 * A push never blocks: a full queue refuses (the caller answers 503
 * `overloaded`), which is what bounds the work waiting in the process. A
 * queue may carry an eventfd (wake_fd) that every push bumps, so threads
 * that wait in epoll rather than in queue_pop learn of new items too.
 *
 * A thread waiting in queue_pop waits on a semaphore of its own, and a
 * push hands its item straight to the thread that went idle last: the
 * woken thread has its item and takes no lock to get it (with one
 * condition variable for all, each wake-up was a second wait, on the
 * queue's mutex, behind the pusher and the other poppers: the slow pool's
 * hundreds of threads spent more system calls there than on their work),
 * and the last one idle is the one whose memory is still in the caches. */
#ifndef QUEUE_H
#define QUEUE_H

#include <pthread.h>

typedef struct queue_waiter queue_waiter_t;

typedef struct {
    void **items;
    int cap, head, len;
    int wake_fd;             /* -1, or an eventfd written on every push */
    int stopped;             /* queue_stop: poppers return NULL once empty */
    queue_waiter_t *idle;    /* threads waiting in queue_pop, the last one first */
    pthread_mutex_t mu;
} queue_t;

void queue_init(queue_t *q, int cap, int wake_fd);
void queue_free(queue_t *q);
/* 0, or -1 when the queue is full. */
int queue_push(queue_t *q, void *item) __attribute__((warn_unused_result));
/* The oldest item, or NULL when empty (never blocks). */
void *queue_trypop(queue_t *q);
/* Blocks until an item arrives; NULL once queue_stop was called and the
 * queue is empty. */
void *queue_pop(queue_t *q);
void queue_stop(queue_t *q);
/* Items waiting now (a hint: read without the lock). */
int queue_len(const queue_t *q);
/* Threads waiting in queue_pop now. */
int queue_idle(queue_t *q);

#endif
