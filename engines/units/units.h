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

#endif
