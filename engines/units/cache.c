/* cache.c: the public unit reads kept for seconds in this process (see
 * units.h): pages of GET /units and the counts of GET /units/{id}.
 *
 * Two lib/ttl_cache caches shared by every worker thread, each bounded by
 * unit_cache_entries and unit_cache_kb, entries living unit_cache_ms.
 * A write this process commits bumps the generation of the cache it
 * touches (units_changed, unit_counts_changed), so this process never
 * answers from before its own write; another process's write shows here
 * within unit_cache_ms. */
#include "engines/units/units.h"
#include "engines/units/cache.h"
#include "server/config.h"
#include "lib/ttl_cache.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

static ttl_cache_t *g_pages, *g_counts;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;

static void caches_make(void)
{
    if (g_config.unit_cache_ms <= 0 || g_config.unit_cache_entries <= 0 ||
        g_config.unit_cache_kb <= 0)
        return;                                 /* caching off: every read asks MariaDB */
    size_t entries = (size_t)g_config.unit_cache_entries;
    size_t bytes = (size_t)g_config.unit_cache_kb * 1024;
    g_pages = ttl_cache_new(entries, bytes);
    g_counts = ttl_cache_new(entries, bytes);
}

static void caches(void)
{
    pthread_once(&g_once, caches_make);
}

void units_changed(void)
{
    caches();
    ttl_cache_bump(g_pages);
    ttl_cache_bump(g_counts);
}

void unit_counts_changed(void)
{
    caches();
    ttl_cache_bump(g_counts);
}

/* ---- pages of GET /units ---- */

uint64_t unit_page_cache_gen(void)
{
    caches();
    return ttl_cache_gen(g_pages);
}

/* The key of a page: kind ('s' search, 'b' browse), keyword, filter, page. */
static const char *page_key(req_t *r, char kind, const char *kw, const unit_filter_t *f,
                            long long limit, long long offset)
{
    return arena_sprintf(r->arena, "%c|%s|%s|%s|%s|%lld|%lld", kind, kw ? kw : "", f->province,
                         f->city, f->county, limit, offset);
}

int unit_page_cache_get(req_t *r, char kind, const char *kw, const unit_filter_t *f,
                        long long limit, long long offset, unit_page_t *out)
{
    caches();
    if (!g_pages || offset >= UNIT_CACHE_PAGES_BELOW)
        return 0;
    char *text;
    size_t len;
    if (!ttl_cache_get(g_pages, page_key(r, kind, kw, f, limit, offset), arena_alloc_ctx, r->arena,
                       &text, &len))
        return 0;
    out->body = text;
    out->len = len;
    return 1;
}

void unit_page_cache_put(req_t *r, char kind, const char *kw, const unit_filter_t *f,
                         long long limit, long long offset, const unit_page_t *page, uint64_t gen)
{
    if (!g_pages || offset >= UNIT_CACHE_PAGES_BELOW)
        return;
    ttl_cache_put(g_pages, page_key(r, kind, kw, f, limit, offset), page->body, page->len,
                  g_config.unit_cache_ms, gen);
}

int unit_count_cache_get(req_t *r, const char *key, long long *v, int n)
{
    caches();
    char *text;
    size_t len;
    if (!g_pages || n < 1 || n > 4 ||
        !ttl_cache_get(g_pages, key, arena_alloc_ctx, r->arena, &text, &len))
        return 0;
    long long t[4];
    if (sscanf(text, "%lld %lld %lld %lld", &t[0], &t[1], &t[2], &t[3]) != n)
        return 0;
    memcpy(v, t, (size_t)n * sizeof *v);
    return 1;
}

void unit_count_cache_put(const char *key, const long long *v, int n, uint64_t gen)
{
    if (!g_pages || n < 1 || n > 4)
        return;
    char val[96];
    size_t len = 0;
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(val + len, sizeof val - len, i ? " %lld" : "%lld", v[i]);
    ttl_cache_put(g_pages, key, val, len, g_config.unit_search_count_ms, gen);
}

/* ---- counts of GET /units/{id} ---- */

/* board_unit_id: staff count for their unit, five-into members for their
 * sponsor (schema/040_units.sql). */
static status_t counts_query(req_t *r, long long unit_id, long long contest_id, unit_counts_t *c)
{
    db_t *db = req_db(r);
    db_res_t *m = db_query(db, r->arena,
                           "SELECT COUNT(*), IFNULL(SUM(kind = 'staff'), 0),"
                           " IFNULL(SUM(kind = 'five_into'), 0)"
                           " FROM profiles WHERE board_unit_id = ?", "i", unit_id);
    db_res_t *s = m ? db_query(db, r->arena,
                               "SELECT COUNT(*), IFNULL(SUM(s.score), 0),"
                               " IFNULL(SUM(p.kind = 'staff'), 0)"
                               " FROM profiles p JOIN contest_scores s"
                               " ON s.contest_id = ? AND s.user_id = p.user_id"
                               " WHERE p.board_unit_id = ?", "ii", contest_id, unit_id) : NULL;
    if (!s)
        return ST_STORE;
    c->members = db_int(m, 0, 0);
    c->staff_members = db_int(m, 0, 1);
    c->five_into_members = db_int(m, 0, 2);
    c->participants = db_int(s, 0, 0);
    c->score = db_int(s, 0, 1);
    c->staff_participants = db_int(s, 0, 2);
    return ST_OK;
}

status_t unit_counts(req_t *r, long long unit_id, long long contest_id, unit_counts_t *out)
{
    caches();
    char key[64];
    snprintf(key, sizeof key, "%lld|%lld", unit_id, contest_id);
    char *text;
    size_t len;
    if (g_counts && ttl_cache_get(g_counts, key, arena_alloc_ctx, r->arena, &text, &len) &&
        sscanf(text, "%lld %lld %lld %lld %lld %lld", &out->members, &out->staff_members,
               &out->five_into_members, &out->participants, &out->score,
               &out->staff_participants) == 6)
        return ST_OK;
    uint64_t gen = ttl_cache_gen(g_counts);     /* before the read: see ttl_cache.h */
    status_t st = counts_query(r, unit_id, contest_id, out);
    if (st != ST_OK || !g_counts)
        return st;
    char val[160];
    int n = snprintf(val, sizeof val, "%lld %lld %lld %lld %lld %lld", out->members,
                     out->staff_members, out->five_into_members, out->participants, out->score,
                     out->staff_participants);
    ttl_cache_put(g_counts, key, val, (size_t)n, g_config.unit_cache_ms, gen);
    return ST_OK;
}
