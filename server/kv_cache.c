/* kv_cache.c: see kv_cache.h. */
#include "server/kv_cache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int kv_cache_get_ints(kv_t *kv, arena_t *a, const char *key, long long *v, int n)
{
    if (n < 1 || n > KV_CACHE_MAX_INTS)
        return 0;
    redisReply *rep = kv_cmd(kv, a, "GET %s", key);
    if (!rep || rep->type != REDIS_REPLY_STRING)
        return 0;
    const char *p = rep->str;
    for (int i = 0; i < n; i++) {
        char *end;
        v[i] = strtoll(p, &end, 10);
        if (end == p)
            return 0;
        p = end;
    }
    return *p == '\0';
}

void kv_cache_put_ints(kv_t *kv, arena_t *a, const char *key, const long long *v, int n, int ttl_s)
{
    if (n < 1 || n > KV_CACHE_MAX_INTS || ttl_s < 1)
        return;
    char buf[KV_CACHE_MAX_INTS * 24];
    size_t len = 0;
    for (int i = 0; i < n && len < sizeof buf; i++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, i ? " %lld" : "%lld", v[i]);
    if (len >= sizeof buf)
        return;
    kv_cmd(kv, a, "SET %s %s EX %d", key, buf, ttl_s);
}
