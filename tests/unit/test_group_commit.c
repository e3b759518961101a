/* test_group_commit.c: lib/group_commit — one caller alone writes its own
 * entry; many threads at once are each written exactly once, in groups no
 * larger than the queue's max, in the order they were queued, one group at
 * a time, and the entries of a group are all done before any is answered;
 * and the counters GET /metrics shows. */
#include "tests/unit/check.h"
#include "lib/group_commit.h"

#include <pthread.h>
#include <stdatomic.h>
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

int main(void)
{
    RUN(alone);
    RUN(many_threads);
    RUN(quick_writes_entries_on_stacks);
    RUN(counters);
    return check_summary();
}
