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

/* Write name_fold and the bigrams of unit_id, whose name is name. Run it
 * inside the transaction that inserts or renames the unit. Returns 0 or
 * -1 on a store error. */
int unit_search_index(db_t *db, long long unit_id, const char *name);

/* Index units whose search_indexed is 0 (rows written by seed-demo, admin
 * corrections or merges), a batch per call; background task, safe on
 * several servers at once. */
void unit_search_backfill(db_t *db);

/* GET /api/v1/units?q=&region=&limit&offset */
int h_units_list(req_t *r);

#endif
