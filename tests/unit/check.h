/* check.h: the smallest test framework that does the job.
 *
 * Each tests/unit/test_*.c is its own program: it includes this header,
 * defines test functions with TEST(name), lists them in main() with RUN(name)
 * and returns check_summary().  The summary line "N passed, N failed" is what
 * the test runner (scripts/run-unit-tests.sh) adds up.
 *
 * A test "passes" when none of its CHECK()s failed.  CHECK does not abort the
 * test, so one run shows every broken expectation. */
#ifndef CHECK_H
#define CHECK_H

#include <stdio.h>
#include <string.h>

static int check_passed, check_failed, check_cur_failed;

#define TEST(name) static void name(void)

#define CHECK(cond) do { \
        if (!(cond)) { \
            check_cur_failed++; \
            fprintf(stderr, "  %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond); \
        } \
    } while (0)

#define CHECK_STR(got, want) do { \
        const char *g_ = (got), *w_ = (want); \
        if (!g_ || !w_ || strcmp(g_, w_) != 0) { \
            check_cur_failed++; \
            fprintf(stderr, "  %s:%d: got \"%s\", want \"%s\"\n", __FILE__, __LINE__, \
                    g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
        } \
    } while (0)

#define CHECK_INT(got, want) do { \
        long long g_ = (long long)(got), w_ = (long long)(want); \
        if (g_ != w_) { \
            check_cur_failed++; \
            fprintf(stderr, "  %s:%d: %s = %lld, want %lld\n", __FILE__, __LINE__, #got, g_, w_); \
        } \
    } while (0)

#define CHECK_MEM(got, want, len) do { \
        if (memcmp((got), (want), (len)) != 0) { \
            check_cur_failed++; \
            fprintf(stderr, "  %s:%d: %s differs from %s\n", __FILE__, __LINE__, #got, #want); \
        } \
    } while (0)

#define RUN(name) do { \
        check_cur_failed = 0; \
        name(); \
        if (check_cur_failed) { check_failed++; fprintf(stderr, "FAIL %s\n", #name); } \
        else { check_passed++; } \
    } while (0)

static inline int check_summary(void)
{
    printf("%d passed, %d failed\n", check_passed, check_failed);
    return check_failed ? 1 : 0;
}

#endif
