/* members.c: GET /units/{id}/members — a unit's people for its own admin
 * (own unit only) and for organizers of its area: filter, query, page. */
#include "handlers/console.h"
#include "engines/console/console.h"
#include "engines/quiz/contest.h"
#include "handlers/handlers.h"
#include "rules/names.h"

#include <string.h>

/* A yes/no filter: absent -1; true/1 → 1, false/0 → 0; else 400. */
static int flag_param(req_t *r, const char *name, int *out)
{
    const char *v = req_query(r, name);
    *out = -1;
    if (!v || !*v)
        return 0;
    if (!strcmp(v, "true") || !strcmp(v, "1"))
        *out = 1;
    else if (!strcmp(v, "false") || !strcmp(v, "0"))
        *out = 0;
    else {
        reply_error(r, 400, "invalid_parameter",
                    arena_sprintf(r->arena, "%s is true or false", name));
        return -1;
    }
    return 0;
}

int h_unit_members(req_t *r)
{
    long long id;
    if (req_id_param(r, 0, "unit_not_found", &id) < 0)
        return 0;
    console_members_filter_t f = { 0 };
    char q[164] = "";
    const char *qs = req_query(r, "q");
    if (qs && *qs && rules_text_field(qs, 1, 40, q, sizeof q) < 0)
        return reply_error(r, 400, "invalid_parameter", "q must be 1-40 characters of a name");
    f.q = q;
    f.kind = req_query(r, "kind");
    if (f.kind && *f.kind && strcmp(f.kind, "staff") && strcmp(f.kind, "five_into"))
        return reply_error(r, 400, "invalid_parameter", "kind is staff or five_into");
    if (req_query_int(r, "limit", 20, 1, 100, &f.limit) < 0 ||
        req_query_int(r, "offset", 0, 0, 10000000, &f.offset) < 0 ||
        req_query_int(r, "min_score", -1, 0, 1000000000, &f.min_score) < 0 ||
        req_query_int(r, "max_score", -1, 0, 1000000000, &f.max_score) < 0 ||
        flag_param(r, "participated", &f.participated) < 0 ||
        flag_param(r, "leader", &f.leader) < 0)
        return 0;
    int acc = console_unit_access(r, id);
    if (acc)
        return acc > 0 ? ST_OK : ST_STORE;
    contest_t c;
    const char *cq = req_query(r, "contest_id");
    int rc = (cq && *cq) ? contest_from_request(r, NULL, &c) : contest_load(r, 0, &c);
    if (rc == ST_REPLIED || rc < 0)
        return rc;
    f.contest_id = rc == ST_OK ? c.id : 0;   /* ST_NOT_FOUND: no contest, no scores */
    json_t *out = console_members_list(req_db(r), r->arena, id, &f);
    if (!out) 
        return ST_STORE;

    return reply_json(r, 200, out);
}
