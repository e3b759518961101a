/* units.h: the units engine — where units and people belong.
 *
 * It offers: the unit search index and the searches and browsing behind
 * GET /units (bigrams of folded names, kept with each unit;
 * unit_search.h), the region lookups registration needs and the lists
 * behind GET /regions (regions.h). It answers with statuses and data;
 * the HTTP side is handlers/units.c and handlers/regions.c. */
#ifndef ENGINES_UNITS_H
#define ENGINES_UNITS_H

#include "engines/units/regions.h"
#include "engines/units/unit_search.h"

/* ---- public reads kept for seconds (cache.c) ----
 *
 * GET /units pages (searches and browsing, the first pages only) and the
 * counts behind GET /units/{id} are kept in this process for
 * unit_cache_ms (default 5 s), shared by its worker threads, bounded by
 * unit_cache_entries and unit_cache_kb in each of the two caches (least
 * recently used leave first). A keyword many people type costs MariaDB
 * one search per interval, and a stranger repeating a request costs a
 * hash lookup.
 *
 * Fresh after this process's own writes: the code that commits a change
 * calls units_changed (a unit made, renamed, corrected, disabled, merged
 * or indexed) or unit_counts_changed (a profile, a score, a rescoring)
 * after its commit, and every answer computed before it is dropped. A
 * write by another server process shows here within unit_cache_ms (a
 * keyword's count beyond the 1,000 cap: unit_search_count_ms, cache.h).
 * Both calls are an atomic increment: nothing waits on a lock. */
void units_changed(void);
void unit_counts_changed(void);

/* A unit's members and, in one contest, its participants and score.
 * staff_participants: participants who are staff (the participation rate
 * is staff_participants / headcount). */
typedef struct {
    long long members, staff_members, five_into_members;
    long long participants, score, staff_participants;
} unit_counts_t;

/* Kept as above. ST_OK or ST_STORE. */
status_t unit_counts(req_t *r, long long unit_id, long long contest_id, unit_counts_t *out)
    __attribute__((warn_unused_result));

#endif
