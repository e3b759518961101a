/* metrics.c: see metrics.h. */
#include "server/metrics.h"
#include "server/config.h"
#include "server/db.h"
#include "server/kv.h"
#include "server/router.h"
#include "lib/group_commit.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const int statuses[] = { 200, 201, 400, 401, 403, 404, 405, 409, 410, 413, 422, 429, 500, 503 };
#define NSTATUS (sizeof statuses / sizeof statuses[0] + 1) /* + "other" */
static const double buckets_s[] = { 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5 };
#define NBUCKET (sizeof buckets_s / sizeof buckets_s[0])

static size_t n_routes;
static _Atomic unsigned long *counts;        /* (n_routes + 1) * NSTATUS */
static _Atomic unsigned long hist[NBUCKET + 1];
static _Atomic unsigned long long hist_sum_us;
static _Atomic unsigned long overloaded_total;
static _Atomic int fast_busy, slow_busy, fast_queue, slow_queue;

void metrics_init(size_t nroutes)
{
    n_routes = nroutes;
    counts = calloc((nroutes + 1) * NSTATUS, sizeof *counts);
    if (!counts)
        abort();
}

static size_t status_slot(int status)
{
    for (size_t i = 0; i < NSTATUS - 1; i++)
        if (statuses[i] == status)
            return i;
    return NSTATUS - 1;
}

void metrics_request(size_t route, int status, int64_t us)
{
    if (!counts)
        return;
    if (route > n_routes)
        route = n_routes;
    atomic_fetch_add_explicit(&counts[route * NSTATUS + status_slot(status)], 1, memory_order_relaxed);
    size_t b = 0;
    while (b < NBUCKET && (double)us / 1e6 > buckets_s[b])
        b++;
    atomic_fetch_add_explicit(&hist[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&hist_sum_us, (unsigned long long)us, memory_order_relaxed);
}

void metrics_overloaded(void) { atomic_fetch_add(&overloaded_total, 1); }
void metrics_pool(int f, int s) { atomic_fetch_add(&fast_busy, f); atomic_fetch_add(&slow_busy, s); }
void metrics_queue_depth(int f, int s) { atomic_store(&fast_queue, f); atomic_store(&slow_queue, s); }
void metrics_printf(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
        va_end(ap);
        if (n < 0)
            return;
        if ((size_t)n < *cap - *len) {
            *len += (size_t)n;
            return;
        }
        *cap = (*cap + (size_t)n) * 2;
        *buf = realloc(*buf, *cap);
        if (!*buf)
            abort();
    }
}

/* The group-commit queues (lib/group_commit.h), one family at a time. */
typedef struct {
    char **b;
    size_t *len, *cap;
    int family;
} gc_out_t;

static void gc_line(void *ud, const gc_queue_t *q)
{
    gc_out_t *o = ud;
    static const char *const names[] = { "quiz_group_commit_groups_total", "quiz_group_commit_entries_total",
                                         "quiz_group_commit_write_seconds_total",
                                         "quiz_group_commit_wait_seconds_total" };
    const char *n = names[o->family];
    if (o->family == 0)
        metrics_printf(o->b, o->len, o->cap, "%s{queue=\"%s\"} %lu\n", n, q->name, atomic_load(&q->groups));
    else if (o->family == 1)
        metrics_printf(o->b, o->len, o->cap, "%s{queue=\"%s\"} %lu\n", n, q->name, atomic_load(&q->entries));
    else
        metrics_printf(o->b, o->len, o->cap, "%s{queue=\"%s\"} %.6f\n", n, q->name,
                       (double)atomic_load(o->family == 2 ? &q->write_us : &q->wait_us) / 1e6);
}

static void gc_metrics(char **b, size_t *len, size_t *cap)
{
    static const char *const head[] = {
        "# HELP quiz_group_commit_groups_total Groups written by each group-commit queue (one transaction each; kv_read: one Redis pipeline of board reads).\n"
        "# TYPE quiz_group_commit_groups_total counter\n",
        "# HELP quiz_group_commit_entries_total Requests those groups wrote (entries / groups: the mean group).\n"
        "# TYPE quiz_group_commit_entries_total counter\n",
        "# HELP quiz_group_commit_write_seconds_total Time spent writing the groups, summed over groups.\n"
        "# TYPE quiz_group_commit_write_seconds_total counter\n",
        "# HELP quiz_group_commit_wait_seconds_total Time requests waited from queued to written, summed over requests.\n"
        "# TYPE quiz_group_commit_wait_seconds_total counter\n",
    };
    for (int f = 0; f < 4; f++) {
        metrics_printf(b, len, cap, "%s", head[f]);
        gc_out_t o = { b, len, cap, f };
        gc_foreach(gc_line, &o);
    }
}

int metrics_handler(req_t *r)
{
    size_t cap = 16384, len = 0;
    char *b = malloc(cap);
    if (!b)
        abort();
    b[0] = '\0';
    metrics_printf(&b, &len, &cap, "# HELP quiz_requests_total Requests by route and status.\n"
                                   "# TYPE quiz_requests_total counter\n");
    for (size_t rt = 0; rt <= n_routes; rt++) {
        for (size_t s = 0; s < NSTATUS; s++) {
            unsigned long v = atomic_load_explicit(&counts[rt * NSTATUS + s], memory_order_relaxed);
            if (!v)
                continue;
            const char *method = rt < n_routes ? g_routes[rt].method : "";
            const char *pat = rt < n_routes ? g_routes[rt].pattern : "none";
            if (s < NSTATUS - 1)
                metrics_printf(&b, &len, &cap, "quiz_requests_total{method=\"%s\",route=\"%s\",status=\"%d\"} %lu\n",
                               method, pat, statuses[s], v);
            else
                metrics_printf(&b, &len, &cap, "quiz_requests_total{method=\"%s\",route=\"%s\",status=\"other\"} %lu\n",
                               method, pat, v);
        }
    }
    metrics_printf(&b, &len, &cap, "# HELP quiz_request_seconds Request latency inside the server.\n"
                                   "# TYPE quiz_request_seconds histogram\n");
    unsigned long cum = 0;
    for (size_t i = 0; i <= NBUCKET; i++) {
        cum += atomic_load(&hist[i]);
        if (i < NBUCKET)
            metrics_printf(&b, &len, &cap, "quiz_request_seconds_bucket{le=\"%g\"} %lu\n", buckets_s[i], cum);
        else
            metrics_printf(&b, &len, &cap, "quiz_request_seconds_bucket{le=\"+Inf\"} %lu\n", cum);
    }
    metrics_printf(&b, &len, &cap, "quiz_request_seconds_sum %.6f\nquiz_request_seconds_count %lu\n",
                   (double)atomic_load(&hist_sum_us) / 1e6, cum);
    metrics_printf(&b, &len, &cap,
                   "# TYPE quiz_overloaded_total counter\nquiz_overloaded_total %lu\n"
                   "# TYPE quiz_store_errors_total counter\n"
                   "quiz_store_errors_total{store=\"mariadb\"} %lu\n"
                   "quiz_store_errors_total{store=\"redis\"} %lu\n"
                   "# HELP quiz_db_tx_retries_total Transactions db_tx ran again after a deadlock, a lock wait timeout or a lost connection.\n"
                   "# TYPE quiz_db_tx_retries_total counter\nquiz_db_tx_retries_total %lu\n"
                   "# TYPE quiz_workers gauge\n"
                   "quiz_workers{pool=\"fast\",state=\"busy\"} %d\nquiz_workers{pool=\"fast\",state=\"total\"} %d\n"
                   "quiz_workers{pool=\"slow\",state=\"busy\"} %d\nquiz_workers{pool=\"slow\",state=\"total\"} %d\n"
                   "# TYPE quiz_queue_depth gauge\n"
                   "quiz_queue_depth{pool=\"fast\"} %d\nquiz_queue_depth{pool=\"slow\"} %d\n",
                   atomic_load(&overloaded_total), atomic_load(&db_errors_total),
                   atomic_load(&kv_errors_total), atomic_load(&db_tx_retries_total), atomic_load(&fast_busy), g_config.workers,
                   atomic_load(&slow_busy), g_config.slow_workers, atomic_load(&fast_queue),
                   atomic_load(&slow_queue));
    gc_metrics(&b, &len, &cap);
    reply_raw(r, 200, "text/plain; version=0.0.4; charset=utf-8", b, len);
    free(b);
    return 0;
}
