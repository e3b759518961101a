/* cache.h: inside the units engine, the page cache of GET /units
 * (cache.c; the policy is in units.h). */
#ifndef ENGINES_UNITS_CACHE_H
#define ENGINES_UNITS_CACHE_H

#include <stdint.h>
#include "engines/units/unit_search.h"

/* Pages from this offset on are not kept: people read the first pages. */
#define UNIT_CACHE_PAGES_BELOW 100

/* The generation to put a page with: read before the page is computed. */
uint64_t unit_page_cache_gen(void);

/* A page kept for (kind, kw, f, limit, offset): 1 with *out filled (in the
 * arena), 0 on a miss. kind: 's' a search (kw folded), 'b' browsing. */
int unit_page_cache_get(req_t *r, char kind, const char *kw, const unit_filter_t *f,
                        long long limit, long long offset, unit_page_t *out);
/* Keep page, computed at generation gen, for unit_cache_ms. */
void unit_page_cache_put(req_t *r, char kind, const char *kw, const unit_filter_t *f,
                         long long limit, long long offset, const unit_page_t *page, uint64_t gen);

/* A few integers of a search (its match counts beyond the cap) under key,
 * kept like the pages but for unit_search_count_ms: counting 1,001
 * matches is the costly part of a search, and a capped count hardly moves.
 * 1 on a hit (v filled), 0 on a miss. */
int unit_count_cache_get(req_t *r, const char *key, long long *v, int n);
/* Keep v[0..n-1] (n <= 4) under key, computed at generation gen. */
void unit_count_cache_put(const char *key, const long long *v, int n, uint64_t gen);

#endif
