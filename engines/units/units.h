/* units.h: the units engine — where units and people belong.
 *
 * It offers: the unit search index (bigrams of folded names, kept with
 * each unit, unit_search.h) and the region lookups registration needs
 * (regions.h). Unit records themselves are read and written by
 * handlers/units.c. */
#ifndef ENGINES_UNITS_H
#define ENGINES_UNITS_H

#include "engines/units/regions.h"
#include "engines/units/unit_search.h"

#endif
