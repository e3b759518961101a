/* clock.c: see clock.h. Offset and fixed time are atomics so any worker may
 * read them while a test request changes them. */
#include "server/clock.h"
#include "lib/iso8601.h"

#include <stdatomic.h>
#include <time.h>

static _Atomic int64_t offset_ms;
static _Atomic int64_t fixed_ms;

int clock_init(long long offset_s, const char *fixed_iso)
{
    atomic_store(&offset_ms, (int64_t)offset_s * 1000);
    atomic_store(&fixed_ms, 0);
    if (fixed_iso && *fixed_iso) {
        long long t;
        if (iso8601_parse(fixed_iso, &t) < 0)
            return -1;
        atomic_store(&fixed_ms, (int64_t)t * 1000);
    }
    return 0;
}

int64_t clock_now_ms(void)
{
    int64_t f = atomic_load(&fixed_ms);
    if (f)
        return f;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + atomic_load(&offset_ms);
}

void clock_set(int64_t off_ms, int64_t fix_ms)
{
    atomic_store(&offset_ms, off_ms);
    atomic_store(&fixed_ms, fix_ms);
}
