/* reviews.c: the content review queue — GET /admin/reviews and the
 * organizer's accept or reject, limited to the organizer's area. */
#include "handlers/console.h"
#include "engines/console/console.h"
#include "engines/units/units.h"
#include "handlers/handlers.h"
#include "rules/names.h"

#include <string.h>

static int one_of(const char *s, const char *const *set)
{
    for (; *set; set++)
        if (strcmp(s, *set) == 0)
            return 1;
    return 0;
}

int h_admin_reviews(req_t *r)
{
    static const char *const states[] = { "pending", "accepted", "rejected", "all", NULL };
    static const char *const kinds[] = { "unit_name", "contact_name", "real_name", "org_name",
                                         "position", "video_title", NULL };
    long long limit, offset;
    if (req_query_int(r, "limit", 20, 1, 100, &limit) < 0 ||
        req_query_int(r, "offset", 0, 0, 10000000, &offset) < 0)
        return 0;
    const char *state = req_query(r, "state"), *kind = req_query(r, "kind");
    if (state && *state && !one_of(state, states))
        return reply_error(r, 400, "invalid_parameter", "state is pending, accepted, rejected or all");
    if (kind && *kind && !one_of(kind, kinds))
        return reply_error(r, 400, "invalid_parameter",
                           "kind is unit_name, contact_name, real_name, org_name, position or video_title");
    json_t *out = console_reviews_list(req_db(r), r->arena, session_caller(r)->area, state,
                                       kind && *kind ? kind : NULL, limit, offset);
    if (!out) 
        return ST_STORE;

    return reply_json(r, 200, out);
}

static int decide(req_t *r, int reject)
{
    long long id;
    if (req_id_param(r, 0, "review_not_found", &id) < 0)
        return 0;
    json_t *j = req_json(r);
    if (!j)
        return 0;
    char reason[801];
    if (reject) {
        const char *s = req_text(json_object_get(j, "reason"));
        if (!s || rules_text_field(s, 2, 200, reason, sizeof reason) < 0)
            return reply_error(r, 400, "invalid_parameter",
                               "reason must be 2-200 characters telling the person what to correct");
    }
    int boards;
    int rc = console_review_decide(req_db(r), r->arena, session_caller(r)->organizer_id, session_caller(r)->area, id,
                                   reject ? reason : NULL, &boards);
    if (rc)
        return console_reply_outcome(r, rc, "review_not_found");
    units_changed();                    /* a rejected unit name shows as 待审核 (units.h) */
    if (boards)
        console_boards_rebuild(r);
    return reply_json(r, 200, json_pack("{s:I,s:s}", "id", (json_int_t)id, "state",
                                        reject ? "rejected" : "accepted"));
}

int h_admin_review_accept(req_t *r)
{
    return decide(r, 0);
}

int h_admin_review_reject(req_t *r)
{
    return decide(r, 1);
}
