/* test_group_commit.c: lib/group_commit — one caller alone writes its own
 * entry; many threads at once are each written exactly once, in groups no
 * larger than the queue's max, in the order they were queued, one group at
 * a time, and the entries of a group are all done before any is answered;
 * the counters GET /metrics shows; and parked entries (no thread waits for
 * them) are each written and handed to their done exactly once, in order,
 * by whichever thread writes, none left in the queue. */
#include "tests/unit/check.h"
#include "lib/group_commit.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

typedef struct {
    gc_entry_t gc;
    int id;
    int written;       /* how many times a writer wrote it */
    int group;         /* the group it was written in */
} item_t;

static gc_queue_t queue = GC_QUEUE_INIT("test", 8);
static pthread_mutex_t stats_mu = PTHREAD_MUTEX_INITIALIZER;
static int groups, biggest, in_write, overlapped, out_of_order;

static void write_items(void *ctx, gc_entry_t **e, size_t n)
{
    (void)ctx;
    pthread_mutex_lock(&stats_mu);
    if (in_write++)
        overlapped++;
    int g = ++groups;
    if ((int)n > biggest)
        biggest = (int)n;
    pthread_mutex_unlock(&stats_mu);
    struct timespec ts = { 0, 200000 };   /* a commit takes a while: others gather meanwhile */
    nanosleep(&ts, NULL);
    for (size_t i = 0; i < n; i++) {
        item_t *it = (item_t *)e[i];
        it->written++;
        it->group = g;
    }
    pthread_mutex_lock(&stats_mu);
    in_write--;
    pthread_mutex_unlock(&stats_mu);
}

TEST(alone)
{
    item_t it = { .id = 1 };
    int before = groups;
    gc_submit(&queue, &it.gc, write_items, NULL);
    CHECK_INT(it.written, 1);
    CHECK_INT(groups, before + 1);
}

enum { THREADS = 16, EACH = 200 };

/* Each thread submits EACH items one after another: its own items must be
 * written in its order (its later item never in an earlier group). */
static void *submitter(void *arg)
{
    item_t *mine = arg;
    for (int k = 0; k < EACH; k++) {
        gc_submit(&queue, &mine[k].gc, write_items, NULL);
        if (mine[k].written != 1 || (k > 0 && mine[k].group <= mine[k - 1].group)) {
            pthread_mutex_lock(&stats_mu);
            out_of_order++;
            pthread_mutex_unlock(&stats_mu);
        }
    }
    return NULL;
}

TEST(many_threads)
{
    static item_t items[THREADS][EACH];
    pthread_t t[THREADS];
    groups = biggest = overlapped = out_of_order = 0;
    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, submitter, items[i]);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    int once = 0;
    for (int i = 0; i < THREADS; i++)
        for (int k = 0; k < EACH; k++)
            once += items[i][k].written == 1;
    CHECK_INT(once, THREADS * EACH);
    CHECK_INT(out_of_order, 0);
    CHECK_INT(overlapped, 0);                 /* one writer at a time */
    CHECK(biggest <= 8);                      /* the queue's max */
    CHECK(groups < THREADS * EACH);           /* writes were shared */
}

/* A stress test: writes that take no time, entries on the waiters' stacks,
 * used once and gone. Each woken waiter returns and its frame is reused at
 * once while the writer is still waking the rest, so a wake-up that came
 * late would write into a frame in use (ASan's build runs it too; a TSan
 * build of it found nothing). */
static gc_queue_t quick = GC_QUEUE_INIT("quick", 8);
static _Atomic int quick_written;

static void write_quick(void *ctx, gc_entry_t **e, size_t n)
{
    (void)ctx;
    for (size_t i = 0; i < n; i++)
        ((item_t *)e[i])->written++;
    atomic_fetch_add(&quick_written, (int)n);
}

static void *quick_submitter(void *arg)
{
    int *bad = arg;
    for (int k = 0; k < 2000; k++) {
        item_t it = { .id = k };
        gc_submit(&quick, &it.gc, write_quick, NULL);
        if (it.written != 1)
            (*bad)++;
        volatile char scribble[256];          /* the frame, reused */
        for (size_t i = 0; i < sizeof scribble; i++)
            scribble[i] = (char)i;
    }
    return NULL;
}

TEST(quick_writes_entries_on_stacks)
{
    pthread_t t[THREADS];
    int bad[THREADS] = { 0 };
    quick_written = 0;
    for (int i = 0; i < THREADS; i++)
        pthread_create(&t[i], NULL, quick_submitter, &bad[i]);
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    int wrong = 0;
    for (int i = 0; i < THREADS; i++)
        wrong += bad[i];
    CHECK_INT(wrong, 0);
    CHECK_INT(quick_written, THREADS * 2000);
}

/* The queue's counters (GET /metrics reads them): every entry once, the
 * groups as the writer saw them, the time inside write() and the time
 * entries waited, which holds each group's write at least once. */
static gc_queue_t counted = GC_QUEUE_INIT("counted", 4);
static _Atomic int counted_groups;

static void write_counted(void *ctx, gc_entry_t **e, size_t n)
{
    (void)ctx;
    atomic_fetch_add(&counted_groups, 1);
    struct timespec ts = { 0, 300000 };
    nanosleep(&ts, NULL);
    for (size_t i = 0; i < n; i++)
        ((item_t *)e[i])->written++;
}

static void *counted_submitter(void *arg)
{
    (void)arg;
    for (int k = 0; k < 50; k++) {
        item_t it = { .id = k };
        gc_submit(&counted, &it.gc, write_counted, NULL);
    }
    return NULL;
}

static void find_listed(void *ud, const gc_queue_t *q)
{
    if (q == &counted)
        (*(int *)ud)++;
}

TEST(counters)
{
    int listed = 0;
    gc_foreach(find_listed, &listed);
    CHECK_INT(listed, 0);                     /* listed at its first submit */
    pthread_t t[8];
    for (int i = 0; i < 8; i++)
        pthread_create(&t[i], NULL, counted_submitter, NULL);
    for (int i = 0; i < 8; i++)
        pthread_join(t[i], NULL);
    CHECK_INT((int)atomic_load(&counted.entries), 8 * 50);
    CHECK_INT((int)atomic_load(&counted.groups), atomic_load(&counted_groups));
    CHECK(atomic_load(&counted.groups) < 8 * 50);
    CHECK(atomic_load(&counted.write_us) >= atomic_load(&counted.groups) * 300);
    CHECK(atomic_load(&counted.wait_us) >= atomic_load(&counted.write_us));
    gc_foreach(find_listed, &listed);
    CHECK_INT(listed, 1);
}

/* Parked entries: on the heap, freed by their done, which the writer
 * calls after write() (ASan's build sees a queue that touched one after).
 * What each one saw is kept by id, as the entry itself is gone. */
enum { PARKED_THREADS = 16, PARKED_EACH = 300 };
static gc_queue_t parked = GC_QUEUE_INIT("parked", 8);
static _Atomic int parked_done[PARKED_THREADS * PARKED_EACH];
static int parked_group[PARKED_THREADS * PARKED_EACH];
static _Atomic int parked_written_before_done = 1;

static void parked_finished(gc_entry_t *g)
{
    item_t *it = (item_t *)g;
    if (it->written != 1)
        atomic_store(&parked_written_before_done, 0);
    parked_group[it->id] = it->group;
    atomic_fetch_add(&parked_done[it->id], 1);
    free(it);
}

static void *parked_submitter(void *arg)
{
    int first = *(int *)arg;
    for (int k = 0; k < PARKED_EACH; k++) {
        item_t *it = calloc(1, sizeof *it);
        it->id = first + k;
        it->gc.done = parked_finished;
        gc_submit_parked(&parked, &it->gc, write_items, NULL);   /* returns without waiting */
    }
    return NULL;
}

TEST(parked_entries)
{
    pthread_t t[PARKED_THREADS];
    int first[PARKED_THREADS];
    groups = biggest = overlapped = 0;
    for (int i = 0; i < PARKED_THREADS; i++) {
        first[i] = i * PARKED_EACH;
        pthread_create(&t[i], NULL, parked_submitter, &first[i]);
    }
    /* a writer writes until the queue is empty: once every submitter has
     * returned, every entry has been written and handed back */
    for (int i = 0; i < PARKED_THREADS; i++)
        pthread_join(t[i], NULL);
    int once = 0, out_of_turn = 0;
    for (int i = 0; i < PARKED_THREADS * PARKED_EACH; i++) {
        once += atomic_load(&parked_done[i]) == 1;
        if (i % PARKED_EACH && parked_group[i] < parked_group[i - 1])
            out_of_turn++;
    }
    CHECK_INT(once, PARKED_THREADS * PARKED_EACH);
    CHECK_INT(atomic_load(&parked_written_before_done), 1);
    CHECK_INT(out_of_turn, 0);
    CHECK_INT(overlapped, 0);
    CHECK(biggest <= 8);
    CHECK(groups < PARKED_THREADS * PARKED_EACH);
    CHECK_INT((int)atomic_load(&parked.entries), PARKED_THREADS * PARKED_EACH);
    CHECK_INT((int)atomic_load(&parked.groups), groups);
    CHECK_INT(parked.writing, 0);
    CHECK(parked.head == NULL);
}

int main(void)
{
    RUN(alone);
    RUN(many_threads);
    RUN(quick_writes_entries_on_stacks);
    RUN(counters);
    RUN(parked_entries);
    return check_summary();
}
