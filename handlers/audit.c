/* audit.c: GET /admin/audit — the record of organizer changes, for
 * nationwide organizers (R_NATIONWIDE). */
#include "handlers/console.h"
#include "engines/console/console.h"
#include "handlers/handlers.h"
#include "rules/score.h"

#include <string.h>

/* 1 when s is a short [a-z_.] word (an action or a kind). */
static int word_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 40)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || *s == '_' || *s == '.'))
            return 0;
    return 1;
}

static int time_param(req_t *r, const char *name, long long *out)
{
    const char *v = req_query(r, name);
    *out = 0;
    if (!v || !*v)
        return 0;
    if (iso8601_parse(v, out) < 0) {
        reply_error(r, 400, "invalid_parameter",
                    arena_sprintf(r->arena, "%s must be an ISO 8601 time with offset", name));
        return -1;
    }
    return 0;
}

int h_admin_audit(req_t *r)
{
    console_audit_filter_t f = { 0 };
    if (req_query_int(r, "limit", 20, 1, 100, &f.limit) < 0 ||
        req_query_int(r, "offset", 0, 0, 10000000, &f.offset) < 0 ||
        req_query_int(r, "organizer_id", 0, 0, (1LL << 53), &f.organizer_id) < 0 ||
        req_query_int(r, "target_id", 0, 0, (1LL << 53), &f.target_id) < 0 ||
        time_param(r, "since", &f.since) < 0 || time_param(r, "until", &f.until) < 0)
        return 0;
    f.action = req_query(r, "action");
    f.target_kind = req_query(r, "target_kind");
    if ((f.action && *f.action && !word_ok(f.action)) ||
        (f.target_kind && *f.target_kind && !word_ok(f.target_kind)))
        return reply_error(r, 400, "invalid_parameter",
                           "action and target_kind are words such as unit.update and unit");
    json_t *out = console_audit_list(req_db(r), r->arena, &f);
    if (!out) 
        return ST_STORE;

    return reply_json(r, 200, out);
}
