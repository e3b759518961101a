/* clock.h: the one clock that decides contest windows, deadlines and
 * Asia/Shanghai days, in C and (passed as a parameter) in SQL alike.
 *
 * now = wall clock + offset, or a fixed instant. Tests move it through
 * clock_set() (reachable over HTTP only when clock_settable is configured). */
#ifndef CLOCK_H
#define CLOCK_H

#include <stdint.h>

/* Durations are measured with the monotonic clock of lib/mono.h. */
#include "lib/mono.h"

/* Apply config: offset seconds, and a fixed ISO 8601 time or "" for none.
 * Returns 0, or -1 when fixed is not a valid time. */
int clock_init(long long offset_s, const char *fixed_iso);
/* Milliseconds since the epoch by this clock. */
int64_t clock_now_ms(void);
static inline int64_t clock_now_s(void) { return clock_now_ms() / 1000; }
/* Set the offset (ms) and/or the fixed time (ms since epoch, 0 = not fixed). */
void clock_set(int64_t offset_ms, int64_t fixed_ms);

#endif
