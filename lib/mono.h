/* mono.h: the process's one monotonic clock, for measuring durations and
 * pacing retries only (never for dates: that is server/clock.h). */
#ifndef LIB_MONO_H
#define LIB_MONO_H

#include <stdint.h>

/* Monotonic microseconds since an arbitrary start. */
int64_t mono_us(void);
/* The same in milliseconds. */
static inline int64_t mono_ms(void) { return mono_us() / 1000; }

#endif
