/* kv_cache.h: a few integers kept in Redis for seconds.
 *
 * For counts that public routes read on every request (a unit's members,
 * the number of units in a region): an aggregate query per request lets
 * anyone who repeats the request keep MariaDB busy; a count a few seconds
 * old is as good to a reader. A miss (or Redis down) costs the query, no
 * more. Keys are the caller's; values are "n1 n2 ...". */
#ifndef KV_CACHE_H
#define KV_CACHE_H

#include "server/kv.h"

#define KV_CACHE_MAX_INTS 8

/* Fill v[0..n-1] from key. Returns 1 on a hit, 0 on a miss. */
int kv_cache_get_ints(kv_t *kv, arena_t *a, const char *key, long long *v, int n);
/* Keep v[0..n-1] under key for ttl_s seconds. */
void kv_cache_put_ints(kv_t *kv, arena_t *a, const char *key, const long long *v, int n, int ttl_s);

#endif
