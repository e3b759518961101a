/* fnv.h: FNV-1a, 64 bits — a fast hash of bytes for tables and entity
 * tags (never for anything an attacker must not forge or collide). */
#ifndef FNV_H
#define FNV_H

#include <stddef.h>
#include <stdint.h>

#define FNV64_INIT 14695981039346656037ull

/* Continue hash h over len bytes at p (start with FNV64_INIT). */
static inline uint64_t fnv64(uint64_t h, const void *p, size_t len)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < len; i++)
        h = (h ^ b[i]) * 1099511628211ull;
    return h;
}

#endif
