/* arena.c: bump allocation in chunks; the first chunk is kept across
 * requests so a typical request allocates nothing from malloc. */
#include "server/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK_SIZE (16 * 1024)

struct arena_chunk {
    arena_chunk_t *next;
    size_t size, used;
    _Alignas(16) unsigned char data[];
};

struct arena_cleanup {
    arena_cleanup_t *next;
    void (*fn)(void *);
    void *p;
};

void arena_init(arena_t *a) { memset(a, 0, sizeof *a); }

static arena_chunk_t *chunk_new(size_t size)
{
    arena_chunk_t *c = malloc(sizeof *c + size);
    if (!c)
        abort();
    c->next = NULL;
    c->size = size;
    c->used = 0;
    return c;
}

void *arena_alloc(arena_t *a, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    arena_chunk_t *c = a->chunks;
    if (!c || c->size - c->used < size) {
        /* Large requests get a chunk of their own, placed behind the
         * current one so its free space stays usable. */
        arena_chunk_t *n = chunk_new(size > CHUNK_SIZE / 2 ? size : CHUNK_SIZE);
        if (c && size > CHUNK_SIZE / 2) {
            n->next = c->next;
            c->next = n;
        } else {
            n->next = c;
            a->chunks = n;
        }
        c = n;
    }
    void *p = c->data + c->used;
    c->used += size;
    a->used_total += size;
    memset(p, 0, size);
    return p;
}

char *arena_strndup(arena_t *a, const char *s, size_t n)
{
    char *d = arena_alloc(a, n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

void *arena_alloc_ctx(void *arena, size_t size)
{
    return arena_alloc(arena, size);
}

char *arena_strdup(arena_t *a, const char *s) { return s ? arena_strndup(a, s, strlen(s)) : NULL; }

/* One pass when the text fits the current chunk's free space (the usual
 * case: a reply carrying a paper of some kB is formatted once, not measured
 * first and written again); otherwise the length that pass measured is
 * allocated and written. */
char *arena_sprintf(arena_t *a, const char *fmt, ...)
{
    va_list ap;
    arena_chunk_t *c = a->chunks;
    size_t room = c ? c->size - c->used : 0;
    char *d = c ? (char *)c->data + c->used : NULL;
    va_start(ap, fmt);
    int n = vsnprintf(d, room, fmt, ap);
    va_end(ap);
    if (n < 0)
        return arena_strdup(a, "");
    if ((size_t)n < room) {
        /* used and size are multiples of 16, so the rounded size fits. */
        size_t size = ((size_t)n + 1 + 15) & ~(size_t)15;
        c->used += size;
        a->used_total += size;
        return d;
    }
    d = arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(d, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return d;
}

int arena_cleanup_add(arena_t *a, void (*fn)(void *), void *p)
{
    arena_cleanup_t *c = arena_alloc(a, sizeof *c);
    c->fn = fn;
    c->p = p;
    c->next = a->cleanups;
    a->cleanups = c;
    return 0;
}

void arena_reset(arena_t *a)
{
    for (arena_cleanup_t *c = a->cleanups; c; c = c->next)
        c->fn(c->p);
    a->cleanups = NULL;
    arena_chunk_t *keep = NULL;
    for (arena_chunk_t *c = a->chunks, *next; c; c = next) {
        next = c->next;
        if (!keep && c->size == CHUNK_SIZE) {
            keep = c;
            keep->next = NULL;
            keep->used = 0;
        } else {
            free(c);
        }
    }
    a->chunks = keep;
    a->used_total = 0;
}

void arena_free(arena_t *a)
{
    arena_reset(a);
    free(a->chunks);
    a->chunks = NULL;
}
