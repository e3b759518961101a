/* test_board_cache.c: engines/boards/cache.c — the board pages shared by a
 * process's threads: served while young, dropped by the applies that change
 * them, never stored when a drop came in while they were built, and bounded
 * in pages and bytes whatever is asked for. */
#include "tests/unit/check.h"
#include "engines/boards/internal.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S 1000000LL   /* one second in µs */

static arena_t A;

TEST(a_page_is_served_while_young)
{
    lb_cached_t c;
    CHECK_INT(lb_cache_get(&A, "1|0|p:n|0|20|0", "p:n", 1, 10 * S, S / 2, &c), 0);
    lb_cache_put("1|0|p:n|0|20|0", c.ticket, 7, "[1,2]", 5, 42, 10 * S);
    CHECK_INT(lb_cache_get(&A, "1|0|p:n|0|20|0", "p:n", 1, 10 * S + S / 4, S / 2, &c), 1);
    CHECK_STR(c.text, "[1,2]");
    CHECK_INT(c.len, 5);
    CHECK_INT(c.version, 7);
    CHECK(c.hash == 42);
    /* as old as the interval: built again */
    CHECK_INT(lb_cache_get(&A, "1|0|p:n|0|20|0", "p:n", 1, 10 * S + S / 2, S / 2, &c), 0);
    lb_cache_put("1|0|p:n|0|20|0", c.ticket, 8, "[3]", 3, 0, 10 * S + S / 2);
    CHECK_INT(lb_cache_get(&A, "1|0|p:n|0|20|0", "p:n", 1, 10 * S + S / 2 + 1, S / 2, &c), 1);
    CHECK_STR(c.text, "[3]");
    CHECK_INT(c.version, 8);
}

TEST(a_drop_empties_the_pages_of_its_board_only)
{
    lb_cached_t c;
    const char *keys[][2] = { { "2|0|p:n|0|20|0", "p:n" }, { "2|0|p:n|20|20|0", "p:n" },
                              { "2|1|us:n|0|20|0", "us:n" }, { "3|0|p:n|0|20|0", "p:n" },
                              { "2|2|r:p|0|0|0", "r:p" } };
    for (int i = 0; i < 5; i++) {
        long long cid = keys[i][0][0] - '0';
        CHECK_INT(lb_cache_get(&A, keys[i][0], keys[i][1], cid, 20 * S, S, &c), 0);
        lb_cache_put(keys[i][0], c.ticket, 1, "x", 1, 0, 20 * S);
    }
    lb_cache_drop(2, "p:n");
    CHECK_INT(lb_cache_get(&A, keys[0][0], "p:n", 2, 20 * S, S, &c), 0);
    CHECK_INT(lb_cache_get(&A, keys[1][0], "p:n", 2, 20 * S, S, &c), 0);
    CHECK_INT(lb_cache_get(&A, keys[2][0], "us:n", 2, 20 * S, S, &c), 1);
    CHECK_INT(lb_cache_get(&A, keys[3][0], "p:n", 3, 20 * S, S, &c), 1);   /* another contest */
    lb_cache_drop(2, "r:");
    CHECK_INT(lb_cache_get(&A, keys[4][0], "r:p", 2, 20 * S, S, &c), 0);
    lb_cache_drop(2, "");
    CHECK_INT(lb_cache_get(&A, keys[2][0], "us:n", 2, 20 * S, S, &c), 0);
    CHECK_INT(lb_cache_get(&A, keys[3][0], "p:n", 3, 20 * S, S, &c), 1);
}

TEST(a_page_built_across_a_drop_is_not_kept)
{
    lb_cached_t c, c2;
    CHECK_INT(lb_cache_get(&A, "4|0|p:n|0|20|0", "p:n", 4, 30 * S, S, &c), 0);
    /* an apply changes the board while this page is being read */
    lb_cache_drop(4, "p:n");
    lb_cache_put("4|0|p:n|0|20|0", c.ticket, 1, "old", 3, 0, 30 * S);
    CHECK_INT(lb_cache_get(&A, "4|0|p:n|0|20|0", "p:n", 4, 30 * S, S, &c2), 0);
    /* the next build, with a ticket taken after the drop, is kept */
    lb_cache_put("4|0|p:n|0|20|0", c2.ticket, 1, "new", 3, 0, 30 * S);
    CHECK_INT(lb_cache_get(&A, "4|0|p:n|0|20|0", "p:n", 4, 30 * S, S, &c), 1);
    CHECK_STR(c.text, "new");
}

TEST(a_key_too_long_is_not_cached)
{
    char key[200];
    memset(key, 'k', sizeof key - 1);
    key[sizeof key - 1] = 0;
    lb_cached_t c;
    CHECK_INT(lb_cache_get(&A, key, "p:n", 5, 40 * S, S, &c), -1);
}

/* Many more pages, and larger, than it may hold: it stays within its
 * bounds, and the most recently used pages are the ones kept. */
TEST(the_cache_is_bounded)
{
    size_t big = LB_CACHE_BYTES / 16;
    char *text = malloc(big + 1);
    memset(text, 'x', big);
    text[big] = 0;
    lb_cached_t c;
    for (int i = 0; i < 4 * LB_CACHE_SLOTS; i++) {
        char key[64];
        snprintf(key, sizeof key, "6|0|p:u:%d|0|20|0", i);
        int64_t now = 50 * S + i;
        CHECK(lb_cache_get(&A, key, key + 4, 6, now, S, &c) == 0);
        /* every eighth page is large */
        lb_cache_put(key, c.ticket, 1, text, i % 8 ? 100 : big, 0, now);
        size_t pages, keys, bytes;
        lb_cache_stats(&pages, &keys, &bytes);
        CHECK(pages <= LB_CACHE_SLOTS && keys <= LB_CACHE_SLOTS && bytes <= LB_CACHE_BYTES);
        arena_reset(&A);
    }
    size_t pages, keys, bytes;
    lb_cache_stats(&pages, &keys, &bytes);
    CHECK_INT(keys, LB_CACHE_SLOTS);
    CHECK(bytes > LB_CACHE_BYTES / 2);
    /* the last page asked for is there; the first is long gone */
    char key[64];
    snprintf(key, sizeof key, "6|0|p:u:%d|0|20|0", 4 * LB_CACHE_SLOTS - 1);
    CHECK_INT(lb_cache_get(&A, key, key + 4, 6, 50 * S + 4 * LB_CACHE_SLOTS, S, &c), 1);
    CHECK_INT(lb_cache_get(&A, "6|0|p:u:0|0|20|0", "p:u:0", 6, 50 * S + 4 * LB_CACHE_SLOTS, S, &c), 0);
    /* a page over a quarter of the budget is never kept */
    char *huge = malloc(LB_CACHE_BYTES / 2 + 1);
    memset(huge, 'y', LB_CACHE_BYTES / 2);
    huge[LB_CACHE_BYTES / 2] = 0;
    CHECK_INT(lb_cache_get(&A, "7|0|p:n|0|20|0", "p:n", 7, 60 * S, S, &c), 0);
    lb_cache_put("7|0|p:n|0|20|0", c.ticket, 1, huge, LB_CACHE_BYTES / 2, 0, 60 * S);
    CHECK_INT(lb_cache_get(&A, "7|0|p:n|0|20|0", "p:n", 7, 60 * S, S, &c), 0);
    free(huge);
    free(text);
}

/* Threads reading, building and dropping at once (run under ASan/TSan
 * builds too): every hit is a whole page of one build. */
static void *hammer(void *arg)
{
    long id = (long)arg;
    arena_t a;
    arena_init(&a);
    for (int i = 0; i < 20000; i++) {
        char key[64], text[64];
        snprintf(key, sizeof key, "8|0|p:u:%d|0|20|0", i % 700);
        lb_cached_t c;
        int hit = lb_cache_get(&a, key, key + 4, 8, 70 * S + i, S, &c);
        if (hit == 1 && (c.len != strlen(c.text) || strncmp(c.text, "page", 4) != 0))
            abort();
        if (hit == 0) {
            int n = snprintf(text, sizeof text, "page %ld %d", id, i);
            lb_cache_put(key, c.ticket, 1, text, (size_t)n, 0, 70 * S + i);
        }
        if (i % 97 == 0)
            lb_cache_drop(8, "p:u:1");
        arena_reset(&a);
    }
    arena_free(&a);
    return NULL;
}

TEST(threads_share_it)
{
    pthread_t t[4];
    for (long i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, hammer, (void *)i);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    size_t pages, keys, bytes;
    lb_cache_stats(&pages, &keys, &bytes);
    CHECK(keys <= LB_CACHE_SLOTS && pages <= keys);
}

int main(void)
{
    arena_init(&A);
    RUN(a_page_is_served_while_young);
    RUN(a_drop_empties_the_pages_of_its_board_only);
    RUN(a_page_built_across_a_drop_is_not_kept);
    RUN(a_key_too_long_is_not_cached);
    RUN(the_cache_is_bounded);
    RUN(threads_share_it);
    arena_free(&A);
    return check_summary();
}
