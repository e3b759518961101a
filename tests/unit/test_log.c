/* test_log.c: server/log — a line is written whole as it is logged, unless
 * the server gathers them (log_batch): then INFO lines wait for log_flush, a
 * full batch or the next line after 200 ms, a WARN or ERROR line writes them
 * first and itself at once, and lines from many threads at once come out
 * whole, each exactly once. */
#include "tests/unit/check.h"
#include "server/log.h"

#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static char path[] = "/tmp/quiz-test-log-XXXXXX";

/* The file as it is now, NUL-terminated (freed by the caller). */
static char *contents(size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf = calloc(1, 4 << 20);
    size_t n = f ? fread(buf, 1, (4 << 20) - 1, f) : 0;
    if (f)
        fclose(f);
    *len = n;
    return buf;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void reset(void)
{
    log_batch(0);
    FILE *f = fopen(path, "w");
    if (f)
        fclose(f);
}

TEST(unbatched_lines_are_written_at_once)
{
    reset();
    log_info("first %d", 1);
    size_t len;
    char *s = contents(&len);
    CHECK(strstr(s, " INFO first 1\n") != NULL);
    CHECK(s[len - 1] == '\n');
    free(s);
}

TEST(batched_info_waits_for_the_flush)
{
    reset();
    log_batch(1);
    log_info("gathered one");
    log_debug("below the level: never written");
    size_t len;
    char *s = contents(&len);
    CHECK_INT(len, 0);
    free(s);
    log_flush();
    s = contents(&len);
    CHECK(strstr(s, " INFO gathered one\n") != NULL);
    CHECK(strstr(s, "never written") == NULL);
    free(s);
    log_batch(0);
}

TEST(an_old_batch_is_written_at_the_next_line)
{
    reset();
    log_batch(1);
    log_info("the first of a batch");
    struct timespec ts = { 0, 250 * 1000 * 1000 };    /* older than the batch may get */
    nanosleep(&ts, NULL);
    log_info("a line a while later");
    size_t len;
    char *s = contents(&len);
    CHECK(strstr(s, "the first of a batch\n") != NULL);
    CHECK(strstr(s, "a while later") == NULL);      /* it starts the next batch */
    free(s);
    log_batch(0);                                    /* writes what is gathered */
    s = contents(&len);
    CHECK(strstr(s, "a line a while later\n") != NULL);
    free(s);
}

TEST(a_warning_writes_the_batch_first_then_itself)
{
    reset();
    log_batch(1);
    log_info("before the trouble");
    log_warn("trouble");
    size_t len;
    char *s = contents(&len);
    char *a = strstr(s, "before the trouble"), *b = strstr(s, " WARN trouble");
    CHECK(a != NULL && b != NULL && a < b);
    free(s);
    log_info("after it");
    log_error("worse");
    s = contents(&len);
    a = strstr(s, "after it");
    b = strstr(s, " ERROR worse");
    CHECK(a != NULL && b != NULL && a < b);
    free(s);
    log_batch(0);
}

TEST(a_full_batch_is_written_without_a_flush)
{
    reset();
    log_batch(1);
    char pad[200];
    memset(pad, 'x', sizeof pad - 1);
    pad[sizeof pad - 1] = '\0';
    for (int i = 0; i < 1000; i++)        /* ~250 KB: several batches' worth */
        log_info("line %04d %s", i, pad);
    size_t len;
    char *s = contents(&len);
    CHECK(len > 128 * 1024);
    CHECK(strstr(s, "line 0000 ") != NULL);
    CHECK(s[len - 1] == '\n');            /* only whole lines */
    free(s);
    log_batch(0);                         /* writes the rest */
    s = contents(&len);
    CHECK_INT(count(s, " INFO line "), 1000);
    CHECK(strstr(s, "line 0999 ") != NULL);
    free(s);
}

#define THREADS 8
#define PER_THREAD 2000

static void *logger(void *arg)
{
    long t = (long)arg;
    for (int i = 0; i < PER_THREAD; i++)
        log_info("thread %ld line %d end", t, i);
    return NULL;
}

TEST(threads_at_once_each_line_whole_and_once)
{
    reset();
    log_batch(1);
    pthread_t th[THREADS];
    for (long t = 0; t < THREADS; t++)
        pthread_create(&th[t], NULL, logger, (void *)t);
    for (int t = 0; t < THREADS; t++)
        pthread_join(th[t], NULL);
    log_flush();
    size_t len;
    char *s = contents(&len);
    CHECK_INT(count(s, " INFO thread "), THREADS * PER_THREAD);
    CHECK_INT(count(s, " end\n"), THREADS * PER_THREAD);
    char want[64];
    snprintf(want, sizeof want, "thread %d line %d end\n", THREADS - 1, PER_THREAD - 1);
    CHECK(strstr(s, want) != NULL);
    free(s);
    log_batch(0);
}

int main(void)
{
    int fd = mkstemp(path);
    if (fd < 0 || log_open(path) < 0)
        return 1;
    close(fd);
    RUN(unbatched_lines_are_written_at_once);
    RUN(batched_info_waits_for_the_flush);
    RUN(an_old_batch_is_written_at_the_next_line);
    RUN(a_warning_writes_the_batch_first_then_itself);
    RUN(a_full_batch_is_written_without_a_flush);
    RUN(threads_at_once_each_line_whole_and_once);
    unlink(path);
    return check_summary();
}
