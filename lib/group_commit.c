/* group_commit.c: see group_commit.h. */
#include "lib/group_commit.h"

void gc_submit(gc_queue_t *q, gc_entry_t *e, gc_write_fn *write, void *ctx)
{
    gc_entry_t *take[GC_GROUP_MAX];
    size_t max = q->max < GC_GROUP_MAX ? q->max : GC_GROUP_MAX;
    e->next = NULL;
    e->done = 0;
    pthread_cond_init(&e->cv, NULL);
    pthread_mutex_lock(&q->mu);
    if (q->tail)
        q->tail->next = e;
    else
        q->head = e;
    q->tail = e;
    while (!e->done) {
        if (q->writing) {
            /* woken when its group is done, or to write the next group */
            pthread_cond_wait(&e->cv, &q->mu);
            continue;
        }
        q->writing = 1;
        size_t n = 0;
        while (q->head && n < max) {
            take[n++] = q->head;
            q->head = q->head->next;
        }
        if (!q->head)
            q->tail = NULL;
        pthread_mutex_unlock(&q->mu);
        write(ctx, take, n);
        pthread_mutex_lock(&q->mu);
        for (size_t i = 0; i < n; i++) {
            take[i]->done = 1;
            if (take[i] != e)
                pthread_cond_signal(&take[i]->cv);
        }
        q->writing = 0;
        /* the first one queued meanwhile writes the next group */
        if (q->head)
            pthread_cond_signal(&q->head->cv);
    }
    pthread_mutex_unlock(&q->mu);
    pthread_cond_destroy(&e->cv);
}
