/* contest_cache.c: see contest_cache.h.
 *
 * Every start of an attempt names its contest, and the row hardly ever
 * changes while people answer: without this, each start costs MariaDB a
 * read of it (a round trip, and two thread switches on this side). One
 * lib/ttl_cache shared by the worker threads holds each row packed in one
 * value: the numbers in a fixed header, then the strings, each at an
 * offset. */
#include "engines/quiz/contest_cache.h"
#include "lib/ttl_cache.h"
#include "server/config.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define CACHE_ENTRIES 256
#define CACHE_BYTES (4 * 1024 * 1024)
#define NO_TEXT UINT32_MAX

enum { T_SLUG, T_NAME, T_PAPER, T_RULE, T_PRIZES, T_AUDIENCE, T_POLICY, T_COUNT };

typedef struct {
    long long id, registration_deadline, starts_at, ends_at;
    int is_main, points_per_question, time_limit_s, attempts_per_day;
    int certificate_threshold, certificate_hours, certificate_days;
    uint32_t text[T_COUNT];   /* offset of each string after the header, or NO_TEXT */
} packed_t;

static ttl_cache_t *g_cache;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void cache_make(void)
{
    if (g_config.contest_cache_ms > 0)
        g_cache = ttl_cache_new(CACHE_ENTRIES, CACHE_BYTES);
}

static ttl_cache_t *cache(void)
{
    pthread_once(&g_once, cache_make);
    return g_cache;
}

static void key_of(long long id, char key[32])
{
    snprintf(key, 32, "c%lld", id);
}

static void texts(const contest_t *c, const char *t[T_COUNT])
{
    t[T_SLUG] = c->slug;
    t[T_NAME] = c->name;
    t[T_PAPER] = c->paper_json;
    t[T_RULE] = c->score_rule;
    t[T_PRIZES] = c->prize_settings;
    t[T_AUDIENCE] = c->audience;
    t[T_POLICY] = c->review_policy;
}

uint64_t contest_cache_gen(void)
{
    ttl_cache_t *tc = cache();
    return tc ? ttl_cache_gen(tc) : 0;
}

void contests_changed(void)
{
    ttl_cache_t *tc = cache();
    if (tc)
        ttl_cache_bump(tc);
}

int contest_cache_get(req_t *r, long long id, contest_t *out)
{
    ttl_cache_t *tc = cache();
    char key[32], *v;
    size_t len;
    key_of(id, key);
    if (!tc || !ttl_cache_get(tc, key, arena_alloc_ctx, r->arena, &v, &len) || len < sizeof(packed_t))
        return 0;
    packed_t p;
    memcpy(&p, v, sizeof p);
    memset(out, 0, sizeof *out);
    out->id = p.id;
    out->registration_deadline = p.registration_deadline;
    out->starts_at = p.starts_at;
    out->ends_at = p.ends_at;
    out->is_main = p.is_main;
    out->points_per_question = p.points_per_question;
    out->time_limit_s = p.time_limit_s;
    out->attempts_per_day = p.attempts_per_day;
    out->certificate_threshold = p.certificate_threshold;
    out->certificate_hours = p.certificate_hours;
    out->certificate_days = p.certificate_days;
    const char *strs[T_COUNT];
    for (int i = 0; i < T_COUNT; i++)
        strs[i] = p.text[i] == NO_TEXT || p.text[i] >= len - sizeof p ? NULL : v + sizeof p + p.text[i];
    out->slug = strs[T_SLUG];
    out->name = strs[T_NAME];
    out->paper_json = strs[T_PAPER];
    out->score_rule = strs[T_RULE];
    out->prize_settings = strs[T_PRIZES];
    out->audience = strs[T_AUDIENCE];
    out->review_policy = strs[T_POLICY];
    return 1;
}

void contest_cache_put(req_t *r, const contest_t *c, uint64_t gen)
{
    ttl_cache_t *tc = cache();
    if (!tc)
        return;
    const char *t[T_COUNT];
    texts(c, t);
    packed_t p;
    memset(&p, 0, sizeof p);   /* no stray bytes in the padding the value carries */
    p.id = c->id;
    p.registration_deadline = c->registration_deadline;
    p.starts_at = c->starts_at;
    p.ends_at = c->ends_at;
    p.is_main = c->is_main;
    p.points_per_question = c->points_per_question;
    p.time_limit_s = c->time_limit_s;
    p.attempts_per_day = c->attempts_per_day;
    p.certificate_threshold = c->certificate_threshold;
    p.certificate_hours = c->certificate_hours;
    p.certificate_days = c->certificate_days;
    size_t len = sizeof p;
    for (int i = 0; i < T_COUNT; i++) {
        p.text[i] = t[i] ? (uint32_t)(len - sizeof p) : NO_TEXT;
        len += t[i] ? strlen(t[i]) + 1 : 0;
    }
    char *v = arena_alloc(r->arena, len);
    if (!v)
        return;
    memcpy(v, &p, sizeof p);
    for (int i = 0; i < T_COUNT; i++)
        if (t[i])
            memcpy(v + sizeof p + p.text[i], t[i], strlen(t[i]) + 1);
    char key[32];
    key_of(c->id, key);
    ttl_cache_put(tc, key, v, len, g_config.contest_cache_ms, gen);
}
