/* test_queue.c: server/queue — items come out in the order pushed when no
 * thread waits; a full queue refuses; a push hands its item to the thread
 * that went idle last; many threads popping while another pushes get every
 * item exactly once; queue_stop wakes every idle thread with NULL, and
 * items pushed before it are still popped. */
#include "tests/unit/check.h"
#include "server/queue.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>

static int values[4096];

TEST(in_order_without_waiters)
{
    queue_t q;
    queue_init(&q, 4, -1);
    for (int i = 0; i < 3; i++)
        CHECK_INT(queue_push(&q, &values[i]), 0);
    CHECK_INT(queue_len(&q), 3);
    for (int i = 0; i < 3; i++)
        CHECK(queue_trypop(&q) == &values[i]);
    CHECK(queue_trypop(&q) == NULL);
    queue_free(&q);
}

TEST(full_refuses)
{
    queue_t q;
    queue_init(&q, 2, -1);
    CHECK_INT(queue_push(&q, &values[0]), 0);
    CHECK_INT(queue_push(&q, &values[1]), 0);
    CHECK_INT(queue_push(&q, &values[2]), -1);
    CHECK(queue_trypop(&q) == &values[0]);
    CHECK_INT(queue_push(&q, &values[2]), 0);
    queue_free(&q);
}

typedef struct {
    queue_t *q;
    void *got;
} popper_t;

static void *pop_one(void *arg)
{
    popper_t *p = arg;
    p->got = queue_pop(p->q);
    return NULL;
}

/* Wait until n threads are idle in queue_pop. */
static void wait_idle(queue_t *q, int n)
{
    while (queue_idle(q) < n)
        sched_yield();
}

TEST(last_idle_gets_the_item)
{
    queue_t q;
    queue_init(&q, 4, -1);
    popper_t a = { &q, NULL }, b = { &q, NULL };
    pthread_t ta, tb;
    pthread_create(&ta, NULL, pop_one, &a);
    wait_idle(&q, 1);
    pthread_create(&tb, NULL, pop_one, &b);
    wait_idle(&q, 2);
    CHECK_INT(queue_push(&q, &values[0]), 0);
    pthread_join(tb, NULL);
    CHECK(b.got == &values[0]);
    CHECK_INT(queue_len(&q), 0);          /* handed over, never queued */
    CHECK_INT(queue_push(&q, &values[1]), 0);
    pthread_join(ta, NULL);
    CHECK(a.got == &values[1]);
    CHECK_INT(queue_idle(&q), 0);
    queue_free(&q);
}

#define POPPERS 8
#define ITEMS 4096

static atomic_int seen[ITEMS];

static void *pop_all(void *arg)
{
    queue_t *q = arg;
    int *v;
    while ((v = queue_pop(q)) != NULL)
        atomic_fetch_add(&seen[v - values], 1);
    return NULL;
}

TEST(every_item_once_under_many_poppers)
{
    queue_t q;
    queue_init(&q, 16, -1);
    pthread_t t[POPPERS];
    for (int i = 0; i < POPPERS; i++)
        pthread_create(&t[i], NULL, pop_all, &q);
    for (int i = 0; i < ITEMS; i++)
        while (queue_push(&q, &values[i]) < 0)   /* full: the poppers catch up */
            sched_yield();
    /* stop only once every item is out of the queue (idle threads hold
     * none: a push hands its item over at once) */
    while (queue_len(&q) > 0)
        sched_yield();
    queue_stop(&q);
    for (int i = 0; i < POPPERS; i++)
        pthread_join(t[i], NULL);
    int once = 0;
    for (int i = 0; i < ITEMS; i++)
        once += atomic_load(&seen[i]) == 1;
    CHECK_INT(once, ITEMS);
    CHECK_INT(queue_idle(&q), 0);
    queue_free(&q);
}

TEST(stop_wakes_the_idle_and_leaves_items_to_pop)
{
    queue_t q;
    queue_init(&q, 4, -1);
    popper_t p[3] = { { &q, &values[9] }, { &q, &values[9] }, { &q, &values[9] } };
    pthread_t t[3];
    for (int i = 0; i < 3; i++)
        pthread_create(&t[i], NULL, pop_one, &p[i]);
    wait_idle(&q, 3);
    queue_stop(&q);
    for (int i = 0; i < 3; i++) {
        pthread_join(t[i], NULL);
        CHECK(p[i].got == NULL);
    }
    /* pushed after the stop, with no one idle: still popped, then NULL */
    CHECK_INT(queue_push(&q, &values[0]), 0);
    CHECK_INT(queue_push(&q, &values[1]), 0);
    CHECK(queue_pop(&q) == &values[0]);
    CHECK(queue_pop(&q) == &values[1]);
    CHECK(queue_pop(&q) == NULL);
    queue_free(&q);
}

int main(void)
{
    RUN(in_order_without_waiters);
    RUN(full_refuses);
    RUN(last_idle_gets_the_item);
    RUN(every_item_once_under_many_poppers);
    RUN(stop_wakes_the_idle_and_leaves_items_to_pop);
    return check_summary();
}
