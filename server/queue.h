/* queue.h: a bounded queue of pointers between threads.
 *
 * A push never blocks: a full queue refuses (the caller answers 503
 * `overloaded`), which is what bounds the work waiting in the process. A
 * queue may carry an eventfd (wake_fd) that every push bumps, so threads
 * that wait in epoll rather than on the queue's condition variable learn of
 * new items too. */
#ifndef QUEUE_H
#define QUEUE_H

#include <pthread.h>

typedef struct {
    void **items;
    int cap, head, len;
    int wake_fd;             /* -1, or an eventfd written on every push */
    int stopped;             /* queue_stop: poppers return NULL once empty */
    pthread_mutex_t mu;
    pthread_cond_t cv;
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

#endif
