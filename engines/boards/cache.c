/* cache.c: board pages built once per short interval and shared by every
 * thread of the process (lb_read, read.c).
 *
 * A page is the JSON text of a board page's entries, kept with the live
 * version it was read from and when it was built. It is served while it is
 * younger than board_cache_ms and the version it came from is still live
 * (the reader checks that in the same pipelined call that reads the
 * caller's own place). An apply this process makes drops the pages of the
 * boards it changed (lb_cache_drop), so a reader in this process sees its
 * own submit at once; other processes see it within board_cache_ms.
 *
 * Bounded: at most LB_CACHE_SLOTS pages and LB_CACHE_BYTES bytes of text;
 * a new page pushes out the least recently used ones. One mutex guards the
 * table; the text is copied out under it (a page is a few kilobytes).
 *
 * A page built while a drop hit its key is not stored: the builder takes
 * a ticket (the slot's drop count) when it misses and stores only if no
 * drop came in between, so a page read before an apply cannot outlive it. */
#include "engines/boards/boards.h"
#include "engines/boards/internal.h"
#include "lib/fnv.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint64_t hash;            /* of key: most slots are told apart without strcmp */
    char key[LB_CACHE_KEY];
    char board[LB_CACHE_KEY];
    long long contest_id, version;
    char *text;               /* NULL: none (never built, dropped or evicted) */
    size_t len;
    uint64_t text_hash;       /* fnv64 of text, for the reply's entity tag */
    int64_t built_us, used_us;
    unsigned long drops;      /* a new value at each drop that hits this slot */
    int used;                 /* the slot holds a key */
} slot_t;

static slot_t slots[LB_CACHE_SLOTS];
static size_t total_bytes, nused;
static unsigned long seq;     /* drop counts come from here: a re-made slot never repeats one */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static void clear_text(slot_t *s)
{
    if (s->text) {
        total_bytes -= s->len;
        free(s->text);
    }
    s->text = NULL;
    s->len = 0;
}

static slot_t *find(const char *key, uint64_t h)
{
    for (size_t i = 0; i < LB_CACHE_SLOTS; i++)
        if (slots[i].used && slots[i].hash == h && strcmp(slots[i].key, key) == 0)
            return &slots[i];
    return NULL;
}

/* A free slot, or the least recently used one emptied. */
static slot_t *take_slot(void)
{
    slot_t *victim = NULL;
    for (size_t i = 0; i < LB_CACHE_SLOTS; i++) {
        if (!slots[i].used)
            return &slots[i];
        if (!victim || slots[i].used_us < victim->used_us)
            victim = &slots[i];
    }
    clear_text(victim);
    victim->used = 0;
    nused--;
    return victim;
}

/* Push out the least recently used pages until `need` more bytes fit. */
static void make_room(size_t need, const slot_t *keep)
{
    while (total_bytes + need > LB_CACHE_BYTES) {
        slot_t *victim = NULL;
        for (size_t i = 0; i < LB_CACHE_SLOTS; i++)
            if (slots[i].text && &slots[i] != keep && (!victim || slots[i].used_us < victim->used_us))
                victim = &slots[i];
        if (!victim)
            return;
        clear_text(victim);
    }
}

int lb_cache_get(arena_t *a, const char *key, const char *board, long long contest_id, int64_t now_us,
                 int64_t max_age_us, lb_cached_t *out)
{
    if (strlen(key) >= LB_CACHE_KEY || strlen(board) >= LB_CACHE_KEY)
        return -1;
    uint64_t h = fnv64(FNV64_INIT, key, strlen(key));
    pthread_mutex_lock(&mu);
    slot_t *s = find(key, h);
    if (!s) {
        s = take_slot();
        memset(s, 0, sizeof *s);
        s->hash = h;
        snprintf(s->key, sizeof s->key, "%s", key);
        snprintf(s->board, sizeof s->board, "%s", board);
        s->contest_id = contest_id;
        s->drops = ++seq;
        s->used = 1;
        nused++;
    }
    s->used_us = now_us;
    out->ticket = s->drops;
    int hit = s->text && now_us - s->built_us < max_age_us;
    if (hit) {
        out->text = arena_strndup(a, s->text, s->len);
        out->len = s->len;
        out->version = s->version;
        out->hash = s->text_hash;
    }
    pthread_mutex_unlock(&mu);
    return hit;
}

void lb_cache_put(const char *key, unsigned long ticket, long long version, const char *text, size_t len,
                  uint64_t text_hash, int64_t built_us)
{
    if (len > LB_CACHE_BYTES / 4)
        return;   /* a page this large is read as it is */
    char *copy = malloc(len + 1);
    if (!copy)
        return;
    memcpy(copy, text, len);
    copy[len] = 0;
    uint64_t h = fnv64(FNV64_INIT, key, strlen(key));
    pthread_mutex_lock(&mu);
    slot_t *s = find(key, h);
    if (s && s->drops == ticket) {
        clear_text(s);
        make_room(len, s);
        s->text = copy;
        s->len = len;
        s->text_hash = text_hash;
        s->version = version;
        s->built_us = built_us;
        total_bytes += len;
        copy = NULL;
    }
    pthread_mutex_unlock(&mu);
    free(copy);
}

void lb_cache_drop(long long contest_id, const char *board_prefix)
{
    size_t n = strlen(board_prefix);
    pthread_mutex_lock(&mu);
    for (size_t i = 0; i < LB_CACHE_SLOTS; i++) {
        slot_t *s = &slots[i];
        if (s->used && s->contest_id == contest_id && strncmp(s->board, board_prefix, n) == 0) {
            clear_text(s);
            s->drops = ++seq;
        }
    }
    pthread_mutex_unlock(&mu);
}

void lb_pages_forget(void)
{
    pthread_mutex_lock(&mu);
    for (size_t i = 0; i < LB_CACHE_SLOTS; i++) {
        slot_t *s = &slots[i];
        if (s->used) {
            clear_text(s);
            s->drops = ++seq;
        }
    }
    pthread_mutex_unlock(&mu);
}

void lb_cache_stats(size_t *pages, size_t *keys, size_t *bytes)
{
    pthread_mutex_lock(&mu);
    size_t np = 0;
    for (size_t i = 0; i < LB_CACHE_SLOTS; i++)
        np += slots[i].text != NULL;
    *pages = np;
    *keys = nused;
    *bytes = total_bytes;
    pthread_mutex_unlock(&mu);
}
