/* metrics.h: counters for GET /metrics (Prometheus text format). All
 * updates are relaxed atomics: a scrape may be a few requests behind. */
#ifndef METRICS_H
#define METRICS_H

#include <stddef.h>
#include <stdint.h>
#include "server/request.h"

void metrics_init(size_t nroutes);
/* One finished request: route index (nroutes for "no route"), status, µs. */
void metrics_request(size_t route, int status, int64_t us);
void metrics_overloaded(void);
void metrics_pool(int fast_busy_delta, int slow_busy_delta);
void metrics_queue_depth(int fast, int slow);
void metrics_printf(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The GET /metrics handler. */
int metrics_handler(req_t *r);

#endif
