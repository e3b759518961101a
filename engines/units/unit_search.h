/* unit_search.h: finding units by a keyword of their name (GET /units).
 *
 * The index: unit_ngrams(gram, unit_id) holds every bigram (two adjacent
 * code points) of each unit's folded name (units.name_fold, see
 * rules/search_text.h and schema/041_unit_search.sql). A keyword of n
 * characters has n-1 bigrams; up to four of them (first, last and two
 * between) are joined on the primary key, MariaDB drives the join from
 * the rarest one, and LOCATE() on name_fold confirms the real substring.
 * Bigrams rather than trigrams because the brief's shortest keyword has
 * two characters, and Chinese names are dense: a bigram is already
 * selective ("上党" is in a handful of names among 100,000).
 *
 * Order: the exact name first, then names that start with the keyword
 * (shorter first), then the other matches in registration order. The
 * first two groups come from a range on the name_fold index, the rest
 * from the bigram join streamed in unit_id order, so a page costs a few
 * index reads even when thousands of names contain the keyword.
 *
 * With a region filter the search reads the region's range of
 * k_units_region instead (it holds name_fold, so LOCATE runs on index
 * entries): its cost is the region's size, where the bigram path would
 * look up every unit of the country holding a common bigram.
 *
 * Counting: total is exact up to 1,000 matches; beyond that it says 1000
 * with total_capped true, and pages end there. Every request then costs a
 * bounded number of index reads, even for "水利" in 25,000 names.
 *
 * Wildcards: there are none. Bigrams are compared as bytes and LOCATE
 * takes its needle literally, so '%' and '_' in a keyword match only
 * themselves. */
#ifndef UNIT_SEARCH_H
#define UNIT_SEARCH_H

#include "server/db.h"
#include "server/request.h"
#include "server/status.h"

#include <stddef.h>

/* Write name_fold and the bigrams of unit_id, whose name is name. Run it
 * inside the transaction that inserts or renames the unit. Returns 0 or
 * -1 on a store error. */
int unit_search_index(db_t *db, long long unit_id, const char *name);

/* Index units whose search_indexed is 0 (rows written by seed-demo, admin
 * corrections or merges), a batch per call; background task, safe on
 * several servers at once. */
void unit_search_backfill(db_t *db);

/* A keyword longer than any name (in code points) can match nothing. */
#define UNIT_KEYWORD_MAX_CHARS 100
/* Pages end here (GET /units answers 400 beyond): a deep OFFSET reads and
 * drops every row before it, so a stranger asking for offset 10^9 again
 * and again would keep MariaDB busy; nobody pages through ten thousand
 * units. */
#define UNITS_OFFSET_MAX 10000

/* Live units within a region and its parents' prefix; all "" for every
 * region. */
typedef struct {
    char province[7], city[7], county[7];
} unit_filter_t;

/* One page of units as GET /units answers it: the JSON text
 * {"units": [{id, name, region_code, type, region_name,
 * region_full_name}], "total", "total_capped"} (total counts every match,
 * capped as above), in the request's arena. Kept as text, so a page served
 * from the cache (units.h) is neither parsed nor built again. */
typedef struct {
    const char *body;
    size_t len;
} unit_page_t;

/* The filter for region code (NULL or "": none). ST_OK, ST_NOT_FOUND (no
 * region has that code) or ST_STORE. */
status_t unit_filter_for_region(req_t *r, const char *code, unit_filter_t *f)
    __attribute__((warn_unused_result));

/* Every live unit in f, in registration order. ST_OK or ST_STORE. */
status_t units_browse(req_t *r, const unit_filter_t *f, long long limit, long long offset,
                      unit_page_t *out) __attribute__((warn_unused_result));

/* Units whose name holds kw (folded by rules_search_fold, at least two
 * code points), in the order above. ST_OK or ST_STORE. */
status_t units_search(req_t *r, const char *kw, const unit_filter_t *f, long long limit,
                      long long offset, unit_page_t *out) __attribute__((warn_unused_result));

/* The cached count of all units (kv_cache.h): dropped when a unit is made. */
#define UNITS_COUNT_KEY "units:count"

#endif
