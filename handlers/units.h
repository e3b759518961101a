/* units.h: units (water administrations, water enterprises, other units):
 * registration, the public view with its counts, and the bulk generator
 * for the search benchmark. The search index lives in
 * engines/units/unit_search.h, QR codes in qrcode.h. */
#ifndef UNITS_H
#define UNITS_H

#include <jansson.h>
#include "server/request.h"

/* GET /api/v1/units?q=&region=&limit&offset: search by a keyword of the
 * name (engines/units/unit_search.h) or browse; 400 query_too_short,
 * invalid_parameter, invalid_region. */
int h_units_list(req_t *r);
/* POST /api/v1/units (R_USER | R_SLOW: the name goes through WeChat's
 * content check). 201 {"unit"}; 400 invalid_name, invalid_credit_code,
 * invalid_region, invalid_parameter (type, headcount, contact_name,
 * contact_phone); 403 registration_closed; 409 unit_exists with "unit_id";
 * 422 content_risky. */
int h_units_create(req_t *r);
/* GET /api/v1/units/{id}?contest_id: the unit with members, participants,
 * score and rank (null until the boards provide it); 404 unit_not_found. */
int h_units_get(req_t *r);

/* The unit as the API shows it, or NULL (nothing replied) when it does not
 * exist or is disabled; *err = ST_STORE on a store error, ST_NOT_FOUND
 * when there is no such unit. */
json_t *unit_load_json(req_t *r, long long id, int *err);

/* `quizd units-generate N`: N synthetic units, indexed, for benchmarks. */
int cmd_units_generate(int argc, char **argv);

#endif
