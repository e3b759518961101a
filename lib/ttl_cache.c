/* ttl_cache.c: see ttl_cache.h.
 *
 * A chained hash table (FNV-1a) beside a doubly linked list in recency
 * order; one mutex guards both. Each entry is one allocation holding its
 * key and value. Expired entries are dropped when met (a get) and from the
 * cold end of the list (a put), so an idle cache keeps at most its bounds. */
#include "lib/ttl_cache.h"
#include "lib/mono.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
    struct entry *chain;              /* next in the bucket */
    struct entry *newer, *older;      /* recency list */
    uint64_t hash, gen;
    int64_t expires_ms;
    size_t klen, vlen;
    char data[];                      /* key NUL value NUL */
} entry_t;

struct ttl_cache {
    pthread_mutex_t mu;
    entry_t **buckets;
    size_t nbuckets;                  /* a power of two */
    entry_t *newest, *oldest;
    size_t entries, bytes, max_entries, max_bytes;
    _Atomic uint64_t gen;
    uint64_t hits, misses, evictions;
};

static uint64_t fnv1a(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

static size_t entry_bytes(const entry_t *e)
{
    return sizeof *e + e->klen + e->vlen + 2;
}

ttl_cache_t *ttl_cache_new(size_t max_entries, size_t max_bytes)
{
    if (!max_entries || !max_bytes)
        return NULL;
    ttl_cache_t *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->nbuckets = 16;
    while (c->nbuckets < max_entries && c->nbuckets < ((size_t)1 << 24))
        c->nbuckets <<= 1;
    c->buckets = calloc(c->nbuckets, sizeof *c->buckets);
    if (!c->buckets) {
        free(c);
        return NULL;
    }
    pthread_mutex_init(&c->mu, NULL);
    c->max_entries = max_entries;
    c->max_bytes = max_bytes;
    atomic_init(&c->gen, 1);
    return c;
}

void ttl_cache_free(ttl_cache_t *c)
{
    if (!c)
        return;
    for (entry_t *e = c->newest, *next; e; e = next) {
        next = e->older;
        free(e);
    }
    free(c->buckets);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

uint64_t ttl_cache_gen(const ttl_cache_t *c)
{
    return c ? atomic_load_explicit(&((ttl_cache_t *)c)->gen, memory_order_acquire) : 0;
}

void ttl_cache_bump(ttl_cache_t *c)
{
    if (c)
        atomic_fetch_add_explicit(&c->gen, 1, memory_order_acq_rel);
}

static void list_unlink(ttl_cache_t *c, entry_t *e)
{
    if (e->newer)
        e->newer->older = e->older;
    else
        c->newest = e->older;
    if (e->older)
        e->older->newer = e->newer;
    else
        c->oldest = e->newer;
    e->newer = e->older = NULL;
}

static void list_push_newest(ttl_cache_t *c, entry_t *e)
{
    e->newer = NULL;
    e->older = c->newest;
    if (c->newest)
        c->newest->newer = e;
    c->newest = e;
    if (!c->oldest)
        c->oldest = e;
}

/* The link that points at key's entry (or at the NULL ending its chain). */
static entry_t **find_link(ttl_cache_t *c, const char *key, size_t klen, uint64_t h)
{
    entry_t **p = &c->buckets[h & (c->nbuckets - 1)];
    while (*p && ((*p)->hash != h || (*p)->klen != klen || memcmp((*p)->data, key, klen) != 0))
        p = &(*p)->chain;
    return p;
}

static void drop(ttl_cache_t *c, entry_t *e)
{
    entry_t **p = find_link(c, e->data, e->klen, e->hash);
    if (*p == e)
        *p = e->chain;
    list_unlink(c, e);
    c->entries--;
    c->bytes -= entry_bytes(e);
    free(e);
}

int ttl_cache_get(ttl_cache_t *c, const char *key, ttl_cache_alloc_fn alloc, void *ctx,
                  char **val, size_t *len)
{
    if (!c)
        return 0;
    size_t klen = strlen(key);
    uint64_t h = fnv1a(key, klen), gen = ttl_cache_gen(c);
    int64_t now = mono_ms();
    int hit = 0;
    pthread_mutex_lock(&c->mu);
    entry_t *e = *find_link(c, key, klen, h);
    if (e && (e->expires_ms <= now || e->gen != gen)) {
        drop(c, e);
        e = NULL;
    }
    if (e) {
        char *copy = alloc(ctx, e->vlen + 1);
        if (copy) {
            memcpy(copy, e->data + e->klen + 1, e->vlen + 1);
            *val = copy;
            *len = e->vlen;
            list_unlink(c, e);
            list_push_newest(c, e);
            hit = 1;
        }
    }
    if (hit)
        c->hits++;
    else
        c->misses++;
    pthread_mutex_unlock(&c->mu);
    return hit;
}

/* Makes room for one more entry of `need` bytes: expired and then least
 * recently used entries leave from the cold end. */
static void make_room(ttl_cache_t *c, size_t need, int64_t now)
{
    while (c->oldest && c->oldest->expires_ms <= now)
        drop(c, c->oldest);
    while (c->oldest && (c->entries + 1 > c->max_entries || c->bytes + need > c->max_bytes)) {
        drop(c, c->oldest);
        c->evictions++;
    }
}

int ttl_cache_put(ttl_cache_t *c, const char *key, const char *val, size_t len, int64_t ttl_ms,
                  uint64_t gen)
{
    if (!c || ttl_ms <= 0)
        return 0;
    size_t klen = strlen(key);
    size_t need = sizeof(entry_t) + klen + len + 2;
    if (need > c->max_bytes / 4 || gen != ttl_cache_gen(c))
        return 0;
    entry_t *e = malloc(need);
    if (!e)
        return 0;
    e->hash = fnv1a(key, klen);
    e->gen = gen;
    e->klen = klen;
    e->vlen = len;
    memcpy(e->data, key, klen + 1);
    memcpy(e->data + klen + 1, val, len);
    e->data[klen + 1 + len] = '\0';
    int64_t now = mono_ms();
    e->expires_ms = now + ttl_ms;
    pthread_mutex_lock(&c->mu);
    entry_t *old = *find_link(c, key, klen, e->hash);
    if (old)
        drop(c, old);
    make_room(c, need, now);
    entry_t **p = find_link(c, key, klen, e->hash);   /* the chain's end */
    e->chain = NULL;
    *p = e;
    list_push_newest(c, e);
    c->entries++;
    c->bytes += need;
    pthread_mutex_unlock(&c->mu);
    return 1;
}

void ttl_cache_stats(ttl_cache_t *c, ttl_cache_stats_t *out)
{
    memset(out, 0, sizeof *out);
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    out->entries = c->entries;
    out->bytes = c->bytes;
    out->hits = c->hits;
    out->misses = c->misses;
    out->evictions = c->evictions;
    pthread_mutex_unlock(&c->mu);
}
