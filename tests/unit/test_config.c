/* test_config.c: server/config — the file, the environment's overrides and
 * the fast workers' default (two per core available, at least four). */
#define _GNU_SOURCE
#include "tests/unit/check.h"
#include "server/config.h"

#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

static char path[] = "/tmp/test_config_XXXXXX";

/* The file at `path` holds text. */
static void write_conf(const char *text)
{
    FILE *f = fopen(path, "w");
    CHECK(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static int cores(void)
{
    cpu_set_t set;
    CHECK_INT(sched_getaffinity(0, sizeof set, &set), 0);
    return CPU_COUNT(&set);
}

TEST(workers_default_to_two_per_core_and_at_least_four)
{
    int want = 2 * cores();
    want = want < 4 ? 4 : want > 64 ? 64 : want;
    CHECK_INT(config_default_workers(), want);
    config_t c;
    CHECK_INT(config_load(&c, NULL), 0);
    CHECK_INT(c.workers, want);
    write_conf("workers = 0\n");
    CHECK_INT(config_load(&c, path), 0);
    CHECK_INT(c.workers, want);
}

TEST(workers_set_in_the_file_or_the_environment_are_kept)
{
    config_t c;
    write_conf("workers = 3\nslow_workers = 7\n");
    CHECK_INT(config_load(&c, path), 0);
    CHECK_INT(c.workers, 3);
    CHECK_INT(c.slow_workers, 7);
    setenv("QUIZ_WORKERS", "5", 1);
    CHECK_INT(config_load(&c, path), 0);
    CHECK_INT(c.workers, 5);
    unsetenv("QUIZ_WORKERS");
}

TEST(an_unknown_key_is_refused)
{
    config_t c;
    write_conf("wrokers = 3\n");
    CHECK_INT(config_load(&c, path), -1);
}

int main(void)
{
    int fd = mkstemp(path);
    if (fd < 0)
        return 1;
    close(fd);
    RUN(workers_default_to_two_per_core_and_at_least_four);
    RUN(workers_set_in_the_file_or_the_environment_are_kept);
    RUN(an_unknown_key_is_refused);
    unlink(path);
    return check_summary();
}
