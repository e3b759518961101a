/* arena.h: one memory arena per request (as nginx's pool per request).
 *
 * Everything a handler allocates for a request comes from its arena, and
 * things owned by libraries (Jansson values, result sets) are registered as
 * cleanups; arena_reset() at the end of the request frees it all in one place. */
#ifndef ARENA_H
#define ARENA_H

#include <stddef.h>

typedef struct arena_chunk arena_chunk_t;
typedef struct arena_cleanup arena_cleanup_t;

typedef struct {
    arena_chunk_t *chunks;
    arena_cleanup_t *cleanups;
    size_t used_total;
} arena_t;

void arena_init(arena_t *a);
/* Zeroed memory aligned for any type; aborts the process only if malloc fails. */
void *arena_alloc(arena_t *a, size_t size);
/* arena_alloc for an allocator callback whose context is the arena (a
 * ttl_cache hit's copy, lib/ttl_cache.h). */
void *arena_alloc_ctx(void *arena, size_t size);
char *arena_strdup(arena_t *a, const char *s);
char *arena_strndup(arena_t *a, const char *s, size_t n);
char *arena_sprintf(arena_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Run fn(p) when the arena is reset; returns 0. */
int arena_cleanup_add(arena_t *a, void (*fn)(void *), void *p);
/* Run cleanups (last added first) and free all but the first chunk. */
void arena_reset(arena_t *a);
void arena_free(arena_t *a);

#endif
