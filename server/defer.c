/* defer.c: see defer.h. */
#include "server/defer.h"
#include "lib/group_commit.h"
#include "server/park.h"
#include "server/worker.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

/* A group's pipeline: at most this many requests (KV_BATCH_MAX commands
 * each), so one Redis reply buffer stays small. */
#define DEFER_GROUP_MAX 64

typedef struct {
    gc_entry_t gc;              /* first: the queue hands back its address */
    parked_t *p;
    req_resume_fn *resume;
    kv_batch_t b;               /* the commands; replies set by the group's pipeline */
    void *state;
    alignas(max_align_t) char mem[]; /* the state, then the commands' words */
} deferred_t;

static gc_queue_t queue = GC_QUEUE_INIT("kv_read", DEFER_GROUP_MAX);

/* One entry, its state and its commands in one allocation. */
static deferred_t *entry_new(const kv_batch_t *b, const void *state, size_t len)
{
    size_t state_room = (len + alignof(max_align_t) - 1) / alignof(max_align_t) * alignof(max_align_t);
    size_t words = 0, bytes = 0;
    for (int i = 0; i < b->n; i++) {
        words += (size_t)b->argc[i];
        for (int k = 0; k < b->argc[i]; k++)
            bytes += strlen(b->argv[i][k]) + 1;
    }
    deferred_t *e = malloc(sizeof *e + state_room + words * sizeof(char *) + bytes);
    if (!e)
        return NULL;
    memset(e, 0, sizeof *e);
    e->state = e->mem;
    memcpy(e->state, state, len);
    const char **w = (const char **)(void *)(e->mem + state_room);
    char *text = (char *)(w + words);
    e->b.n = b->n;
    for (int i = 0; i < b->n; i++) {
        e->b.argc[i] = b->argc[i];
        e->b.argv[i] = w;
        for (int k = 0; k < b->argc[i]; k++) {
            size_t l = strlen(b->argv[i][k]) + 1;
            memcpy(text, b->argv[i][k], l);
            *w++ = text;
            text += l;
        }
    }
    return e;
}

/* req_resume_parked's answer: the entry's batch, replies in, to resume. */
static int answer(req_t *r, void *ud)
{
    deferred_t *e = ud;
    return e->resume(r, &e->b, e->state);
}

/* The group: every entry's commands in one pipeline on the writer's own
 * connection, then each entry answered on this thread. The replies and
 * the answers live in arenas of the group's own: the writer may be inside
 * a handler of its own, whose arena is not to be touched. */
static void write_group(void *ctx, gc_entry_t **g, size_t n)
{
    worker_t *w = ctx;
    arena_t replies, scratch;
    arena_init(&replies);
    arena_init(&scratch);
    int total = 0;
    for (size_t i = 0; i < n; i++)
        total += ((deferred_t *)(void *)g[i])->b.n;
    int *argc = arena_alloc(&replies, sizeof *argc * (size_t)(total + 1));
    const char *const **argv = arena_alloc(&replies, sizeof *argv * (size_t)(total + 1));
    redisReply **rep = arena_alloc(&replies, sizeof *rep * (size_t)(total + 1));
    int k = 0;
    for (size_t i = 0; i < n; i++) {
        deferred_t *e = (deferred_t *)(void *)g[i];
        for (int j = 0; j < e->b.n; j++, k++) {
            argc[k] = e->b.argc[j];
            argv[k] = e->b.argv[j];
        }
    }
    if (total > 0 && kv_pipeline(w->own.kv, &replies, total, argc, argv, rep) < 0)
        memset(rep, 0, sizeof *rep * (size_t)total);     /* Redis down: every reply NULL */
    k = 0;
    for (size_t i = 0; i < n; i++) {
        deferred_t *e = (deferred_t *)(void *)g[i];
        for (int j = 0; j < e->b.n; j++)
            e->b.rep[j] = rep[k++];
        req_resume_parked(e->p, w, &scratch, answer, e);
    }
    arena_free(&scratch);
    arena_free(&replies);
}

/* The queue's done: the entry was answered in write_group. */
static void entry_free(gc_entry_t *g)
{
    free(g);
}

int req_defer_kv(req_t *r, const kv_batch_t *b, req_resume_fn *resume, const void *state, size_t len)
{
    worker_t *w = r->worker;
    if (!w || w->slow || r->resumed || b->n < 0 || b->n > KV_BATCH_MAX)
        return 0;
    deferred_t *e = entry_new(b, state, len);
    if (!e)
        return 0;
    e->p = req_park(r);
    if (!e->p) {
        free(e);
        return 0;
    }
    e->resume = resume;
    e->gc.done = entry_free;
    /* this thread writes the group unless one is in flight (then its
     * writer takes e before it stops) */
    gc_submit_parked(&queue, &e->gc, write_group, w);
    return 1;
}
