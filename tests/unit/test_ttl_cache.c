/* test_ttl_cache.c: lib/ttl_cache — hits, expiry, generations, both bounds,
 * recency order, and many threads at once. */
#include "tests/unit/check.h"
#include "lib/ttl_cache.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static void *alloc_malloc(void *ctx, size_t n)
{
    (void)ctx;
    return malloc(n);
}

/* The value under key as a malloc'd string, or NULL on a miss. */
static char *get(ttl_cache_t *c, const char *key)
{
    char *v = NULL;
    size_t len = 0;
    if (!ttl_cache_get(c, key, alloc_malloc, NULL, &v, &len))
        return NULL;
    return v;
}

static int has(ttl_cache_t *c, const char *key, const char *want)
{
    char *v = get(c, key);
    int ok = v && strcmp(v, want) == 0;
    free(v);
    return ok;
}

static void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static int put(ttl_cache_t *c, const char *key, const char *val, int64_t ttl_ms)
{
    return ttl_cache_put(c, key, val, strlen(val), ttl_ms, ttl_cache_gen(c));
}

TEST(hit_miss_and_replace)
{
    ttl_cache_t *c = ttl_cache_new(16, 1 << 16);
    CHECK(c != NULL);
    CHECK(get(c, "a") == NULL);
    CHECK(put(c, "a", "one", 10000));
    CHECK(has(c, "a", "one"));
    CHECK(put(c, "a", "two", 10000));
    CHECK(has(c, "a", "two"));
    CHECK(put(c, "", "empty key", 10000));
    CHECK(has(c, "", "empty key"));
    ttl_cache_stats_t s;
    ttl_cache_stats(c, &s);
    CHECK_INT(s.entries, 2);
    CHECK_INT(s.hits, 3);
    CHECK_INT(s.misses, 1);
    ttl_cache_free(c);
}

TEST(expires)
{
    ttl_cache_t *c = ttl_cache_new(16, 1 << 16);
    CHECK(put(c, "short", "x", 40));
    CHECK(put(c, "long", "y", 60000));
    CHECK(has(c, "short", "x"));
    sleep_ms(80);
    CHECK(get(c, "short") == NULL);
    CHECK(has(c, "long", "y"));
    CHECK(!put(c, "never", "z", 0));
    CHECK(get(c, "never") == NULL);
    ttl_cache_stats_t s;
    ttl_cache_stats(c, &s);
    CHECK_INT(s.entries, 1);
    ttl_cache_free(c);
}

TEST(generation_hides_older_values)
{
    ttl_cache_t *c = ttl_cache_new(16, 1 << 16);
    uint64_t g0 = ttl_cache_gen(c);
    CHECK(put(c, "k", "before", 60000));
    ttl_cache_bump(c);
    CHECK(ttl_cache_gen(c) == g0 + 1);
    CHECK(get(c, "k") == NULL);
    /* computed before the write, put after it: refused */
    CHECK(!ttl_cache_put(c, "k", "stale", 5, 60000, g0));
    CHECK(get(c, "k") == NULL);
    CHECK(put(c, "k", "after", 60000));
    CHECK(has(c, "k", "after"));
    ttl_cache_free(c);
}

TEST(bounded_by_entries_least_recent_first)
{
    ttl_cache_t *c = ttl_cache_new(4, 1 << 20);
    char k[16];
    for (int i = 0; i < 4; i++) {
        snprintf(k, sizeof k, "k%d", i);
        CHECK(put(c, k, "v", 60000));
    }
    CHECK(has(c, "k0", "v"));           /* k0 now the most recent */
    CHECK(put(c, "k4", "v", 60000));    /* k1 leaves */
    CHECK(get(c, "k1") == NULL);
    CHECK(has(c, "k0", "v"));
    CHECK(has(c, "k4", "v"));
    for (int i = 5; i < 1000; i++) {
        snprintf(k, sizeof k, "k%d", i);
        CHECK(put(c, k, "v", 60000));
    }
    ttl_cache_stats_t s;
    ttl_cache_stats(c, &s);
    CHECK_INT(s.entries, 4);
    CHECK(s.evictions >= 996);
    CHECK(has(c, "k999", "v"));
    ttl_cache_free(c);
}

TEST(bounded_by_bytes)
{
    size_t max = 64 * 1024;
    ttl_cache_t *c = ttl_cache_new(100000, max);
    char val[1000];
    memset(val, 'x', sizeof val - 1);
    val[sizeof val - 1] = '\0';
    char k[16];
    for (int i = 0; i < 500; i++) {
        snprintf(k, sizeof k, "k%d", i);
        CHECK(put(c, k, val, 60000));
        ttl_cache_stats_t s;
        ttl_cache_stats(c, &s);
        CHECK(s.bytes <= max);
    }
    ttl_cache_stats_t s;
    ttl_cache_stats(c, &s);
    CHECK(s.entries < 70 && s.entries > 10);
    /* one value larger than a quarter of the bound is never kept */
    char *big = malloc(max / 4 + 1);
    memset(big, 'y', max / 4);
    big[max / 4] = '\0';
    CHECK(!put(c, "big", big, 60000));
    CHECK(get(c, "big") == NULL);
    free(big);
    ttl_cache_free(c);
}

TEST(no_cache_is_harmless)
{
    CHECK(ttl_cache_new(0, 100) == NULL);
    CHECK(ttl_cache_new(100, 0) == NULL);
    CHECK(get(NULL, "a") == NULL);
    CHECK(!ttl_cache_put(NULL, "a", "b", 1, 1000, 1));
    ttl_cache_bump(NULL);
    ttl_cache_free(NULL);
}

static ttl_cache_t *shared;

static void *worker(void *arg)
{
    long id = (long)arg;
    char k[32], v[40];
    for (int i = 0; i < 20000; i++) {
        snprintf(k, sizeof k, "k%d", (int)((i * 7 + id) % 300));
        snprintf(v, sizeof v, "v%s", k);
        if (i % 3 == 0)
            ttl_cache_put(shared, k, v, strlen(v), 60000, ttl_cache_gen(shared));
        else {
            char *got = get(shared, k);
            if (got && strcmp(got, v) != 0)
                abort();            /* a value under the wrong key */
            free(got);
        }
        if (i % 5000 == 0)
            ttl_cache_bump(shared);
    }
    return NULL;
}

TEST(threads)
{
    shared = ttl_cache_new(128, 1 << 20);
    pthread_t t[8];
    for (long i = 0; i < 8; i++)
        pthread_create(&t[i], NULL, worker, (void *)i);
    for (int i = 0; i < 8; i++)
        pthread_join(t[i], NULL);
    ttl_cache_stats_t s;
    ttl_cache_stats(shared, &s);
    CHECK(s.entries <= 128);
    CHECK(s.hits > 0);
    ttl_cache_free(shared);
}

int main(void)
{
    RUN(hit_miss_and_replace);
    RUN(expires);
    RUN(generation_hides_older_values);
    RUN(bounded_by_entries_least_recent_first);
    RUN(bounded_by_bytes);
    RUN(no_cache_is_harmless);
    RUN(threads);
    return check_summary();
}
