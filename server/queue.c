/* queue.c: see queue.h. */
#include "server/queue.h"

#include <errno.h>
#include <semaphore.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

/* A thread waiting in queue_pop, on its own stack. */
struct queue_waiter {
    queue_waiter_t *next;
    void *item;              /* what a push handed it; NULL: the queue stopped */
    sem_t wake;
};

void queue_init(queue_t *q, int cap, int wake_fd)
{
    q->items = calloc((size_t)cap, sizeof *q->items);
    if (!q->items)
        abort();
    q->cap = cap;
    q->head = q->len = 0;
    q->wake_fd = wake_fd;
    q->stopped = 0;
    q->idle = NULL;
    pthread_mutex_init(&q->mu, NULL);
}

void queue_free(queue_t *q)
{
    free(q->items);
    q->items = NULL;
}

static void bump(int fd)
{
    uint64_t one = 1;
    ssize_t n = write(fd, &one, sizeof one);
    (void)n;
}

int queue_push(queue_t *q, void *item)
{
    pthread_mutex_lock(&q->mu);
    queue_waiter_t *w = q->idle;
    if (w) {
        /* an idle thread takes it: the queue is empty whenever one is */
        q->idle = w->next;
        w->item = item;
        pthread_mutex_unlock(&q->mu);
        sem_post(&w->wake);
    } else {
        if (q->len == q->cap) {
            pthread_mutex_unlock(&q->mu);
            return -1;
        }
        q->items[(q->head + q->len++) % q->cap] = item;
        pthread_mutex_unlock(&q->mu);
    }
    if (q->wake_fd >= 0)
        bump(q->wake_fd);
    return 0;
}

/* Under q->mu. */
static void *take(queue_t *q)
{
    void *item = q->items[q->head];
    q->head = (q->head + 1) % q->cap;
    q->len--;
    return item;
}

void *queue_trypop(queue_t *q)
{
    if (__atomic_load_n(&q->len, __ATOMIC_RELAXED) == 0)
        return NULL;
    pthread_mutex_lock(&q->mu);
    void *item = q->len ? take(q) : NULL;
    int more = q->len > 0;
    pthread_mutex_unlock(&q->mu);
    /* one wake per push may have been taken by a thread that found the
     * item gone: pass the wake on while items remain */
    if (more && q->wake_fd >= 0)
        bump(q->wake_fd);
    return item;
}

void *queue_pop(queue_t *q)
{
    pthread_mutex_lock(&q->mu);
    if (q->len || q->stopped) {
        void *item = q->len ? take(q) : NULL;
        pthread_mutex_unlock(&q->mu);
        return item;
    }
    queue_waiter_t w = { .next = q->idle };
    sem_init(&w.wake, 0, 0);
    q->idle = &w;
    pthread_mutex_unlock(&q->mu);
    /* Exactly one post comes, after w.item is set (a signal may
     * interrupt the wait). */
    while (sem_wait(&w.wake) < 0 && errno == EINTR)
        ;
    sem_destroy(&w.wake);
    return w.item;
}

void queue_stop(queue_t *q)
{
    pthread_mutex_lock(&q->mu);
    q->stopped = 1;
    queue_waiter_t *w = q->idle;
    q->idle = NULL;
    pthread_mutex_unlock(&q->mu);
    while (w) {
        queue_waiter_t *next = w->next;   /* before the post: w may be gone after it */
        w->item = NULL;
        sem_post(&w->wake);
        w = next;
    }
}

int queue_len(const queue_t *q) { return __atomic_load_n(&q->len, __ATOMIC_RELAXED); }

int queue_idle(queue_t *q)
{
    pthread_mutex_lock(&q->mu);
    int n = 0;
    for (const queue_waiter_t *w = q->idle; w; w = w->next)
        n++;
    pthread_mutex_unlock(&q->mu);
    return n;
}
