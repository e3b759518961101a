/* ttl_cache.h: a small in-process cache of byte strings, shared by the
 * threads of one process, kept for a few seconds and bounded in memory.
 *
 * For answers that public routes compute again and again (a search for a
 * popular keyword, a unit's counts): a hit costs a hash lookup and a copy
 * under one mutex, no store round trip. Bounded twice: at most
 * max_entries entries and max_bytes bytes of keys and values together;
 * when either would be exceeded the least recently used entries go first.
 * An entry also ends at its expiry (milliseconds, lib/mono.h clock).
 *
 * Generations: the caller may keep a counter that it bumps after each
 * write the cached values depend on (ttl_cache_bump), read it before it
 * computes a value and put the value with that generation. A get asks for
 * the current generation and misses on any other, so a write finished in
 * this process is never followed by an older answer from it, even when a
 * reader computed that answer while the write was under way. */
#ifndef LIB_TTL_CACHE_H
#define LIB_TTL_CACHE_H

#include <stddef.h>
#include <stdint.h>

typedef struct ttl_cache ttl_cache_t;

/* A cache of at most max_entries entries and max_bytes bytes; NULL when
 * out of memory or a bound is 0 (the caller then simply never caches). */
ttl_cache_t *ttl_cache_new(size_t max_entries, size_t max_bytes);
void ttl_cache_free(ttl_cache_t *c);

/* The current generation (starts at 1), and a step forward: every entry
 * put with an older generation is a miss from now on. */
uint64_t ttl_cache_gen(const ttl_cache_t *c);
void ttl_cache_bump(ttl_cache_t *c);

/* Allocates the copy a hit hands out (a request arena, malloc, ...). */
typedef void *(*ttl_cache_alloc_fn)(void *ctx, size_t size);

/* On a live hit at the current generation: *val = a copy made with
 * alloc(ctx, len + 1), NUL-terminated, *len its length; returns 1.
 * Otherwise (absent, expired, older generation, allocation failed) 0. */
int ttl_cache_get(ttl_cache_t *c, const char *key, ttl_cache_alloc_fn alloc, void *ctx,
                  char **val, size_t *len);

/* Keep a copy of val under key for ttl_ms, computed at generation gen
 * (read with ttl_cache_gen before computing it). Replaces an entry of the
 * same key. A value put with an older generation than the current one,
 * or larger than max_bytes / 4, is not kept. Returns 1 if kept, 0 if not. */
int ttl_cache_put(ttl_cache_t *c, const char *key, const char *val, size_t len, int64_t ttl_ms,
                  uint64_t gen);

/* Counters for tests and metrics. */
typedef struct {
    size_t entries, bytes;
    uint64_t hits, misses, evictions;
} ttl_cache_stats_t;
void ttl_cache_stats(ttl_cache_t *c, ttl_cache_stats_t *out);

#endif
